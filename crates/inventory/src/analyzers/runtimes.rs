//! Unmanaged runtimes: language runtimes and servers that images install outside the package
//! manager (official images copy `/usr/local/bin/node`, `/usr/local/lib/libpython3.12.so`,
//! `/opt/java/openjdk`, `/usr/local/go`), found as syft's binary classifiers find them: a
//! table of file names, and for each a documented version file or a version string inside
//! the binary.
//!
//! | runtime | files (base name) | version from | CPE vendor:product |
//! |---|---|---|---|
//! | `node` | `node`, `nodejs`, `libnode.so*` (ELF) | `node.js/v20.13.1` | `nodejs:node.js` |
//! | `python` | `python3.11`, `libpython3.11.so*` (ELF; `X.Y` in the name) | the NUL-delimited string `3.11.2` (the `PY_VERSION` literal) starting with the name's `X.Y` | `python:python` |
//! | `java` | `release` (text) | `JAVA_VERSION="17.0.15"` | `oracle:openjdk`, `oracle:jdk`, `oracle:jre` |
//! | `go` | `VERSION` (text, first line `go1.19.8`) | `go1.19.8` → `1.19.8` | `golang:go` |
//! | `php` | `php`, `php8.2`, `php-fpm*`, `php-cgi*`, `libphp*.so` (ELF) | `X-Powered-By: PHP/8.2.36` | `php:php` |
//! | `ruby` | `ruby`, `ruby3.1`, `libruby*.so*` (ELF) | `ruby 3.1.2p20 (` → `3.1.2` | `ruby-lang:ruby` |
//! | `nginx` | `nginx` (ELF) | `nginx/1.22.1` | `f5:nginx`, `nginx:nginx` |
//! | `httpd` | `httpd`, `apache2` (ELF) | `Apache/2.4.57` | `apache:http_server` |
//! | `redis` | `redis-server` (ELF with `redis_version:`) | `7.2.4buildkitsandbox-…`, else the highest NUL-delimited `X.Y.Z` | `redis:redis` |
//! | `postgresql` | `postgres` (ELF) | `(PostgreSQL) 15.5` | `postgresql:postgresql` |
//! | `busybox` | `busybox` (ELF) | `BusyBox v1.36.1` | `busybox:busybox` |
//!
//! Binaries are picked by name and ELF magic (libraries need no execute bit) and reduced in
//! the walk to the version found, so a 90 MB `node` is never kept. A file an OS package owns
//! (Debian's `/usr/sbin/nginx`, read through `owned.rs`) is the OS package's and not reported
//! again. Several files of one runtime at one version (Debian's static `python3.11` and its
//! `libpython3.11.so.1.0`) are one package, at the executable's path when there is one.
//!
//! Each package is `pkg:generic/NAME@VERSION` with its CPEs (`cpe:2.3:a:nodejs:node.js:
//! 20.13.1:*:*:*:*:*:*:*`), matched against NVD's CPE ranges by the scan.
//!
//! Traps:
//! * Redis keeps its version only inside longer strings or beside the versions its command
//!   table names (`since 6.2.0`); the highest of those is its own version for Redis 7
//!   (the command table ships inside the binary), a guess for older ones.
//! * Python's `sys.version` (`3.11.2 (main, …)`) is built at run time; only `PY_VERSION`
//!   is in the file, and other libraries' versions (`3.2.0`) look alike, hence the name's
//!   `X.Y` must agree. A `python3` named without its minor version is not read.
//! * Java 8's `JAVA_VERSION="1.8.0_392"` is kept as written; NVD names Java 8 updates in
//!   the CPE's update field (`1.8.0:update_381`), so exact Java 8 entries do not match.
//! * A `VERSION` or `release` file of anything else is ignored: the first line must read
//!   `goX.Y…`, the file must hold `JAVA_VERSION=`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::bytes::Regex;

use super::executable;
use super::owned::Owned;
use crate::diagnostics::RECORD_SKIPPED;
use crate::model::{Package, PackageType};
use crate::{Analysis, AnalyzeError, Analyzer, FileSet};

/// Reads unmanaged runtimes.
pub struct Runtimes;

/// How a runtime's files are told by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An ELF executable or shared library.
    Binary,
    /// A small text file.
    Text,
}

/// One row of the table.
struct Runtime {
    /// The package name (`node`).
    name: &'static str,
    /// CPE (vendor, product) pairs, the first the main one.
    cpes: &'static [(&'static str, &'static str)],
    kind: Kind,
    /// Whether a base name is one of this runtime's files.
    file: fn(&str) -> bool,
    /// The version in the file's bytes, given its base name.
    version: fn(&str, &[u8]) -> Option<String>,
    /// Where the version came from (`found_by`).
    evidence: &'static str,
}

const TABLE: &[Runtime] = &[
    Runtime {
        name: "node",
        cpes: &[("nodejs", "node.js")],
        kind: Kind::Binary,
        file: |n| n == "node" || n == "nodejs" || is_lib(n, "libnode"),
        version: |_, d| first_capture(re(&NODE, r"node\.js/v([0-9]+\.[0-9]+\.[0-9]+)"), d),
        evidence: "binary: node.js/vX.Y.Z",
    },
    Runtime {
        name: "python",
        cpes: &[("python", "python")],
        kind: Kind::Binary,
        file: |n| python_minor(n).is_some(),
        version: python_version,
        evidence: "binary: PY_VERSION",
    },
    Runtime {
        name: "java",
        cpes: &[("oracle", "openjdk"), ("oracle", "jdk"), ("oracle", "jre")],
        kind: Kind::Text,
        file: |n| n == "release",
        version: |_, d| java_release(d),
        evidence: "release: JAVA_VERSION",
    },
    Runtime {
        name: "go",
        cpes: &[("golang", "go")],
        kind: Kind::Text,
        file: |n| n == "VERSION",
        version: |_, d| go_version_file(d),
        evidence: "VERSION: goX.Y.Z",
    },
    Runtime {
        name: "php",
        cpes: &[("php", "php")],
        kind: Kind::Binary,
        file: |n| {
            n == "php"
                || is_versioned(n, "php")
                || n.starts_with("php-fpm")
                || n.starts_with("php-cgi")
                || is_lib(n, "libphp")
        },
        version: |_, d| first_capture(re(&PHP, r"X-Powered-By: PHP/([0-9]+\.[0-9]+\.[0-9]+)"), d),
        evidence: "binary: X-Powered-By: PHP/X.Y.Z",
    },
    Runtime {
        name: "ruby",
        cpes: &[("ruby-lang", "ruby")],
        kind: Kind::Binary,
        file: |n| n == "ruby" || is_versioned(n, "ruby") || is_lib(n, "libruby"),
        version: |_, d| {
            first_capture(
                re(&RUBY, r"ruby ([0-9]+\.[0-9]+\.[0-9]+)(?:p[0-9]+)? \("),
                d,
            )
        },
        evidence: "binary: ruby X.Y.ZpN",
    },
    Runtime {
        name: "nginx",
        cpes: &[("f5", "nginx"), ("nginx", "nginx")],
        kind: Kind::Binary,
        file: |n| n == "nginx",
        version: |_, d| first_capture(re(&NGINX, r"nginx/([0-9]+\.[0-9]+\.[0-9]+)"), d),
        evidence: "binary: nginx/X.Y.Z",
    },
    Runtime {
        name: "httpd",
        cpes: &[("apache", "http_server")],
        kind: Kind::Binary,
        file: |n| n == "httpd" || n == "apache2",
        version: |_, d| first_capture(re(&HTTPD, r"Apache/([0-9]+\.[0-9]+\.[0-9]+)"), d),
        evidence: "binary: Apache/X.Y.Z",
    },
    Runtime {
        name: "redis",
        cpes: &[("redis", "redis")],
        kind: Kind::Binary,
        file: |n| n == "redis-server",
        version: |_, d| redis_version(d),
        evidence: "binary: redis_version",
    },
    Runtime {
        name: "postgresql",
        cpes: &[("postgresql", "postgresql")],
        kind: Kind::Binary,
        file: |n| n == "postgres",
        version: |_, d| first_capture(re(&POSTGRES, r"\(PostgreSQL\) ([0-9]+(?:\.[0-9]+)+)"), d),
        evidence: "binary: (PostgreSQL) X.Y",
    },
    Runtime {
        name: "busybox",
        cpes: &[("busybox", "busybox")],
        kind: Kind::Binary,
        file: |n| n == "busybox",
        version: |_, d| first_capture(re(&BUSYBOX, r"BusyBox v([0-9]+\.[0-9]+\.[0-9]+)"), d),
        evidence: "binary: BusyBox vX.Y.Z",
    },
];

/// The largest file picked: official `node` builds are about 100 MB.
const MAX_PICK: u64 = 256 * 1024 * 1024;

static NODE: OnceLock<Regex> = OnceLock::new();
static PHP: OnceLock<Regex> = OnceLock::new();
static RUBY: OnceLock<Regex> = OnceLock::new();
static NGINX: OnceLock<Regex> = OnceLock::new();
static HTTPD: OnceLock<Regex> = OnceLock::new();
static POSTGRES: OnceLock<Regex> = OnceLock::new();
static BUSYBOX: OnceLock<Regex> = OnceLock::new();
static REDIS_BUILD: OnceLock<Regex> = OnceLock::new();
static NUL_VERSION: OnceLock<Regex> = OnceLock::new();

/// `pattern`, compiled once into `lock`. The patterns are constants of this file (a test
/// reads every table row, so each is compiled there).
fn re(lock: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    lock.get_or_init(|| Regex::new(pattern).expect("a constant pattern of this file"))
}

fn first_capture(re: &Regex, data: &[u8]) -> Option<String> {
    let caps = re.captures(data)?;
    let m = caps.get(1)?;
    std::str::from_utf8(m.as_bytes()).ok().map(str::to_owned)
}

/// Whether `name` is a shared library `PREFIX….so…` (`libnode.so.108`, `libruby-3.1.so.3.1`).
/// `base` followed by a version made of digits and dots (`php8.2`, `ruby3.1`).
fn is_versioned(name: &str, base: &str) -> bool {
    name.strip_prefix(base)
        .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

fn is_lib(name: &str, prefix: &str) -> bool {
    name.starts_with(prefix) && name.contains(".so")
}

/// The `X.Y` of `python3.11`, `libpython3.11.so.1.0`, `libpython3.7m.so`.
fn python_minor(name: &str) -> Option<&str> {
    let rest = if let Some(r) = name.strip_prefix("libpython") {
        let (v, _) = r.split_once(".so")?;
        v.strip_suffix('m').unwrap_or(v)
    } else {
        name.strip_prefix("python")?
    };
    let (major, minor) = rest.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (matches!(major, "2" | "3") && digits(minor)).then_some(rest)
}

/// Python's `PY_VERSION`: a NUL-delimited `X.Y.Z[a|b|rcN][+]` whose `X.Y` is the file
/// name's.
fn python_version(name: &str, data: &[u8]) -> Option<String> {
    let minor = python_minor(name)?;
    let re = Regex::new(&format!(
        r"\x00({}\.[0-9]+(?:(?:a|b|rc)[0-9]+)?\+?)\x00",
        regex::escape(minor)
    ))
    .ok()?;
    first_capture(&re, data)
}

/// `JAVA_VERSION="17.0.15"` of a JDK's or JRE's `release` file.
fn java_release(data: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(data).ok()?;
    text.lines().find_map(|l| {
        let v = l
            .trim()
            .strip_prefix("JAVA_VERSION=")?
            .trim()
            .trim_matches('"');
        let ok = v.starts_with(|c: char| c.is_ascii_digit())
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-+".contains(&b));
        ok.then(|| v.to_owned())
    })
}

/// `go1.19.8` on the first line of a Go toolchain's `VERSION` file, as `1.19.8`.
fn go_version_file(data: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(data.get(..data.len().min(256))?).ok()?;
    let v = text.lines().next()?.trim().strip_prefix("go")?;
    let ok = v.starts_with(|c: char| c.is_ascii_digit())
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.');
    ok.then(|| v.to_owned())
}

/// Redis: the build id `7.2.4buildkitsandbox-…` of an official image's build, else the
/// highest NUL-delimited `X.Y.Z` of a binary that has Redis's `INFO` field.
fn redis_version(data: &[u8]) -> Option<String> {
    if !data.windows(14).any(|w| w == b"redis_version:") {
        return None;
    }
    if let Some(v) = first_capture(
        re(&REDIS_BUILD, r"([0-9]+\.[0-9]+\.[0-9]+)buildkitsandbox-"),
        data,
    ) {
        return Some(v);
    }
    re(&NUL_VERSION, r"\x00([0-9]+\.[0-9]+\.[0-9]+)\x00")
        .captures_iter(data)
        .filter_map(|c| std::str::from_utf8(c.get(1)?.as_bytes()).ok())
        .max_by(|a, b| {
            version::compare(version::Scheme::Cpe, a, b).unwrap_or(std::cmp::Ordering::Equal)
        })
        .map(str::to_owned)
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The table rows whose files are named like `path`.
fn rows_for(path: &str) -> impl Iterator<Item = &'static Runtime> + '_ {
    let name = base_name(path);
    TABLE.iter().filter(move |r| (r.file)(name))
}

/// The CPE 2.3 name of `vendor:product` at `version`, with `:` and other specials escaped.
fn cpe(vendor: &str, product: &str, version: &str) -> String {
    let esc = |s: &str| {
        s.chars()
            .flat_map(|c| {
                let special = !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
                special.then_some('\\').into_iter().chain([c])
            })
            .collect::<String>()
    };
    format!(
        "cpe:2.3:a:{}:{}:{}:*:*:*:*:*:*:*",
        esc(vendor),
        esc(product),
        esc(version)
    )
}

/// What the walk keeps of a picked file: the runtime and version found.
#[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Found {
    runtime: String,
    version: String,
}

/// The runtime and version in the file at `path`, if it is one of the table's.
fn identify(path: &str, data: &[u8]) -> Option<Found> {
    let name = base_name(path);
    rows_for(path).find_map(|r| {
        let version = (r.version)(name, data)?;
        Some(Found {
            runtime: r.name.to_owned(),
            version,
        })
    })
}

fn reduce(path: &str, data: &[u8]) -> Option<Vec<u8>> {
    serde_json::to_vec(&identify(path, data)?).ok()
}

/// Whether a path is an executable rather than a shared library (preferred as `db_path`).
fn is_library(path: &str) -> bool {
    is_lib(base_name(path), "lib")
}

fn analyze(files: &FileSet) -> Analysis {
    let mut result = Analysis::default();
    let mut picked = files
        .iter()
        .filter(|(p, _)| !super::owned::wants(p) && rows_for(p).next().is_some())
        .peekable();
    if picked.peek().is_none() {
        return result;
    }
    let owned = Owned::read(files, |p| rows_for(p).next().is_some());
    // (runtime, version) → paths.
    let mut found: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
    for (path, kept) in picked {
        if owned.contains(path) {
            continue;
        }
        match serde_json::from_slice::<Found>(kept) {
            Ok(f) => found.entry((f.runtime, f.version)).or_default().push(path),
            Err(e) => result.diagnostics.push((
                RECORD_SKIPPED,
                format!("/{path}: what the layer walk kept is unreadable ({e}); skipped"),
            )),
        }
    }
    for ((runtime, version), mut paths) in found {
        let Some(row) = TABLE.iter().find(|r| r.name == runtime) else {
            continue;
        };
        paths.sort_by_key(|p| (is_library(p), *p));
        result.packages.push(Package {
            package_type: Some(PackageType::Binary),
            name: runtime,
            cpes: row.cpes.iter().map(|(v, p)| cpe(v, p, &version)).collect(),
            version,
            db_path: paths[0].to_owned(),
            found_by: Some(row.evidence.to_owned()),
            ..Default::default()
        });
    }
    result
}

impl Analyzer for Runtimes {
    fn name(&self) -> &'static str {
        "runtimes"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, path: &str) -> bool {
        // Runtimes themselves are picked; the OS file lists tell which files are owned.
        super::owned::wants(path)
    }

    fn max_file_size(&self) -> u64 {
        super::owned::MAX_LIST_SIZE
    }

    fn picks(&self, path: &str, mode: u32, head: &[u8]) -> bool {
        rows_for(path).any(|r| match r.kind {
            Kind::Text => true,
            Kind::Binary if is_library(path) => head.starts_with(b"\x7fELF"),
            Kind::Binary => executable::format(mode, head) == Some(executable::ExecFormat::Elf),
        })
    }

    fn max_pick_size(&self) -> u64 {
        MAX_PICK
    }

    fn reduce(&self, path: &str, data: &[u8]) -> Option<Vec<u8>> {
        reduce(path, data)
    }

    fn analyze(&self, files: &FileSet) -> Result<Analysis, AnalyzeError> {
        Ok(analyze(files))
    }
}

#[cfg(test)]
#[path = "runtimes_tests.rs"]
mod tests;

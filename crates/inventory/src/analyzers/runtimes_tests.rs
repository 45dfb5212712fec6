//! Tests of the runtimes analyzer: small binaries and files written here with the strings
//! the real ones carry (as `strings`/`grep -a` show them in Debian's and the official
//! images' builds), run through `picks`, `reduce` and `analyze` as the layer walk does. The
//! real binaries are read by the end-to-end test on the runtimes test image.

use std::sync::Arc;

use super::*;

const EXEC: u32 = 0o755;

/// An ELF-looking file with `strings` inside, NUL-separated, as a binary's `.rodata` has them.
fn elf(strings: &[&[u8]]) -> Vec<u8> {
    let mut d = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    d.extend_from_slice(&[0u8; 48]);
    for s in strings {
        d.push(0);
        d.extend_from_slice(s);
    }
    d.push(0);
    d
}

/// What the walk gives `analyze` for `path`: the reduced bytes, when picked and found.
fn walk(path: &str, mode: u32, data: &[u8]) -> Option<Vec<u8>> {
    let head = &data[..data.len().min(crate::analyzer::HEAD_LEN)];
    if !Runtimes.picks(path, mode, head) {
        return None;
    }
    Runtimes.reduce(path, data)
}

fn found(path: &str, mode: u32, data: &[u8]) -> Option<(String, String)> {
    let kept = walk(path, mode, data)?;
    let f: Found = serde_json::from_slice(&kept).unwrap();
    Some((f.runtime, f.version))
}

/// A path, its mode, its bytes, and the (runtime, version) expected of them.
type Case = (&'static str, u32, Vec<u8>, Option<(String, String)>);

fn pair(runtime: &str, version: &str) -> Option<(String, String)> {
    Some((runtime.into(), version.into()))
}

/// Validates the version of each runtime in the table from its evidence string, at the
/// paths official images and Debian use.
#[test]
fn versions_from_each_kind_of_evidence() {
    let cases: Vec<Case> = vec![
        (
            "usr/local/bin/node",
            EXEC,
            elf(&[b"v8", b"https://nodejs.org/download/release/v20.13.1/node-v20.13.1-headers.tar.gz", b"node.js/v20.13.1"]),
            pair("node", "20.13.1"),
        ),
        (
            "usr/lib/x86_64-linux-gnu/libnode.so.108",
            0o644,
            elf(&[b"json node.js/v18.20.4 (delegate_)"]),
            pair("node", "18.20.4"),
        ),
        (
            "usr/local/bin/python3.11",
            EXEC,
            elf(&[b"pymalloc_debug", b"3.2.0", b"3.11.2", b"strict"]),
            pair("python", "3.11.2"),
        ),
        (
            "usr/local/lib/libpython3.12.so.1.0",
            0o644,
            elf(&[b"1.2.13", b"3.12.4", b"%.80s (%.80s) %.80s"]),
            pair("python", "3.12.4"),
        ),
        (
            "usr/local/lib/libpython3.13.so.1.0",
            0o644,
            elf(&[b"3.13.0rc2", b"%.80s (%.80s) %.80s"]),
            pair("python", "3.13.0rc2"),
        ),
        (
            "opt/java/openjdk/release",
            0o644,
            b"IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_RUNTIME_VERSION=\"17.0.15+6\"\nJAVA_VERSION=\"17.0.15\"\nJAVA_VERSION_DATE=\"2025-04-15\"\n".to_vec(),
            pair("java", "17.0.15"),
        ),
        (
            "usr/local/go/VERSION",
            0o644,
            b"go1.22.5\ntime 2024-06-27T20:11:12Z\n".to_vec(),
            pair("go", "1.22.5"),
        ),
        (
            "usr/lib/go-1.19/VERSION",
            0o644,
            b"go1.19.8".to_vec(),
            pair("go", "1.19.8"),
        ),
        (
            "usr/local/bin/php",
            EXEC,
            elf(&[b"X-Powered-By: PHP/8.2.20", b"PHP_VERSION"]),
            pair("php", "8.2.20"),
        ),
        (
            "usr/local/lib/libruby.so.3.1.2",
            0o644,
            elf(&[b"ruby 3.1.2p20 (2022-04-12 revision 4491bb740a) [x86_64-linux]"]),
            pair("ruby", "3.1.2"),
        ),
        (
            "usr/local/bin/ruby",
            EXEC,
            elf(&[b"ruby 3.4.1 (2024-12-25 revision 48d4efcb85) +PRISM [x86_64-linux]"]),
            pair("ruby", "3.4.1"),
        ),
        (
            "usr/sbin/nginx",
            EXEC,
            elf(&[b"Server: nginx/1.27.0", b"nginx/1.27.0"]),
            pair("nginx", "1.27.0"),
        ),
        (
            "usr/local/apache2/bin/httpd",
            EXEC,
            elf(&[b"Apache/2.4", b"Apache/2.4.57 (Unix)"]),
            pair("httpd", "2.4.57"),
        ),
        (
            "usr/local/bin/redis-server",
            EXEC,
            elf(&[b"7.2.4buildkitsandbox-1700000000", b"redis_version:%s\r\n", b"7.0.0"]),
            pair("redis", "7.2.4"),
        ),
        (
            "usr/bin/redis-server",
            EXEC,
            elf(&[b"6.2.0", b"err", b"7.0.15", b"c11-builtin", b"7.0.3", b"# Server\r\nredis_version:%s\r\n"]),
            pair("redis", "7.0.15"),
        ),
        (
            "usr/lib/postgresql/15/bin/postgres",
            EXEC,
            elf(&[b"postgres (PostgreSQL) 15.20"]),
            pair("postgresql", "15.20"),
        ),
        (
            "bin/busybox",
            EXEC,
            elf(&[b"BusyBox v1.36.1 (2023-11-07 18:53:09 UTC)"]),
            pair("busybox", "1.36.1"),
        ),
    ];
    for (path, mode, data, want) in cases {
        assert_eq!(found(path, mode, &data), want, "{path}");
    }
}

/// Validates what is not a runtime: wrong names, scripts, non-executable programs, other
/// `VERSION` and `release` files, Python without its minor version in the name, a binary
/// without the evidence string, redis strings in another program.
#[test]
fn near_misses() {
    let node = elf(&[b"node.js/v20.13.1"]);
    assert_eq!(found("usr/local/bin/nodes", EXEC, &node), None);
    assert_eq!(
        found("usr/local/bin/node", 0o644, &node),
        None,
        "no execute bit"
    );
    assert_eq!(
        found("usr/local/bin/node", EXEC, b"#!/bin/sh\nnode.js/v20.13.1"),
        None
    );
    assert_eq!(
        found("usr/local/bin/node", EXEC, &elf(&[b"v20.13.1"])),
        None
    );
    assert_eq!(found("app/VERSION", 0o644, b"1.2.3\n"), None);
    assert_eq!(found("app/VERSION", 0o644, b"gopher\n"), None);
    assert_eq!(found("app/VERSION", 0o644, b"go\n"), None);
    assert_eq!(found("etc/release", 0o644, b"NAME=x\n"), None);
    assert_eq!(
        found("opt/j/release", 0o644, b"JAVA_VERSION=\"$(x)\"\n"),
        None
    );
    assert_eq!(
        found("usr/local/bin/python3", EXEC, &elf(&[b"3.11.2"])),
        None,
        "no X.Y in the name"
    );
    assert_eq!(
        found(
            "usr/local/bin/python3.11",
            EXEC,
            &elf(&[b"3.2.0", b"3.12.1"])
        ),
        None,
        "only another minor's version"
    );
    assert_eq!(
        found("usr/local/bin/redis-server", EXEC, &elf(&[b"7.0.15"])),
        None,
        "no redis_version field"
    );
    assert_eq!(
        found(
            "usr/bin/php-config",
            EXEC,
            &elf(&[b"X-Powered-By: PHP/8.2.1"])
        ),
        None
    );
    assert_eq!(
        found(
            "usr/lib/libnode.so.108",
            0o644,
            b"not an ELF node.js/v1.2.3"
        ),
        None
    );
}

/// Validates CPE names: escaping of specials, the product's dot kept.
#[test]
fn cpe_names() {
    assert_eq!(
        cpe("nodejs", "node.js", "20.13.1"),
        "cpe:2.3:a:nodejs:node.js:20.13.1:*:*:*:*:*:*:*"
    );
    assert_eq!(
        cpe("apache", "http_server", "2.4.57"),
        "cpe:2.3:a:apache:http_server:2.4.57:*:*:*:*:*:*:*"
    );
    assert_eq!(
        cpe("x", "y", "1.0+b:1"),
        r"cpe:2.3:a:x:y:1.0\+b\:1:*:*:*:*:*:*:*"
    );
}

fn fileset(entries: Vec<(&str, Vec<u8>)>) -> FileSet {
    entries
        .into_iter()
        .map(|(p, d)| (p.to_string(), Arc::new(d)))
        .collect()
}

/// Validates `analyze`: packages with purl type, CPEs and evidence; one package for the
/// executable and library of one runtime at one version; files an OS package owns (dpkg
/// `.list`) skipped; kept bytes that do not read back reported, not a panic.
#[test]
fn analyze_owned_deduplicated_and_corrupt() {
    fn keep(path: &str, mode: u32, data: Vec<u8>) -> (&str, Vec<u8>) {
        (path, walk(path, mode, &data).unwrap())
    }
    let files = fileset(vec![
        keep("usr/local/bin/python3.11", EXEC, elf(&[b"3.11.2"])),
        keep(
            "usr/local/lib/libpython3.11.so.1.0",
            0o644,
            elf(&[b"3.11.2"]),
        ),
        keep("usr/local/bin/node", EXEC, elf(&[b"node.js/v20.13.1"])),
        keep("usr/sbin/nginx", EXEC, elf(&[b"nginx/1.22.1"])),
        keep("usr/local/sbin/nginx", EXEC, elf(&[b"nginx/1.22.1"])),
        ("usr/local/bin/busybox", b"{not json".to_vec()),
        (
            "var/lib/dpkg/info/nginx.list",
            b"/.\n/usr\n/usr/sbin\n/usr/sbin/nginx\n".to_vec(),
        ),
    ]);
    let a = Runtimes.analyze(&files).unwrap();
    let rows: Vec<(&str, &str, &str)> = a
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.db_path.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("nginx", "1.22.1", "usr/local/sbin/nginx"),
            ("node", "20.13.1", "usr/local/bin/node"),
            ("python", "3.11.2", "usr/local/bin/python3.11"),
        ]
    );
    let nginx = &a.packages[0];
    assert_eq!(nginx.package_type, Some(PackageType::Binary));
    assert_eq!(
        nginx.cpes,
        [
            "cpe:2.3:a:f5:nginx:1.22.1:*:*:*:*:*:*:*",
            "cpe:2.3:a:nginx:nginx:1.22.1:*:*:*:*:*:*:*"
        ]
    );
    assert_eq!(nginx.found_by.as_deref(), Some("binary: nginx/X.Y.Z"));
    assert_eq!(
        crate::purl::package(nginx, None),
        "pkg:generic/nginx@1.22.1"
    );
    assert_eq!(a.diagnostics.len(), 1);
    assert!(
        a.diagnostics[0].1.contains("/usr/local/bin/busybox"),
        "{:?}",
        a.diagnostics
    );
    assert!(Runtimes
        .analyze(&FileSet::new())
        .unwrap()
        .packages
        .is_empty());
}

/// Validates the picking rule for every row: names of the table with ELF magic (libraries
/// without an execute bit), text files by name alone; nothing else.
#[test]
fn picks_by_name_and_magic() {
    let elf_head = b"\x7fELF\x02\x01\x01\0";
    for path in [
        "usr/local/bin/node",
        "usr/local/bin/nodejs",
        "usr/local/bin/python2.7",
        "usr/local/bin/php8.2",
        "usr/local/sbin/php-fpm8.2",
        "usr/local/bin/ruby3.1",
        "usr/local/bin/redis-server",
        "usr/local/apache2/bin/httpd",
        "usr/sbin/apache2",
        "usr/lib/postgresql/15/bin/postgres",
        "bin/busybox",
    ] {
        assert!(Runtimes.picks(path, EXEC, elf_head), "{path}");
        assert!(!Runtimes.picks(path, 0o644, elf_head), "{path} without +x");
        assert!(!Runtimes.picks(path, EXEC, b"#!/bin/sh"), "{path} script");
    }
    for lib in [
        "usr/lib/x86_64-linux-gnu/libnode.so.108",
        "usr/local/lib/libpython3.11.so.1.0",
        "usr/local/lib/libpython3.7m.so",
        "usr/lib/x86_64-linux-gnu/libruby-3.1.so.3.1.2",
        "usr/lib/apache2/modules/libphp8.2.so",
    ] {
        assert!(Runtimes.picks(lib, 0o644, elf_head), "{lib}");
        assert!(!Runtimes.picks(lib, 0o644, b"!<arch>\n"), "{lib}");
    }
    for text in ["opt/java/openjdk/release", "usr/local/go/VERSION"] {
        assert!(Runtimes.picks(text, 0o644, b"x"), "{text}");
    }
    for other in [
        "usr/local/bin/python3",
        "usr/local/bin/python",
        "usr/bin/php-config",
        "usr/local/bin/redis-cli",
        "usr/local/lib/libnodejs.a",
        "etc/os-release",
        "usr/local/go/VERSION.cache",
    ] {
        assert!(!Runtimes.picks(other, EXEC, elf_head), "{other}");
    }
}

//! Rust binaries built with cargo-auditable: the crates recorded in the binary's `.dep-v0`
//! section (ELF and PE `.dep-v0`, Mach-O `__DATA,.dep-v0`), zlib-compressed JSON in the
//! format of the `auditable-serde` crate.
//!
//! The layer walk hands every executable (`analyzers::executable::format`: ELF or Mach-O
//! with an execute bit, PE) to [`Analyzer::reduce`], one at a time; only what it returns is
//! kept (a few KiB of crate list, not the binary). The section is found and
//! decompressed with the cargo-auditable project's `auditable-info` (section lookup through
//! `auditable-extract`, which allocates nothing on untrusted input), under a cap of
//! [`MAX_JSON`] decompressed bytes, and parsed with its `auditable-serde` types, which reject
//! a document with several roots or a dependency cycle.
//!
//! Packages: every crate of kind `runtime` is `pkg:cargo/NAME@VERSION`, its `db_path` the
//! binary. Crates of kind `build` (build scripts, proc-macros and their dependencies) are left
//! out: their code runs while the binary is built and is not in it (cargo-audit's binary mode
//! skips them too). A crate whose `source` is not `crates.io` (the binary's own package and
//! path dependencies are `local`; `git`; `registry` for another registry) keeps that source as
//! its `origin` and is not matched against crates.io advisories. Dependencies come from the
//! `dependencies` indices, written `name@version` so that two versions of one crate in one
//! binary stay apart; dependency paths then run binary's own crate > dependency.
//!
//! An executable without the section is either not Rust (nothing to say) or a Rust binary
//! built without cargo-auditable: then a diagnostic says so and nothing is guessed. Rust is
//! told by strings the standard library puts into every binary that links it: the
//! `RUST_BACKTRACE` variable its panic handler reads, and panic locations under
//! `/rustc/<40 hex digits>/library/` (the path rustc's own library is built under).
//!
//! Traps, each a diagnostic rather than a panic or a huge allocation:
//! * a zlib bomb: decompression stops at [`MAX_JSON`] bytes;
//! * truncated or corrupt zlib, a section pointing outside the file;
//! * JSON that is not the format, several roots, a dependency cycle: nothing of that binary
//!   is listed;
//! * a dependency index out of range: that edge is dropped, the crates are listed;
//! * executables an OS package owns are the OS package's (see `owned.rs`).

use std::collections::BTreeSet;

use auditable_serde::{DependencyKind, Source, VersionInfo};
use serde::{Deserialize, Serialize};

use super::owned::Owned;
use crate::diagnostics::{RUST_AUDIT_DATA_INVALID, RUST_AUDIT_DATA_LIMIT, RUST_NO_AUDIT_DATA};
use crate::model::{Package, PackageType};
use crate::{Analysis, AnalyzeError, Analyzer, FileSet};

/// Reads cargo-auditable data from Rust binaries.
pub struct RustBinary;

/// The most decompressed bytes of audit data read from one binary. Real data is a few hundred
/// bytes per crate (a binary with 500 crates holds about 50 KiB); this is cargo-auditable's
/// own default limit.
pub(crate) const MAX_JSON: usize = 8 * 1024 * 1024;

/// Opens the bytes [`reduce`] keeps, so that `analyze` tells them from the OS file lists it
/// also reads.
const MAGIC: &[u8] = b"shipshape-rustbinary/1\n";

/// What [`reduce`] keeps of one binary.
#[derive(Debug, Serialize, Deserialize)]
enum Reduced {
    /// The crates cargo-auditable recorded, validated; `dropped_edges` dependency indices
    /// pointed beyond the list and were dropped.
    Crates {
        crates: Vec<Crate>,
        dropped_edges: usize,
    },
    /// A Rust binary without audit data.
    NoAuditData,
    /// Audit data that could not be read: the diagnostic code and why.
    Problem(String, String),
}

/// One crate of a binary's audit data.
#[derive(Debug, Serialize, Deserialize)]
struct Crate {
    name: String,
    version: String,
    /// cargo-auditable's `source`: `crates.io`, `local`, `git`, `registry`, or another word.
    source: String,
    /// Only a build dependency (`kind: build`). The binary's own package (`root: true`) needs
    /// no mark: its `source` is `local`, or `crates.io` for a `cargo install`ed crate, which is
    /// then matched like any crates.io crate.
    build: bool,
    /// Indices of the crates it depends on, each checked to be in range.
    dependencies: Vec<usize>,
}

/// Strings only a binary linking Rust's standard library holds.
fn is_rust(data: &[u8]) -> bool {
    use memchr::memmem;
    if memmem::find(data, b"RUST_BACKTRACE").is_some() {
        return true;
    }
    // `/rustc/` + a 40-digit commit hash + `/library/`.
    memmem::find_iter(data, b"/rustc/").any(|at| {
        let hash = at + b"/rustc/".len();
        data.get(hash..hash + 40)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
            && data.get(hash + 40..hash + 49) == Some(&b"/library/"[..])
    })
}

fn encode(r: &Reduced) -> Option<Vec<u8>> {
    let mut out = MAGIC.to_vec();
    serde_json::to_writer(&mut out, r).ok()?;
    Some(out)
}

fn decode(data: &[u8]) -> Option<Reduced> {
    serde_json::from_slice(data.strip_prefix(MAGIC)?).ok()
}

fn problem(code: &str, message: String) -> Reduced {
    Reduced::Problem(code.to_string(), message)
}

/// The architectures' slices of a fat (universal) Mach-O file, `None` for any other file.
fn fat_slices(data: &[u8]) -> Option<Vec<&[u8]>> {
    use object::read::macho::{FatArch, MachOFatFile32, MachOFatFile64};
    match data.get(..4)? {
        [0xca, 0xfe, 0xba, 0xbe] => {
            let fat = MachOFatFile32::parse(data).ok()?;
            Some(
                fat.arches()
                    .iter()
                    .filter_map(|a| a.data(data).ok())
                    .collect(),
            )
        }
        [0xca, 0xfe, 0xba, 0xbf] => {
            let fat = MachOFatFile64::parse(data).ok()?;
            Some(
                fat.arches()
                    .iter()
                    .filter_map(|a| a.data(data).ok())
                    .collect(),
            )
        }
        _ => None,
    }
}

/// What one executable's bytes hold for this analyzer, as [`Reduced`]; `None` when it is not
/// a Rust binary. A fat Mach-O is read one architecture at a time (`auditable-extract` reads
/// thin files only); the first architecture with audit data answers.
fn read(data: &[u8]) -> Option<Reduced> {
    if let Some(slices) = fat_slices(data) {
        let mut first = None;
        for slice in slices {
            match read_thin(slice) {
                Some(r @ Reduced::Crates { .. }) => return Some(r),
                Some(other) => {
                    first.get_or_insert(other);
                }
                None => {}
            }
        }
        return first;
    }
    read_thin(data)
}

/// [`read`] for one thin executable (ELF, PE, a Mach-O of one architecture).
fn read_thin(data: &[u8]) -> Option<Reduced> {
    use auditable_info::Error;
    let json = match auditable_info::json_from_slice(data, MAX_JSON) {
        Ok(json) => json,
        Err(Error::NoAuditData) => return is_rust(data).then_some(Reduced::NoAuditData),
        Err(Error::BinaryParsing(e)) => {
            // Not an executable `auditable-extract` can read (a fat Mach-O, a damaged file):
            // only worth a word when it is Rust.
            return is_rust(data).then(|| {
                problem(
                    RUST_AUDIT_DATA_INVALID,
                    format!("a Rust binary whose sections could not be read ({e}); its crates are not listed"),
                )
            });
        }
        Err(Error::OutputLimitExceeded | Error::InputLimitExceeded) => {
            return Some(problem(
                RUST_AUDIT_DATA_LIMIT,
                format!(
                    "cargo-auditable data decompresses to more than {MAX_JSON} bytes (a zlib bomb?); its crates are not listed"
                ),
            ))
        }
        Err(e) => {
            return Some(problem(
                RUST_AUDIT_DATA_INVALID,
                format!("cargo-auditable data unreadable ({e}); its crates are not listed"),
            ))
        }
    };
    let info: VersionInfo = match serde_json::from_str(&json) {
        Ok(info) => info,
        Err(e) => {
            return Some(problem(
                RUST_AUDIT_DATA_INVALID,
                format!("cargo-auditable data is not valid ({e}); its crates are not listed"),
            ))
        }
    };
    let n = info.packages.len();
    let mut out_of_range = 0usize;
    let crates = info
        .packages
        .into_iter()
        .map(|p| {
            let dependencies: Vec<usize> =
                p.dependencies.iter().copied().filter(|&d| d < n).collect();
            out_of_range += p.dependencies.len() - dependencies.len();
            Crate {
                name: p.name,
                version: p.version.to_string(),
                source: String::from(p.source),
                build: p.kind == DependencyKind::Build,
                dependencies,
            }
        })
        .collect();
    Some(Reduced::Crates {
        crates,
        dropped_edges: out_of_range,
    })
}

/// The packages of one binary's crates (build-only crates left out).
fn packages(path: &str, crates: &[Crate]) -> Vec<Package> {
    crates
        .iter()
        .filter(|c| !c.build)
        .map(|c| {
            let depends: BTreeSet<String> = c
                .dependencies
                .iter()
                .filter_map(|&d| crates.get(d))
                .filter(|d| !d.build)
                .map(|d| format!("{}@{}", d.name, d.version))
                .collect();
            Package {
                package_type: Some(PackageType::Cargo),
                name: c.name.clone(),
                version: c.version.clone(),
                db_path: path.to_string(),
                origin: (c.source != String::from(Source::CratesIo)).then(|| c.source.clone()),
                depends: depends.into_iter().collect(),
                ..Package::default()
            }
        })
        .collect()
}

fn analyze(files: &FileSet) -> Analysis {
    let mut result = Analysis::default();
    let binaries: Vec<(&String, Reduced)> = files
        .iter()
        .filter_map(|(p, d)| decode(d).map(|r| (p, r)))
        .collect();
    if binaries.is_empty() {
        return result;
    }
    let paths: BTreeSet<&str> = binaries.iter().map(|(p, _)| p.as_str()).collect();
    let owned = Owned::read(files, |p| paths.contains(p));
    for (path, reduced) in binaries {
        if owned.contains(path) {
            continue;
        }
        match reduced {
            Reduced::Crates {
                crates,
                dropped_edges,
            } => {
                if dropped_edges > 0 {
                    result.diagnostics.push((
                        RUST_AUDIT_DATA_INVALID,
                        format!(
                            "/{path}: cargo-auditable data names {dropped_edges} dependencies \
                             beyond its {} crates; those edges are dropped",
                            crates.len()
                        ),
                    ));
                }
                result.packages.extend(packages(path, &crates));
            }
            Reduced::NoAuditData => result.diagnostics.push((
                RUST_NO_AUDIT_DATA,
                format!(
                    "/{path}: a Rust binary built without cargo-auditable; its crates are not known and not listed"
                ),
            )),
            Reduced::Problem(code, message) => {
                let code = crate::diagnostics::ALL
                    .iter()
                    .map(|(c, _)| *c)
                    .find(|c| *c == code)
                    .unwrap_or(RUST_AUDIT_DATA_INVALID);
                result.diagnostics.push((code, format!("/{path}: {message}")));
            }
        }
    }
    result
}

impl Analyzer for RustBinary {
    fn name(&self) -> &'static str {
        "rust-binary"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, path: &str) -> bool {
        super::owned::wants(path)
    }

    fn picks(&self, _path: &str, mode: u32, head: &[u8]) -> bool {
        super::executable::format(mode, head).is_some()
    }

    fn reduce(&self, _path: &str, data: &[u8]) -> Option<Vec<u8>> {
        reduce(data)
    }

    fn max_size_of(&self, _path: &str) -> u64 {
        super::owned::MAX_LIST_SIZE
    }

    fn analyze(&self, files: &FileSet) -> Result<Analysis, AnalyzeError> {
        Ok(analyze(files))
    }
}

/// What the walk keeps of the executable `data`: `None` when it is not a Rust binary.
pub(crate) fn reduce(data: &[u8]) -> Option<Vec<u8>> {
    encode(&read(data)?)
}

#[cfg(test)]
#[path = "rustbinary_tests.rs"]
mod tests;

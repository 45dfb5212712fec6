//! The vulnerable-symbol check of Go findings, as govulncheck's binary mode does it: whether
//! the functions the Go vulnerability database names for a vulnerability are in the binary.
//!
//! The Go vulndb's OSV records list, per affected module, `ecosystem_specific.imports[]`:
//! an import path and the `symbols` in it (`Serve`, `Server.Serve` for a method, whatever
//! its receiver's pointer mark). The inventory keeps, per Go package, the functions its
//! binary holds in the same spelling (`net/http.Server.Serve`, read from the pclntab). So:
//! * `present` when any listed symbol is in the binary (an import listed without symbols
//!   counts when any function of that package is);
//! * `absent` when the records list symbols and none is there: the vulnerable code was
//!   not linked in (the Go linker drops unreachable functions);
//! * `unknown` when no matching record lists any, or the binary's functions could not be
//!   read (a corrupt pclntab, or a package read back from an SBOM).
//!
//! Traps: a function the compiler inlined into every caller has no entry of its own, so it
//! reads as absent (govulncheck also reads inline trees; this check does not); aliases
//! merged into one finding contribute every record's symbols (a GHSA record has none, the
//! Go vulndb record has them).

use std::collections::BTreeSet;

use inventory::Package;
use serde::{Deserialize, Serialize};

/// Whether a Go finding's vulnerable functions are in the binary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SymbolStatus {
    /// At least one listed function is in the binary.
    Present,
    /// The records list functions and none is in the binary.
    Absent,
    /// No record lists functions, or the binary's functions are not known.
    Unknown,
}

impl SymbolStatus {
    /// `present`, `absent`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            SymbolStatus::Present => "present",
            SymbolStatus::Absent => "absent",
            SymbolStatus::Unknown => "unknown",
        }
    }
}

/// The vulnerable-symbol check of one finding (`vulnerableSymbols` in JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VulnerableSymbols {
    /// The answer.
    pub status: SymbolStatus,
    /// The listed functions found in the binary (`net/http.Server.Serve`), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub found: Vec<String>,
    /// Every function the records list (`net/http.Server.Serve`, or `net/http` for an
    /// import listed without symbols), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listed: Vec<String>,
}

/// What the records' `ecosystem_specific` values list: `(import path, symbols)`.
pub(crate) fn listed<'a>(
    specific: impl Iterator<Item = &'a serde_json::Value>,
) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for v in specific {
        let imports = v.get("imports").and_then(|i| i.as_array());
        for imp in imports.into_iter().flatten() {
            let Some(path) = imp.get("path").and_then(|p| p.as_str()) else {
                continue;
            };
            let symbols = imp
                .get("symbols")
                .and_then(|s| s.as_array())
                .map(|s| {
                    s.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            out.push((path.to_owned(), symbols));
        }
    }
    out
}

/// The check for `pkg` against what its matching records list.
pub(crate) fn check(pkg: &Package, listed: &[(String, Vec<String>)]) -> VulnerableSymbols {
    let mut names: BTreeSet<String> = BTreeSet::new();
    for (path, symbols) in listed {
        if symbols.is_empty() {
            names.insert(path.clone());
        } else {
            names.extend(symbols.iter().map(|s| format!("{path}.{s}")));
        }
    }
    let listed_names: Vec<String> = names.iter().cloned().collect();
    let Some(have) = pkg.symbols.as_ref().filter(|_| !listed.is_empty()) else {
        return VulnerableSymbols {
            status: SymbolStatus::Unknown,
            found: Vec::new(),
            listed: listed_names,
        };
    };
    let mut found = BTreeSet::new();
    for (path, symbols) in listed {
        if symbols.is_empty() {
            let prefix = format!("{path}.");
            if let Some(s) = have.iter().find(|s| s.starts_with(&prefix)) {
                found.insert(s.clone());
            }
        } else {
            for s in symbols {
                let full = format!("{path}.{s}");
                if have.binary_search(&full).is_ok() {
                    found.insert(full);
                }
            }
        }
    }
    VulnerableSymbols {
        status: if found.is_empty() {
            SymbolStatus::Absent
        } else {
            SymbolStatus::Present
        },
        found: found.into_iter().collect(),
        listed: listed_names,
    }
}

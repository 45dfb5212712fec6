//! What a matching crates.io advisory entry means beyond its version ranges: RustSec's
//! informational advisories and platform restrictions.
//!
//! RustSec writes `informational = "unmaintained" | "unsound" | "notice"` in an advisory's
//! front matter and `[affected] os = [...]` (also `arch`) for platform-specific flaws. Our
//! RustSec importer keeps them as `database_specific.informational` and
//! `ecosystem_specific.os`; RustSec's own OSV export writes `database_specific.informational`
//! and `ecosystem_specific.affects.os`. Both spellings are read here.
//!
//! Decisions (docs/architecture.md, "Matching"):
//! * `unmaintained` and `notice` are not vulnerabilities: no finding (trivy does not report
//!   them either), but the scan names them in one `S009` diagnostic, as cargo-audit lists
//!   them as warnings;
//! * `unsound` is a finding: the crate can cause undefined behaviour in safe code, which is
//!   how memory-safety vulnerabilities start, and GitHub publishes many of them as GHSA
//!   advisories;
//! * an entry restricted to operating systems that do not include the image's (a
//!   Windows-only flaw in a Linux image) does not match, like a version outside the range;
//!   when the image's OS is unknown (a `dir:` or `sbom:` target) it matches.

use vulndb::Affected;

/// Why a matching entry is not a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Skip {
    /// RustSec informational, not `unsound`: the kind (`unmaintained`, `notice`).
    Informational(String),
    /// Only the listed operating systems are affected, and the image's is not one of them.
    OtherPlatform,
}

/// Why the crates.io entry `aff` is not a finding for an image whose OS (OCI platform `os`:
/// `linux`) is `image_os`, or `None` when it is one.
pub(crate) fn skip(aff: &Affected, image_os: Option<&str>) -> Option<Skip> {
    if aff.ecosystem.as_str() != "crates.io" {
        return None;
    }
    let informational = aff
        .database_specific
        .as_ref()
        .and_then(|d| d.get("informational"))
        .and_then(|i| i.as_str())
        .map(str::trim)
        .filter(|i| !i.is_empty());
    if let Some(kind) = informational {
        if !kind.eq_ignore_ascii_case("unsound") {
            return Some(Skip::Informational(kind.to_owned()));
        }
    }
    let eco = aff.ecosystem_specific.as_ref()?;
    let os = eco
        .get("os")
        .or_else(|| eco.get("affects").and_then(|a| a.get("os")))?
        .as_array()?;
    let os: Vec<&str> = os.iter().filter_map(|o| o.as_str()).collect();
    let image_os = image_os?.trim();
    if os.is_empty() || image_os.is_empty() {
        return None;
    }
    let same = |rust_os: &str| {
        rust_os.eq_ignore_ascii_case(image_os)
            || (rust_os.eq_ignore_ascii_case("macos") && image_os.eq_ignore_ascii_case("darwin"))
    };
    (!os.iter().any(|o| same(o))).then_some(Skip::OtherPlatform)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vulndb::{Ecosystem, Status};

    fn entry(
        eco: &str,
        database: Option<serde_json::Value>,
        ecosystem: Option<serde_json::Value>,
    ) -> Affected {
        Affected {
            ecosystem: Ecosystem::new(eco).unwrap(),
            package: "atty".into(),
            purl: None,
            ranges: vec![],
            versions: vec![],
            status: Status::NotFixedYet,
            severities: vec![],
            vendor_severity: None,
            ecosystem_specific: ecosystem,
            database_specific: database,
        }
    }

    /// Validates the informational kinds: unmaintained and notice are skipped, unsound is
    /// not, and other ecosystems are never touched.
    #[test]
    fn informational_kinds() {
        let info = |k: &str| entry("crates.io", Some(json!({ "informational": k })), None);
        assert_eq!(
            skip(&info("unmaintained"), Some("linux")),
            Some(Skip::Informational("unmaintained".into()))
        );
        assert_eq!(
            skip(&info("notice"), None),
            Some(Skip::Informational("notice".into()))
        );
        assert_eq!(skip(&info("unsound"), Some("linux")), None);
        assert_eq!(skip(&info(""), Some("linux")), None);
        let npm = entry(
            "npm",
            Some(json!({ "informational": "unmaintained" })),
            None,
        );
        assert_eq!(skip(&npm, Some("linux")), None);
        assert_eq!(skip(&entry("crates.io", None, None), Some("linux")), None);
    }

    /// Validates the OS restriction in both spellings (RustSec TOML as imported, RustSec's
    /// OSV export), an unknown image OS, and macOS against OCI's `darwin`.
    #[test]
    fn platforms() {
        let toml = entry("crates.io", None, Some(json!({ "os": ["windows"] })));
        let osv = entry(
            "crates.io",
            None,
            Some(json!({ "affects": { "os": ["windows"], "arch": [], "functions": [] } })),
        );
        for e in [&toml, &osv] {
            assert_eq!(skip(e, Some("linux")), Some(Skip::OtherPlatform));
            assert_eq!(skip(e, Some("windows")), None);
            assert_eq!(skip(e, None), None);
        }
        let unix = entry("crates.io", None, Some(json!({ "os": ["linux", "macos"] })));
        assert_eq!(skip(&unix, Some("linux")), None);
        assert_eq!(skip(&unix, Some("darwin")), None);
        assert_eq!(skip(&unix, Some("windows")), Some(Skip::OtherPlatform));
        let any = entry(
            "crates.io",
            None,
            Some(json!({ "os": [], "functions": {} })),
        );
        assert_eq!(skip(&any, Some("linux")), None);
        // unsound and Windows-only: not a finding on Linux (atty's RUSTSEC-2021-0145).
        let atty = entry(
            "crates.io",
            Some(json!({ "informational": "unsound" })),
            Some(json!({ "os": ["windows"] })),
        );
        assert_eq!(skip(&atty, Some("linux")), Some(Skip::OtherPlatform));
    }
}

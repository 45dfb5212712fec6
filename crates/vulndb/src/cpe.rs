//! NVD CPE applicability: which product versions a CVE affects, as NVD's `configurations`
//! say, and whether an installed version is inside one of those ranges.
//!
//! NVD writes each affected product as a `cpeMatch` entry: a CPE 2.3 formatted string
//! (`cpe:2.3:a:nodejs:node.js:*:*:*:*:*:*:*:*`) plus optional bounds
//! `versionStartIncluding`, `versionStartExcluding`, `versionEndIncluding`,
//! `versionEndExcluding`. A [`CpeRange`] is one such entry marked `vulnerable`.
//!
//! Rules (see [`CpeRange::includes`]):
//! * The CPE's version `*` ("any") with bounds: the bounds decide; without bounds, every
//!   version is affected.
//! * An exact version (`1.22.1`) without bounds: that version only (compared by the generic
//!   CPE rule, [`version::Scheme::Cpe`], so `1.22.1` equals `1.22.1.0`). An update field other
//!   than `*`/`-` is part of that version (`2.6.0` + `preview1` is `2.6.0preview1`).
//! * The CPE's version `-` ("not applicable"): no installed version is inside.
//! * `versionEndExcluding` is the fix: the first version that is not affected.
//!
//! Simplifications, and their cost (documented in docs/architecture.md): only the
//! `vulnerable: true` entries of each node are kept, whatever the node's operator; a
//! configuration that says "node.js *running on* Windows" (an `AND` with a non-vulnerable
//! platform entry) is read as "node.js", so such a CVE is reported on Linux images too (a
//! false positive, never a false negative). Nodes marked `negate` are skipped. The edition,
//! language and target fields are not compared.

use serde::{Deserialize, Serialize};
use version::Scheme;

use crate::error::MatchError;

/// The fields of a CPE 2.3 formatted string that matching uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cpe23 {
    /// `a` (application), `o` (operating system) or `h` (hardware).
    pub part: String,
    /// The vendor (`nodejs`), lower case, escapes removed.
    pub vendor: String,
    /// The product (`node.js`), lower case, escapes removed.
    pub product: String,
    /// The version, `*` for any and `-` for not applicable.
    pub version: String,
    /// The update (`preview1`, `*`, `-`).
    pub update: String,
}

/// Splits a formatted string on its unescaped `:`s, removing the `\` escapes.
fn split_fields(s: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ':' => fields.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

impl Cpe23 {
    /// Parses `cpe:2.3:part:vendor:product:version:update:…` (at least through the version;
    /// missing trailing fields are `*`). `None` when it is not a CPE 2.3 formatted string.
    pub fn parse(s: &str) -> Option<Cpe23> {
        let f = split_fields(s.trim());
        if f.len() < 6 || f[0] != "cpe" || f[1] != "2.3" {
            return None;
        }
        let get = |i: usize| f.get(i).cloned().unwrap_or_else(|| "*".to_owned());
        let cpe = Cpe23 {
            part: f[2].to_ascii_lowercase(),
            vendor: f[3].to_ascii_lowercase(),
            product: f[4].to_ascii_lowercase(),
            version: get(5),
            update: get(6),
        };
        let ok = matches!(cpe.part.as_str(), "a" | "o" | "h")
            && !cpe.vendor.is_empty()
            && !cpe.product.is_empty()
            && !cpe.version.is_empty();
        ok.then_some(cpe)
    }
}

/// One vulnerable `cpeMatch` entry of an NVD CVE record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpeRange {
    /// The CVE id.
    pub cve: String,
    /// The CPE 2.3 string as NVD wrote it.
    pub criteria: String,
    /// The vendor, lower case (`nodejs`).
    pub vendor: String,
    /// The product, lower case (`node.js`).
    pub product: String,
    /// The CPE's version: `None` for `*` (any, bounds decide), `Some("-")` for not
    /// applicable, else one exact version (an update other than `*`/`-` appended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `versionStartIncluding`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_including: Option<String>,
    /// `versionStartExcluding`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_excluding: Option<String>,
    /// `versionEndIncluding`: the last affected version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_including: Option<String>,
    /// `versionEndExcluding`: the first fixed version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_excluding: Option<String>,
}

fn cmp(a: &str, b: &str, cve: &str, product: &str) -> Result<std::cmp::Ordering, MatchError> {
    version::compare(Scheme::Cpe, a, b).map_err(|err| MatchError::Version {
        advisory: cve.to_owned(),
        package: product.to_owned(),
        version: a.to_owned(),
        err: Box::new(err),
    })
}

impl CpeRange {
    /// A range from a `cpeMatch` entry; `None` when `criteria` is not a CPE 2.3 string.
    pub fn new(cve: &str, criteria: &str, bounds: [Option<String>; 4]) -> Option<CpeRange> {
        let cpe = Cpe23::parse(criteria)?;
        let version = match cpe.version.as_str() {
            "*" => None,
            v => match cpe.update.as_str() {
                "*" | "-" | "" => Some(v.to_owned()),
                u => Some(format!("{v}{u}")),
            },
        };
        let [start_including, start_excluding, end_including, end_excluding] =
            bounds.map(|b| b.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()));
        Some(CpeRange {
            cve: cve.to_owned(),
            criteria: criteria.to_owned(),
            vendor: cpe.vendor,
            product: cpe.product,
            version,
            start_including,
            start_excluding,
            end_including,
            end_excluding,
        })
    }

    fn has_bounds(&self) -> bool {
        self.start_including.is_some()
            || self.start_excluding.is_some()
            || self.end_including.is_some()
            || self.end_excluding.is_some()
    }

    /// Whether `installed` is inside this range (see the module's rules).
    ///
    /// # Errors
    /// When `installed` or a bound is not a version by the generic CPE rule.
    pub fn includes(&self, installed: &str) -> Result<bool, MatchError> {
        use std::cmp::Ordering::{Greater, Less};
        let c = |a: &str, b: &str| cmp(a, b, &self.cve, &self.product);
        match self.version.as_deref() {
            Some("-") => return Ok(false),
            Some(exact) if !self.has_bounds() => return Ok(c(installed, exact)?.is_eq()),
            // An exact version with bounds does not occur in NVD's data; the version must
            // then also match.
            Some(exact) if !c(installed, exact)?.is_eq() => return Ok(false),
            _ => {}
        }
        if let Some(s) = &self.start_including {
            if c(installed, s)? == Less {
                return Ok(false);
            }
        }
        if let Some(s) = &self.start_excluding {
            if c(installed, s)? != Greater {
                return Ok(false);
            }
        }
        if let Some(e) = &self.end_including {
            if c(installed, e)? == Greater {
                return Ok(false);
            }
        }
        if let Some(e) = &self.end_excluding {
            if c(installed, e)? != Less {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The fixed version, when NVD gives one (`versionEndExcluding`).
    pub fn fixed(&self) -> Option<&str> {
        self.end_excluding.as_deref()
    }

    /// The range as text: `>=1.5.13, <1.26.2`, `=1.22.1`, `*`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(v) = &self.version {
            parts.push(format!("={v}"));
        }
        for (op, b) in [
            (">=", &self.start_including),
            (">", &self.start_excluding),
            ("<=", &self.end_including),
            ("<", &self.end_excluding),
        ] {
            if let Some(b) = b {
                parts.push(format!("{op}{b}"));
            }
        }
        if parts.is_empty() {
            "*".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(criteria: &str, bounds: [Option<&str>; 4]) -> CpeRange {
        CpeRange::new(
            "CVE-2024-0001",
            criteria,
            bounds.map(|b| b.map(String::from)),
        )
        .unwrap()
    }

    /// Validates reading CPE 2.3 strings: fields, escapes, case, and what is not one.
    #[test]
    fn parses_formatted_strings() {
        let c = Cpe23::parse("cpe:2.3:a:nodejs:node.js:20.13.1:*:*:*:lts:*:*:*").unwrap();
        assert_eq!(
            (c.part.as_str(), c.vendor.as_str(), c.product.as_str()),
            ("a", "nodejs", "node.js")
        );
        assert_eq!((c.version.as_str(), c.update.as_str()), ("20.13.1", "*"));
        let c = Cpe23::parse(r"cpe:2.3:a:F5:NGINX\:plus:r27:*").unwrap();
        assert_eq!(
            (c.vendor.as_str(), c.product.as_str()),
            ("f5", "nginx:plus")
        );
        for bad in [
            "",
            "cpe:/a:nginx:nginx:1.0",
            "cpe:2.3:a:nginx",
            "cpe:2.3:x:nginx:nginx:1.0:*",
            "cpe:2.3:a::nginx:1.0:*",
        ] {
            assert_eq!(Cpe23::parse(bad), None, "{bad}");
        }
    }

    /// Validates every bound, exact versions, `-`, and update fields.
    #[test]
    fn evaluates_bounds() {
        let r = range(
            "cpe:2.3:a:f5:nginx:*:*:*:*:open_source:*:*:*",
            [Some("1.5.13"), None, None, Some("1.26.2")],
        );
        for (v, want) in [
            ("1.5.12", false),
            ("1.5.13", true),
            ("1.22.1", true),
            ("1.26.1", true),
            ("1.26.2", false),
            ("1.27.0", false),
        ] {
            assert_eq!(r.includes(v).unwrap(), want, "{v}");
        }
        assert_eq!(r.fixed(), Some("1.26.2"));
        assert_eq!(r.describe(), ">=1.5.13, <1.26.2");

        let r = range(
            "cpe:2.3:a:x:y:*:*:*:*:*:*:*:*",
            [None, Some("2.0"), Some("2.4"), None],
        );
        assert!(!r.includes("2.0").unwrap());
        assert!(r.includes("2.0.1").unwrap());
        assert!(r.includes("2.4.0").unwrap());
        assert!(!r.includes("2.4.1").unwrap());
        assert_eq!(r.fixed(), None);

        let exact = range("cpe:2.3:a:php:php:8.2.12:*:*:*:*:*:*:*", [None; 4]);
        assert!(exact.includes("8.2.12").unwrap());
        assert!(!exact.includes("8.2.13").unwrap());
        assert_eq!(exact.describe(), "=8.2.12");

        let any = range("cpe:2.3:a:x:y:*:*:*:*:*:*:*:*", [None; 4]);
        assert!(any.includes("0.1").unwrap());
        let na = range("cpe:2.3:a:x:y:-:*:*:*:*:*:*:*", [None; 4]);
        assert!(!na.includes("1.0").unwrap());

        let pre = range(
            "cpe:2.3:a:ruby-lang:ruby:2.6.0:preview1:*:*:*:*:*:*",
            [None; 4],
        );
        assert_eq!(pre.version.as_deref(), Some("2.6.0preview1"));
        assert!(!pre.includes("2.6.0").unwrap());
        assert!(pre.includes("2.6.0-preview1").unwrap());
    }

    /// Validates that a version the CPE rule cannot read is an error naming the CVE.
    #[test]
    fn unreadable_versions_are_errors() {
        let r = range(
            "cpe:2.3:a:x:y:*:*:*:*:*:*:*:*",
            [None, None, None, Some("2.0")],
        );
        let e = r.includes("*").unwrap_err().to_string();
        assert!(e.contains("CVE-2024-0001"), "{e}");
    }
}

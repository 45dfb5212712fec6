//! Ignore policies (`.shipshape.yaml`) and the step that applies them, with VEX, to a
//! [`Report`].
//!
//! ```yaml
//! version: 1
//! ignore:
//!   - id: CVE-2023-1234        # the finding's id or any of its aliases
//!     package: openssl         # optional: packageName, binary name or name
//!     version: 3.0.11-1~deb12u2  # optional: the exact installed version
//!     path: var/lib/dpkg/status  # optional: prefix of the package's database path
//!     reason: "not reachable"  # required
//!     expires: 2026-12-31      # optional: from the day after, the rule hides nothing
//! ```
//!
//! A rule hides every finding it matches: the finding moves from
//! [`Report::vulnerabilities`] to [`Report::suppressed`] with the rule, and the counts, `ok`,
//! `uniqueCount` and `summary` are recomputed, so gates and renderers see only what is
//! left. An expired rule hides nothing and adds an [`EXPIRED_RULE`] diagnostic.
//!
//! Traps:
//! * A rule without a `reason` is an error, not a warning: a silent ignore is what this
//!   file exists to prevent.
//! * `expires` is inclusive: on that day the rule still hides.

use std::time::Duration;

use inventory::Inventory;
use serde::Deserialize;
use time::Date;

use crate::model::{
    Finding, Report, ScanDiagnostic, SeverityCounts, Suppressed, SuppressionRule, SuppressionSource,
};
use crate::vex::Vex;

pub use crate::diagnostics::{EXPIRED_RULE, STALE_DATABASE};

/// The file looked up in the current directory when no `--policy` is given.
pub const DEFAULT_FILE: &str = ".shipshape.yaml";

/// A policy or VEX document that cannot be used; the message names the file.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file is not a valid policy or VEX document.
    #[error("invalid {kind} {file}: {message}")]
    Invalid {
        /// `policy` or `VEX document`.
        kind: &'static str,
        /// The file.
        file: String,
        /// What is wrong, with the rule or statement and line where known.
        message: String,
    },
}

/// One ignore rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoreRule {
    /// Position in `ignore:`, from 1.
    pub index: usize,
    /// Vulnerability id or alias.
    pub id: String,
    /// Package name (source, binary or Snyk `name`).
    pub package: Option<String>,
    /// Exact installed version.
    pub version: Option<String>,
    /// Prefix of the package's database path in the image.
    pub path: Option<String>,
    /// Why it is ignored.
    pub reason: String,
    /// Last day the rule hides findings.
    pub expires: Option<Date>,
}

/// A parsed policy file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// The file, as given.
    pub file: String,
    /// The ignore rules, in file order.
    pub rules: Vec<IgnoreRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    version: serde_yaml_ng::Value,
    #[serde(default)]
    ignore: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Option<serde_yaml_ng::Value>,
    package: Option<serde_yaml_ng::Value>,
    version: Option<serde_yaml_ng::Value>,
    path: Option<serde_yaml_ng::Value>,
    reason: Option<serde_yaml_ng::Value>,
    expires: Option<serde_yaml_ng::Value>,
}

/// A YAML scalar as text (`version: 1.2` is a float to YAML, a version to us).
fn scalar(v: &serde_yaml_ng::Value) -> Option<String> {
    match v {
        serde_yaml_ng::Value::String(s) => Some(s.clone()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        serde_yaml_ng::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

impl Policy {
    /// Parses a policy; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Policy, PolicyError> {
        let invalid = |message: String| PolicyError::Invalid {
            kind: "policy",
            file: file.to_owned(),
            message,
        };
        let raw: RawPolicy = serde_yaml_ng::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if scalar(&raw.version).as_deref() != Some("1") {
            return Err(invalid(format!(
                "unsupported version {:?} (expected 1)",
                scalar(&raw.version).unwrap_or_default()
            )));
        }
        let mut rules = Vec::new();
        for (i, r) in raw.ignore.into_iter().enumerate() {
            let index = i + 1;
            let field = |name: &str,
                         v: Option<serde_yaml_ng::Value>|
             -> Result<Option<String>, PolicyError> {
                match v {
                    None | Some(serde_yaml_ng::Value::Null) => Ok(None),
                    Some(v) => match scalar(&v) {
                        Some(s) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
                        Some(_) => Ok(None),
                        None => Err(invalid(format!(
                            "ignore rule {index}: `{name}` must be a string"
                        ))),
                    },
                }
            };
            let id = field("id", r.id)?
                .ok_or_else(|| invalid(format!("ignore rule {index} has no `id`")))?;
            let reason = field("reason", r.reason)?.ok_or_else(|| {
                invalid(format!(
                    "ignore rule {index} ({id}) has no `reason`: say why it is safe to ignore"
                ))
            })?;
            let expires = match field("expires", r.expires)? {
                None => None,
                Some(s) => Some(parse_date(&s).ok_or_else(|| {
                    invalid(format!(
                        "ignore rule {index} ({id}): `expires` {s:?} is not a date (YYYY-MM-DD)"
                    ))
                })?),
            };
            rules.push(IgnoreRule {
                index,
                id,
                package: field("package", r.package)?,
                version: field("version", r.version)?,
                path: field("path", r.path)?,
                reason,
                expires,
            });
        }
        Ok(Policy {
            file: file.to_owned(),
            rules,
        })
    }
}

/// Whether `id` names the finding: its id, an alias, a CVE or a matched advisory's id.
pub(crate) fn names_finding(f: &Finding, id: &str) -> bool {
    let id = id.trim();
    std::iter::once(&f.id)
        .chain(&f.identifiers.cve)
        .chain(&f.identifiers.alias)
        .chain(f.advisories.iter().map(|a| &a.id))
        .any(|x| x.eq_ignore_ascii_case(id))
}

/// The database path of the finding's package, through its link.
fn db_path<'a>(inv: &'a Inventory, f: &Finding) -> Option<&'a str> {
    f.package
        .and_then(|id| inv.package(id))
        .map(|p| p.db_path.as_str())
}

impl IgnoreRule {
    /// Whether the rule is past its expiry on `today`.
    pub fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|e| today > e)
    }

    /// Whether the rule matches the finding (expiry aside).
    pub fn matches(&self, f: &Finding, inv: &Inventory) -> bool {
        names_finding(f, &self.id)
            && self.package.as_deref().is_none_or(|p| {
                [&f.package_name, &f.binary_name, &f.name]
                    .iter()
                    .any(|n| n.as_str() == p)
            })
            && self.version.as_deref().is_none_or(|v| f.version == v)
            && self.path.as_deref().is_none_or(|want| {
                db_path(inv, f).is_some_and(|have| {
                    have.trim_start_matches('/')
                        .starts_with(want.trim_start_matches('/'))
                })
            })
    }

    fn record(&self, file: &str) -> SuppressionRule {
        SuppressionRule {
            source: SuppressionSource::Policy,
            file: file.to_owned(),
            index: self.index,
            id: self.id.clone(),
            reason: Some(self.reason.clone()),
            expires: self.expires.map(|d| d.to_string()),
            status: None,
            justification: None,
            statement: None,
        }
    }
}

/// Recomputes `ok`, the counts, `uniqueCount` and `summary` from the findings left, as
/// [`crate::scan`] computes them.
pub(crate) fn recount(report: &mut Report) {
    let findings = &report.vulnerabilities;
    report.ok = findings.is_empty();
    report.severity_counts = SeverityCounts::of(findings);
    let unique: std::collections::BTreeSet<&str> = findings.iter().map(|f| f.id.as_str()).collect();
    report.unique_count = unique.len();
    let path_total: usize = findings
        .iter()
        .map(|f| (f.paths.len() + f.more_paths).max(1))
        .sum();
    report.summary = if findings.is_empty() {
        "No known vulnerabilities".to_owned()
    } else {
        format!("{path_total} vulnerable dependency paths")
    };
    report.suppressed_count = report.suppressed.len();
}

/// Hides the findings that an unexpired ignore rule of `policy` or a `not_affected`/`fixed`
/// statement of `vex` covers, moving them to [`Report::suppressed`], warns about expired
/// rules, and recomputes the report's counts. `inv` gives the packages' database paths for
/// `path` rules; `today` decides expiry. Policy rules are tried first.
pub fn apply_policy(
    report: &mut Report,
    inv: &Inventory,
    policy: &Policy,
    vex: &[Vex],
    today: Date,
) {
    let findings = std::mem::take(&mut report.vulnerabilities);
    let mut expired_hits = vec![0usize; policy.rules.len()];
    for f in findings {
        let mut hidden_by = None;
        for (i, rule) in policy.rules.iter().enumerate() {
            if !rule.matches(&f, inv) {
                continue;
            }
            if rule.expired(today) {
                expired_hits[i] += 1;
            } else if hidden_by.is_none() {
                hidden_by = Some(rule.record(&policy.file));
            }
        }
        let hidden_by = hidden_by.or_else(|| crate::vex::suppressing(vex, &f));
        match hidden_by {
            Some(rule) => report.suppressed.push(Suppressed { finding: f, rule }),
            None => report.vulnerabilities.push(f),
        }
    }
    for (rule, hits) in policy.rules.iter().zip(expired_hits) {
        if !rule.expired(today) {
            continue;
        }
        let expires = rule.expires.map(|d| d.to_string()).unwrap_or_default();
        report.diagnostics.push(ScanDiagnostic {
            code: EXPIRED_RULE.code.to_owned(),
            message: format!(
                "ignore rule {} for {} in {} expired on {expires}; {hits} finding{} reported again (reason was: {})",
                rule.index,
                rule.id,
                policy.file,
                if hits == 1 { " is" } else { "s are" },
                rule.reason
            ),
        });
    }
    recount(report);
}

/// Marks the report's database stale when `age` (time since its `built_at`, `None` when
/// unknown) is over `vulndb::update::STALE_AFTER`, the rule `db status` uses, and adds a
/// [`STALE_DATABASE`] diagnostic saying how to fix it.
pub fn check_database_age(report: &mut Report, age: Option<Duration>) {
    if age.is_some_and(|a| a <= vulndb::update::STALE_AFTER) {
        return;
    }
    report.database.stale = true;
    let how_old = match age {
        Some(a) => format!("{} days old", a.as_secs() / 86_400),
        None => "of unknown age".to_owned(),
    };
    report.diagnostics.push(ScanDiagnostic {
        code: STALE_DATABASE.code.to_owned(),
        message: format!(
            "the vulnerability database {} is {how_old}, so recent vulnerabilities may be missing; run `shipshape db update`",
            report.database.path
        ),
    });
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Identifiers, Severity};
    use time::macros::date;

    pub(crate) fn finding(id: &str, aliases: &[&str], severity: Severity, purl: &str) -> Finding {
        Finding {
            severity,
            identifiers: Identifiers {
                alias: aliases.iter().map(|a| a.to_string()).collect(),
                ..Identifiers::default()
            },
            purl: purl.into(),
            // The only package of `inv()`.
            package: Some(inventory::PackageId(0)),
            ..Finding::deb(id, "openssl", "libssl3", "3.0.11-1~deb12u2")
        }
    }

    pub(crate) const PURL: &str =
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12";

    pub(crate) fn report(findings: Vec<Finding>) -> Report {
        let mut r = Report {
            vulnerabilities: findings,
            ..Report::default()
        };
        recount(&mut r);
        r
    }

    fn inv() -> Inventory {
        Inventory {
            packages: vec![inventory::Package {
                name: "libssl3".into(),
                version: "3.0.11-1~deb12u2".into(),
                db_path: "var/lib/dpkg/status".into(),
                purl: PURL.into(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    const GOOD: &str = r#"
version: 1
ignore:
  - id: CVE-2023-1234
    package: openssl
    version: 3.0.11-1~deb12u2
    path: /var/lib/dpkg
    reason: "not reachable: we never parse untrusted certificates"
    expires: 2026-12-31
  - id: GHSA-xxxx-yyyy-zzzz
    reason: dev only
"#;

    /// Validates a good policy, every field read, the version and dates.
    #[test]
    fn parses_good_policy() {
        let p = Policy::parse(".shipshape.yaml", GOOD).unwrap();
        assert_eq!(p.rules.len(), 2);
        let r = &p.rules[0];
        assert_eq!(
            (
                r.index,
                r.id.as_str(),
                r.package.as_deref(),
                r.version.as_deref()
            ),
            (
                1,
                "CVE-2023-1234",
                Some("openssl"),
                Some("3.0.11-1~deb12u2")
            )
        );
        assert_eq!(r.path.as_deref(), Some("/var/lib/dpkg"));
        assert_eq!(r.expires, Some(date!(2026 - 12 - 31)));
        assert_eq!(p.rules[1].expires, None);
        assert!(!r.expired(date!(2026 - 12 - 31)));
        assert!(r.expired(date!(2027 - 01 - 01)));
        // A version YAML reads as a number is still a version.
        let p = Policy::parse(
            "p",
            "version: 1\nignore:\n- {id: X, version: 1.2, reason: r}\n",
        )
        .unwrap();
        assert_eq!(p.rules[0].version.as_deref(), Some("1.2"));
        assert!(Policy::parse("p", "version: 1\n").unwrap().rules.is_empty());
    }

    /// Validates the errors: missing reason, bad YAML, unknown field, bad date, version,
    /// unreadable file; each names the file.
    #[test]
    fn policy_errors_name_the_file() {
        for (text, needle) in [
            (
                "version: 1\nignore:\n  - id: CVE-1\n",
                "ignore rule 1 (CVE-1) has no `reason`",
            ),
            (
                "version: 1\nignore:\n  - id: CVE-1\n    reason: \"\"\n",
                "no `reason`",
            ),
            ("version: 1\nignore: [\n", "invalid policy"),
            (
                "version: 1\nignore:\n  - id: CVE-1\n    reason: r\n    pakage: x\n",
                "pakage",
            ),
            (
                "version: 1\nignore:\n  - id: CVE-1\n    reason: r\n    expires: soon\n",
                "not a date",
            ),
            ("version: 2\n", "unsupported version"),
            ("ignore: []\n", "version"),
            ("version: 1\nignore:\n  - reason: r\n", "has no `id`"),
        ] {
            let err = Policy::parse("ci/policy.yaml", text)
                .unwrap_err()
                .to_string();
            assert!(err.contains("ci/policy.yaml"), "{err}");
            assert!(err.contains(needle), "{needle}: {err}");
        }
    }

    /// Validates matching by id, alias, package (each name form), version and path.
    #[test]
    fn rule_matching() {
        let inv = inv();
        let f = finding("CVE-2023-1234", &["DSA-5555-1"], Severity::High, PURL);
        let rule = |y: &str| {
            Policy::parse(
                "p",
                &format!("version: 1\nignore:\n  - {{reason: r, {y}}}\n"),
            )
            .unwrap()
            .rules
            .remove(0)
        };
        assert!(rule("id: CVE-2023-1234").matches(&f, &inv));
        assert!(rule("id: cve-2023-1234").matches(&f, &inv));
        assert!(rule("id: DSA-5555-1").matches(&f, &inv));
        assert!(!rule("id: CVE-2023-9999").matches(&f, &inv));
        for p in ["openssl", "libssl3", "openssl/libssl3"] {
            assert!(rule(&format!("id: DSA-5555-1, package: {p}")).matches(&f, &inv));
        }
        assert!(!rule("id: DSA-5555-1, package: curl").matches(&f, &inv));
        assert!(rule("id: DSA-5555-1, version: 3.0.11-1~deb12u2").matches(&f, &inv));
        assert!(!rule("id: DSA-5555-1, version: 3.0.11-1~deb12u1").matches(&f, &inv));
        assert!(rule("id: DSA-5555-1, path: var/lib/dpkg").matches(&f, &inv));
        assert!(rule("id: DSA-5555-1, path: /var/lib/dpkg/status").matches(&f, &inv));
        assert!(!rule("id: DSA-5555-1, path: usr/lib/python3").matches(&f, &inv));
    }

    /// Validates that a rule hides its finding, keeps the rule with it, and that `ok`,
    /// counts, uniqueCount and summary are recomputed; an expired rule hides nothing and
    /// says so.
    #[test]
    fn apply_hides_and_recounts_and_expiry_warns() {
        let policy = Policy::parse(".shipshape.yaml", GOOD).unwrap();
        let findings = vec![
            finding("CVE-2023-1234", &[], Severity::High, PURL),
            finding("CVE-2023-0002", &[], Severity::Low, PURL),
        ];
        let mut r = report(findings.clone());
        assert_eq!(r.severity_counts.total(), 2);
        apply_policy(&mut r, &inv(), &policy, &[], date!(2026 - 06 - 01));
        assert_eq!(r.vulnerabilities.len(), 1);
        assert_eq!(r.vulnerabilities[0].id, "CVE-2023-0002");
        assert_eq!((r.severity_counts.high, r.severity_counts.low), (0, 1));
        assert_eq!((r.unique_count, r.suppressed_count, r.ok), (1, 1, false));
        assert_eq!(r.summary, "1 vulnerable dependency paths");
        assert!(r.diagnostics.is_empty());
        let s = &r.suppressed[0];
        assert_eq!(s.finding.id, "CVE-2023-1234");
        assert_eq!(s.rule.source, SuppressionSource::Policy);
        assert_eq!(s.rule.expires.as_deref(), Some("2026-12-31"));
        let j = serde_json::to_value(&r).unwrap();
        assert_eq!(j["suppressedCount"], 1);
        assert_eq!(j["suppressed"][0]["rule"]["source"], "policy");
        assert_eq!(j["suppressed"][0]["rule"]["file"], ".shipshape.yaml");
        assert_eq!(
            j["suppressed"][0]["rule"]["reason"],
            "not reachable: we never parse untrusted certificates"
        );
        assert_eq!(j["suppressed"][0]["finding"]["id"], "CVE-2023-1234");

        // The only finding hidden: ok again.
        let mut r = report(findings[..1].to_vec());
        apply_policy(&mut r, &inv(), &policy, &[], date!(2026 - 12 - 31));
        assert!(r.ok && r.vulnerabilities.is_empty());
        assert_eq!(r.summary, "No known vulnerabilities");

        // Expired: nothing hidden, an S004 naming the rule and file.
        let mut r = report(findings.clone());
        apply_policy(&mut r, &inv(), &policy, &[], date!(2027 - 01 - 01));
        assert_eq!(r.vulnerabilities.len(), 2);
        assert!(r.suppressed.is_empty() && r.suppressed_count == 0);
        assert_eq!(r.diagnostics.len(), 1);
        let d = &r.diagnostics[0];
        assert_eq!(d.code, EXPIRED_RULE.code);
        assert!(d.message.contains("ignore rule 1 for CVE-2023-1234 in .shipshape.yaml expired on 2026-12-31; 1 finding is reported again"), "{}", d.message);
        let j = serde_json::to_value(&r).unwrap();
        assert!(j.get("suppressed").is_none() && j.get("suppressedCount").is_none());
    }

    /// Validates the stale-database rule (shared with `db status`) and its diagnostic.
    #[test]
    fn database_age() {
        let mut r = report(vec![]);
        check_database_age(&mut r, Some(Duration::from_secs(3600)));
        assert!(!r.database.stale && r.diagnostics.is_empty());
        assert!(serde_json::to_value(&r).unwrap()["database"]
            .get("stale")
            .is_none());
        check_database_age(&mut r, Some(Duration::from_secs(30 * 86_400)));
        assert!(r.database.stale);
        assert_eq!(r.diagnostics[0].code, STALE_DATABASE.code);
        assert!(r.diagnostics[0].message.contains("30 days old"));
        assert!(r.diagnostics[0]
            .message
            .contains("run `shipshape db update`"));
        assert_eq!(serde_json::to_value(&r).unwrap()["database"]["stale"], true);
        let mut r = report(vec![]);
        check_database_age(&mut r, None);
        assert!(r.database.stale);
    }
}

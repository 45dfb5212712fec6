//! OpenVEX 0.2.0 documents: statements that a vulnerability does not affect a product.
//!
//! A statement covers a finding when its vulnerability (`name`, `@id` or an alias) names
//! the finding ([`crate::Finding::id`] or an alias) and one of its products is the
//! finding's package: a product `@id`, or a subcomponent `@id` of a product (an image
//! listing its packages), equal to the finding's purl once qualifiers (`?arch=…`) and
//! subpath (`#…`) are dropped; a purl without `@version` covers every version.
//!
//! Among the statements covering a finding, the last one (documents in the order given,
//! statements in file order) decides, as later statements in OpenVEX supersede earlier
//! ones: `not_affected` and `fixed` hide the finding, `affected` and `under_investigation`
//! keep it.

use inventory::purl::Purl;
use serde::Deserialize;

use crate::model::{Finding, SuppressionRule, SuppressionSource};
use crate::policy::{names_finding, PolicyError};

/// A statement's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    /// The product is not affected (needs a justification or impact statement).
    NotAffected,
    /// The product is affected.
    Affected,
    /// The product contains a fix.
    Fixed,
    /// Not known yet.
    UnderInvestigation,
}

impl VexStatus {
    /// The OpenVEX name (`not_affected`).
    pub fn as_str(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Affected => "affected",
            VexStatus::Fixed => "fixed",
            VexStatus::UnderInvestigation => "under_investigation",
        }
    }
}

/// One statement, flattened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// Position in `statements`, from 1.
    pub index: usize,
    /// The vulnerability's name (or `@id`), then its aliases.
    pub vulnerability: Vec<String>,
    /// Purls of the products and their subcomponents.
    pub purls: Vec<String>,
    /// The status.
    pub status: VexStatus,
    /// The justification (`vulnerable_code_not_present`, …).
    pub justification: Option<String>,
    /// The impact statement.
    pub impact_statement: Option<String>,
    /// The action statement.
    pub action_statement: Option<String>,
}

/// One OpenVEX document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vex {
    /// The file, as given.
    pub file: String,
    /// Its statements.
    pub statements: Vec<Statement>,
}

const JUSTIFICATIONS: [&str; 5] = [
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
];

#[derive(Deserialize)]
struct RawDoc {
    #[serde(rename = "@context")]
    context: String,
    statements: Vec<RawStatement>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawVuln {
    Name(String),
    Object {
        #[serde(rename = "@id")]
        id: Option<String>,
        name: Option<String>,
        #[serde(default)]
        aliases: Vec<String>,
    },
}

#[derive(Deserialize)]
struct RawComponent {
    #[serde(rename = "@id")]
    id: Option<String>,
    #[serde(default)]
    identifiers: Option<RawIdentifiers>,
    #[serde(default)]
    subcomponents: Vec<RawComponent>,
}

#[derive(Deserialize)]
struct RawIdentifiers {
    purl: Option<String>,
}

#[derive(Deserialize)]
struct RawStatement {
    vulnerability: RawVuln,
    #[serde(default)]
    products: Vec<RawComponent>,
    status: VexStatus,
    justification: Option<String>,
    impact_statement: Option<String>,
    action_statement: Option<String>,
}

fn component_purls(c: &RawComponent, out: &mut Vec<String>) {
    for p in [
        c.id.as_deref(),
        c.identifiers.as_ref().and_then(|i| i.purl.as_deref()),
    ]
    .into_iter()
    .flatten()
    {
        if p.starts_with("pkg:") {
            out.push(p.to_owned());
        }
    }
    for s in &c.subcomponents {
        component_purls(s, out);
    }
}

impl Vex {
    /// Parses an OpenVEX JSON document; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Vex, PolicyError> {
        let invalid = |message: String| PolicyError::Invalid {
            kind: "VEX document",
            file: file.to_owned(),
            message,
        };
        let raw: RawDoc = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if !raw.context.starts_with("https://openvex.dev/ns") {
            return Err(invalid(format!(
                "@context {:?} is not OpenVEX (https://openvex.dev/ns/v0.2.0)",
                raw.context
            )));
        }
        let mut statements = Vec::new();
        for (i, s) in raw.statements.into_iter().enumerate() {
            let index = i + 1;
            let vulnerability: Vec<String> = match s.vulnerability {
                RawVuln::Name(n) => vec![n],
                RawVuln::Object { id, name, aliases } => {
                    name.into_iter().chain(id).chain(aliases).collect()
                }
            };
            if vulnerability.is_empty() {
                return Err(invalid(format!("statement {index} names no vulnerability")));
            }
            if let Some(j) = &s.justification {
                if !JUSTIFICATIONS.contains(&j.as_str()) {
                    return Err(invalid(format!(
                        "statement {index}: unknown justification {j:?} (expected one of {})",
                        JUSTIFICATIONS.join(", ")
                    )));
                }
            }
            if s.status == VexStatus::NotAffected
                && s.justification.is_none()
                && s.impact_statement.is_none()
            {
                return Err(invalid(format!(
                    "statement {index} ({}) is not_affected without a justification or impact_statement",
                    vulnerability[0]
                )));
            }
            let mut purls = Vec::new();
            for p in &s.products {
                component_purls(p, &mut purls);
            }
            statements.push(Statement {
                index,
                vulnerability,
                purls,
                status: s.status,
                justification: s.justification,
                impact_statement: s.impact_statement,
                action_statement: s.action_statement,
            });
        }
        Ok(Vex {
            file: file.to_owned(),
            statements,
        })
    }
}

/// Whether a VEX product purl covers the finding's purl: same package, and same version
/// unless the VEX purl has none; qualifiers and subpath ignored, as is ASCII case in type,
/// namespace and name. Either not being a purl covers nothing.
pub fn purl_covers(vex_purl: &str, finding_purl: &str) -> bool {
    let (Some(v), Some(f)) = (Purl::parse(vex_purl), Purl::parse(finding_purl)) else {
        return false;
    };
    v.same_package(&f) && (v.version.is_none() || v.version == f.version)
}

impl Statement {
    /// Whether the statement is about this finding (whatever its status).
    pub fn covers(&self, f: &Finding) -> bool {
        self.vulnerability.iter().any(|v| names_finding(f, v))
            && self.purls.iter().any(|p| purl_covers(p, &f.purl))
    }
}

/// The statement that hides `f`, if the last statement covering it says `not_affected` or
/// `fixed`.
pub(crate) fn suppressing(docs: &[Vex], f: &Finding) -> Option<SuppressionRule> {
    let (doc, st) = docs
        .iter()
        .flat_map(|d| d.statements.iter().map(move |s| (d, s)))
        .rev()
        .find(|(_, s)| s.covers(f))?;
    if !matches!(st.status, VexStatus::NotAffected | VexStatus::Fixed) {
        return None;
    }
    Some(SuppressionRule {
        source: SuppressionSource::Vex,
        file: doc.file.clone(),
        index: st.index,
        id: st.vulnerability[0].clone(),
        reason: st.action_statement.clone(),
        expires: None,
        status: Some(st.status.as_str().to_owned()),
        justification: st.justification.clone(),
        statement: st.impact_statement.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Report, Severity};
    use crate::policy::tests::{finding, report, PURL};
    use crate::policy::{apply_policy, Policy};
    use time::macros::date;

    fn doc(statements: serde_json::Value) -> String {
        serde_json::json!({
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://example.com/vex/1",
            "author": "sec@example.com",
            "timestamp": "2026-01-01T00:00:00Z",
            "version": 1,
            "statements": statements,
        })
        .to_string()
    }

    fn apply(vex: &[Vex], findings: Vec<crate::Finding>) -> Report {
        let mut r = report(findings);
        let inv = inventory::Inventory::default();
        apply_policy(&mut r, &inv, &Policy::default(), vex, date!(2026 - 01 - 01));
        r
    }

    /// Validates that not_affected and fixed hide, affected and under_investigation keep,
    /// and that the justification is kept with the suppressed finding.
    #[test]
    fn statuses() {
        for (status, hidden) in [
            ("not_affected", true),
            ("fixed", true),
            ("affected", false),
            ("under_investigation", false),
        ] {
            let text = doc(serde_json::json!([{
                "vulnerability": {"name": "CVE-2023-1234"},
                "products": [{"@id": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2"}],
                "status": status,
                "justification": "vulnerable_code_not_in_execute_path",
                "impact_statement": "never called",
            }]));
            let vex = Vex::parse("a.vex.json", &text).unwrap();
            let r = apply(
                &[vex],
                vec![finding("CVE-2023-1234", &[], Severity::High, PURL)],
            );
            assert_eq!(r.suppressed.len(), usize::from(hidden), "{status}");
            assert_eq!(r.vulnerabilities.len(), usize::from(!hidden), "{status}");
            assert_eq!(r.ok, hidden);
            if hidden {
                let rule = &r.suppressed[0].rule;
                assert_eq!(rule.source, crate::SuppressionSource::Vex);
                assert_eq!(rule.file, "a.vex.json");
                assert_eq!(rule.status.as_deref(), Some(status));
                assert_eq!(
                    rule.justification.as_deref(),
                    Some("vulnerable_code_not_in_execute_path")
                );
                assert_eq!(rule.statement.as_deref(), Some("never called"));
                let j = serde_json::to_value(&r).unwrap();
                assert_eq!(j["suppressed"][0]["rule"]["source"], "vex");
            }
        }
    }

    /// Validates purl matching with and without qualifiers and versions, subcomponents of an
    /// image product, aliases, and that a later statement supersedes an earlier one.
    #[test]
    fn purls_aliases_and_order() {
        let f = || finding("CVE-2023-1234", &["DSA-5555-1"], Severity::High, PURL);
        let hides = |vuln: serde_json::Value, products: serde_json::Value| {
            let text = doc(serde_json::json!([{
                "vulnerability": vuln, "products": products, "status": "not_affected",
                "justification": "component_not_present"}]));
            apply(&[Vex::parse("v", &text).unwrap()], vec![f()])
                .suppressed
                .len()
                == 1
        };
        let name = serde_json::json!({"name": "CVE-2023-1234"});
        for (purl, want) in [
            ("pkg:deb/debian/libssl3@3.0.11-1~deb12u2", true),
            ("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=arm64", true),
            ("pkg:deb/debian/libssl3@3.0.11-1~deb12u2#sub", true),
            ("pkg:deb/debian/libssl3", true),
            ("pkg:deb/debian/libssl3@3.0.11-1~deb12u1", false),
            ("pkg:deb/debian/libssl1.1@3.0.11-1~deb12u2", false),
            ("pkg:deb/ubuntu/libssl3@3.0.11-1~deb12u2", false),
        ] {
            assert_eq!(
                hides(name.clone(), serde_json::json!([{"@id": purl}])),
                want,
                "{purl}"
            );
        }
        // The finding's purl without qualifiers, VEX with them.
        let text = doc(
            serde_json::json!([{"vulnerability": name, "status": "fixed",
            "products": [{"@id": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64"}]}]),
        );
        let bare = finding(
            "CVE-2023-1234",
            &[],
            Severity::High,
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2",
        );
        assert_eq!(
            apply(&[Vex::parse("v", &text).unwrap()], vec![bare])
                .suppressed
                .len(),
            1
        );
        // An image product with the package as a subcomponent.
        assert!(hides(
            name.clone(),
            serde_json::json!([{"@id": "pkg:oci/app@sha256%3Aabc",
            "subcomponents": [{"@id": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2"}]}])
        ));
        assert!(!hides(
            name.clone(),
            serde_json::json!([{"@id": "pkg:oci/app@sha256%3Aabc",
            "subcomponents": [{"@id": "pkg:deb/debian/curl@7"}]}])
        ));
        // Aliases either way, and the old string form.
        assert!(hides(
            serde_json::json!({"name": "DSA-5555-1"}),
            serde_json::json!([{"@id": PURL}])
        ));
        assert!(hides(
            serde_json::json!({"name": "X-1", "aliases": ["CVE-2023-1234"]}),
            serde_json::json!([{"@id": PURL}])
        ));
        assert!(hides(
            serde_json::json!("CVE-2023-1234"),
            serde_json::json!([{"@id": PURL}])
        ));
        assert!(!hides(
            serde_json::json!({"name": "CVE-2023-9"}),
            serde_json::json!([{"@id": PURL}])
        ));
        // A later "affected" supersedes an earlier "not_affected", across documents too.
        let first = Vex::parse(
            "1",
            &doc(
                serde_json::json!([{"vulnerability": name, "products": [{"@id": PURL}],
            "status": "not_affected", "justification": "component_not_present"}]),
            ),
        )
        .unwrap();
        let second = Vex::parse(
            "2",
            &doc(
                serde_json::json!([{"vulnerability": name, "products": [{"@id": PURL}],
            "status": "affected", "action_statement": "upgrade"}]),
            ),
        )
        .unwrap();
        assert_eq!(
            apply(&[first.clone(), second.clone()], vec![f()])
                .suppressed
                .len(),
            0
        );
        assert_eq!(apply(&[second, first], vec![f()]).suppressed.len(), 1);
    }

    /// Validates that malformed documents are errors naming the file.
    #[test]
    fn errors_name_the_file() {
        for (text, needle) in [
            ("{", "invalid VEX document"),
            (
                r#"{"@context": "https://example.com", "statements": []}"#,
                "not OpenVEX",
            ),
            (
                &doc(serde_json::json!([{"vulnerability": {"name": "C"}, "status": "maybe"}])),
                "maybe",
            ),
            (
                &doc(
                    serde_json::json!([{"vulnerability": {"name": "C"}, "status": "not_affected"}]),
                ),
                "without a justification",
            ),
            (
                &doc(
                    serde_json::json!([{"vulnerability": {"name": "C"}, "status": "not_affected", "justification": "trust_me"}]),
                ),
                "unknown justification",
            ),
            (
                &doc(serde_json::json!([{"vulnerability": {}, "status": "fixed"}])),
                "names no vulnerability",
            ),
        ] {
            let err = Vex::parse("ci/app.vex.json", text).unwrap_err().to_string();
            assert!(
                err.contains("ci/app.vex.json") && err.contains(needle),
                "{needle}: {err}"
            );
        }
    }
}

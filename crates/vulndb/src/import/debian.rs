//! The Debian Security Tracker JSON (`https://security-tracker.debian.org/tracker/data/json`).
//!
//! The document is `{source package: {issue id: issue}}`, where an issue is
//! `{description, scope, debianbug, releases: {codename: release}}` and a release is
//! `{status, repositories: {suite: version}, fixed_version, urgency, nodsa, nodsa_reason}`.
//! Each (package, issue) pair is one record. Issues are grouped into one advisory per issue id,
//! named `DEBIAN-<id>` (as OSV's Debian export does) with the CVE as an alias, and one
//! [`Affected`] per (source package, release) with ecosystem `Debian:<version>`.
//!
//! How the tracker's states map to [`Status`]:
//! * `resolved` with `fixed_version` `"0"`: [`Status::NotAffected`] (the tracker writes `0`
//!   when the release never had the vulnerable code).
//! * `resolved` with another `fixed_version`: [`Status::Fixed`], range `introduced 0`,
//!   `fixed <version>`.
//! * `resolved` without a version: [`Status::Unknown`].
//! * `open` with urgency `end-of-life`: [`Status::EndOfLife`].
//! * `open` with `nodsa_reason` `ignored` (`<ignored>` in data/CVE/list) or a `nodsa` note with
//!   an empty reason (`<no-dsa>`): [`Status::WillNotFix`] — the security team has decided not
//!   to ship a fix through a security update for this release.
//! * `open` with `nodsa_reason` `postponed` (`<postponed>`): [`Status::NotFixedYet`]; the fix
//!   is deferred to a later update, not refused.
//! * other `open`: [`Status::NotFixedYet`], range `introduced 0`.
//! * `undetermined`: [`Status::Unknown`].
//!
//! The `nodsa` note, `nodsa_reason`, codename, repositories and scope are kept in
//! `ecosystem_specific`; `urgency` (`unimportant`, `low`, `medium`, `high`,
//! `not yet assigned`, sometimes with a trailing `*`) becomes the vendor severity.

use std::collections::BTreeMap;
use std::io::Read;

use serde::Deserialize;
use serde_json::json;
use serde_json::value::RawValue;

use super::{non_empty, ImportReport, Imported};
use crate::error::ImportError;
use crate::model::{Advisory, AdvisoryId, Affected, Ecosystem, Event, Range, RangeKind, Status};

/// Maps a Debian codename to the release used in the ecosystem (`bookworm` → `12`,
/// `sid` → `unstable`), from [`version::distro`]; unknown codenames are kept as they are.
pub fn release_of_codename(codename: &str) -> &str {
    version::distro::release(version::distro::Distro::Debian, codename)
        .map_or(codename, |r| r.version)
}

#[derive(Debug, Deserialize)]
struct RawIssue {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    debianbug: Option<u64>,
    #[serde(default)]
    releases: BTreeMap<String, RawRelease>,
}

#[derive(Debug, Deserialize)]
struct RawRelease {
    status: String,
    #[serde(default)]
    repositories: BTreeMap<String, String>,
    #[serde(default)]
    fixed_version: Option<String>,
    #[serde(default)]
    urgency: Option<String>,
    #[serde(default)]
    nodsa: Option<String>,
    #[serde(default)]
    nodsa_reason: Option<String>,
}

/// One (package, issue) record of the tracker, validated.
struct Issue {
    package: String,
    id: String,
    raw: RawIssue,
}

impl TryFrom<Issue> for (AdvisoryId, Option<String>, Vec<Affected>) {
    type Error = String;
    fn try_from(issue: Issue) -> Result<Self, String> {
        let id = AdvisoryId::new(format!("DEBIAN-{}", issue.id)).map_err(|e| e.to_string())?;
        if issue.package.trim().is_empty() {
            return Err("empty package name".into());
        }
        let mut affected = Vec::new();
        for (codename, rel) in issue.raw.releases {
            let ecosystem = Ecosystem::with_release("Debian", release_of_codename(&codename))
                .map_err(|e| format!("release {codename:?}: {e}"))?;
            let urgency = non_empty(rel.urgency);
            let fixed = non_empty(rel.fixed_version);
            let nodsa = rel.nodsa.map(|s| s.trim().to_owned());
            let reason = non_empty(rel.nodsa_reason);
            let eol = urgency.as_deref() == Some("end-of-life");
            let (status, ranges) = match rel.status.as_str() {
                "resolved" => match fixed.as_deref() {
                    Some("0") => (Status::NotAffected, vec![]),
                    Some(v) => (
                        Status::Fixed,
                        vec![range(vec![
                            Event::Introduced("0".into()),
                            Event::Fixed(v.to_owned()),
                        ])],
                    ),
                    None => (Status::Unknown, vec![]),
                },
                "open" => {
                    let status = if eol {
                        Status::EndOfLife
                    } else {
                        match reason.as_deref() {
                            Some("ignored") => Status::WillNotFix,
                            Some("postponed") => Status::NotFixedYet,
                            _ if nodsa.is_some() => Status::WillNotFix,
                            _ => Status::NotFixedYet,
                        }
                    };
                    (status, vec![range(vec![Event::Introduced("0".into())])])
                }
                "undetermined" => (Status::Unknown, vec![]),
                other => return Err(format!("release {codename}: unknown status {other:?}")),
            };
            let mut specific = json!({ "codename": codename });
            if !rel.repositories.is_empty() {
                specific["repositories"] = json!(rel.repositories);
            }
            if let Some(n) = &nodsa {
                specific["nodsa"] = json!(n);
            }
            if let Some(r) = &reason {
                specific["nodsa_reason"] = json!(r);
            }
            if let Some(s) = &issue.raw.scope {
                specific["scope"] = json!(s);
            }
            affected.push(Affected {
                ecosystem,
                package: issue.package.clone(),
                purl: None,
                ranges,
                versions: vec![],
                status,
                severities: vec![],
                vendor_severity: urgency,
                ecosystem_specific: Some(specific),
                database_specific: issue.raw.debianbug.map(|b| json!({ "debianbug": b })),
            });
        }
        Ok((id, non_empty(issue.raw.description), affected))
    }
}

fn range(events: Vec<Event>) -> Range {
    Range {
        kind: RangeKind::Ecosystem,
        repo: None,
        events,
    }
}

/// Imports the whole tracker JSON document.
///
/// A document that is not a JSON object fails the feed; a package whose value is not an
/// object, or an issue with the wrong shape or an unknown status, is a skipped record.
pub fn import(feed: &str, mut reader: impl Read) -> Result<Imported<Advisory>, ImportError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::io(feed, "input", e))?;
    let doc: BTreeMap<String, Box<RawValue>> = serde_json::from_slice(&bytes)
        .map_err(|e| ImportError::parse(feed, "input", "Debian tracker JSON", e))?;
    let mut report = ImportReport::new(feed);
    let mut by_id: BTreeMap<AdvisoryId, Advisory> = BTreeMap::new();
    for (package, issues) in doc {
        let issues: BTreeMap<String, Box<RawValue>> = match serde_json::from_str(issues.get()) {
            Ok(i) => i,
            Err(e) => {
                report.skip(package, format!("not an object of issues: {e}"));
                continue;
            }
        };
        for (id, raw) in issues {
            let label = format!("{package}/{id}");
            let converted = serde_json::from_str::<RawIssue>(raw.get())
                .map_err(|e| e.to_string())
                .and_then(|raw| {
                    <(AdvisoryId, Option<String>, Vec<Affected>)>::try_from(Issue {
                        package: package.clone(),
                        id: id.clone(),
                        raw,
                    })
                });
            let (adv_id, description, affected) = match converted {
                Ok(c) => c,
                Err(e) => {
                    report.skip(label, e);
                    continue;
                }
            };
            report.records += 1;
            let adv = by_id.entry(adv_id.clone()).or_insert_with(|| Advisory {
                id: adv_id,
                aliases: if crate::model::is_cve(&id) {
                    vec![id.clone()]
                } else {
                    vec![]
                },
                related: vec![],
                summary: None,
                details: None,
                severities: vec![],
                affected: vec![],
                references: vec![crate::model::Reference {
                    kind: "ADVISORY".into(),
                    url: format!("https://security-tracker.debian.org/tracker/{id}"),
                }],
                published: None,
                modified: None,
                withdrawn: None,
                source: feed.to_owned(),
            });
            if adv.details.is_none() {
                adv.details = description;
            }
            adv.affected.extend(affected);
        }
    }
    Ok(Imported {
        items: by_id.into_values().collect(),
        report,
    })
}

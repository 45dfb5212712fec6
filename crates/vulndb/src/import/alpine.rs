//! Alpine secdb: `v3.19/main.json`, `community.json`, and the YAML files they are built from.
//!
//! A file is one branch and repository: `{distroversion, reponame, packages: [{pkg: {name,
//! secfixes: {fixed version: [ids]}}}]}`. Each package entry is one record. Each id becomes
//! (or joins) the advisory `ALPINE-<id>` with the id as alias, and gets one [`Affected`] per
//! package with ecosystem `Alpine:<distroversion>` (`Alpine:v3.19`). A fixed version of `"0"`
//! means the package in that branch was never affected ([`Status::NotAffected`]); any other
//! version is [`Status::Fixed`] with range `introduced 0`, `fixed <version>`.
//!
//! secdb entries are sometimes prose (`CVE-2019-1 CVE-2019-2`, `XSA-123 (partial)`): each
//! whitespace-separated token that looks like an identifier (`LETTERS-…`) counts.

use std::collections::BTreeMap;
use std::io::Read;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;

use super::{ImportReport, Imported};
use crate::error::ImportError;
use crate::model::{Advisory, AdvisoryId, Affected, Ecosystem, Event, Range, RangeKind, Status};

#[derive(Debug, Deserialize)]
struct RawSecdb<P> {
    distroversion: String,
    #[serde(default)]
    reponame: Option<String>,
    #[serde(default = "Vec::new")]
    packages: Vec<P>,
}

#[derive(Debug, Deserialize)]
struct RawEntry {
    pkg: RawPkg,
}

#[derive(Debug, Deserialize)]
struct RawPkg {
    name: String,
    #[serde(default)]
    secfixes: Option<BTreeMap<Key, Option<Vec<Option<Key>>>>>,
}

/// A YAML scalar read as text: secdb YAML writes `0:` (an integer) as a version key.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.to_owned()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

fn is_identifier(token: &str) -> bool {
    let Some((prefix, rest)) = token.split_once('-') else {
        return false;
    };
    !prefix.is_empty()
        && prefix.bytes().all(|b| b.is_ascii_uppercase())
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Converts one package entry into (advisory id, alias, affected) triples.
fn convert(
    branch: &Ecosystem,
    repo: Option<&str>,
    entry: RawEntry,
) -> Result<Vec<(AdvisoryId, String, Affected)>, String> {
    let name = entry.pkg.name.trim().to_owned();
    if name.is_empty() {
        return Err("empty package name".into());
    }
    let mut out = Vec::new();
    for (version, ids) in entry.pkg.secfixes.unwrap_or_default() {
        let version = version.0.trim().to_owned();
        if version.is_empty() {
            return Err("empty fixed version".into());
        }
        let (status, ranges) = if version == "0" {
            (Status::NotAffected, vec![])
        } else {
            let events = vec![Event::Introduced("0".into()), Event::Fixed(version.clone())];
            (
                Status::Fixed,
                vec![Range {
                    kind: RangeKind::Ecosystem,
                    repo: None,
                    events,
                }],
            )
        };
        for line in ids.unwrap_or_default().into_iter().flatten() {
            for token in line.0.split_whitespace().filter(|t| is_identifier(t)) {
                let id = AdvisoryId::new(format!("ALPINE-{token}")).map_err(|e| e.to_string())?;
                out.push((
                    id,
                    token.to_owned(),
                    Affected {
                        ecosystem: branch.clone(),
                        package: name.clone(),
                        purl: None,
                        ranges: ranges.clone(),
                        versions: vec![],
                        status,
                        severities: vec![],
                        vendor_severity: None,
                        ecosystem_specific: repo.map(|r| json!({ "reponame": r })),
                        database_specific: None,
                    },
                ));
            }
        }
    }
    Ok(out)
}

fn build<P>(
    feed: &str,
    doc: RawSecdb<P>,
    mut entry_of: impl FnMut(P) -> Result<RawEntry, String>,
    name_of: impl Fn(&P) -> Option<String>,
) -> Result<Imported<Advisory>, ImportError> {
    let branch = Ecosystem::with_release("Alpine", doc.distroversion.trim())
        .map_err(|e| ImportError::parse(feed, "input", "Alpine secdb", e))?;
    let mut report = ImportReport::new(feed);
    let mut by_id: BTreeMap<AdvisoryId, Advisory> = BTreeMap::new();
    for (i, raw) in doc.packages.into_iter().enumerate() {
        let label = match name_of(&raw) {
            Some(name) => format!("packages[{i}] ({name})"),
            None => format!("packages[{i}]"),
        };
        let converted = entry_of(raw).and_then(|e| {
            let name = e.pkg.name.clone();
            convert(&branch, doc.reponame.as_deref(), e).map_err(|m| format!("{name}: {m}"))
        });
        let triples = match converted {
            Ok(t) => t,
            Err(e) => {
                report.skip(label, e);
                continue;
            }
        };
        report.records += 1;
        for (id, alias, affected) in triples {
            let adv = by_id.entry(id.clone()).or_insert_with(|| Advisory {
                id,
                aliases: vec![alias],
                related: vec![],
                summary: None,
                details: None,
                severities: vec![],
                affected: vec![],
                references: vec![],
                published: None,
                modified: None,
                withdrawn: None,
                source: feed.to_owned(),
            });
            adv.affected.push(affected);
        }
    }
    Ok(Imported {
        items: by_id.into_values().collect(),
        report,
    })
}

fn read(feed: &str, mut reader: impl Read) -> Result<Vec<u8>, ImportError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::io(feed, "input", e))?;
    Ok(bytes)
}

/// Imports one secdb JSON file (`main.json`, `community.json`).
pub fn import_json(feed: &str, reader: impl Read) -> Result<Imported<Advisory>, ImportError> {
    let bytes = read(feed, reader)?;
    let doc: RawSecdb<Box<serde_json::value::RawValue>> = serde_json::from_slice(&bytes)
        .map_err(|e| ImportError::parse(feed, "input", "Alpine secdb JSON", e))?;
    build(
        feed,
        doc,
        |raw| from_json(raw.get()),
        |raw| {
            let v: serde_json::Value = serde_json::from_str(raw.get()).ok()?;
            Some(v.get("pkg")?.get("name")?.as_str()?.to_owned())
        },
    )
}

fn from_json<T: DeserializeOwned>(s: &str) -> Result<T, String> {
    serde_json::from_str(s).map_err(|e| e.to_string())
}

/// Imports one secdb YAML file (the form kept in the alpine-secdb repository).
pub fn import_yaml(feed: &str, reader: impl Read) -> Result<Imported<Advisory>, ImportError> {
    let bytes = read(feed, reader)?;
    let doc: RawSecdb<serde_yaml_ng::Value> = serde_yaml_ng::from_slice(&bytes)
        .map_err(|e| ImportError::parse(feed, "input", "Alpine secdb YAML", e))?;
    build(
        feed,
        doc,
        |raw| serde_yaml_ng::from_value(raw).map_err(|e| e.to_string()),
        |raw| Some(raw.get("pkg")?.get("name")?.as_str()?.to_owned()),
    )
}

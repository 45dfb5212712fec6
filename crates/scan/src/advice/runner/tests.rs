//! The advice's policy without a registry: the registry is an in-memory table of tags →
//! images → inventories, the store a real one built from a Debian tracker document, the
//! clock a counter the test moves.

use std::cell::Cell;
use std::collections::BTreeMap;

use inventory::{ImageIdentity, Inventory, OsInfo, Package, PackageType};
use vulndb::{import::debian, SourceMeta, Store};

use super::*;
use crate::advice::{Group, MOST_SECURE, NO_REMEDIATION, REMEDIATION_AVAILABLE, SKIPPED};

/// openssl is fixed in bullseye at 1.1.1w-0+deb11u1 (high), zlib at 1:1.2.11.dfsg-2+deb11u2
/// (medium), curl at 7.74.0-1.3+deb11u10 (low).
const TRACKER: &[u8] = br#"{
 "openssl": {"CVE-2023-0001": {"description": "openssl bug", "releases": {"bullseye":
   {"status": "resolved", "fixed_version": "1.1.1w-0+deb11u1", "urgency": "high"}}}},
 "zlib": {"CVE-2023-0002": {"description": "zlib bug", "releases": {"bullseye":
   {"status": "resolved", "fixed_version": "1:1.2.11.dfsg-2+deb11u2", "urgency": "medium"}}}},
 "curl": {"CVE-2023-0003": {"description": "curl bug", "releases": {"bullseye":
   {"status": "resolved", "fixed_version": "7.74.0-1.3+deb11u10", "urgency": "low"}}}}
}"#;

fn store(dir: &std::path::Path) -> Store {
    let db = dir.join("shipshape.db");
    let mut b = Store::build_beside(&db).unwrap();
    let imported = debian::import("debian", TRACKER).unwrap();
    b.add_advisories(&SourceMeta::named("debian"), &imported)
        .unwrap();
    b.commit().unwrap();
    Store::open(&db).unwrap()
}

/// A Debian 11 image with these (source, version) packages.
fn image(pkgs: &[(&str, &str)]) -> Inventory {
    Inventory {
        os: Some(OsInfo {
            id: "debian".into(),
            version_id: Some("11".into()),
            ..OsInfo::default()
        }),
        packages: pkgs
            .iter()
            .map(|(name, version)| Package {
                package_type: Some(PackageType::Deb),
                name: (*name).into(),
                version: (*version).into(),
                ..Package::default()
            })
            .collect(),
        ..Inventory::default()
    }
}

const OLD_SSL: (&str, &str) = ("openssl", "1.1.1n-0+deb11u3");
const NEW_SSL: (&str, &str) = ("openssl", "1.1.1w-0+deb11u1");
const OLD_ZLIB: (&str, &str) = ("zlib", "1:1.2.11.dfsg-2+deb11u1");
const NEW_ZLIB: (&str, &str) = ("zlib", "1:1.2.11.dfsg-2+deb11u2");
const OLD_CURL: (&str, &str) = ("curl", "7.74.0-1.3+deb11u7");

/// A registry held in memory: tag → digest, digest → inventory; every call is counted.
struct Fake {
    current: &'static str,
    tags: BTreeMap<&'static str, &'static str>,
    images: BTreeMap<&'static str, Inventory>,
    list_error: Option<&'static str>,
    unreadable: Vec<&'static str>,
    /// Seconds on the clock, and how much each resolve advances it.
    clock: Cell<u64>,
    tick: u64,
    cache: BTreeMap<String, SeverityCounts>,
    inventoried: Vec<String>,
    events: Vec<AdviceProgress>,
}

impl Fake {
    /// The guide's situation: `debian:11.6` with old openssl, zlib and curl; `11.11`, `11`
    /// and `bullseye` one image with openssl fixed; `11.11-slim` without curl and with
    /// everything fixed; `12.11` (major) with only curl old.
    fn guide() -> Fake {
        let tags = BTreeMap::from([
            ("11.6", "sha256:old"),
            ("11.11", "sha256:new"),
            ("11", "sha256:new"),
            ("bullseye", "sha256:new"),
            ("11.11-slim", "sha256:slim"),
            ("12.11", "sha256:twelve"),
            ("latest", "sha256:twelve"),
        ]);
        let images = BTreeMap::from([
            ("sha256:old", image(&[OLD_SSL, OLD_ZLIB, OLD_CURL])),
            ("sha256:new", image(&[NEW_SSL, OLD_ZLIB, OLD_CURL])),
            ("sha256:slim", image(&[NEW_SSL, NEW_ZLIB])),
            ("sha256:twelve", image(&[NEW_SSL, NEW_ZLIB, OLD_CURL])),
        ]);
        Fake {
            current: "11.6",
            tags,
            images,
            list_error: None,
            unreadable: Vec::new(),
            clock: Cell::new(0),
            tick: 0,
            cache: BTreeMap::new(),
            inventoried: Vec::new(),
            events: Vec::new(),
        }
    }
}

impl AdviceSource for Fake {
    fn list_tags(&mut self) -> Result<Vec<String>, SourceError> {
        match self.list_error {
            Some(e) => Err(e.into()),
            None => Ok(self.tags.keys().map(|t| t.to_string()).collect()),
        }
    }

    fn resolve(&mut self, tag: Option<&str>) -> Result<ImageIdentity, SourceError> {
        self.clock.set(self.clock.get() + self.tick);
        let tag = tag.unwrap_or(self.current);
        if self.unreadable.contains(&tag) {
            return Err(format!("manifest unknown: {tag}").into());
        }
        let digest = self.tags.get(tag).ok_or("no such tag")?;
        Ok(ImageIdentity {
            name: format!("test/debian:{tag}"),
            manifest_digest: Some(digest.to_string()),
            platform: Some("linux/amd64".into()),
            ..ImageIdentity::default()
        })
    }

    fn inventory(&mut self, image: &ImageIdentity) -> Result<Inventory, SourceError> {
        let digest = image.manifest_digest.clone().unwrap_or_default();
        let inv = self.images[digest.as_str()].clone();
        self.inventoried.push(digest);
        Ok(inv)
    }

    fn elapsed(&self) -> Duration {
        Duration::from_secs(self.clock.get())
    }

    fn cached_counts(&mut self, key: &str) -> Option<SeverityCounts> {
        self.cache.get(key).cloned()
    }

    fn store_counts(&mut self, key: &str, counts: &SeverityCounts) {
        self.cache.insert(key.to_string(), counts.clone());
    }

    fn progress(&mut self, event: AdviceProgress) {
        self.events.push(event);
    }
}

fn registry(tag: &str) -> BaseLocation {
    BaseLocation::Registry {
        repository: "test/debian".into(),
        tag: Some(tag.into()),
        digest: None,
    }
}

/// The advice for `debian:TAG` (spelled `name`) in the registry `fake`.
fn advise(
    store: &Store,
    fake: &mut Fake,
    name: &str,
    opts: &AdviceOptions,
) -> BaseImageRemediation {
    let tag = name.rsplit_once(':').map_or("latest", |(_, t)| t);
    recommend(name, registry(tag), Scanner::new(store), fake, opts)
}

fn counts(high: usize, medium: usize, low: usize) -> SeverityCounts {
    SeverityCounts {
        high,
        medium,
        low,
        ..SeverityCounts::default()
    }
}

/// Validates the guide's advice: each distinct image scanned once (aliases shown under the
/// most specific tag), the current base's counts, only strictly better candidates, grouped
/// minor / major / alternative and ranked, with no notes.
#[test]
fn ranks_candidates_and_joins_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let mut fake = Fake::guide();
    let r = advise(
        &store,
        &mut fake,
        "reg/test/debian:11.6",
        &AdviceOptions::default(),
    );
    assert_eq!(r.code, REMEDIATION_AVAILABLE);
    assert_eq!(r.current, Some(counts(1, 1, 1)));
    let got: Vec<(&str, Vec<&str>, Group, SeverityCounts)> = r
        .candidates
        .iter()
        .map(|c| {
            (
                c.image.as_str(),
                c.tags.iter().map(String::as_str).collect(),
                c.group,
                c.counts.clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "reg/test/debian:11.11",
                vec!["11.11", "11", "bullseye"],
                Group::Minor,
                counts(0, 1, 1)
            ),
            (
                "reg/test/debian:12.11",
                vec!["12.11"],
                Group::Major,
                counts(0, 0, 1)
            ),
            (
                "reg/test/debian:11.11-slim",
                vec!["11.11-slim"],
                Group::Alternative,
                counts(0, 0, 0)
            ),
        ]
    );
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    // Every image inventoried once: the current one first.
    let mut seen = fake.inventoried.clone();
    assert_eq!(seen[0], "sha256:old");
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), fake.inventoried.len());
    // Five proposed tags (11.11, 11, bullseye, 12.11, 11.11-slim) plus the current image.
    assert_eq!(fake.events.first(), Some(&AdviceProgress::Start(6)));
    assert_eq!(fake.events.last(), Some(&AdviceProgress::Finish));
}

/// Validates that a second run with the same database reads every count from the cache
/// and scans nothing, with the same result.
#[test]
fn cached_counts_are_not_rescanned() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let mut fake = Fake::guide();
    let opts = AdviceOptions::default();
    let first = advise(&store, &mut fake, "debian:11.6", &opts);
    fake.inventoried.clear();
    let second = advise(&store, &mut fake, "debian:11.6", &opts);
    assert_eq!(first, second);
    assert!(fake.inventoried.is_empty(), "{:?}", fake.inventoried);
    // Keys carry the image, its platform, the database build and the stamp.
    assert!(fake
        .cache
        .keys()
        .all(|k| k.starts_with("sha256:") && k.contains("|linux/amd64|")));
}

/// Validates the limit (one candidate image scanned, the rest counted in a note), an
/// unreadable tag (a note naming it) and the best image being the current one (the
/// "most secure" sentence).
#[test]
fn limit_unreadable_tags_and_most_secure() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let mut fake = Fake::guide();
    fake.unreadable.push("12.11");
    let opts = AdviceOptions {
        limit: 1,
        ..AdviceOptions::default()
    };
    let r = advise(&store, &mut fake, "debian:11.6", &opts);
    assert_eq!(r.candidates.len(), 1);
    assert_eq!(r.candidates[0].image, "debian:11.11");
    assert!(
        r.notes
            .iter()
            .any(|n| n == "1 more candidate images not scanned (--recommend-limit 1)"),
        "{:?}",
        r.notes
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n
                .starts_with("1 candidate tags could not be read: debian:12.11: manifest unknown")),
        "{:?}",
        r.notes
    );

    let mut fake = Fake::guide();
    fake.current = "11.11-slim";
    let r = advise(
        &store,
        &mut fake,
        "debian:11.11-slim",
        &AdviceOptions::default(),
    );
    assert_eq!(r.code, NO_REMEDIATION);
    assert!(r.candidates.is_empty());
    assert_eq!(r.advice[0].message, MOST_SECURE);
}

/// Validates the time budget: when the clock passes it while resolving, the tags not looked
/// at are counted in a note naming the budget.
#[test]
fn time_budget() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let mut fake = Fake::guide();
    fake.tick = 30;
    let opts = AdviceOptions {
        budget: Duration::from_secs(60),
        ..AdviceOptions::default()
    };
    let r = advise(&store, &mut fake, "debian:11.6", &opts);
    assert!(
        r.notes
            .iter()
            .any(|n| n.ends_with("candidate tags not looked at: the 60 s time budget ran out")),
        "{:?}",
        r.notes
    );
}

/// Validates every reason to skip, each with the note naming it and without touching the
/// registry beyond what it needs.
#[test]
fn skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let run = |base: &str, location: BaseLocation, opts: &AdviceOptions, fake: &mut Fake| {
        recommend(base, location, Scanner::new(&store), fake, opts)
    };
    let plain = AdviceOptions::default();
    let mut fake = Fake::guide();
    let offline = AdviceOptions {
        offline: true,
        ..plain.clone()
    };
    let r = run("debian:11.6", registry("11.6"), &offline, &mut fake);
    assert_eq!(
        (r.code.as_str(), r.notes.as_slice()),
        (SKIPPED, [OFFLINE_NOTE.to_string()].as_slice())
    );
    let off = AdviceOptions {
        limit: 0,
        ..plain.clone()
    };
    assert!(
        run("debian:11.6", registry("11.6"), &off, &mut fake).notes[0]
            .contains("--recommend-limit 0")
    );
    let scratch = BaseLocation::Registry {
        repository: "library/scratch".into(),
        tag: None,
        digest: None,
    };
    assert!(run("scratch", scratch, &plain, &mut fake).notes[0].contains("scratch"));
    assert!(
        run("dir:x", BaseLocation::NotInRegistry, &plain, &mut fake).notes[0]
            .contains("not in a registry")
    );
    let bad = BaseLocation::Invalid("invalid reference".into());
    assert_eq!(
        run("Bad::Ref", bad, &plain, &mut fake).notes[0],
        "the base image Bad::Ref: invalid reference"
    );
    let pinned = BaseLocation::Registry {
        repository: "x/y".into(),
        tag: None,
        digest: Some(format!("sha256:{}", "0".repeat(64))),
    };
    assert!(run("x/y@sha256:0", pinned, &plain, &mut fake).notes[0].contains("pinned by digest"));
    assert!(fake.inventoried.is_empty());

    fake.list_error = Some("connection refused");
    let r = run(
        "127.0.0.1:1/test/debian:11.6",
        registry("11.6"),
        &plain,
        &mut fake,
    );
    assert_eq!(r.code, SKIPPED);
    assert_eq!(
        r.notes,
        ["cannot list the tags of 127.0.0.1:1/test/debian:11.6: connection refused"]
    );
    assert!(r.current.is_none() && r.candidates.is_empty());
}

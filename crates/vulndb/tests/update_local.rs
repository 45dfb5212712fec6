//! `vulndb::update` with local sources (paths in the config work offline), `ensure_database`,
//! and a failing source leaving the previous database in place.

use std::path::PathBuf;
use std::time::Duration;

use vulndb::update::{self, Ensured, Source, SourceKind, UpdateConfig, UpdateError, UpdateOptions};

fn fixture(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

fn config(sources: Vec<Source>) -> UpdateConfig {
    UpdateConfig {
        sources,
        retries: 1,
        retry_delay: Duration::from_millis(1),
        timeout: Duration::from_secs(5),
        max_bytes: 1 << 20,
    }
}

fn src(name: &str, url: String, kind: SourceKind) -> Source {
    Source {
        name: name.into(),
        url,
        kind,
    }
}

#[test]
fn local_sources_update_offline_and_failures_keep_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shipshape.db");
    let offline = UpdateOptions {
        offline: true,
        ..UpdateOptions::default()
    };
    let cfg = config(vec![
        src(
            "list",
            fixture("debian/CVE-list"),
            SourceKind::DebianCveList,
        ),
        src(
            "dsa",
            format!("file://{}", fixture("debian/DSA-list")),
            SourceKind::DebianDsaList,
        ),
        src("kev", fixture("kev/kev.json"), SourceKind::Kev),
    ]);
    // No database and offline: ensure_database refuses, naming the path.
    let err = update::ensure_database(&db, &cfg, &offline).unwrap_err();
    assert!(
        matches!(err, UpdateError::Missing { .. }) && err.is_offline(),
        "{err}"
    );

    // Local sources need no network, so an offline update works.
    let summary = update::update(&db, &cfg, &offline).unwrap();
    assert_eq!(summary.sources.len(), 3);
    assert!(summary
        .sources
        .iter()
        .all(|s| s.fetch == update::Fetch::Local));
    let answer = || {
        let store = vulndb::Store::open(&db).unwrap();
        let advs = store.advisories_for("Debian:12", "libfoo").unwrap();
        advs.iter()
            .map(|a| {
                format!(
                    "{}:{:?}",
                    a.id,
                    a.affected
                        .iter()
                        .find(|x| x.ecosystem.as_str() == "Debian:12")
                        .unwrap()
                        .fixed_versions()
                )
            })
            .collect::<Vec<_>>()
    };
    let first = answer();
    // The DSA list in the same update refines the CVE list's bookworm version.
    assert_eq!(first, ["DEBIAN-CVE-2025-0001:[\"2.2-1+deb12u1\"]"]);
    assert!(matches!(
        update::ensure_database(&db, &cfg, &offline).unwrap(),
        Ensured::Existing(_)
    ));

    // A remote source under --offline is refused before anything is written.
    let mut remote = cfg.clone();
    remote.sources.push(src(
        "osv-pypi",
        "http://127.0.0.1:9/all.zip".into(),
        SourceKind::OsvZip,
    ));
    let err = update::update(&db, &remote, &offline).unwrap_err();
    assert!(err.is_offline(), "{err}");

    // A source that is not what it claims to be fails the update; the old file answers.
    let mut bad = cfg.clone();
    bad.sources
        .push(src("kev2", fixture("debian/CVE-list"), SourceKind::Kev));
    let err = update::update(&db, &bad, &offline).unwrap_err();
    assert!(err.to_string().contains("source kev2"), "{err}");
    assert_eq!(answer(), first);

    // A connection refused is retried and then reported with the URL.
    let mut down = cfg.clone();
    down.retries = 2;
    down.sources.push(src(
        "down",
        "http://127.0.0.1:9/feed.json".into(),
        SourceKind::Kev,
    ));
    let err = update::update(&db, &down, &UpdateOptions::default()).unwrap_err();
    let msg = format!("{err}: {}", std::error::Error::source(&err).unwrap());
    assert!(
        msg.contains("http://127.0.0.1:9/feed.json") && msg.contains("2 attempt"),
        "{msg}"
    );
    assert_eq!(answer(), first);
}

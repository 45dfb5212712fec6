//! `push_db` / `pull_db` round trips through a real OCI registry on loopback: the
//! distribution registry (`docker-registry` from the Debian package of that name), started
//! by the test, or an already-running one named by `SHIPSHAPE_TEST_REGISTRY`
//! (`host:port`, open) and `SHIPSHAPE_TEST_AUTH_REGISTRY` with
//! `SHIPSHAPE_TEST_REGISTRY_USER` / `SHIPSHAPE_TEST_REGISTRY_PASSWORD` (basic auth).
//!
//! Without the binary the tests print `SKIPPED …`, unless `SHIPSHAPE_REQUIRE_IMAGE_TESTS=1`,
//! which makes them fail.

#![allow(clippy::print_stderr)]

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use oci::artifact::{ArtifactSpec, BlobSpec};
use oci::{Reference, ResolveOptions};
use vulndb::distribution::{self, DistributionError, ARTIFACT_TYPE, LAYER_MEDIA_TYPE};
use vulndb::{import::osv, SourceMeta, Store};

const REGISTRY_BIN: &str = "docker-registry";

/// A `docker-registry serve` process, killed on drop.
struct LocalRegistry {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Drop for LocalRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_binary(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Start the registry; `htpasswd` (user, password) turns on basic auth; `relative` makes it
/// answer with relative `Location` headers (`http.relativeurls`).
fn start_registry(
    bin: &Path,
    htpasswd: Option<(&str, &str)>,
    relative: bool,
) -> Option<LocalRegistry> {
    let dir = tempfile::tempdir().unwrap();
    let mut auth = String::new();
    if let Some((user, password)) = htpasswd {
        let file = dir.path().join("htpasswd");
        let out = Command::new("htpasswd")
            .args(["-Bbn", user, password])
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        std::fs::write(&file, out.stdout).unwrap();
        auth = format!(
            "auth:\n  htpasswd:\n    realm: shipshape-test\n    path: {}\n",
            file.display()
        );
    }
    for _attempt in 0..5 {
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {addr}\n  relativeurls: {relative}\n{auth}",
                dir.path().join("data").display()
            ),
        )
        .unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let mut child = Command::new(bin)
            .arg("serve")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut up = false;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                break; // exited (port taken?): try another port
            }
            if let Ok(resp) = ureq::get(&format!("http://{addr}/v2/"))
                .config()
                .http_status_as_error(false)
                .build()
                .call()
            {
                if matches!(resp.status().as_u16(), 200 | 401) {
                    up = true;
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if up {
            return Some(LocalRegistry {
                child,
                addr,
                _dir: dir,
            });
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    let log = std::fs::read_to_string(dir.path().join("registry.log")).unwrap_or_default();
    panic!("docker-registry did not come up:\n{log}");
}

/// The registry to use: an external open one, a local one, or None (skipped).
enum Target {
    External(String),
    Local(LocalRegistry),
}

impl Target {
    fn addr(&self) -> &str {
        match self {
            Target::External(a) => a,
            Target::Local(r) => &r.addr,
        }
    }
}

fn skip_or_fail(test: &str, why: &str) {
    if std::env::var("SHIPSHAPE_REQUIRE_IMAGE_TESTS").as_deref() == Ok("1") {
        panic!("{test}: {why}, and SHIPSHAPE_REQUIRE_IMAGE_TESTS=1");
    }
    eprintln!("SKIPPED {test}: {why}");
}

fn open_registry(test: &str) -> Option<Target> {
    if let Ok(addr) = std::env::var("SHIPSHAPE_TEST_REGISTRY") {
        if !addr.is_empty() {
            return Some(Target::External(addr));
        }
    }
    let Some(bin) = find_binary(REGISTRY_BIN) else {
        skip_or_fail(test, "no docker-registry binary on PATH");
        return None;
    };
    start_registry(&bin, None, false).map(Target::Local)
}

/// Options with a docker config dir holding `creds` (or none), so the host's never leak in.
fn opts(dir: &Path, registry: &str, creds: Option<(&str, &str)>) -> ResolveOptions {
    let auths = match creds {
        Some((u, p)) => {
            let auth = base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"));
            serde_json::json!({ registry: { "auth": auth } })
        }
        None => serde_json::json!({}),
    };
    let cfg = dir.join("docker");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("config.json"),
        serde_json::json!({ "auths": auths }).to_string(),
    )
    .unwrap();
    ResolveOptions {
        docker_config_dir: Some(cfg),
        ..ResolveOptions::default()
    }
}

const RECORD: &[u8] = br#"{"id": "PYSEC-2021-66", "aliases": ["CVE-2020-28493"],
  "summary": "ReDoS in jinja2",
  "affected": [{"package": {"ecosystem": "PyPI", "name": "jinja2"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.11.3"}]}]}]}"#;

const OTHER_RECORD: &[u8] = br#"{"id": "GHSA-xxxx-yyyy-zzzz",
  "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.0"}]}]}]}"#;

fn build_db(path: &Path, record: &[u8]) {
    let imported = osv::import_json("osv-test", record).unwrap();
    let mut builder = Store::build_beside(path).unwrap();
    builder
        .add_advisories(&SourceMeta::named("osv-test"), &imported)
        .unwrap();
    builder.commit().unwrap();
}

fn reference(addr: &str, repo_tag: &str) -> Reference {
    Reference::parse(&format!("{addr}/{repo_tag}")).unwrap()
}

/// A unique repository per run, so an external registry's old content does not interfere.
fn unique(repo: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{repo}-{}-{nanos}", std::process::id())
}

fn round_trip(addr: &str, creds: Option<(&str, &str)>) {
    let dir = tempfile::tempdir().unwrap();
    let o = opts(dir.path(), addr, creds);
    let src = dir.path().join("src/shipshape.db");
    build_db(&src, RECORD);
    let repo = unique("shipshape/db");
    let r = reference(addr, &format!("{repo}:1"));

    let pushed = distribution::push_db(&src, &r, &o).unwrap();
    assert_eq!(pushed.db_size, std::fs::metadata(&src).unwrap().len());
    assert!(pushed.compressed_size > 0 && pushed.compressed_size < pushed.db_size);
    assert!(pushed.built_at.is_some());

    let dst = dir.path().join("dst/cache/shipshape.db");
    let pulled = distribution::pull_db(&r, &dst, &o).unwrap();
    assert_eq!(pulled.manifest_digest, pushed.manifest_digest);
    assert_eq!(pulled.layer_digest, pushed.layer_digest);
    assert_eq!(pulled.compressed_size, pushed.compressed_size);
    assert_eq!(pulled.db_size, pushed.db_size);
    assert_eq!(pulled.built_at, pushed.built_at);
    assert_eq!(
        std::fs::read(&src).unwrap(),
        std::fs::read(&dst).unwrap(),
        "byte-identical database"
    );
    let a = Store::open(&src).unwrap();
    let b = Store::open(&dst).unwrap();
    let found = b.advisories_for("PyPI", "Jinja2").unwrap();
    assert_eq!(found[0].id.as_str(), "PYSEC-2021-66");
    assert_eq!(found, a.advisories_for("PyPI", "Jinja2").unwrap());
    assert_eq!(b.status().unwrap().counts, a.status().unwrap().counts);
    drop(b);

    // Pinned by digest.
    let mut by_digest = reference(addr, &repo);
    by_digest.digest = Some(pushed.manifest_digest.clone());
    let again = dir.path().join("pinned.db");
    distribution::pull_db(&by_digest, &again, &o).unwrap();
    assert_eq!(std::fs::read(&src).unwrap(), std::fs::read(&again).unwrap());

    // Pulling a newer database replaces the old one in place.
    let src2 = dir.path().join("src2/shipshape.db");
    build_db(&src2, OTHER_RECORD);
    let r2 = reference(addr, &format!("{repo}:2"));
    distribution::push_db(&src2, &r2, &o).unwrap();
    distribution::pull_db(&r2, &dst, &o).unwrap();
    let b = Store::open(&dst).unwrap();
    assert!(b.advisories_for("PyPI", "Jinja2").unwrap().is_empty());
    assert_eq!(b.advisories_for("npm", "left-pad").unwrap().len(), 1);
    assert_no_temp_files(dst.parent().unwrap());
}

fn assert_no_temp_files(dir: &Path) {
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["shipshape.db"], "no temporary files left behind");
}

/// Validates push then pull through the distribution registry: same bytes, same answers,
/// pull by digest, and a newer pull replacing the installed database.
#[test]
fn push_pull_round_trip() {
    let Some(target) = open_registry("push_pull_round_trip") else {
        return;
    };
    round_trip(target.addr(), None);
}

/// Validates the round trip when the registry sends relative upload `Location`s.
#[test]
fn round_trip_relative_locations() {
    let test = "round_trip_relative_locations";
    let Some(bin) = find_binary(REGISTRY_BIN) else {
        skip_or_fail(test, "no docker-registry binary on PATH");
        return;
    };
    let reg = start_registry(&bin, None, true).unwrap();
    round_trip(&reg.addr, None);
}

/// Validates failed pulls leave the installed database untouched and say why: a normal
/// image, another artifact type, a missing tag, our type with a payload that is not a
/// database, and our type without a database layer.
#[test]
fn failed_pulls_leave_the_old_database() {
    let Some(target) = open_registry("failed_pulls_leave_the_old_database") else {
        return;
    };
    let addr = target.addr();
    let dir = tempfile::tempdir().unwrap();
    let o = opts(dir.path(), addr, None);
    let repo = unique("shipshape/db");
    let dst = dir.path().join("installed/shipshape.db");
    build_db(&dst, RECORD);
    let before = std::fs::read(&dst).unwrap();

    let check = |r: &Reference, want: &str| {
        let err = distribution::pull_db(r, &dst, &o).unwrap_err();
        assert!(err.to_string().contains(want), "{r}: {err}");
        assert_eq!(
            std::fs::read(&dst).unwrap(),
            before,
            "{r}: old database kept"
        );
        assert_no_temp_files(dst.parent().unwrap());
        err
    };

    // A normal (tiny) container image.
    let layer = dir.path().join("layer.tar");
    std::fs::write(&layer, vec![0u8; 1024]).unwrap();
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let mut image = ArtifactSpec::new("");
    image.config = Some(BlobSpec::from_bytes(
        oci::manifest::OCI_CONFIG,
        config.to_vec(),
    ));
    image
        .layers
        .push(BlobSpec::from_file("application/vnd.oci.image.layer.v1.tar", &layer).unwrap());
    // An image manifest has no artifactType: push its manifest JSON without one.
    let r = reference(addr, &format!("{repo}:image"));
    push_without_artifact_type(&r, &image, &o);
    let err = check(&r, "container image");
    assert!(matches!(
        err,
        DistributionError::Oci(ref e) if matches!(e.kind(), oci::ErrorKind::UnsupportedMediaType { .. })
    ));

    // Another artifact type.
    let mut other = ArtifactSpec::new("application/vnd.example.other.v1");
    other
        .layers
        .push(BlobSpec::from_file("application/octet-stream", &layer).unwrap());
    let r = reference(addr, &format!("{repo}:other"));
    oci::push_artifact(&r, &other, &o).unwrap();
    check(&r, "application/vnd.example.other.v1");

    // Missing tag.
    check(
        &reference(addr, &format!("{repo}:nope")),
        "MANIFEST_UNKNOWN",
    );

    // Our type, but the payload decompresses to something that is not a database.
    let garbage = dir.path().join("garbage.zst");
    let mut enc = zstd::Encoder::new(std::fs::File::create(&garbage).unwrap(), 3).unwrap();
    enc.write_all(&vec![b'x'; 100_000]).unwrap();
    enc.finish().unwrap();
    let r = reference(addr, &format!("{repo}:garbage"));
    oci::push_artifact(&r, &db_spec(&garbage), &o).unwrap();
    check(&r, "not a shipshape vulnerability database");

    // Our type, but not zstd at all.
    let raw = dir.path().join("raw.bin");
    std::fs::write(&raw, b"definitely not zstd").unwrap();
    let r = reference(addr, &format!("{repo}:raw"));
    oci::push_artifact(&r, &db_spec(&raw), &o).unwrap();
    check(&r, "does not decompress");

    // Our type without the database layer.
    let mut spec = db_spec(&raw);
    spec.layers[0].media_type = "application/octet-stream".into();
    let r = reference(addr, &format!("{repo}:nolayer"));
    oci::push_artifact(&r, &spec, &o).unwrap();
    check(
        &r,
        "no application/vnd.shipshape.db.layer.v1.sqlite+zstd layer",
    );

    // Our type with a newer schema version.
    let mut spec = db_spec(&garbage);
    spec.config = Some(BlobSpec::from_bytes(
        distribution::CONFIG_MEDIA_TYPE,
        br#"{"schemaVersion": 999}"#.to_vec(),
    ));
    let r = reference(addr, &format!("{repo}:future"));
    oci::push_artifact(&r, &spec, &o).unwrap();
    check(&r, "schema version 999");

    // Still a working database.
    let store = Store::open(&dst).unwrap();
    assert_eq!(store.advisories_for("PyPI", "jinja2").unwrap().len(), 1);
}

/// An artifact of our type whose layer is `payload`.
fn db_spec(payload: &Path) -> ArtifactSpec {
    let mut spec = ArtifactSpec::new(ARTIFACT_TYPE);
    spec.config = Some(BlobSpec::from_bytes(
        distribution::CONFIG_MEDIA_TYPE,
        format!(r#"{{"schemaVersion": {}}}"#, vulndb::SCHEMA_VERSION).into_bytes(),
    ));
    spec.layers
        .push(BlobSpec::from_file(LAYER_MEDIA_TYPE, payload).unwrap());
    spec
}

/// Push `image`'s blobs with `push_artifact` (which sets `artifactType`), then overwrite the
/// tag with a plain image manifest (no `artifactType`), as `docker push` would write.
fn push_without_artifact_type(r: &Reference, image: &ArtifactSpec, o: &ResolveOptions) {
    oci::push_artifact(r, image, o).unwrap();
    let mut m: serde_json::Value = serde_json::from_slice(&image.manifest_bytes()).unwrap();
    m.as_object_mut().unwrap().remove("artifactType");
    let body = serde_json::to_vec(&m).unwrap();
    let url = format!(
        "http://{}/v2/{}/manifests/{}",
        r.registry,
        r.repository,
        r.tag.as_deref().unwrap()
    );
    let resp = ureq::put(&url)
        .header("Content-Type", oci::manifest::OCI_MANIFEST)
        .send(&body[..])
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
}

/// Validates a round trip through a registry that requires basic auth (htpasswd), with the
/// credentials from a docker config dir, and that wrong credentials are refused by name.
#[test]
fn round_trip_with_basic_auth() {
    let test = "round_trip_with_basic_auth";
    let external = std::env::var("SHIPSHAPE_TEST_AUTH_REGISTRY")
        .ok()
        .filter(|a| !a.is_empty());
    let (_local, addr, user, password) = match external {
        Some(addr) => {
            let user = std::env::var("SHIPSHAPE_TEST_REGISTRY_USER").unwrap_or_default();
            let password = std::env::var("SHIPSHAPE_TEST_REGISTRY_PASSWORD").unwrap_or_default();
            (None, addr, user, password)
        }
        None => {
            let Some(bin) = find_binary(REGISTRY_BIN) else {
                skip_or_fail(test, "no docker-registry binary on PATH");
                return;
            };
            if find_binary("htpasswd").is_none() {
                skip_or_fail(test, "no htpasswd binary on PATH (apache2-utils)");
                return;
            }
            let reg = start_registry(&bin, Some(("shipshape", "s3cret")), false).unwrap();
            let addr = reg.addr.clone();
            (
                Some(reg),
                addr,
                "shipshape".to_string(),
                "s3cret".to_string(),
            )
        }
    };
    round_trip(&addr, Some((&user, &password)));

    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("shipshape.db");
    build_db(&src, RECORD);
    let r = reference(&addr, &format!("{}:1", unique("shipshape/db")));
    for creds in [None, Some((user.as_str(), "wrong"))] {
        let o = opts(dir.path(), &addr, creds);
        let err = distribution::push_db(&src, &r, &o).unwrap_err();
        assert!(
            matches!(err, DistributionError::Oci(ref e) if matches!(e.kind(), oci::ErrorKind::Unauthorized { .. })),
            "{err}"
        );
        assert!(err.to_string().contains(&addr), "{err}");
    }
}

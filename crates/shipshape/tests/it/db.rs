//! `shipshape db update|import|status` against a feed server started on 127.0.0.1 by the
//! test: 200, 304 Not Modified, 500 with retry, 500 forever, a truncated zip, a feed that is
//! not JSON. In every failure case the previous database is still there and still answers.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::support::{shipshape_env, stderr, stdout};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../vulndb/tests/fixtures");

#[derive(Clone)]
enum Mode {
    Ok,
    /// 500 this many times, then 200.
    FailTimes(u32),
    FailAlways,
}

#[derive(Clone)]
struct Route {
    body: Vec<u8>,
    etag: String,
    mode: Mode,
}

#[derive(Default)]
struct State {
    routes: HashMap<String, Route>,
    /// (path, status) of every request.
    log: Vec<(String, u16)>,
}

/// A tiny HTTP/1.1 server: one request per connection, ETag / If-None-Match support.
struct Server {
    addr: String,
    state: Arc<Mutex<State>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let state: Arc<Mutex<State>> = Arc::default();
        let st = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let st = st.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(conn.try_clone().unwrap());
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let mut inm = None;
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':') {
                            if k.eq_ignore_ascii_case("if-none-match") {
                                inm = Some(v.trim().to_string());
                            }
                        }
                    }
                    let (status, etag, body) = {
                        let mut s = st.lock().unwrap();
                        let (status, etag, body) = match s.routes.get_mut(&path) {
                            None => (404, String::new(), b"not found".to_vec()),
                            Some(r) => match r.mode.clone() {
                                Mode::FailAlways => (500, String::new(), b"oops".to_vec()),
                                Mode::FailTimes(n) if n > 0 => {
                                    r.mode = Mode::FailTimes(n - 1);
                                    (500, String::new(), b"oops".to_vec())
                                }
                                _ if inm.as_deref() == Some(r.etag.as_str()) => {
                                    (304, r.etag.clone(), vec![])
                                }
                                _ => (200, r.etag.clone(), r.body.clone()),
                            },
                        };
                        s.log.push((path.clone(), status));
                        (status, etag, body)
                    };
                    let reason = match status {
                        200 => "OK",
                        304 => "Not Modified",
                        404 => "Not Found",
                        _ => "Internal Server Error",
                    };
                    let mut head = format!("HTTP/1.1 {status} {reason}\r\nConnection: close\r\n");
                    if !etag.is_empty() {
                        head.push_str(&format!("ETag: {etag}\r\n"));
                    }
                    if status != 304 {
                        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
                    }
                    head.push_str("\r\n");
                    let _ = conn.write_all(head.as_bytes());
                    let _ = conn.write_all(&body);
                    let _ = conn.flush();
                    // Drain anything left so the client sees a clean close.
                    let _ = conn.shutdown(std::net::Shutdown::Write);
                    let mut sink = Vec::new();
                    let _ = reader.read_to_end(&mut sink);
                });
            }
        });
        Server { addr, state }
    }

    fn route(&self, path: &str, body: Vec<u8>, etag: &str) {
        self.state.lock().unwrap().routes.insert(
            path.to_string(),
            Route {
                body,
                etag: etag.to_string(),
                mode: Mode::Ok,
            },
        );
    }

    fn mode(&self, path: &str, mode: Mode) {
        self.state
            .lock()
            .unwrap()
            .routes
            .get_mut(path)
            .unwrap()
            .mode = mode;
    }

    fn take_log(&self) -> Vec<(String, u16)> {
        std::mem::take(&mut self.state.lock().unwrap().log)
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

fn osv_zip() -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("PYSEC-2021-66.json", opts).unwrap();
        zip.write_all(
            br#"{"id": "PYSEC-2021-66", "modified": "2021-03-01T00:00:00Z",
              "aliases": ["CVE-2020-28493"],
              "affected": [{"package": {"ecosystem": "PyPI", "name": "jinja2"},
              "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.11.3"}]}]}]}"#,
        )
        .unwrap();
        zip.start_file("broken.json", opts).unwrap();
        zip.write_all(b"{not json").unwrap();
        zip.finish().unwrap();
    }
    buf.into_inner()
}

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(Path::new(FIXTURES).join(rel)).unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

struct Env {
    server: Server,
    dir: tempfile::TempDir,
    config: PathBuf,
    db: PathBuf,
}

fn setup() -> Env {
    let server = Server::start();
    server.route("/osv/PyPI/all.zip", osv_zip(), "\"pypi-1\"");
    server.route("/debian/json", fixture("debian/tracker.json"), "\"deb-1\"");
    server.route(
        "/alpine/v3.19/main.json",
        fixture("alpine/v3.19-main.json"),
        "\"alp-1\"",
    );
    server.route("/kev.json", fixture("kev/kev.json"), "\"kev-1\"");
    server.route(
        "/epss.csv.gz",
        gzip(&fixture("epss/epss.csv")),
        "\"epss-1\"",
    );
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = String::from(
        "[db]\nalpine_branches = []\nretries = 3\nretry_delay_ms = 10\n\
         [scan]\nunrelated = true\n",
    );
    for name in [
        "osv-npm",
        "osv-go",
        "osv-crates-io",
        "osv-maven",
        "osv-rubygems",
        "osv-packagist",
        "osv-nuget",
    ] {
        cfg.push_str(&format!("[db.sources.\"{name}\"]\nenabled = false\n"));
    }
    for (name, path, kind) in [
        ("osv-pypi", "/osv/PyPI/all.zip", ""),
        ("debian", "/debian/json", ""),
        (
            "alpine-v3.19-main",
            "/alpine/v3.19/main.json",
            "alpine-json",
        ),
        ("kev", "/kev.json", ""),
        ("epss", "/epss.csv.gz", ""),
    ] {
        cfg.push_str(&format!(
            "[db.sources.\"{name}\"]\nurl = \"{}\"\n",
            server.url(path)
        ));
        if !kind.is_empty() {
            cfg.push_str(&format!("kind = \"{kind}\"\n"));
        }
    }
    let config = dir.path().join("config.toml");
    std::fs::write(&config, cfg).unwrap();
    let db = dir.path().join("db").join("shipshape.db");
    Env {
        server,
        dir,
        config,
        db,
    }
}

impl Env {
    fn run(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec![
            "--config",
            self.config.to_str().unwrap(),
            "--db",
            self.db.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        shipshape_env(
            &all,
            &[("XDG_CACHE_HOME", self.dir.path().to_str().unwrap())],
        )
    }

    /// The answer the database gives for the known query.
    fn answer(&self) -> Vec<String> {
        let store = vulndb::Store::open(&self.db).unwrap();
        let mut ids: Vec<String> = ["PyPI/jinja2", "Debian:12/openssh", "Alpine:v3.19/openssl"]
            .iter()
            .flat_map(|q| {
                let (eco, pkg) = q.split_once('/').unwrap();
                store.advisories_for(eco, pkg).unwrap()
            })
            .map(|a| a.id.to_string())
            .collect();
        ids.sort();
        ids.push(format!(
            "kev={}",
            store.kev("CVE-2021-44228").unwrap().is_some()
        ));
        ids.push(format!(
            "epss={}",
            store.epss("CVE-1999-0001").unwrap().is_some()
        ));
        ids
    }
}

#[test]
fn update_then_not_modified_then_failures_keep_the_old_database() {
    let env = setup();
    let out = env.run(&["db", "update"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("osv-pypi"), "{}", stdout(&out));
    let first = env.answer();
    assert!(first.contains(&"PYSEC-2021-66".to_string()), "{first:?}");
    assert!(
        first.iter().any(|i| i.starts_with("DEBIAN-CVE-2024-6387")),
        "{first:?}"
    );
    assert!(first.contains(&"kev=true".to_string()) && first.contains(&"epss=true".to_string()));
    // The broken entry in the zip is skipped and reported, not fatal.
    assert!(
        stderr(&out).contains("warning[db-skipped-records]"),
        "{}",
        stderr(&out)
    );
    env.server.take_log();

    // Second run: every source answers 304 and the database answers the same.
    let out = env.run(&["db", "update", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let log = env.server.take_log();
    assert_eq!(log.len(), 5, "{log:?}");
    assert!(log.iter().all(|(_, s)| *s == 304), "{log:?}");
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    for s in summary["sources"].as_array().unwrap() {
        assert_eq!(s["fetch"]["how"], "not_modified", "{s}");
    }
    assert_eq!(env.answer(), first);

    // 500 twice, then 200: the retry succeeds.
    env.server.mode("/kev.json", Mode::FailTimes(2));
    let out = env.run(&["db", "update"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let kev: Vec<u16> = env
        .server
        .take_log()
        .into_iter()
        .filter(|(p, _)| p == "/kev.json")
        .map(|(_, s)| s)
        .collect();
    assert_eq!(kev, [500, 500, 304]);
    assert_eq!(env.answer(), first);

    // 500 forever: the update fails with exit 2, naming the source and URL; old DB answers.
    env.server.mode("/kev.json", Mode::FailAlways);
    let out = env.run(&["db", "update"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("source kev") && err.contains("/kev.json"),
        "{err}"
    );
    assert!(err.contains("500"), "{err}");
    assert_eq!(env.answer(), first);
    env.server.mode("/kev.json", Mode::Ok);

    // A truncated zip (new ETag, so it is downloaded).
    let mut zip = osv_zip();
    zip.truncate(zip.len() / 2);
    env.server.route("/osv/PyPI/all.zip", zip, "\"pypi-2\"");
    let out = env.run(&["db", "update"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("osv-pypi"), "{}", stderr(&out));
    assert!(stderr(&out).contains("zip"), "{}", stderr(&out));
    assert_eq!(env.answer(), first);
    env.server
        .route("/osv/PyPI/all.zip", osv_zip(), "\"pypi-1\"");

    // A feed that is not JSON.
    env.server.route(
        "/debian/json",
        b"<html>maintenance</html>".to_vec(),
        "\"deb-2\"",
    );
    let out = env.run(&["db", "update"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("source debian") && err.contains("Debian tracker JSON"),
        "{err}"
    );
    assert_eq!(env.answer(), first);
    // No temporary files are left beside the database.
    let left: Vec<_> = std::fs::read_dir(env.db.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "shipshape.db" && n != "cache")
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // Offline refuses the network.
    env.server.take_log();
    let out = env.run(&["--offline", "db", "update"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--offline"), "{}", stderr(&out));
    assert!(env.server.take_log().is_empty());
    assert_eq!(env.answer(), first);
}

#[test]
fn status_json_fields_and_import_of_fixture_files() {
    let env = setup();
    let out = env.run(&["db", "status"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no vulnerability database"),
        "{}",
        stderr(&out)
    );

    let kev = format!("{FIXTURES}/kev/kev.json");
    let tracker = format!("{FIXTURES}/debian/tracker.json");
    let out = env.run(&["db", "import", &kev, &tracker]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A second import keeps the first import's sources (merge) and adds a URL source.
    let url = env.server.url("/osv/PyPI/all.zip");
    let out = env.run(&["db", "import", &url]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = env.run(&["db", "status", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema_version"], vulndb::SCHEMA_VERSION);
    assert_eq!(v["path"], env.db.to_str().unwrap());
    assert_eq!(v["stale"], false);
    assert!(v["age_seconds"].as_u64().unwrap() < 600);
    assert!(v["built_at"].as_str().unwrap().ends_with('Z'));
    let names: Vec<&str> = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["all", "kev", "tracker"]);
    let all = &v["sources"][0];
    assert_eq!(all["records"], 1);
    assert_eq!(all["skipped"], 1);
    assert_eq!(all["etag"], "\"pypi-1\"");
    assert_eq!(all["url"], url.as_str());
    assert!(v["counts"]["kev"].as_u64().unwrap() >= 1);
    assert!(v["counts"]["advisories"].as_u64().unwrap() >= 2);
    assert!(env.answer().contains(&"PYSEC-2021-66".to_string()));

    // --replace starts from empty; --kind forces the format.
    let out = env.run(&["db", "import", "--replace", "--kind", "kev", &kev]);
    assert!(out.status.success(), "{}", stderr(&out));
    let store = vulndb::Store::open(&env.db).unwrap();
    assert_eq!(store.status().unwrap().sources.len(), 1);
    assert!(store.advisories_for("PyPI", "jinja2").unwrap().is_empty());

    // A file in no known format fails and leaves the database alone.
    let junk = env.dir.path().join("junk.bin");
    std::fs::write(&junk, b"\x00\x01junk").unwrap();
    let out = env.run(&["db", "import", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--kind"), "{}", stderr(&out));
    assert_eq!(
        vulndb::Store::open(&env.db)
            .unwrap()
            .status()
            .unwrap()
            .sources
            .len(),
        1
    );
}

#[test]
fn status_warns_when_stale() {
    let env = setup();
    let kev = format!("{FIXTURES}/kev/kev.json");
    let out = env.run(&["db", "import", &kev]);
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    conn.execute(
        "UPDATE meta SET value = '2000-01-01T00:00:00Z' WHERE key = 'built_at'",
        [],
    )
    .unwrap();
    drop(conn);
    let out = env.run(&["db", "status"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning[db-stale]"),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["db", "status", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["stale"], true);
}

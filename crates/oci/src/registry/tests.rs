//! Registry client tests against a small HTTP/1.1 server on 127.0.0.1 (a test peer).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;

use crate::manifest::{OCI_INDEX, OCI_MANIFEST};
use crate::testutil::*;
use crate::{Digest, Error, ErrorKind, Reference, ResolveOptions, Target};

/// A request as the test server saw it.
#[derive(Clone, Debug)]
struct Req {
    method: String,
    body: Vec<u8>,
    path: String,
    headers: HashMap<String, String>,
}

impl Req {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
    fn host(&self) -> &str {
        self.header("host").unwrap_or("")
    }
}

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn resp(status: u16, body: impl Into<Vec<u8>>) -> Resp {
    Resp {
        status,
        headers: Vec::new(),
        body: body.into(),
    }
}

impl Resp {
    fn with(mut self, k: &str, v: &str) -> Resp {
        self.headers.push((k.into(), v.into()));
        self
    }
}

type Handler = dyn Fn(&Req) -> Resp + Send + Sync;

struct Server {
    addr: String,
    log: Arc<Mutex<Vec<Req>>>,
}

impl Server {
    fn requests(&self, prefix: &str) -> Vec<Req> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path.starts_with(prefix))
            .cloned()
            .collect()
    }
}

fn handle(mut stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Req>>) -> Option<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut first = [0u8; 1];
    stream.peek(&mut first).ok()?;
    if !first[0].is_ascii_uppercase() {
        // A TLS ClientHello: this server speaks plain HTTP only.
        return None;
    }
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).ok()?;
    let req = Req {
        method,
        body,
        path,
        headers,
    };
    log.lock().unwrap().push(req.clone());
    let r = handler(&req);
    let mut out = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        r.status,
        r.body.len()
    );
    for (k, v) in &r.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    stream.write_all(out.as_bytes()).ok()?;
    stream.write_all(&r.body).ok()?;
    stream.flush().ok()?;
    let _ = reader.read(&mut [0u8; 1]);
    Some(())
}

fn serve(handler: impl Fn(&Req) -> Resp + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let log = Arc::new(Mutex::new(Vec::new()));
    let handler: Arc<Handler> = Arc::new(handler);
    let log2 = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let handler = handler.clone();
            let log = log2.clone();
            std::thread::spawn(move || handle(stream, &*handler, &log));
        }
    });
    Server { addr, log }
}

/// Options with an empty docker config dir, so the host's credentials never leak in.
fn opts(dir: &tempfile::TempDir) -> ResolveOptions {
    ResolveOptions {
        platform: Some("linux/amd64".parse().unwrap()),
        insecure_registries: Vec::new(),
        docker_config_dir: Some(dir.path().to_path_buf()),
    }
}

fn envelope(code: &str, message: &str) -> Vec<u8> {
    serde_json::json!({"errors": [{"code": code, "message": message, "detail": null}]})
        .to_string()
        .into_bytes()
}

/// Blobs and manifests by path for a fake registry holding `test/app`.
struct Content {
    blobs: HashMap<String, Vec<u8>>,
    manifests: HashMap<String, (String, Vec<u8>)>,
}

impl Content {
    fn new() -> Content {
        Content {
            blobs: HashMap::new(),
            manifests: HashMap::new(),
        }
    }
    fn blob(&mut self, b: &[u8]) {
        self.blobs
            .insert(Digest::sha256_of(b).to_string(), b.to_vec());
    }
    fn manifest(&mut self, r: &str, mt: &str, b: &[u8]) {
        self.manifests
            .insert(r.to_string(), (mt.to_string(), b.to_vec()));
        self.manifests.insert(
            Digest::sha256_of(b).to_string(),
            (mt.to_string(), b.to_vec()),
        );
    }
    fn serve(&self, req: &Req) -> Resp {
        let path = req.path.as_str();
        if let Some(r) = path.strip_prefix("/v2/test/app/manifests/") {
            return match self.manifests.get(r) {
                Some((mt, b)) => resp(200, b.clone())
                    .with("Content-Type", mt)
                    .with("Docker-Content-Digest", Digest::sha256_of(b).as_str()),
                None => resp(404, envelope("MANIFEST_UNKNOWN", "manifest unknown")),
            };
        }
        if let Some(d) = path.strip_prefix("/v2/test/app/blobs/") {
            return match self.blobs.get(d) {
                Some(b) => resp(200, b.clone()),
                None => resp(404, envelope("BLOB_UNKNOWN", "blob unknown to registry")),
            };
        }
        resp(
            404,
            envelope("NAME_UNKNOWN", "repository name not known to registry"),
        )
    }
}

/// A content store with one amd64 image tagged v1 and an arm64/amd64 index tagged multi.
fn content() -> (Content, SimpleImage, SimpleImage) {
    let amd = simple_image(b"ID=amd\n", "amd64");
    let arm = simple_image(b"ID=arm\n", "arm64");
    let mut c = Content::new();
    for i in [&amd, &arm] {
        c.blob(&i.layer);
        c.blob(&i.config);
    }
    c.manifest("v1", OCI_MANIFEST, &amd.manifest);
    c.manifest(
        &Digest::sha256_of(&arm.manifest).to_string(),
        OCI_MANIFEST,
        &arm.manifest,
    );
    let index = index_json(&[
        (OCI_MANIFEST, &amd.manifest, Some("linux/amd64"), None),
        (OCI_MANIFEST, &arm.manifest, Some("linux/arm64/v8"), None),
    ]);
    c.manifest("multi", OCI_INDEX, &index);
    (c, amd, arm)
}

fn kind(e: &Error) -> &ErrorKind {
    e.kind()
}

/// Validates the anonymous bearer flow (401 → token endpoint → retry with Bearer), the
/// token cache, and a manifest + config + layer fetch over plain HTTP on loopback.
#[test]
fn anonymous_bearer_flow_and_fetch() {
    let (c, amd, _) = content();
    let server = serve(move |req| {
        if req.path.starts_with("/token") {
            assert!(
                req.header("authorization").is_none(),
                "anonymous token request"
            );
            assert!(
                req.path.contains("scope=repository%3Atest%2Fapp%3Apull"),
                "{}",
                req.path
            );
            assert!(req.path.contains("service=fake"), "{}", req.path);
            return resp(200, r#"{"access_token":"tok123","expires_in":300}"#);
        }
        if req.header("authorization") != Some("Bearer tok123") {
            let challenge = format!(
                r#"Bearer realm="http://{}/token",service="fake",scope="repository:test/app:pull""#,
                req.host()
            );
            return resp(401, envelope("UNAUTHORIZED", "authentication required"))
                .with("WWW-Authenticate", &challenge);
        }
        c.serve(req)
    });
    let dir = tempfile::tempdir().unwrap();
    let t = format!("{}/test/app:v1", server.addr);
    let image = Target::parse(&t).unwrap().resolve(&opts(&dir)).unwrap();
    assert_eq!(image.identity.name, t);
    assert_eq!(image.identity.reference.as_deref(), Some(t.as_str()));
    assert_eq!(
        image.identity.manifest_digest,
        Some(Digest::sha256_of(&amd.manifest).to_string())
    );
    assert_eq!(image.manifest_media_type.as_deref(), Some(OCI_MANIFEST));
    assert_eq!(
        image.identity.config_digest,
        Some(Digest::sha256_of(&amd.config).to_string())
    );
    assert_eq!(image.layers[0].diff_id, Some(Digest::sha256_of(&amd.layer)));
    assert_eq!(read_layer(&image, 0).unwrap(), amd.layer);
    assert_eq!(
        server.requests("/token").len(),
        1,
        "token is cached per scope"
    );
}

/// Validates platform selection from a registry index, and PlatformNotFound.
#[test]
fn index_platform_selection() {
    let (c, _, arm) = content();
    let server = serve(move |req| c.serve(req));
    let dir = tempfile::tempdir().unwrap();
    let target = Target::parse(&format!("{}/test/app:multi", server.addr)).unwrap();
    let mut o = opts(&dir);
    o.platform = Some("linux/arm64".parse().unwrap());
    let image = target.resolve(&o).unwrap();
    assert_eq!(
        image.identity.manifest_digest,
        Some(Digest::sha256_of(&arm.manifest).to_string())
    );
    assert_eq!(read_layer(&image, 0).unwrap(), arm.layer);
    o.platform = Some("linux/ppc64le".parse().unwrap());
    let err = target.resolve(&o).unwrap_err();
    assert!(
        matches!(kind(&err), ErrorKind::PlatformNotFound { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("linux/arm64/v8"), "{err}");
}

/// Validates a pull by digest verifies the manifest, and a tampered layer fails on read.
#[test]
fn digests_are_verified() {
    let (mut c, amd, _) = content();
    let good = Digest::sha256_of(&amd.manifest);
    let wrong = Digest::sha256_of(b"something else");
    c.manifests.insert(
        wrong.to_string(),
        (OCI_MANIFEST.into(), amd.manifest.clone()),
    );
    let mut bad = amd.layer.clone();
    bad[600] ^= 1;
    c.blobs
        .insert(Digest::sha256_of(&amd.layer).to_string(), bad);
    let server = serve(move |req| c.serve(req));
    let dir = tempfile::tempdir().unwrap();
    let t = format!("{}/test/app@{good}", server.addr);
    let image = Target::parse(&t).unwrap().resolve(&opts(&dir)).unwrap();
    assert_eq!(image.identity.manifest_digest, Some(good.to_string()));
    let err = read_layer(&image, 0).unwrap_err();
    let inner = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<Error>())
        .unwrap();
    match inner.kind() {
        ErrorKind::DigestMismatch { what, .. } => {
            assert!(what.contains(&t) && what.contains("layer 1/1"), "{what}")
        }
        k => panic!("{k:?}"),
    }
    let t = format!("{}/test/app@{wrong}", server.addr);
    let err = Target::parse(&t).unwrap().resolve(&opts(&dir)).unwrap_err();
    assert!(
        matches!(kind(&err), ErrorKind::DigestMismatch { .. }),
        "{err}"
    );
}

/// Validates 404 with an OCI error envelope becomes Registry with its codes.
#[test]
fn not_found_envelope() {
    let (c, _, _) = content();
    let server = serve(move |req| c.serve(req));
    let dir = tempfile::tempdir().unwrap();
    let err = Target::parse(&format!("{}/test/app:nope", server.addr))
        .unwrap()
        .resolve(&opts(&dir))
        .unwrap_err();
    match kind(&err) {
        ErrorKind::Registry {
            status,
            codes,
            message,
            url,
            ..
        } => {
            assert_eq!(*status, 404);
            assert_eq!(codes, &vec!["MANIFEST_UNKNOWN".to_string()]);
            assert!(message.contains("manifest unknown"), "{message}");
            assert!(
                url.starts_with("http://") && url.ends_with("/manifests/nope"),
                "{url}"
            );
        }
        k => panic!("{k:?}"),
    }
}

/// Validates a 500 becomes Registry with the status and body text.
#[test]
fn server_error() {
    let server = serve(|_| resp(500, "database on fire"));
    let dir = tempfile::tempdir().unwrap();
    let err = Target::parse(&format!("{}/test/app:v1", server.addr))
        .unwrap()
        .resolve(&opts(&dir))
        .unwrap_err();
    match kind(&err) {
        ErrorKind::Registry {
            status, message, ..
        } => {
            assert_eq!(*status, 500);
            assert_eq!(message, "database on fire");
        }
        k => panic!("{k:?}"),
    }
}

/// Validates 401 without a challenge, a refused token, a token the registry still rejects,
/// and a basic challenge without credentials all become Unauthorized with the message.
#[test]
fn unauthorized_paths() {
    let dir = tempfile::tempdir().unwrap();
    let resolve = |server: &Server| {
        Target::parse(&format!("{}/test/app:v1", server.addr))
            .unwrap()
            .resolve(&opts(&dir))
            .unwrap_err()
    };
    // No challenge at all.
    let s = serve(|_| resp(401, envelope("UNAUTHORIZED", "go away")));
    let e = resolve(&s);
    assert!(
        matches!(kind(&e), ErrorKind::Unauthorized { message, .. } if message.contains("go away")),
        "{e}"
    );
    // The token endpoint refuses.
    let s = serve(|req| {
        if req.path.starts_with("/token") {
            return resp(401, envelope("DENIED", "no anonymous pulls"));
        }
        resp(401, "").with(
            "WWW-Authenticate",
            &format!(
                r#"Bearer realm="http://{}/token",service="fake""#,
                req.host()
            ),
        )
    });
    let e = resolve(&s);
    assert!(
        matches!(kind(&e), ErrorKind::Unauthorized { message, .. } if message.contains("no anonymous pulls")),
        "{e}"
    );
    // A token that the registry still rejects (403 DENIED).
    let s = serve(|req| {
        if req.path.starts_with("/token") {
            return resp(200, r#"{"token":"t"}"#);
        }
        if req.header("authorization") == Some("Bearer t") {
            return resp(
                403,
                envelope("DENIED", "requested access to the resource is denied"),
            );
        }
        resp(401, "").with(
            "WWW-Authenticate",
            &format!(r#"Bearer realm="http://{}/token""#, req.host()),
        )
    });
    let e = resolve(&s);
    match kind(&e) {
        ErrorKind::Unauthorized {
            registry,
            repository,
            message,
        } => {
            assert_eq!(registry, &s.addr);
            assert_eq!(repository, "test/app");
            assert!(message.contains("DENIED"), "{message}");
        }
        k => panic!("{k:?}"),
    }
    // Basic challenge, no credentials.
    let s = serve(|_| resp(401, "").with("WWW-Authenticate", r#"Basic realm="reg""#));
    let e = resolve(&s);
    assert!(
        matches!(kind(&e), ErrorKind::Unauthorized { message, .. } if message.contains("docker login")),
        "{e}"
    );
}

/// Validates basic credentials from docker config.json answer a Basic challenge and are
/// sent to the token endpoint of a Bearer challenge.
#[test]
fn credentials_from_docker_config() {
    let (c, amd, _) = content();
    let c = Arc::new(c);
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("user:pw")
    );
    let c1 = c.clone();
    let e1 = expected.clone();
    let basic = serve(move |req| {
        if req.header("authorization") != Some(e1.as_str()) {
            return resp(401, "").with("WWW-Authenticate", r#"Basic realm="reg""#);
        }
        c1.serve(req)
    });
    let e2 = expected.clone();
    let bearer = serve(move |req| {
        if req.path.starts_with("/token") {
            if req.header("authorization") != Some(e2.as_str()) {
                return resp(401, envelope("UNAUTHORIZED", "bad credentials"));
            }
            return resp(200, r#"{"token":"user-token"}"#);
        }
        if req.header("authorization") != Some("Bearer user-token") {
            return resp(401, "").with(
                "WWW-Authenticate",
                &format!(
                    r#"Bearer realm="http://{}/token",service="fake""#,
                    req.host()
                ),
            );
        }
        c.serve(req)
    });
    let dir = tempfile::tempdir().unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode("user:pw");
    std::fs::write(
        dir.path().join("config.json"),
        format!(
            r#"{{"auths":{{"{}":{{"auth":"{auth}"}},"http://{}":{{"username":"user","password":"pw"}}}}}}"#,
            basic.addr, bearer.addr
        ),
    )
    .unwrap();
    for s in [&basic, &bearer] {
        let image = Target::parse(&format!("{}/test/app:v1", s.addr))
            .unwrap()
            .resolve(&opts(&dir))
            .unwrap();
        assert_eq!(read_layer(&image, 0).unwrap(), amd.layer);
    }
}

/// Validates a config blob or manifest with an unknown media type is UnsupportedMediaType.
#[test]
fn unsupported_media_types() {
    let (mut c, amd, _) = content();
    // An artifact whose body carries no mediaType: the Content-Type decides.
    let mut artifact: serde_json::Value = serde_json::from_slice(&amd.manifest).unwrap();
    artifact.as_object_mut().unwrap().remove("mediaType");
    let artifact = serde_json::to_vec(&artifact).unwrap();
    c.manifest("artifact", "application/vnd.example.thing+json", &artifact);
    let helm = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.cncf.helm.config.v1+json", "digest": Digest::sha256_of(&amd.config), "size": amd.config.len()},
        "layers": [],
    }))
    .unwrap();
    c.manifest("helm", OCI_MANIFEST, &helm);
    let server = serve(move |req| c.serve(req));
    let dir = tempfile::tempdir().unwrap();
    for (tag, mt) in [
        ("artifact", "application/vnd.example.thing+json"),
        ("helm", "application/vnd.cncf.helm.config.v1+json"),
    ] {
        let err = Target::parse(&format!("{}/test/app:{tag}", server.addr))
            .unwrap()
            .resolve(&opts(&dir))
            .unwrap_err();
        match kind(&err) {
            ErrorKind::UnsupportedMediaType { media_type, what } => {
                assert_eq!(media_type, mt);
                assert!(what.contains(tag), "{what}");
            }
            k => panic!("{tag}: {k:?}"),
        }
    }
}

/// Validates tag listing follows Link pagination.
#[test]
fn list_tags_paginates() {
    let server = serve(|req| match req.path.as_str() {
        "/v2/test/app/tags/list?n=1000" => resp(200, r#"{"name":"test/app","tags":["1","2"]}"#)
            .with(
                "Link",
                r#"</v2/test/app/tags/list?n=1000&last=2>; rel="next""#,
            ),
        "/v2/test/app/tags/list?n=1000&last=2" => resp(200, r#"{"name":"test/app","tags":["3"]}"#),
        _ => resp(404, envelope("NAME_UNKNOWN", "unknown")),
    });
    let dir = tempfile::tempdir().unwrap();
    let r = Reference::parse(&format!("{}/test/app", server.addr)).unwrap();
    assert_eq!(
        crate::list_tags(&r, &opts(&dir)).unwrap(),
        vec!["1", "2", "3"]
    );
}

/// Validates Link header parsing (relative and absolute).
#[test]
fn link_header() {
    assert_eq!(
        super::next_link(r#"</v2/a/tags/list?last=x&n=2>; rel="next""#).as_deref(),
        Some("/v2/a/tags/list?last=x&n=2")
    );
    assert_eq!(
        super::next_link(r#"<https://r.example/v2/a/tags/list?last=y>; rel=next"#).as_deref(),
        Some("/v2/a/tags/list?last=y")
    );
    assert_eq!(super::next_link(r#"</x>; rel="prev""#), None);
}

/// Validates an unreachable registry is a Network error naming it.
#[test]
fn unreachable_registry() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let err = Target::parse(&format!("127.0.0.1:{port}/test/app:v1"))
        .unwrap()
        .resolve(&opts(&dir))
        .unwrap_err();
    match kind(&err) {
        ErrorKind::Network { registry, .. } => assert_eq!(registry, &format!("127.0.0.1:{port}")),
        k => panic!("{k:?}"),
    }
}

/// Validates an identity token from docker config is exchanged as an OAuth2 refresh token.
#[test]
fn identity_token_exchange() {
    let (c, amd, _) = content();
    let server = serve(move |req| {
        if req.path.starts_with("/token") {
            let form = String::from_utf8_lossy(&req.body).to_string();
            if req.method != "POST" || !form.contains("refresh_token=refresh-me") {
                return resp(401, envelope("UNAUTHORIZED", "bad refresh"));
            }
            assert!(form.contains("grant_type=refresh_token"), "{form}");
            return resp(200, r#"{"access_token":"acc"}"#);
        }
        if req.header("authorization") != Some("Bearer acc") {
            return resp(401, "").with(
                "WWW-Authenticate",
                &format!(
                    r#"Bearer realm="http://{}/token",service="fake""#,
                    req.host()
                ),
            );
        }
        c.serve(req)
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        format!(
            r#"{{"auths":{{"{}":{{"identitytoken":"refresh-me"}}}}}}"#,
            server.addr
        ),
    )
    .unwrap();
    let image = Target::parse(&format!("{}/test/app:v1", server.addr))
        .unwrap()
        .resolve(&opts(&dir))
        .unwrap();
    assert_eq!(read_layer(&image, 0).unwrap(), amd.layer);
}

/// An in-memory push target for `test/app`: bearer auth with the scope the request needs,
/// uploads with absolute (`absolute == true`) or relative Locations that carry their own
/// `_state` query, and the pushed manifests and blobs served back.
fn push_server(absolute: bool, tamper: bool) -> (Server, Arc<Mutex<Content>>) {
    let store = Arc::new(Mutex::new(Content::new()));
    let s = store.clone();
    let server = serve(move |req| {
        if req.path.starts_with("/token") {
            let push = req
                .path
                .contains("scope=repository%3Atest%2Fapp%3Apull%2Cpush");
            let tok = if push { "push-tok" } else { "pull-tok" };
            return resp(200, format!(r#"{{"token":"{tok}"}}"#));
        }
        let writing = matches!(req.method.as_str(), "POST" | "PUT")
            || req.method == "HEAD" && req.path.contains("/blobs/");
        let want = if writing {
            "Bearer push-tok"
        } else {
            "Bearer pull-tok"
        };
        let ok = req.header("authorization") == Some(want)
            || !writing && req.header("authorization") == Some("Bearer push-tok");
        if !ok {
            let scope = if writing { "pull,push" } else { "pull" };
            let challenge = format!(
                r#"Bearer realm="http://{}/token",service="fake",scope="repository:test/app:{scope}""#,
                req.host()
            );
            return resp(401, envelope("UNAUTHORIZED", "authentication required"))
                .with("WWW-Authenticate", &challenge);
        }
        let mut c = s.lock().unwrap();
        match req.method.as_str() {
            "HEAD" => {
                let d = req.path.trim_start_matches("/v2/test/app/blobs/");
                if c.blobs.contains_key(d) {
                    resp(200, "")
                } else {
                    resp(404, "")
                }
            }
            "POST" if req.path == "/v2/test/app/blobs/uploads/" => {
                let rel = "/v2/test/app/blobs/uploads/u1?_state=st%3D";
                let loc = if absolute {
                    format!("http://{}{rel}", req.host())
                } else {
                    rel.to_string()
                };
                resp(202, "").with("Location", &loc)
            }
            "PUT"
                if req
                    .path
                    .starts_with("/v2/test/app/blobs/uploads/u1?_state=st%3D&digest=") =>
            {
                let d = req
                    .path
                    .rsplit("digest=")
                    .next()
                    .unwrap()
                    .replace("%3A", ":");
                assert_eq!(Digest::sha256_of(&req.body).to_string(), d);
                assert_eq!(
                    req.header("content-length").unwrap(),
                    req.body.len().to_string()
                );
                let mut body = req.body.clone();
                if tamper && body != b"{}" {
                    body[0] ^= 1;
                }
                c.blobs.insert(d, body);
                resp(201, "")
            }
            "PUT" if req.path.starts_with("/v2/test/app/manifests/") => {
                assert_eq!(req.header("content-type"), Some(OCI_MANIFEST));
                let r = req.path.trim_start_matches("/v2/test/app/manifests/");
                let body = req.body.clone();
                c.manifest(r, OCI_MANIFEST, &body);
                resp(201, "")
            }
            "GET" => c.serve(req),
            _ => resp(405, ""),
        }
    });
    (server, store)
}

fn artifact_spec(dir: &std::path::Path) -> crate::ArtifactSpec {
    let path = dir.join("payload.bin");
    std::fs::write(&path, b"payload bytes").unwrap();
    let mut spec = crate::ArtifactSpec::new("application/vnd.test.artifact.v1");
    spec.layers.push(
        crate::BlobSpec::from_file("application/vnd.test.layer", &path)
            .unwrap()
            .with_title("payload.bin"),
    );
    spec
}

/// Validates push with a push-scoped bearer token, HEAD-before-upload, absolute and relative
/// Locations with their own query, a repeated push uploading nothing, and pull of the result.
#[test]
fn push_then_pull_artifact() {
    for absolute in [true, false] {
        let (server, _) = push_server(absolute, false);
        let dir = tempfile::tempdir().unwrap();
        let spec = artifact_spec(dir.path());
        let r = Reference::parse(&format!("{}/test/app:v1", server.addr)).unwrap();
        let digest = crate::push_artifact(&r, &spec, &opts(&dir)).unwrap();
        assert_eq!(digest, Digest::sha256_of(&spec.manifest_bytes()));
        assert_eq!(server.requests("/v2/test/app/blobs/uploads/u1").len(), 2);
        assert!(server
            .requests("/token")
            .iter()
            .all(|t| t.path.contains("pull%2Cpush")));
        crate::push_artifact(&r, &spec, &opts(&dir)).unwrap();
        assert_eq!(
            server.requests("/v2/test/app/blobs/uploads/u1").len(),
            2,
            "blobs already present are not uploaded again"
        );

        let pulled =
            crate::pull_artifact(&r, "application/vnd.test.artifact.v1", &opts(&dir)).unwrap();
        assert_eq!(pulled.manifest_digest, digest);
        assert_eq!(pulled.config_bytes, b"{}");
        let i = pulled.layer_of_type("application/vnd.test.layer").unwrap();
        let mut out = Vec::new();
        assert_eq!(pulled.copy_layer(i, &mut out).unwrap(), 13);
        assert_eq!(out, b"payload bytes");
        assert_eq!(
            pulled.layers[i].annotations["org.opencontainers.image.title"],
            "payload.bin"
        );

        let err = crate::pull_artifact(&r, "application/vnd.other.v1", &opts(&dir)).unwrap_err();
        assert!(
            matches!(kind(&err), ErrorKind::UnsupportedMediaType { media_type, .. } if media_type == "application/vnd.test.artifact.v1"),
            "{err}"
        );
    }
}

/// Validates a pulled layer whose bytes do not match its digest fails with DigestMismatch.
#[test]
fn pulled_layer_is_verified() {
    let (server, _) = push_server(true, true);
    let dir = tempfile::tempdir().unwrap();
    let spec = artifact_spec(dir.path());
    let r = Reference::parse(&format!("{}/test/app:v1", server.addr)).unwrap();
    crate::push_artifact(&r, &spec, &opts(&dir)).unwrap();
    let pulled = crate::pull_artifact(&r, "application/vnd.test.artifact.v1", &opts(&dir)).unwrap();
    let err = pulled.copy_layer(0, &mut Vec::new()).unwrap_err();
    assert!(
        matches!(kind(&err), ErrorKind::DigestMismatch { .. }),
        "{err}"
    );
}

/// Validates pulling a normal container image as an artifact names what it found.
#[test]
fn pull_rejects_container_image() {
    let (c, _, _) = content();
    let server = serve(move |req| c.serve(req));
    let dir = tempfile::tempdir().unwrap();
    let r = Reference::parse(&format!("{}/test/app:v1", server.addr)).unwrap();
    let err =
        crate::pull_artifact(&r, "application/vnd.test.artifact.v1", &opts(&dir)).unwrap_err();
    assert!(err.to_string().contains("container image"), "{err}");
    let r = Reference::parse(&format!("{}/test/app:multi", server.addr)).unwrap();
    let err =
        crate::pull_artifact(&r, "application/vnd.test.artifact.v1", &opts(&dir)).unwrap_err();
    assert!(err.to_string().contains("index"), "{err}");
}

/// Validates a push to a repository the credentials may not write names registry, repository
/// and cause.
#[test]
fn push_denied() {
    let server = serve(|req| {
        if req.path == "/v2/" {
            return resp(200, "{}");
        }
        if req.method == "HEAD" {
            return resp(404, "");
        }
        resp(
            403,
            envelope("DENIED", "requested access to the resource is denied"),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let spec = artifact_spec(dir.path());
    let r = Reference::parse(&format!("{}/test/app:v1", server.addr)).unwrap();
    let err = crate::push_artifact(&r, &spec, &opts(&dir)).unwrap_err();
    assert!(
        matches!(kind(&err), ErrorKind::Unauthorized { registry, repository, message }
            if registry == &server.addr && repository == "test/app" && message.contains("DENIED")),
        "{err}"
    );
}

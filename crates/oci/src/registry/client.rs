//! One registry's HTTP client: scheme choice (https, plain HTTP only where allowed), auth
//! challenges and retries, and typed errors from statuses and the OCI error envelope.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use ureq::http::Response;
use ureq::Body;

use super::auth::{parse_challenge, Challenge, TokenResponse};
use crate::credentials::{self, Credential};
use crate::error::{Error, ErrorKind};

/// Largest error body or token response read.
const MAX_SMALL_BODY: u64 = 1024 * 1024;

/// Whether `registry` (host[:port]) may be spoken to over plain HTTP.
pub(crate) fn plain_http_allowed(registry: &str, insecure: &[String]) -> bool {
    if insecure.iter().any(|r| r == registry) {
        return true;
    }
    is_loopback(registry)
}

/// Whether a `host[:port]` names the loopback interface.
pub(crate) fn is_loopback(registry: &str) -> bool {
    // [::1]:5000, ::1, 127.0.0.1:5000, localhost:5000
    let host = if let Some(rest) = registry.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else if registry.matches(':').count() > 1 {
        registry
    } else {
        registry.split(':').next().unwrap_or("")
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Parse the OCI error envelope `{"errors":[{"code","message"}]}` into a message and codes;
/// falls back to the body text.
pub(crate) fn parse_envelope(body: &[u8]) -> (String, Vec<String>) {
    #[derive(serde::Deserialize)]
    struct Item {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    #[derive(serde::Deserialize)]
    struct Envelope {
        #[serde(default)]
        errors: Vec<Item>,
    }
    if let Ok(env) = serde_json::from_slice::<Envelope>(body) {
        if !env.errors.is_empty() {
            let codes = env.errors.iter().map(|e| e.code.clone()).collect();
            let message = env
                .errors
                .iter()
                .map(|e| match (e.code.is_empty(), e.message.is_empty()) {
                    (false, false) => format!("{}: {}", e.code, e.message),
                    (false, true) => e.code.clone(),
                    _ => e.message.clone(),
                })
                .collect::<Vec<_>>()
                .join("; ");
            return (message, codes);
        }
    }
    let text = String::from_utf8_lossy(body);
    let text: String = text.trim().chars().take(300).collect();
    (text, Vec::new())
}

/// A client for one registry, shared by the image's layer streams.
pub(crate) struct Client {
    agent: ureq::Agent,
    /// The registry as in the reference (`docker.io`, `127.0.0.1:5000`).
    pub registry: String,
    /// Host to send API requests to (`registry-1.docker.io` for Docker Hub).
    host: String,
    plain_allowed: bool,
    scheme: Mutex<Option<&'static str>>,
    config_dir: Option<PathBuf>,
    credentials: OnceLock<Option<Credential>>,
    /// Authorization header value per scope.
    auth: Mutex<HashMap<String, String>>,
}

/// Build the agent: statuses are handled here, redirects are followed (blob downloads go to
/// storage backends), credentials are never forwarded across redirects.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_secs(120)))
        // A stalled layer download fails instead of hanging; a slow one still finishes.
        .timeout_per_read(Some(Duration::from_secs(120)))
        .user_agent(concat!("shipshape/", env!("CARGO_PKG_VERSION")))
        .build()
        .new_agent()
}

impl Client {
    pub(crate) fn new(registry: &str, insecure: &[String], config_dir: Option<PathBuf>) -> Client {
        let host = if registry == "docker.io" {
            "registry-1.docker.io".to_string()
        } else {
            registry.to_string()
        };
        Client {
            agent: agent(),
            registry: registry.to_string(),
            host,
            plain_allowed: plain_http_allowed(registry, insecure),
            scheme: Mutex::new(None),
            config_dir,
            credentials: OnceLock::new(),
            auth: Mutex::new(HashMap::new()),
        }
    }

    fn network(&self, e: &ureq::Error) -> Error {
        Error::new(ErrorKind::Network {
            registry: self.registry.clone(),
            message: e.to_string(),
        })
    }

    fn credentials(&self) -> Result<Option<Credential>, Error> {
        if let Some(c) = self.credentials.get() {
            return Ok(c.clone());
        }
        let c = credentials::for_registry(self.config_dir.as_deref(), &self.registry, None)?;
        Ok(self.credentials.get_or_init(|| c).clone())
    }

    /// Send a GET for `path` (starting with `/v2/`), choosing the scheme on first use.
    fn send(
        &self,
        path: &str,
        accept: Option<&str>,
        authorization: Option<&str>,
    ) -> Result<Response<Body>, Error> {
        let go = |scheme: &str| {
            let mut req = self.agent.get(format!("{scheme}://{}{path}", self.host));
            if let Some(a) = accept {
                req = req.header("Accept", a);
            }
            if let Some(a) = authorization {
                req = req.header("Authorization", a);
            }
            req.call()
        };
        let known = *self.scheme.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(scheme) = known {
            return go(scheme).map_err(|e| self.network(&e));
        }
        match go("https") {
            Ok(r) => {
                *self.scheme.lock().unwrap_or_else(|e| e.into_inner()) = Some("https");
                Ok(r)
            }
            Err(https_err) => {
                if !self.plain_allowed {
                    return Err(if looks_like_plain_http(&https_err) {
                        Error::new(ErrorKind::InsecureRefused {
                            registry: self.registry.clone(),
                        })
                    } else {
                        self.network(&https_err)
                    });
                }
                match go("http") {
                    Ok(r) => {
                        *self.scheme.lock().unwrap_or_else(|e| e.into_inner()) = Some("http");
                        Ok(r)
                    }
                    Err(e) => Err(Error::new(ErrorKind::Network {
                        registry: self.registry.clone(),
                        message: format!("https: {https_err}; http: {e}"),
                    })),
                }
            }
        }
    }

    /// GET `path` with auth handling: on 401 answer the challenge (bearer token for `scope`,
    /// or basic credentials) and retry once. Returns a 2xx response; other statuses become
    /// typed errors.
    pub(crate) fn get(
        &self,
        path: &str,
        accept: Option<&str>,
        repository: &str,
    ) -> Result<Response<Body>, Error> {
        let scope = format!("repository:{repository}:pull");
        let cached = self
            .auth
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&scope)
            .cloned();
        let mut resp = self.send(path, accept, cached.as_deref())?;
        if resp.status().as_u16() == 401 {
            let header = resp
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let challenge = header.as_deref().and_then(parse_challenge);
            let Some(challenge) = challenge else {
                return Err(self.status_error(resp, path, repository));
            };
            let authorization = self.answer(&challenge, &scope, repository)?;
            self.auth
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(scope.clone(), authorization.clone());
            resp = self.send(path, accept, Some(&authorization))?;
        }
        if resp.status().is_success() {
            return Ok(resp);
        }
        Err(self.status_error(resp, path, repository))
    }

    /// Send `method` to `target` (a path starting with `/v2/`, or an absolute URL such as an
    /// upload `Location`) with auth for `scope` (`repository:R:pull,push`): on 401 answer the
    /// challenge and retry once (a file body is reopened). Returns a 2xx response; other
    /// statuses become typed errors. Credentials are only sent to this registry's host.
    pub(crate) fn request(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &SendData<'_>,
        repository: &str,
        scope: &str,
    ) -> Result<Response<Body>, Error> {
        let (url, same_host) = self.absolute(target)?;
        let cached = if same_host {
            self.auth
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(scope)
                .cloned()
        } else {
            None
        };
        let path = url_path(&url);
        let mut resp = self
            .run(method, &url, headers, cached.as_deref(), body)
            .map_err(|e| self.network(&e))?;
        if resp.status().as_u16() == 401 && same_host {
            let header = resp
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let Some(challenge) = header.as_deref().and_then(parse_challenge) else {
                return Err(self.status_error(resp, &path, repository));
            };
            let authorization = self.answer(&challenge, scope, repository)?;
            self.auth
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(scope.to_string(), authorization.clone());
            resp = self
                .run(method, &url, headers, Some(&authorization), body)
                .map_err(|e| self.network(&e))?;
        }
        if resp.status().is_success() {
            return Ok(resp);
        }
        Err(self.status_error(resp, &path, repository))
    }

    /// The absolute URL for a path or URL, and whether it is on this registry's host.
    /// The scheme is negotiated first (a `GET /v2/` ping) when not yet known.
    pub(crate) fn absolute(&self, target: &str) -> Result<(String, bool), Error> {
        let known = *self.scheme.lock().unwrap_or_else(|e| e.into_inner());
        let scheme = match known {
            Some(s) => s,
            None => {
                // Any answer (401 included) settles the scheme.
                self.send("/v2/", None, None)?;
                let known = *self.scheme.lock().unwrap_or_else(|e| e.into_inner());
                known.unwrap_or("https")
            }
        };
        let base = format!("{scheme}://{}/", self.host);
        let bad = |message: String| {
            Error::new(ErrorKind::Network {
                registry: self.registry.clone(),
                message,
            })
        };
        let base_url = url::Url::parse(&base).map_err(|e| bad(format!("{base}: {e}")))?;
        let url = base_url
            .join(target)
            .map_err(|e| bad(format!("bad URL {target:?} from the registry: {e}")))?;
        let authority = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or("")),
            None => url.host_str().unwrap_or("").to_string(),
        };
        let same_host = url.scheme() == base_url.scheme()
            && (authority == self.host
                || url.host_str() == base_url.host_str() && url.port() == base_url.port());
        if url.scheme() == "http" && !same_host && !plain_http_allowed(&authority, &[]) {
            return Err(Error::new(ErrorKind::InsecureRefused {
                registry: authority,
            }));
        }
        Ok((url.to_string(), same_host))
    }

    fn run(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        authorization: Option<&str>,
        body: &SendData<'_>,
    ) -> Result<Response<Body>, ureq::Error> {
        let mut b = ureq::http::Request::builder().method(method).uri(url);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        if let Some(a) = authorization {
            b = b.header("Authorization", a);
        }
        match body {
            SendData::Empty => self.agent.run(b.body(())?),
            SendData::Bytes(bytes) => self.agent.run(b.body(*bytes)?),
            SendData::File(path) => {
                let f = std::fs::File::open(path)?;
                self.agent.run(b.body(f)?)
            }
        }
    }

    /// Turn a challenge into an `Authorization` header value.
    fn answer(&self, c: &Challenge, scope: &str, repository: &str) -> Result<String, Error> {
        let creds = self.credentials()?;
        let unauthorized = |message: String| {
            Error::new(ErrorKind::Unauthorized {
                registry: self.registry.clone(),
                repository: repository.to_string(),
                message,
            })
        };
        match c.scheme.as_str() {
            "basic" => match creds {
                Some(c) if c.username != credentials::IDENTITY_TOKEN_USER => Ok(basic(&c)),
                _ => Err(unauthorized(format!(
                    "the registry asks for basic authentication and no credentials for {} are configured (docker login)",
                    self.registry
                ))),
            },
            "bearer" => {
                let realm = c.params.get("realm").ok_or_else(|| {
                    unauthorized("bearer challenge without a realm".into())
                })?;
                let mut url = url::Url::parse(realm).map_err(|e| {
                    unauthorized(format!("bearer realm {realm:?} is not a URL: {e}"))
                })?;
                {
                    let mut q = url.query_pairs_mut();
                    if let Some(service) = c.params.get("service") {
                        q.append_pair("service", service);
                    }
                    q.append_pair("scope", c.params.get("scope").map(String::as_str).unwrap_or(scope));
                }
                let service = c.params.get("service").cloned().unwrap_or_default();
                let scope = c
                    .params
                    .get("scope")
                    .map(String::as_str)
                    .unwrap_or(scope)
                    .to_string();
                let resp = match &creds {
                    // An identity token (docker login to ACR and others) is an OAuth2
                    // refresh token, exchanged with a POST.
                    Some(c) if c.username == credentials::IDENTITY_TOKEN_USER => {
                        self.agent.post(realm.as_str()).send_form([
                            ("grant_type", "refresh_token"),
                            ("refresh_token", c.password.as_str()),
                            ("service", service.as_str()),
                            ("scope", scope.as_str()),
                            ("client_id", "shipshape"),
                        ])
                    }
                    Some(c) => self
                        .agent
                        .get(url.as_str())
                        .header("Authorization", basic(c))
                        .call(),
                    None => self.agent.get(url.as_str()).call(),
                };
                let mut resp = resp.map_err(|e| self.network(&e))?;
                let status = resp.status().as_u16();
                let body = resp
                    .body_mut()
                    .with_config()
                    .limit(MAX_SMALL_BODY)
                    .read_to_vec()
                    .map_err(|e| self.network(&e))?;
                if status == 401 || status == 403 {
                    let (message, _) = parse_envelope(&body);
                    let who = if creds.is_some() {
                        "the configured credentials were rejected by the token service"
                    } else {
                        "the token service refused anonymous access"
                    };
                    return Err(unauthorized(format!("{who}: {message}")));
                }
                if !(200..300).contains(&status) {
                    let (message, codes) = parse_envelope(&body);
                    return Err(Error::new(ErrorKind::Registry {
                        registry: self.registry.clone(),
                        status,
                        url: realm.clone(),
                        message,
                        codes,
                    }));
                }
                let token: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
                    Error::new(ErrorKind::Json {
                        what: format!("token response from {realm}"),
                        source: e,
                    })
                })?;
                let token = token.into_token().ok_or_else(|| {
                    unauthorized(format!("token response from {realm} holds no token"))
                })?;
                Ok(format!("Bearer {token}"))
            }
            other => Err(unauthorized(format!(
                "unsupported authentication scheme {other:?}"
            ))),
        }
    }

    /// The typed error for a non-success response.
    fn status_error(&self, mut resp: Response<Body>, path: &str, repository: &str) -> Error {
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_SMALL_BODY)
            .read_to_vec()
            .unwrap_or_default();
        let (message, codes) = parse_envelope(&body);
        if status == 401 || status == 403 {
            let message = if message.is_empty() {
                format!("HTTP {status}")
            } else {
                message
            };
            return Error::new(ErrorKind::Unauthorized {
                registry: self.registry.clone(),
                repository: repository.to_string(),
                message,
            });
        }
        let scheme = self
            .scheme
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .unwrap_or("https");
        Error::new(ErrorKind::Registry {
            registry: self.registry.clone(),
            status,
            url: format!("{scheme}://{}{path}", self.host),
            message,
            codes,
        })
    }
}

/// A request body for [`Client::request`].
pub(crate) enum SendData<'a> {
    /// No body.
    Empty,
    /// Bytes in memory (manifests).
    Bytes(&'a [u8]),
    /// A file streamed from disk, with its length as `Content-Length` (blobs).
    File(&'a std::path::Path),
}

/// The path and query of an absolute URL, for error messages.
fn url_path(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        },
        Err(_) => url.to_string(),
    }
}

fn basic(c: &Credential) -> String {
    let raw = format!("{}:{}", c.username, c.password);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// Whether an https failure looks like the server speaks plain HTTP (rather than being down).
fn looks_like_plain_http(e: &ureq::Error) -> bool {
    let text = format!("{e} {e:?}");
    text.contains("InvalidContentType")
        || text.contains("corrupt message")
        || text.contains("CorruptMessage")
        || matches!(e, ureq::Error::Protocol(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates which registries may use plain HTTP.
    #[test]
    fn plain_http_policy() {
        for r in [
            "127.0.0.1:5000",
            "127.1.2.3",
            "localhost:5000",
            "localhost",
            "[::1]:5000",
            "::1",
        ] {
            assert!(plain_http_allowed(r, &[]), "{r}");
        }
        for r in ["registry.example:5000", "10.0.0.1:5000", "docker.io"] {
            assert!(!plain_http_allowed(r, &[]), "{r}");
        }
        assert!(plain_http_allowed(
            "10.0.0.1:5000",
            &["10.0.0.1:5000".into()]
        ));
    }

    /// Validates https against a plain-HTTP server is InsecureRefused when plain HTTP is
    /// not allowed, and falls back to HTTP when it is.
    #[test]
    fn plain_http_refused_unless_allowed() {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        std::thread::spawn(move || {
            for mut s in listener.incoming().flatten() {
                let mut buf = [0u8; 4096];
                let n = s.read(&mut buf).unwrap_or(0);
                let body = if buf[..n].starts_with(b"GET ") {
                    "{}"
                } else {
                    ""
                };
                let status = if body.is_empty() {
                    "400 Bad Request"
                } else {
                    "200 OK"
                };
                let _ = write!(
                    s,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        let mut client = Client::new(&addr, &[], None);
        client.plain_allowed = false;
        let err = client.get("/v2/", None, "x").unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::InsecureRefused { registry } if registry == &addr),
            "{err}"
        );
        let client = Client::new(&addr, &[], None);
        assert!(client.get("/v2/", None, "x").is_ok());
    }

    /// Validates the OCI error envelope and plain-text fallbacks.
    #[test]
    fn envelope() {
        let (m, c) = parse_envelope(
            br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]}"#,
        );
        assert_eq!(m, "MANIFEST_UNKNOWN: manifest unknown");
        assert_eq!(c, vec!["MANIFEST_UNKNOWN"]);
        let (m, c) = parse_envelope(b"oops\n");
        assert_eq!((m.as_str(), c.len()), ("oops", 0));
    }
}

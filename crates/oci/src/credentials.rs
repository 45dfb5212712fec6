//! Registry credentials from docker's `config.json` and `docker-credential-*` helpers.
//!
//! Lookup order follows the docker CLI: a `credHelpers` entry for the registry, then an
//! `auths` entry that carries credentials (`auth` as base64 `user:pass`, or `username` and
//! `password`), then the `credsStore` default helper. `auths` keys come in several forms
//! (`https://index.docker.io/v1/`, `host:port`, `https://host/v2/`); all are normalized to
//! the registry host, and Docker Hub's aliases to `docker.io`.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use serde::Deserialize;

use crate::error::{Error, ErrorKind};

/// The username helpers and `auths` report for an identity (OAuth2 refresh) token.
pub(crate) const IDENTITY_TOKEN_USER: &str = "<token>";

/// A username and secret for one registry. With [`IDENTITY_TOKEN_USER`] as the username,
/// the secret is an identity token to exchange at the token service.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Credential {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

/// The parts of docker's `config.json` that concern credentials.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DockerConfig {
    #[serde(default)]
    auths: HashMap<String, AuthEntry>,
    #[serde(default)]
    cred_helpers: HashMap<String, String>,
    #[serde(default)]
    creds_store: Option<String>,
    #[serde(skip)]
    path: PathBuf,
}

/// Normalize a registry host or an `auths` key to the host docker would match.
pub(crate) fn normalize_registry(key: &str) -> String {
    let k = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = k.split('/').next().unwrap_or(k);
    match host {
        "index.docker.io" | "registry-1.docker.io" | "docker.io" => "docker.io".into(),
        h => h.to_string(),
    }
}

/// The server URL docker uses when talking to helpers about `registry`.
pub(crate) fn helper_server_url(registry: &str) -> String {
    if registry == "docker.io" {
        "https://index.docker.io/v1/".into()
    } else {
        registry.to_string()
    }
}

/// The directory holding `config.json`: the option, else `$DOCKER_CONFIG`, else `~/.docker`.
pub(crate) fn config_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(d) = explicit {
        return Some(d.to_path_buf());
    }
    if let Some(d) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".docker"))
}

impl DockerConfig {
    /// Load `DIR/config.json`; a missing file is an empty config.
    pub(crate) fn load(dir: &Path) -> Result<DockerConfig, Error> {
        let path = dir.join("config.json");
        let bytes = match std::fs::File::open(&path) {
            Ok(f) => crate::tarindex::read_capped(f, 4 * 1024 * 1024, &path, "config.json")?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(DockerConfig::default())
            }
            Err(source) => return Err(Error::new(ErrorKind::Io { path, source })),
        };
        let mut cfg: DockerConfig = serde_json::from_slice(&bytes).map_err(|e| {
            Error::new(ErrorKind::Credentials {
                registry: String::new(),
                message: format!("malformed {}: {e}", path.display()),
            })
        })?;
        cfg.path = path;
        Ok(cfg)
    }

    /// Credentials for `registry`, running helpers found on `search_path` (a `PATH`-style
    /// list). `Ok(None)` when nothing is configured for it.
    pub(crate) fn lookup(
        &self,
        registry: &str,
        search_path: Option<&OsStr>,
    ) -> Result<Option<Credential>, Error> {
        let registry = normalize_registry(registry);
        if let Some(helper) = self
            .cred_helpers
            .iter()
            .find(|(k, _)| normalize_registry(k) == registry)
            .map(|(_, v)| v)
        {
            return run_helper(helper, &registry, search_path);
        }
        let mut keys: Vec<&String> = self
            .auths
            .keys()
            .filter(|k| normalize_registry(k) == registry)
            .collect();
        keys.sort();
        for key in keys {
            if let Some(c) = self.decode_entry(key, &registry)? {
                return Ok(Some(c));
            }
        }
        match &self.creds_store {
            Some(store) if !store.is_empty() => run_helper(store, &registry, search_path),
            _ => Ok(None),
        }
    }

    fn decode_entry(&self, key: &str, registry: &str) -> Result<Option<Credential>, Error> {
        let Some(entry) = self.auths.get(key) else {
            return Ok(None);
        };
        let bad = |why: &str| {
            Error::new(ErrorKind::Credentials {
                registry: registry.to_string(),
                message: format!("auths entry {key:?} in {}: {why}", self.path.display()),
            })
        };
        if let Some(token) = entry.identitytoken.as_deref().filter(|t| !t.is_empty()) {
            return Ok(Some(Credential {
                username: IDENTITY_TOKEN_USER.into(),
                password: token.to_string(),
            }));
        }
        if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .map_err(|_| bad("`auth` is not valid base64"))?;
            let text = String::from_utf8(raw).map_err(|_| bad("`auth` is not UTF-8"))?;
            let (user, pass) = text
                .split_once(':')
                .ok_or_else(|| bad("`auth` does not decode to user:password"))?;
            return Ok(Some(Credential {
                username: user.to_string(),
                password: pass.to_string(),
            }));
        }
        match (&entry.username, &entry.password) {
            (Some(u), Some(p)) if !u.is_empty() => Ok(Some(Credential {
                username: u.clone(),
                password: p.clone(),
            })),
            _ => Ok(None),
        }
    }
}

/// Find `docker-credential-<name>` on a `PATH`-style list.
fn find_helper(name: &str, search_path: Option<&OsStr>) -> Option<PathBuf> {
    let exe = format!("docker-credential-{name}");
    let path = match search_path {
        Some(p) => p.to_os_string(),
        None => std::env::var_os("PATH")?,
    };
    std::env::split_paths(&path)
        .map(|d| d.join(&exe))
        .find(|p| p.is_file())
}

/// Run `docker-credential-<helper> get` with the server URL on stdin.
fn run_helper(
    helper: &str,
    registry: &str,
    search_path: Option<&OsStr>,
) -> Result<Option<Credential>, Error> {
    let fail = |message: String| {
        Error::new(ErrorKind::Credentials {
            registry: registry.to_string(),
            message,
        })
    };
    if helper.is_empty() || helper.contains(['/', '\\']) {
        return Err(fail(format!("invalid credential helper name {helper:?}")));
    }
    let exe = find_helper(helper, search_path).ok_or_else(|| {
        fail(format!(
            "credential helper docker-credential-{helper} is not on PATH"
        ))
    })?;
    let mut child =
        spawn_retrying(&exe).map_err(|e| fail(format!("cannot run {}: {e}", exe.display())))?;
    let url = helper_server_url(registry);
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits without reading stdin is judged by its output below.
        let _ = stdin.write_all(url.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| fail(format!("{} failed: {e}", exe.display())))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        // Helpers say "credentials not found in native keychain" when they have none.
        if stdout.contains("credentials not found") {
            return Ok(None);
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(fail(format!(
            "docker-credential-{helper} get failed ({}): {}",
            out.status,
            format!("{} {}", stdout.trim(), stderr.trim()).trim()
        )));
    }
    #[derive(Deserialize)]
    struct HelperOut {
        #[serde(rename = "Username", default)]
        username: String,
        #[serde(rename = "Secret", default)]
        secret: String,
    }
    let parsed: HelperOut = serde_json::from_str(stdout.trim()).map_err(|e| {
        fail(format!(
            "docker-credential-{helper} get printed something that is not its JSON: {e}"
        ))
    })?;
    if parsed.secret.is_empty() {
        return Ok(None);
    }
    Ok(Some(Credential {
        username: parsed.username,
        password: parsed.secret,
    }))
}

/// Spawn `exe get`, retrying briefly on ETXTBSY (a helper script just written by another
/// thread may still be open for writing in a concurrently forked child).
fn spawn_retrying(exe: &Path) -> std::io::Result<std::process::Child> {
    let mut tries = 0;
    loop {
        let r = Command::new(exe)
            .arg("get")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        match r {
            Err(e) if e.raw_os_error() == Some(26) && tries < 20 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            r => return r,
        }
    }
}

/// Credentials for `registry` from the docker config in `dir` (see [`config_dir`]).
pub(crate) fn for_registry(
    dir: Option<&Path>,
    registry: &str,
    search_path: Option<&OsStr>,
) -> Result<Option<Credential>, Error> {
    let Some(dir) = config_dir(dir) else {
        return Ok(None);
    };
    DockerConfig::load(&dir)?.lookup(registry, search_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_config(dir: &Path, json: &str) {
        std::fs::write(dir.join("config.json"), json).unwrap();
    }

    /// Validates base64 `auth`, username/password entries and key normalization.
    #[test]
    fn auths_entries() {
        let d = tempfile::tempdir().unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode("alice:s3cr:et");
        write_config(
            d.path(),
            &format!(
                r#"{{"auths":{{"https://index.docker.io/v1/":{{"auth":"{b64}"}},
                "localhost:5000":{{"username":"bob","password":"pw"}},
                "https://ghcr.io":{{"auth":"{b64}"}},
                "empty.example":{{}}}}}}"#
            ),
        );
        let get = |r: &str| for_registry(Some(d.path()), r, Some(OsStr::new(""))).unwrap();
        let hub = get("docker.io").unwrap();
        assert_eq!(
            (hub.username.as_str(), hub.password.as_str()),
            ("alice", "s3cr:et")
        );
        assert_eq!(get("localhost:5000").unwrap().username, "bob");
        assert_eq!(get("ghcr.io").unwrap().username, "alice");
        assert!(get("empty.example").is_none());
        assert!(get("quay.io").is_none());
    }

    /// Validates a malformed `auth` value is a Credentials error, not a panic.
    #[test]
    fn bad_auth_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        write_config(d.path(), r#"{"auths":{"x.io":{"auth":"!!!"}}}"#);
        let e = for_registry(Some(d.path()), "x.io", None).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Credentials { .. }), "{e}");
        assert!(e.to_string().contains("x.io"), "{e}");
    }

    /// Validates a missing config.json means no credentials.
    #[test]
    fn missing_config_is_empty() {
        let d = tempfile::tempdir().unwrap();
        assert!(for_registry(Some(d.path()), "x.io", None)
            .unwrap()
            .is_none());
    }

    #[cfg(unix)]
    fn write_helper(dir: &Path, name: &str, body: &str) {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join(format!("docker-credential-{name}"));
        std::fs::write(&p, body).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// Validates credHelpers per registry and the credsStore default, with the server URL
    /// passed on stdin.
    #[cfg(unix)]
    #[test]
    fn credential_helpers() {
        let d = tempfile::tempdir().unwrap();
        let bin = d.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        write_helper(
            &bin,
            "test",
            "#!/bin/sh\nread url\nprintf '{\"ServerURL\":\"%s\",\"Username\":\"u-%s\",\"Secret\":\"tok\"}' \"$url\" \"$url\"\n",
        );
        write_helper(
            &bin,
            "store",
            "#!/bin/sh\nread url\nif [ \"$url\" = \"https://index.docker.io/v1/\" ]; then echo '{\"Username\":\"hub\",\"Secret\":\"x\"}'; else echo 'credentials not found in native keychain'; exit 1; fi\n",
        );
        write_helper(&bin, "broken", "#!/bin/sh\necho boom >&2\nexit 3\n");
        write_config(
            d.path(),
            r#"{"credHelpers":{"my.registry:5000":"test","bad.io":"broken","missing.io":"nope"},"credsStore":"store"}"#,
        );
        let path = bin.as_os_str();
        let get = |r: &str| for_registry(Some(d.path()), r, Some(path));
        let c = get("my.registry:5000").unwrap().unwrap();
        assert_eq!(c.username, "u-my.registry:5000");
        assert_eq!(c.password, "tok");
        assert_eq!(get("docker.io").unwrap().unwrap().username, "hub");
        assert!(get("other.io").unwrap().is_none());
        let e = get("bad.io").unwrap_err();
        assert!(e.to_string().contains("boom"), "{e}");
        let e = get("missing.io").unwrap_err();
        assert!(e.to_string().contains("docker-credential-nope"), "{e}");
    }
}

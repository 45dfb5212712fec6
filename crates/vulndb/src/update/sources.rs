//! Where feeds come from: the default sources, the `[db]` section of the config file, and
//! `SHIPSHAPE_DB_SOURCE_<NAME>_URL` overrides.
//!
//! Default sources (all enabled; names in brackets):
//! * OSV per-ecosystem exports, `https://osv-vulnerabilities.storage.googleapis.com/<Ecosystem>/all.zip`
//!   for PyPI, npm, Go, crates.io, Maven, RubyGems, Packagist and NuGet
//!   (`osv-pypi`, `osv-npm`, `osv-go`, `osv-crates-io`, `osv-maven`, `osv-rubygems`,
//!   `osv-packagist`, `osv-nuget`), kind `osv-zip`.
//! * The Debian Security Tracker JSON, `https://security-tracker.debian.org/tracker/data/json`
//!   (`debian`), kind `debian-json`.
//! * Alpine secdb, `https://secdb.alpinelinux.org/<branch>/main.json` and `community.json` for
//!   each branch in `db.alpine_branches` (default [`DEFAULT_ALPINE_BRANCHES`])
//!   (`alpine-v3.20-main`, `alpine-v3.20-community`, …), kind `alpine-json`.
//! * CISA KEV, `https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json`
//!   (`kev`), kind `kev`.
//! * EPSS, `https://epss.empiricalsecurity.com/epss_scores-current.csv.gz` (`epss`), kind `epss`.
//!
//! The config file (`$XDG_CONFIG_HOME/shipshape/config.toml`, or the file given with
//! `--config`) may change any of them or add more:
//!
//! ```toml
//! [db]
//! alpine_branches = ["v3.21", "v3.22"]
//! retries = 3              # attempts per download
//! retry_delay_ms = 1000    # first backoff delay; doubled after each failure
//! timeout_secs = 600       # per download
//! max_download_mb = 4096   # size cap per download
//!
//! [db.sources.osv-nuget]
//! enabled = false          # drop a default
//!
//! [db.sources.osv-pypi]
//! url = "https://mirror.example/osv/PyPI/all.zip"
//!
//! [db.sources.debian-cve-list]
//! url = "/srv/mirror/security-tracker/data/CVE/list"   # a local path works too
//! kind = "debian-cve-list"
//! ```
//!
//! Names with dots must be quoted: `[db.sources."alpine-v3.22-main"]`.
//! Other top-level tables and `[db]` keys are left to other parts of shipshape.
//! `SHIPSHAPE_DB_SOURCE_<NAME>_URL` (the name upper-cased, every other character than a
//! letter or digit turned into `_`: `SHIPSHAPE_DB_SOURCE_OSV_PYPI_URL`) overrides a source's
//! URL last.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The Alpine branches whose secdb is fetched by default.
pub const DEFAULT_ALPINE_BRANCHES: &[&str] = &["v3.19", "v3.20", "v3.21", "v3.22"];

/// The OSV ecosystems exported as `all.zip` that shipshape matches, with their source names.
pub const DEFAULT_OSV_ECOSYSTEMS: &[(&str, &str)] = &[
    ("osv-pypi", "PyPI"),
    ("osv-npm", "npm"),
    ("osv-go", "Go"),
    ("osv-crates-io", "crates.io"),
    ("osv-maven", "Maven"),
    ("osv-rubygems", "RubyGems"),
    ("osv-packagist", "Packagist"),
    ("osv-nuget", "NuGet"),
];

/// A feed format, as named in the config file and by `db import --kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SourceKind {
    /// An OSV `all.zip` export.
    OsvZip,
    /// One OSV record or array in JSON or YAML, or a directory of them.
    Osv,
    /// RustSec advisory files (Markdown with TOML front matter).
    Rustsec,
    /// The Debian Security Tracker JSON.
    DebianJson,
    /// The tracker's `data/CVE/list` text.
    DebianCveList,
    /// The tracker's `data/DSA/list` or `data/DLA/list` text.
    DebianDsaList,
    /// Alpine secdb JSON.
    AlpineJson,
    /// Alpine secdb YAML.
    AlpineYaml,
    /// CISA Known Exploited Vulnerabilities JSON.
    Kev,
    /// EPSS CSV (plain or gzip).
    Epss,
    /// NVD CVE API 2.0 JSON.
    Nvd,
}

impl SourceKind {
    /// Every kind, in the order they are listed in help texts.
    pub const ALL: &'static [SourceKind] = &[
        SourceKind::OsvZip,
        SourceKind::Osv,
        SourceKind::Rustsec,
        SourceKind::DebianJson,
        SourceKind::DebianCveList,
        SourceKind::DebianDsaList,
        SourceKind::AlpineJson,
        SourceKind::AlpineYaml,
        SourceKind::Kev,
        SourceKind::Epss,
        SourceKind::Nvd,
    ];

    /// The kebab-case name (`osv-zip`, `debian-json`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::OsvZip => "osv-zip",
            SourceKind::Osv => "osv",
            SourceKind::Rustsec => "rustsec",
            SourceKind::DebianJson => "debian-json",
            SourceKind::DebianCveList => "debian-cve-list",
            SourceKind::DebianDsaList => "debian-dsa-list",
            SourceKind::AlpineJson => "alpine-json",
            SourceKind::AlpineYaml => "alpine-yaml",
            SourceKind::Kev => "kev",
            SourceKind::Epss => "epss",
            SourceKind::Nvd => "nvd",
        }
    }

    /// Parses a kebab-case name.
    pub fn parse(s: &str) -> Option<SourceKind> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for SourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One configured feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The name, used in the database's `sources` table and in the cache.
    pub name: String,
    /// An `http(s)://` URL, a `file://` URL or a local path.
    pub url: String,
    /// The feed format.
    pub kind: SourceKind,
}

impl Source {
    /// Whether fetching it needs the network.
    pub fn is_remote(&self) -> bool {
        is_remote(&self.url)
    }
}

/// Whether `url` is `http://` or `https://`.
pub fn is_remote(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// How `db update` downloads: sources, retries, limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateConfig {
    /// The enabled sources, in update order.
    pub sources: Vec<Source>,
    /// Attempts per download (at least 1).
    pub retries: u32,
    /// The delay before the second attempt; doubled before each later one.
    pub retry_delay: Duration,
    /// The time one download may take.
    pub timeout: Duration,
    /// The largest download accepted, in bytes.
    pub max_bytes: u64,
}

/// The config file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the config file {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        err: std::io::Error,
    },
    /// The file is not valid TOML or a `[db]` value has the wrong type.
    #[error("{path}: invalid configuration")]
    Toml {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        #[source]
        err: toml::de::Error,
    },
    /// A source definition is incomplete or wrong.
    #[error("{path}: [db.sources.{name}]: {message}")]
    Source {
        /// The file.
        path: PathBuf,
        /// The source name.
        name: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Debug, Default, Deserialize)]
struct RawFile {
    #[serde(default)]
    db: RawDb,
}

#[derive(Debug, Default, Deserialize)]
struct RawDb {
    alpine_branches: Option<Vec<String>>,
    retries: Option<u32>,
    retry_delay_ms: Option<u64>,
    timeout_secs: Option<u64>,
    max_download_mb: Option<u64>,
    #[serde(default)]
    sources: BTreeMap<String, RawSource>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    url: Option<String>,
    kind: Option<String>,
    enabled: Option<bool>,
}

/// The default sources for the given Alpine branches.
pub fn default_sources(alpine_branches: &[&str]) -> Vec<Source> {
    let mut out: Vec<Source> = DEFAULT_OSV_ECOSYSTEMS
        .iter()
        .map(|(name, eco)| Source {
            name: (*name).to_owned(),
            url: format!("https://osv-vulnerabilities.storage.googleapis.com/{eco}/all.zip"),
            kind: SourceKind::OsvZip,
        })
        .collect();
    out.push(Source {
        name: "debian".into(),
        url: "https://security-tracker.debian.org/tracker/data/json".into(),
        kind: SourceKind::DebianJson,
    });
    for branch in alpine_branches {
        for repo in ["main", "community"] {
            out.push(Source {
                name: format!("alpine-{branch}-{repo}"),
                url: format!("https://secdb.alpinelinux.org/{branch}/{repo}.json"),
                kind: SourceKind::AlpineJson,
            });
        }
    }
    out.push(Source {
        name: "kev".into(),
        url: "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
            .into(),
        kind: SourceKind::Kev,
    });
    out.push(Source {
        name: "epss".into(),
        url: "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz".into(),
        kind: SourceKind::Epss,
    });
    out
}

/// The environment variable that overrides a source's URL.
pub fn url_env_var(name: &str) -> String {
    let upper: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("SHIPSHAPE_DB_SOURCE_{upper}_URL")
}

/// The default config file: `$XDG_CONFIG_HOME/shipshape/config.toml`, else
/// `~/.config/shipshape/config.toml`; `None` without either variable.
pub fn default_config_path() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })
        .map(|d| d.join("shipshape").join("config.toml"))
}

impl Default for UpdateConfig {
    fn default() -> Self {
        UpdateConfig {
            sources: default_sources(DEFAULT_ALPINE_BRANCHES),
            retries: 3,
            retry_delay: Duration::from_secs(1),
            timeout: Duration::from_secs(600),
            max_bytes: 4 << 30,
        }
    }
}

impl UpdateConfig {
    /// Loads the configuration: the defaults, then `file` (an explicit `--config` file must
    /// exist; the default file may be missing), then the URL overrides from `env`.
    pub fn load(
        file: Option<&Path>,
        explicit: bool,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<UpdateConfig, ConfigError> {
        let raw = match file {
            None => RawFile::default(),
            Some(path) => match std::fs::read_to_string(path) {
                Ok(text) => toml::from_str::<RawFile>(&text).map_err(|err| ConfigError::Toml {
                    path: path.to_owned(),
                    err,
                })?,
                Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => {
                    RawFile::default()
                }
                Err(err) => {
                    return Err(ConfigError::Io {
                        path: path.to_owned(),
                        err,
                    })
                }
            },
        };
        let path = file.map(Path::to_owned).unwrap_or_default();
        let db = raw.db;
        let branches: Vec<String> = db.alpine_branches.unwrap_or_else(|| {
            DEFAULT_ALPINE_BRANCHES
                .iter()
                .map(|s| s.to_string())
                .collect()
        });
        let branch_refs: Vec<&str> = branches.iter().map(String::as_str).collect();
        let mut sources = default_sources(&branch_refs);
        for (name, rs) in db.sources {
            let err = |message: String| ConfigError::Source {
                path: path.clone(),
                name: name.clone(),
                message,
            };
            if name.is_empty() || name.contains(['/', '\\', ' ']) || name.starts_with('.') {
                return Err(err(
                    "a source name must be non-empty, without spaces, slashes or a leading dot"
                        .into(),
                ));
            }
            let kind = match rs.kind.as_deref() {
                None => None,
                Some(k) => Some(SourceKind::parse(k).ok_or_else(|| {
                    err(format!(
                        "unknown kind {k:?}; expected one of {}",
                        SourceKind::ALL
                            .iter()
                            .map(|k| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?),
            };
            let pos = sources.iter().position(|s| s.name == name);
            if rs.enabled == Some(false) {
                if let Some(i) = pos {
                    sources.remove(i);
                }
                continue;
            }
            match pos {
                Some(i) => {
                    if let Some(u) = rs.url {
                        sources[i].url = u;
                    }
                    if let Some(k) = kind {
                        sources[i].kind = k;
                    }
                }
                None => {
                    let url = rs
                        .url
                        .ok_or_else(|| err("a new source needs a url".into()))?;
                    let kind = kind.ok_or_else(|| err("a new source needs a kind".into()))?;
                    sources.push(Source { name, url, kind });
                }
            }
        }
        for s in &mut sources {
            if let Some(u) = env(&url_env_var(&s.name)).filter(|u| !u.is_empty()) {
                s.url = u;
            }
        }
        let defaults = UpdateConfig::default();
        Ok(UpdateConfig {
            sources,
            retries: db.retries.unwrap_or(defaults.retries).max(1),
            retry_delay: db
                .retry_delay_ms
                .map(Duration::from_millis)
                .unwrap_or(defaults.retry_delay),
            timeout: db
                .timeout_secs
                .map(Duration::from_secs)
                .unwrap_or(defaults.timeout),
            max_bytes: db
                .max_download_mb
                .map(|mb| mb.saturating_mul(1 << 20))
                .unwrap_or(defaults.max_bytes),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(
            &file,
            r#"
[scan]
other = 1
[db]
alpine_branches = ["v3.20"]
retry_delay_ms = 5
[db.sources.osv-nuget]
enabled = false
[db.sources.osv-pypi]
url = "http://127.0.0.1:1/pypi.zip"
[db.sources.list]
url = "/x/list"
kind = "debian-cve-list"
"#,
        )
        .unwrap();
        let env = |k: &str| (k == "SHIPSHAPE_DB_SOURCE_KEV_URL").then(|| "http://k/".to_string());
        let c = UpdateConfig::load(Some(&file), true, &env).unwrap();
        let names: Vec<_> = c.sources.iter().map(|s| s.name.as_str()).collect();
        assert!(!names.contains(&"osv-nuget"));
        assert!(names.contains(&"alpine-v3.20-community"));
        assert!(!names.contains(&"alpine-v3.19-main"));
        let get = |n: &str| c.sources.iter().find(|s| s.name == n).unwrap();
        assert_eq!(get("osv-pypi").url, "http://127.0.0.1:1/pypi.zip");
        assert_eq!(get("list").kind, SourceKind::DebianCveList);
        assert_eq!(get("kev").url, "http://k/");
        assert_eq!(c.retry_delay, Duration::from_millis(5));
        assert_eq!(
            url_env_var("osv-crates-io"),
            "SHIPSHAPE_DB_SOURCE_OSV_CRATES_IO_URL"
        );
    }

    #[test]
    fn bad_sources_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "[db.sources.x]\nurl = \"u\"\nkind = \"nope\"\n").unwrap();
        let e = UpdateConfig::load(Some(&file), true, &|_| None).unwrap_err();
        assert!(e.to_string().contains("[db.sources.x]"), "{e}");
        std::fs::write(&file, "[db.sources.x]\nurl = \"u\"\n").unwrap();
        assert!(UpdateConfig::load(Some(&file), true, &|_| None).is_err());
        assert!(UpdateConfig::load(Some(&dir.path().join("missing")), true, &|_| None).is_err());
        assert!(UpdateConfig::load(Some(&dir.path().join("missing")), false, &|_| None).is_ok());
    }
}

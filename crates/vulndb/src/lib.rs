//! The vulnerability knowledge shipshape matches against: an OSV-shaped advisory model,
//! importers for the published feeds, and one SQLite file that stores them.
//!
//! This crate owns the [`Advisory`] model (ids, aliases, CVSS v2/v3/v4 severities with base
//! scores, affected packages per ecosystem and distribution release, ranges and a fix
//! [`Status`]), the importers in [`import`] (OSV JSON, directories and `all.zip` exports, OSV
//! YAML, RustSec Markdown advisories, the Debian Security Tracker JSON, Alpine secdb JSON and
//! YAML, NVD CVE API 2.0, CISA KEV and EPSS CSV), and the [`Store`]: a read-only SQLite database keyed by
//! (ecosystem, package), built by a [`Builder`] beside the live file and swapped in by rename.
//!
//! It does not know how installed packages are found (that is `inventory`), how versions
//! compare (that is `version`), or which advisories apply to an image (that is `scan`, which
//! turns advisories into findings). Importers do no networking: they take readers or bytes and
//! a source name. The network is [`update`]'s (downloading the feeds) and [`distribution`]'s
//! (pushing and pulling the built database as an OCI artifact through `oci`).
//!
//! # Brief overview
//! * [`Advisory`], [`Affected`], [`Range`], [`Event`], [`Severity`], [`Status`]: the model;
//!   [`AdvisoryId`] and [`Ecosystem`] are validated newtypes.
//! * [`import::osv`], [`import::rustsec`], [`import::debian`], [`import::alpine`], [`import::nvd`],
//!   [`import::kev`], [`import::epss`]: one module per feed; each returns [`Imported`] items
//!   plus an [`ImportReport`] of skipped records.
//! * [`Store::create`] / [`Store::build_beside`] → [`Builder`] → [`Builder::commit`];
//!   [`Store::open`] and its queries ([`Store::advisories_for`], [`Store::advisory`],
//!   [`Store::aliases_of`], [`Store::kev`], [`Store::epss`], [`Store::nvd_severity`],
//!   [`Store::status`]).
//! * [`matches()`] says whether an advisory affects a package version (ranges are evaluated by
//!   the `version` crate).
//! * [`default_path`] and [`resolve_path`] say where the database lives.
//! * [`update::update`], [`update::import`] and [`update::ensure_database`] build and refresh
//!   the database file; [`update::UpdateConfig`] says where the feeds come from.
//!
//! # Choices
//! * `rusqlite` (bundled SQLite): one file that users can query with `sqlite3`, transactions,
//!   indexes; `redb` would be faster to embed but opaque to users.
//! * `cvss` (RustSec): parses and scores CVSS v2.0, v3.0, v3.1 and v4.0, so no scoring code is
//!   hand-written.
//! * `zip` (zip-rs, deflate only): OSV's `all.zip` exports; entries are read one at a time
//!   with a size cap.
//! * `serde_yaml_ng`: a maintained fork of the unmaintained `serde_yaml`, with the same API,
//!   for OSV YAML (PyPA) and Alpine secdb YAML.
//! * `csv` (BurntSushi): EPSS files.
//! * `ureq` (blocking HTTP, rustls, gzip): the feeds are a handful of large files fetched one
//!   after another, so an async client would add a runtime for nothing. `flate2` and `tar`
//!   read `.gz` feeds (EPSS) and `.tar.gz` archives given to `db import`.
//! * `toml` and `semver`: RustSec front matter and its Cargo version requirements. The
//!   `rustsec` crate would parse them too, but its OSV conversion needs its `git` feature
//!   (gix, an HTTP stack); the requirement-to-range conversion is about 150 lines here.
//!
//! # Updating
//! [`update`] downloads the configured feeds (defaults and config in [`update::sources`]) with
//! conditional requests, retries and a per-source cache, imports local files, directories,
//! `.tar.gz` archives or URLs, and builds every new database beside the live one.
//! [`import::debian_text`] reads the tracker's `data/CVE/list` and DSA/DLA list text.
//!
//! # Example
//! ```
//! use vulndb::{import::osv, SourceMeta, Store};
//!
//! let record = br#"{"id": "PYSEC-2021-66", "aliases": ["CVE-2020-28493"],
//!   "affected": [{"package": {"ecosystem": "PyPI", "name": "jinja2"},
//!     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.11.3"}]}]}]}"#;
//! let imported = osv::import_json("osv-pypi", &record[..]).unwrap();
//! assert_eq!(imported.report.records, 1);
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("shipshape.db");
//! let mut builder = Store::build_beside(&path).unwrap();
//! builder.add_advisories(&SourceMeta::named("osv-pypi"), &imported).unwrap();
//! builder.commit().unwrap();
//!
//! let store = Store::open(&path).unwrap();
//! let found = store.advisories_for("PyPI", "Jinja2").unwrap();
//! assert_eq!(found[0].id.as_str(), "PYSEC-2021-66");
//! assert_eq!(found[0].affected[0].fixed_versions(), ["2.11.3"]);
//! assert_eq!(store.aliases_of("CVE-2020-28493").unwrap(), ["PYSEC-2021-66"]);
//! ```
#![deny(missing_docs)]

pub mod cpe;
pub mod distribution;
mod error;
pub mod import;
mod matching;
mod model;
mod normalize;
mod score;
mod store;
pub mod update;

pub use error::{ImportError, MatchError, RecordError, StoreError};
pub use import::{ImportReport, Imported, MAX_KEPT_ERRORS};
pub use matching::matches;
pub use model::{
    Advisory, AdvisoryId, Affected, Ecosystem, Event, InvalidId, Range, RangeKind, Rating,
    Reference, Severity, SeverityKind, Status,
};
pub use normalize::normalize_package;
pub use score::{cvss_severity, InvalidVector};
pub use store::{
    default_path, resolve_path, Builder, Counts, CpeMatches, DbStatus, SourceInfo, SourceMeta,
    Store, APPLICATION_ID, SCHEMA_VERSION,
};

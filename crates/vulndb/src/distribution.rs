//! The built database as an OCI artifact, so air-gapped sites can mirror it with the tools
//! they use for images (`shipshape db push REF` / `db pull REF`).
//!
//! The artifact is an OCI image manifest with `artifactType` [`ARTIFACT_TYPE`], a small
//! config blob ([`CONFIG_MEDIA_TYPE`]: schema version, built-at) and one layer
//! ([`LAYER_MEDIA_TYPE`]): the SQLite file compressed with zstd.
//!
//! [`pull_db`] never leaves a half-written database: the layer is streamed (digest verified)
//! and decompressed into a temporary file beside the final path, opened with
//! [`Store::open`] to check it is a shipshape database of this schema version, and only then
//! renamed over the final path. Any failure removes the temporary file and leaves the old
//! database as it was.

use std::fs;
use std::io::{self, BufReader, Write};
use std::path::{Path, PathBuf};

use oci::artifact::{ArtifactSpec, BlobSpec, ANNOTATION_CREATED};
use oci::{Digest, Reference, ResolveOptions};

use crate::store::{Store, SCHEMA_VERSION};
use crate::StoreError;

/// The manifest `artifactType` of a shipshape database.
pub const ARTIFACT_TYPE: &str = "application/vnd.shipshape.db.v1";
/// Media type of the config blob ([`DbArtifactConfig`] as JSON).
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.shipshape.db.config.v1+json";
/// Media type of the layer: the SQLite file, zstd-compressed.
pub const LAYER_MEDIA_TYPE: &str = "application/vnd.shipshape.db.layer.v1.sqlite+zstd";
/// The zstd level used when pushing: a good ratio on SQLite pages at a few seconds per
/// hundred megabytes.
pub const ZSTD_LEVEL: i32 = 10;

/// The config blob of a database artifact.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DbArtifactConfig {
    /// The database's schema version (`PRAGMA user_version`).
    pub schema_version: i64,
    /// When the database was built (RFC 3339), if recorded.
    #[serde(default)]
    pub built_at: Option<String>,
}

/// What was pushed or pulled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbArtifactInfo {
    /// The manifest digest (pin it with `REF@DIGEST`).
    pub manifest_digest: Digest,
    /// The digest of the compressed layer.
    pub layer_digest: Digest,
    /// Size of the compressed layer in bytes.
    pub compressed_size: u64,
    /// Size of the SQLite file in bytes.
    pub db_size: u64,
    /// The database's schema version.
    pub schema_version: i64,
    /// When the database was built (RFC 3339), if recorded.
    pub built_at: Option<String>,
}

/// Pushing or pulling a database artifact failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DistributionError {
    /// The registry, the manifest or a blob failed (network, auth, status, digest, wrong
    /// artifact type).
    #[error(transparent)]
    Oci(#[from] oci::Error),
    /// The local database is missing, not ours, of another schema, or unreadable; or the
    /// pulled file is not a valid database.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A local file operation failed.
    #[error("{path}: cannot {doing}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        doing: String,
        /// The cause.
        #[source]
        err: io::Error,
    },
    /// The artifact is of our type but malformed (no database layer, bad config) or of
    /// another schema version.
    #[error("{reference}: {message}")]
    BadArtifact {
        /// The reference pulled.
        reference: String,
        /// What is wrong.
        message: String,
    },
}

fn io_err(path: &Path, doing: &str) -> impl FnOnce(io::Error) -> DistributionError {
    let path = path.to_owned();
    let doing = doing.to_owned();
    move |err| DistributionError::Io { path, doing, err }
}

/// Push the database at `db_path` to `reference` as an OCI artifact.
///
/// The file is opened first (it must be a shipshape database of this schema version), then
/// compressed with zstd into a temporary file, which is uploaded; the manifest's
/// `org.opencontainers.image.created` is the database's built-at time.
pub fn push_db(
    db_path: &Path,
    reference: &Reference,
    opts: &ResolveOptions,
) -> Result<DbArtifactInfo, DistributionError> {
    let store = Store::open(db_path)?;
    let built_at = store.meta("built_at")?;
    drop(store);
    let db_size = fs::metadata(db_path)
        .map_err(io_err(db_path, "read the database size"))?
        .len();

    let tmp = tempfile::Builder::new()
        .prefix("shipshape-db-push-")
        .suffix(".zst")
        .tempfile()
        .map_err(io_err(&std::env::temp_dir(), "create a temporary file"))?;
    {
        let input = fs::File::open(db_path).map_err(io_err(db_path, "read the database"))?;
        let mut out = io::BufWriter::new(tmp.as_file());
        zstd::stream::copy_encode(BufReader::new(input), &mut out, ZSTD_LEVEL)
            .map_err(io_err(db_path, "compress the database"))?;
        out.flush()
            .map_err(io_err(tmp.path(), "write the compressed database"))?;
    }

    let title = format!(
        "{}.zst",
        db_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "shipshape.db".into())
    );
    let layer = BlobSpec::from_file(LAYER_MEDIA_TYPE, tmp.path())?.with_title(&title);
    let config = DbArtifactConfig {
        schema_version: SCHEMA_VERSION,
        built_at: built_at.clone(),
    };
    // Serializing this struct cannot fail.
    let config_bytes = serde_json::to_vec(&config).unwrap_or_default();
    let mut spec = ArtifactSpec::new(ARTIFACT_TYPE);
    spec.config = Some(BlobSpec::from_bytes(CONFIG_MEDIA_TYPE, config_bytes));
    if let Some(b) = &built_at {
        spec.annotations
            .insert(ANNOTATION_CREATED.to_string(), b.clone());
    }
    let info = DbArtifactInfo {
        manifest_digest: Digest::sha256_of(&spec.manifest_bytes()),
        layer_digest: layer.digest.clone(),
        compressed_size: layer.size,
        db_size,
        schema_version: SCHEMA_VERSION,
        built_at,
    };
    spec.layers.push(layer);
    let manifest_digest = oci::push_artifact(reference, &spec, opts)?;
    Ok(DbArtifactInfo {
        manifest_digest,
        ..info
    })
}

/// Pull the database artifact at `reference` and install it at `final_db_path`.
///
/// The layer is streamed through digest verification and zstd decompression into a
/// temporary file beside `final_db_path`, validated with [`Store::open`], fsynced, and
/// renamed over `final_db_path` atomically. On any error the temporary file is removed and
/// an existing database at `final_db_path` is left untouched.
pub fn pull_db(
    reference: &Reference,
    final_db_path: &Path,
    opts: &ResolveOptions,
) -> Result<DbArtifactInfo, DistributionError> {
    let name = reference.to_string();
    let bad = |message: String| DistributionError::BadArtifact {
        reference: name.clone(),
        message,
    };
    let pulled = oci::pull_artifact(reference, ARTIFACT_TYPE, opts)?;
    let config: DbArtifactConfig = if pulled.config.media_type == CONFIG_MEDIA_TYPE {
        serde_json::from_slice(&pulled.config_bytes)
            .map_err(|e| bad(format!("malformed database config blob: {e}")))?
    } else {
        return Err(bad(format!(
            "config media type is {:?}, expected {CONFIG_MEDIA_TYPE}",
            pulled.config.media_type
        )));
    };
    if config.schema_version != SCHEMA_VERSION {
        return Err(bad(format!(
            "the database has schema version {}, this shipshape reads version {SCHEMA_VERSION}",
            config.schema_version
        )));
    }
    let index = pulled
        .layer_of_type(LAYER_MEDIA_TYPE)
        .ok_or_else(|| bad(format!("the manifest has no {LAYER_MEDIA_TYPE} layer")))?;
    let layer_digest = pulled.layers[index].digest.clone();
    let compressed_size = pulled.layers[index].size;

    let dir = match final_db_path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).map_err(io_err(&dir, "create the database directory"))?;
    let file_name = final_db_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "shipshape.db".into());
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{file_name}.pull-"))
        .tempfile_in(&dir)
        .map_err(io_err(&dir, "create a temporary file"))?;

    // Download first, verifying digest and size, so a tampered or truncated blob is
    // reported as such rather than as a decompression failure.
    let compressed = tempfile::Builder::new()
        .prefix(&format!(".{file_name}.pull-"))
        .suffix(".zst")
        .tempfile_in(&dir)
        .map_err(io_err(&dir, "create a temporary file"))?;
    {
        let mut out = io::BufWriter::new(compressed.as_file());
        pulled.copy_layer(index, &mut out)?;
        out.flush()
            .map_err(io_err(compressed.path(), "write the downloaded layer"))?;
    }
    let db_size = {
        let input = fs::File::open(compressed.path())
            .map_err(io_err(compressed.path(), "read the downloaded layer"))?;
        let mut out = io::BufWriter::new(tmp.as_file());
        zstd::stream::copy_decode(BufReader::new(input), &mut out).map_err(|err| {
            DistributionError::BadArtifact {
                reference: name.clone(),
                message: format!("the database layer does not decompress: {err}"),
            }
        })?;
        out.flush()
            .map_err(io_err(tmp.path(), "write the pulled database"))?;
        tmp.as_file()
            .metadata()
            .map_err(io_err(tmp.path(), "read the pulled database size"))?
            .len()
    };
    drop(compressed);
    tmp.as_file()
        .sync_all()
        .map_err(io_err(tmp.path(), "fsync the pulled database"))?;

    let store = Store::open(tmp.path())?;
    let built_at = store.meta("built_at")?;
    drop(store);

    tmp.persist(final_db_path)
        .map_err(|e| io_err(final_db_path, "move the pulled database into place")(e.error))?;
    // Make the rename durable where the platform allows it.
    let _ = fs::File::open(&dir).and_then(|d| d.sync_all());
    Ok(DbArtifactInfo {
        manifest_digest: pulled.manifest_digest,
        layer_digest,
        compressed_size,
        db_size,
        schema_version: config.schema_version,
        built_at: built_at.or(config.built_at),
    })
}

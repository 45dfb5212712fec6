//! Creating and opening database files: a new one is built at a path or beside the live one;
//! an existing one is opened read-only once it is known to be ours and of this schema.

use std::fs;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::{io_err, sql, Builder, Store, APPLICATION_ID, SCHEMA_VERSION};
use crate::error::StoreError;

impl Store {
    /// Starts building a new database directly at `path`, which must not exist yet.
    /// [`Builder::commit`] finishes it; abort or drop removes the file.
    pub fn create(path: &Path) -> Result<Builder, StoreError> {
        if path.exists() {
            return Err(StoreError::Exists {
                path: path.to_owned(),
            });
        }
        Builder::new(path.to_owned(), None)
    }

    /// Starts building a new database beside `final_path`, in `<final_path>.tmp-<pid>`.
    /// [`Builder::commit`] renames it over `final_path` atomically; until then the existing
    /// database (if any) is not touched.
    pub fn build_beside(final_path: &Path) -> Result<Builder, StoreError> {
        let mut name = final_path.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".tmp-{}", std::process::id()));
        let temp = final_path.with_file_name(name);
        if temp.exists() {
            fs::remove_file(&temp).map_err(io_err(&temp, "remove a stale temporary database"))?;
        }
        Builder::new(temp, Some(final_path.to_owned()))
    }

    /// Opens a database read-only, checking that it is ours and of [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let meta = fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StoreError::NotFound {
                path: path.to_owned(),
            },
            _ => StoreError::Io {
                path: path.to_owned(),
                doing: "read the database".into(),
                err: e,
            },
        })?;
        if meta.len() == 0 {
            return Err(StoreError::NotADatabase {
                path: path.to_owned(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(sql(path, "opening"))?;
        let app_id: i64 = match conn.query_row("PRAGMA application_id", [], |r| r.get(0)) {
            Ok(v) => v,
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::NotADatabase =>
            {
                return Err(StoreError::NotADatabase {
                    path: path.to_owned(),
                })
            }
            Err(e) => return Err(sql(path, "reading the application id")(e)),
        };
        if app_id != APPLICATION_ID {
            return Err(StoreError::NotOurs {
                path: path.to_owned(),
            });
        }
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql(path, "reading the schema version"))?;
        if version != SCHEMA_VERSION {
            return Err(StoreError::SchemaVersion {
                path: path.to_owned(),
                found: version,
                expected: SCHEMA_VERSION,
            });
        }
        Ok(Store {
            conn,
            path: path.to_owned(),
        })
    }

    /// The file this store reads.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

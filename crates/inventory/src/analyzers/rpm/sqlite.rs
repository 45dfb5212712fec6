//! rpm's sqlite backend (rpm ≥ 4.16: Fedora ≥ 33, RHEL 9, CBL-Mariner, Amazon Linux 2023).
//!
//! The `Packages` table holds `(hnum INTEGER PRIMARY KEY, blob BLOB)`, one header blob per
//! installed package. SQLite needs a file, so the bytes are written to a private temporary
//! file and opened read-only. rpm leaves databases in WAL mode; without the `-shm`/`-wal`
//! side files a read-only open of a WAL database fails, so the copy's header is switched to
//! the rollback journal (bytes 18 and 19 set to 1) first. The image bytes are never changed.

use std::io::Write;

use rusqlite::{Connection, OpenFlags};

use super::Blobs;

/// The SQLite file header magic.
const MAGIC: &[u8] = b"SQLite format 3\0";

/// Read every header blob from the `Packages` table of an rpm sqlite database.
pub(super) fn read(bytes: &[u8]) -> Result<Blobs, String> {
    if !bytes.starts_with(MAGIC) || bytes.len() < 100 {
        return Err("not an SQLite database".into());
    }
    let mut copy = bytes.to_vec();
    if copy[18] == 2 && copy[19] == 2 {
        copy[18] = 1;
        copy[19] = 1;
    }
    let mut file = tempfile::NamedTempFile::new()
        .map_err(|e| format!("cannot create a temporary file: {e}"))?;
    file.write_all(&copy)
        .and_then(|()| file.flush())
        .map_err(|e| format!("cannot write a temporary file: {e}"))?;
    drop(copy);
    let conn = Connection::open_with_flags(
        file.path(),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("cannot open as SQLite: {e}"))?;
    let mut out = Blobs::default();
    let mut stmt = conn
        .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")
        .map_err(|e| format!("no readable Packages table: {e}"))?;
    let rows = stmt
        .query_map([], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)))
        })
        .map_err(|e| format!("cannot query Packages: {e}"))?;
    for row in rows {
        match row {
            Ok((_, Ok(blob))) => out.blobs.push(blob),
            Ok((hnum, Err(e))) => out
                .warnings
                .push(format!("package {hnum}: blob unreadable: {e}")),
            Err(e) => return Err(format!("cannot read Packages: {e}")),
        }
    }
    Ok(out)
}

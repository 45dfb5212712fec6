//! Feed importers: published feed formats in, validated [`Advisory`](crate::Advisory) values
//! (or KEV, EPSS and NVD records) out.
//!
//! Every importer takes bytes or a reader plus the *source name* the caller gives the feed
//! (`osv-go`, `debian`, …), so the same code serves files, archives and, later, HTTP
//! downloads. Each record is deserialized into raw serde types that mirror the published
//! format and then converted with `TryFrom`, which is where validation happens. A record that
//! fails either step is skipped and counted in the [`ImportReport`], which keeps the first
//! [`MAX_KEPT_ERRORS`] problems; a feed that cannot be read as a whole is an
//! [`ImportError`](crate::ImportError).

pub mod alpine;
pub mod debian;
pub mod debian_text;
pub mod epss;
pub mod kev;
pub mod nvd;
pub mod osv;
pub mod rustsec;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::RecordError;

/// How many record errors an [`ImportReport`] keeps; later ones are only counted.
pub const MAX_KEPT_ERRORS: usize = 10;

/// What an import read: how many records were taken, how many skipped, and why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The source name given by the caller.
    pub source: String,
    /// Records imported.
    pub records: usize,
    /// Records skipped as malformed.
    pub skipped: usize,
    /// The first [`MAX_KEPT_ERRORS`] reasons for skipping.
    pub errors: Vec<RecordError>,
}

impl ImportReport {
    /// An empty report for `source`.
    pub fn new(source: &str) -> Self {
        Self {
            source: source.to_owned(),
            ..Self::default()
        }
    }

    /// Counts a skipped record and keeps its error if there is room.
    pub fn skip(&mut self, record: impl Into<String>, message: impl ToString) {
        self.skipped += 1;
        if self.errors.len() < MAX_KEPT_ERRORS {
            self.errors.push(RecordError {
                record: record.into(),
                message: message.to_string(),
            });
        }
    }

    /// Adds another report's counts (and errors, up to the cap) to this one.
    pub fn absorb(&mut self, other: ImportReport) {
        self.records += other.records;
        self.skipped += other.skipped;
        let room = MAX_KEPT_ERRORS.saturating_sub(self.errors.len());
        self.errors.extend(other.errors.into_iter().take(room));
    }
}

/// The result of importing one feed: the items and the report.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported<T> {
    /// The valid records, converted.
    pub items: Vec<T>,
    /// Counts and skipped-record errors.
    pub report: ImportReport,
}

/// Deserializes `null` as the type's default (feeds write `"aliases": null`).
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Returns `Some(s)` for a non-empty trimmed string.
pub(crate) fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Reads at most `cap` bytes; more is an error naming the cap.
pub(crate) fn read_capped(mut reader: impl std::io::Read, cap: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut buf = Vec::new();
    (&mut reader).take(cap + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > cap {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than the {cap}-byte limit"),
        ));
    }
    Ok(buf)
}

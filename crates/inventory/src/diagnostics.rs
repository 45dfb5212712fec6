//! Stable diagnostic codes for problems that do not stop an inventory.
//!
//! Codes never change meaning; new ones are appended.

/// A layer entry's path escapes the image root (`../`) or is absolute; it was re-rooted or skipped.
pub const UNSAFE_PATH: &str = "I001";
/// A wanted file was larger than its analyzer's cap and was skipped.
pub const FILE_TOO_LARGE: &str = "I002";
/// A symlink chain loops or is too deep.
pub const SYMLINK_LOOP: &str = "I003";
/// An analyzer could not read a package database or file.
pub const ANALYZER_FAILED: &str = "I004";
/// An analyzer skipped a malformed record.
pub const RECORD_SKIPPED: &str = "I005";
/// No known OS release file was found.
pub const UNKNOWN_OS: &str = "I006";
/// A hard link points at a file that is not in the layer.
pub const BROKEN_HARDLINK: &str = "I007";
/// Layer count and `rootfs.diff_ids` or history disagree.
pub const LAYER_MISMATCH: &str = "I008";
/// An archive (a jar) is not a readable zip, or one of its entries is corrupt or truncated.
pub const ARCHIVE_CORRUPT: &str = "I009";
/// An archive went over a safety limit (nesting depth, entry count, an entry's or the total
/// decompressed size); what was over it was skipped.
pub const ARCHIVE_LIMIT: &str = "I010";
/// An archive entry's name escapes the archive (`../`, absolute); the entry was skipped.
pub const ARCHIVE_UNSAFE_NAME: &str = "I011";
/// A Rust binary was built without cargo-auditable: it holds no list of its crates, and none
/// is guessed.
pub const RUST_NO_AUDIT_DATA: &str = "I012";
/// A Rust binary's cargo-auditable data is corrupt (truncated zlib, JSON not in the format,
/// a dependency cycle, indices out of range) or its sections cannot be read.
pub const RUST_AUDIT_DATA_INVALID: &str = "I013";
/// A Rust binary's cargo-auditable data decompresses past the size cap (a zlib bomb).
pub const RUST_AUDIT_DATA_LIMIT: &str = "I014";
/// A Go binary's build info is corrupt (a truncated varint, a length past the end of the
/// file or over a cap, a pointer outside every segment); the binary was skipped.
pub const GO_BUILDINFO_CORRUPT: &str = "I015";
/// A Go binary's pclntab (its function table) is corrupt or missing; its modules are still
/// reported, but which functions it holds is unknown.
pub const GO_PCLNTAB_CORRUPT: &str = "I016";

/// Every code with a one-line meaning, for docs and the uniqueness test.
pub const ALL: &[(&str, &str)] = &[
    (UNSAFE_PATH, "layer entry path escapes the image root"),
    (FILE_TOO_LARGE, "file over the analyzer's size cap skipped"),
    (SYMLINK_LOOP, "symlink loop or chain too deep"),
    (ANALYZER_FAILED, "package database unreadable"),
    (RECORD_SKIPPED, "malformed record skipped"),
    (UNKNOWN_OS, "operating system not recognised"),
    (BROKEN_HARDLINK, "hard link target missing"),
    (LAYER_MISMATCH, "layers, diff_ids and history disagree"),
    (ARCHIVE_CORRUPT, "archive unreadable, corrupt or truncated"),
    (ARCHIVE_LIMIT, "archive over a nesting, entry or size limit"),
    (
        ARCHIVE_UNSAFE_NAME,
        "archive entry name escapes the archive",
    ),
    (
        RUST_NO_AUDIT_DATA,
        "Rust binary built without cargo-auditable: crates not listed",
    ),
    (
        RUST_AUDIT_DATA_INVALID,
        "Rust binary's cargo-auditable data corrupt",
    ),
    (
        RUST_AUDIT_DATA_LIMIT,
        "Rust binary's cargo-auditable data over the size cap",
    ),
    (GO_BUILDINFO_CORRUPT, "Go binary build info corrupt"),
    (GO_PCLNTAB_CORRUPT, "Go binary function table unreadable"),
];

#[cfg(test)]
mod tests {
    /// Validates that diagnostic codes are unique.
    #[test]
    fn codes_are_unique() {
        let mut codes: Vec<_> = super::ALL.iter().map(|(c, _)| *c).collect();
        let n = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(n, codes.len());
    }
}

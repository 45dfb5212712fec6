//! The rpm header blob: the value each rpm database stores per installed package.
//!
//! Layout (all integers big-endian): `il` (index entry count, u32), `dl` (data length, u32),
//! `il` index entries of 16 bytes (tag, type, offset into the data, count), then `dl` bytes of
//! data. The first entry may be a *region tag* (61 image, 62 signatures, 63 immutable) whose
//! 16-byte trailer, stored in the data, tells how many entries the region covers; entries
//! after the region ("dribble" entries, added after install) override those inside it.
//!
//! Traps: the input is hostile. Counts and offsets come from the blob and are checked against
//! the blob before anything is read or allocated; strings must end inside the data; rpm's own
//! limits (at most 0xffff entries, at most 256 MiB of data) are enforced.

/// Region tags: the first entry of a header may be one of these.
const REGION_TAGS: [u32; 3] = [61, 62, 63];
/// rpm's `hdrchkTags`: more index entries than this is corrupt.
const MAX_ENTRIES: usize = 0xffff;
/// rpm's `hdrchkData`: more data than this is corrupt.
const MAX_DATA: usize = 0x0fff_ffff;

/// Tag data types used here.
const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_BIN: u32 = 7;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// One index entry.
#[derive(Clone, Copy, Debug)]
struct Entry {
    tag: u32,
    ty: u32,
    offset: usize,
    count: usize,
}

/// A parsed header blob: its index, and the data the index points into.
#[derive(Debug)]
pub(crate) struct Header<'a> {
    entries: Vec<Entry>,
    data: &'a [u8],
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

impl<'a> Header<'a> {
    /// Check the index of `blob` and return a view of it.
    pub(crate) fn parse(blob: &'a [u8]) -> Result<Header<'a>, String> {
        let il = be32(blob, 0).ok_or("header blob shorter than 8 bytes")? as usize;
        let dl = be32(blob, 4).ok_or("header blob shorter than 8 bytes")? as usize;
        if il == 0 || il > MAX_ENTRIES {
            return Err(format!("header has a bad index entry count {il}"));
        }
        if dl > MAX_DATA {
            return Err(format!("header data length {dl} is too large"));
        }
        // il ≤ 0xffff and dl < 2^28, so none of this overflows.
        let data_start = 8 + il * 16;
        let data_end = data_start + dl;
        if data_end > blob.len() {
            return Err(format!(
                "header needs {data_end} bytes (il {il}, dl {dl}) but the blob has {}",
                blob.len()
            ));
        }
        let data = &blob[data_start..data_end];
        // The count was checked against the blob length above, so this allocation is bounded.
        let mut entries = Vec::with_capacity(il);
        for i in 0..il {
            let at = 8 + i * 16;
            let field = |k: usize| be32(blob, at + 4 * k).ok_or("index entry out of bounds");
            let e = Entry {
                tag: field(0)?,
                ty: field(1)?,
                offset: field(2)? as usize,
                count: field(3)? as usize,
            };
            if e.offset > dl {
                return Err(format!(
                    "tag {} points past the data ({} > {dl})",
                    e.tag, e.offset
                ));
            }
            entries.push(e);
        }
        let h = Header { entries, data };
        h.check_region()?;
        Ok(h)
    }

    /// Validate the region entry and its trailer, if the header starts with one.
    fn check_region(&self) -> Result<(), String> {
        let Some(first) = self.entries.first() else {
            return Ok(());
        };
        if !REGION_TAGS.contains(&first.tag) {
            return Ok(());
        }
        if first.ty != TYPE_BIN || first.count != 16 {
            return Err(format!("region tag {} has a bad type or count", first.tag));
        }
        let trailer = self
            .data
            .get(first.offset..first.offset.saturating_add(16))
            .ok_or_else(|| format!("region tag {} trailer is out of bounds", first.tag))?;
        let t_offset = be32(trailer, 8).unwrap_or(0) as i32;
        // The trailer's offset is minus the size of the region's index.
        let ril = t_offset.checked_neg().unwrap_or(-1);
        if ril <= 0 || ril % 16 != 0 || (ril / 16) as usize > self.entries.len() {
            return Err(format!("region tag {} has a bad trailer", first.tag));
        }
        Ok(())
    }

    /// The last entry for `tag` (dribble entries come after the region and win).
    fn entry(&self, tag: u32) -> Option<Entry> {
        self.entries.iter().rev().find(|e| e.tag == tag).copied()
    }

    /// Read `n` NUL-terminated strings starting at `offset`.
    fn strings(&self, offset: usize, n: usize) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        let mut at = offset;
        for _ in 0..n {
            let rest = self.data.get(at..).ok_or("string offset out of bounds")?;
            let len = rest
                .iter()
                .position(|&b| b == 0)
                .ok_or("string runs past the end of the header data")?;
            out.push(String::from_utf8_lossy(&rest[..len]).into_owned());
            at += len + 1;
        }
        Ok(out)
    }

    /// A string tag (STRING, or the first string of I18NSTRING / STRING_ARRAY).
    pub(crate) fn string(&self, tag: u32) -> Result<Option<String>, String> {
        let Some(e) = self.entry(tag) else {
            return Ok(None);
        };
        match e.ty {
            TYPE_STRING | TYPE_I18NSTRING | TYPE_STRING_ARRAY if e.count >= 1 => {
                Ok(self.strings(e.offset, 1)?.pop())
            }
            _ => Err(format!("tag {tag} has type {} count {}", e.ty, e.count)),
        }
    }

    /// A string-array tag (an absent tag is an empty list).
    pub(crate) fn string_array(&self, tag: u32) -> Result<Vec<String>, String> {
        let Some(e) = self.entry(tag) else {
            return Ok(Vec::new());
        };
        match e.ty {
            // Each string takes at least one byte, so a huge count fails before it costs.
            TYPE_STRING_ARRAY | TYPE_I18NSTRING if e.count <= self.data.len() => {
                self.strings(e.offset, e.count)
            }
            TYPE_STRING if e.count == 1 => self.strings(e.offset, 1),
            _ => Err(format!("tag {tag} has type {} count {}", e.ty, e.count)),
        }
    }

    /// The first value of an INT32 tag.
    pub(crate) fn int32(&self, tag: u32) -> Result<Option<u32>, String> {
        Ok(self.int32_array(tag)?.first().copied())
    }

    /// An INT32 array tag (an absent tag is an empty list).
    pub(crate) fn int32_array(&self, tag: u32) -> Result<Vec<u32>, String> {
        let Some(e) = self.entry(tag) else {
            return Ok(Vec::new());
        };
        if e.ty != TYPE_INT32 {
            return Err(format!("tag {tag} has type {}, not INT32", e.ty));
        }
        let bytes = e
            .count
            .checked_mul(4)
            .and_then(|n| self.data.get(e.offset..e.offset.checked_add(n)?))
            .ok_or_else(|| format!("tag {tag} INT32 array out of bounds"))?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Build a header blob from (tag, type, count, data) entries, with no region.
    pub(crate) fn blob(entries: &[(u32, u32, u32, Vec<u8>)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (tag, ty, count, d) in entries {
            if *ty == TYPE_INT32 {
                while data.len() & 3 != 0 {
                    data.push(0);
                }
            }
            for v in [*tag, *ty, data.len() as u32, *count] {
                index.extend_from_slice(&v.to_be_bytes());
            }
            data.extend_from_slice(d);
        }
        let mut out = Vec::new();
        out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend(index);
        out.extend(data);
        out
    }

    /// A STRING entry.
    pub(crate) fn s(tag: u32, v: &str) -> (u32, u32, u32, Vec<u8>) {
        let mut d = v.as_bytes().to_vec();
        d.push(0);
        (tag, TYPE_STRING, 1, d)
    }

    /// Validates reading strings, arrays and ints from a well-formed blob.
    #[test]
    fn reads_tags() {
        let b = blob(&[
            s(1000, "bash"),
            (1047, TYPE_STRING_ARRAY, 2, b"bash\0/bin/sh\0".to_vec()),
            (1003, TYPE_INT32, 1, 7u32.to_be_bytes().to_vec()),
        ]);
        let h = Header::parse(&b).unwrap();
        assert_eq!(h.string(1000).unwrap().as_deref(), Some("bash"));
        assert_eq!(h.string_array(1047).unwrap(), ["bash", "/bin/sh"]);
        assert_eq!(h.int32(1003).unwrap(), Some(7));
        assert_eq!(h.string(1001).unwrap(), None);
    }

    /// Validates that huge counts, offsets and lengths are errors, not panics or allocations.
    #[test]
    fn hostile_headers() {
        assert!(Header::parse(&[]).is_err());
        assert!(Header::parse(&[0xff; 8]).is_err());
        // il = 0xffff but no room for the index.
        assert!(Header::parse(&[0, 0, 0xff, 0xff, 0, 0, 0, 0]).is_err());
        // Count of 2^32-1 strings.
        let b = blob(&[(1047, TYPE_STRING_ARRAY, u32::MAX, b"a\0".to_vec())]);
        assert!(Header::parse(&b).unwrap().string_array(1047).is_err());
        // INT32 count overflowing.
        let b = blob(&[(1003, TYPE_INT32, u32::MAX, vec![0; 4])]);
        assert!(Header::parse(&b).unwrap().int32(1003).is_err());
        // Unterminated string.
        let b = blob(&[(1000, TYPE_STRING, 1, b"abc".to_vec())]);
        assert!(Header::parse(&b).unwrap().string(1000).is_err());
        // Offset past the data.
        let mut b = blob(&[s(1000, "x")]);
        b[16..20].copy_from_slice(&0x7fff_ffffu32.to_be_bytes());
        assert!(Header::parse(&b).is_err());
        // Region tag with a trailer pointing nowhere.
        let b = blob(&[(63, TYPE_BIN, 16, vec![0xff; 16])]);
        assert!(Header::parse(&b).is_err());
    }
}

//! rpm's NDB backend (`Packages.db`, SUSE since SLES 15 SP3 / openSUSE).
//!
//! Layout (little-endian, from rpm's `lib/backend/ndb/rpmpkg.c`): a 32-byte header
//! (`RpmP` magic, version 0, generation, number of 4 KiB slot pages, next package index);
//! the slot pages follow, an array of 16-byte slots (`Slot` magic, package index, block
//! offset, block count) beginning right after the header (slot 2). Package index 0 is a free
//! slot. Block offsets and counts are in 16-byte units. Each block holds a blob: a 16-byte
//! head (`BlbS`, package index, generation, blob length), the header blob, zero padding and a
//! 12-byte tail (Adler-32 of head, blob and padding; blob length; `BlbE`).
//!
//! Traps: hostile input. Slot page count is capped (rpm's own reader refuses more than 2048),
//! and every block is checked against the file and its own head and tail before use.

use super::Blobs;

const HEADER_MAGIC: &[u8; 4] = b"RpmP";
const SLOT_MAGIC: &[u8; 4] = b"Slot";
const BLOB_MAGIC: &[u8; 4] = b"BlbS";
const TAIL_MAGIC: &[u8; 4] = b"BlbE";
const SLOT_PAGE: usize = 4096;
const BLK: usize = 16;
const MAX_SLOT_PAGES: usize = 2048;

fn le32(b: &[u8], at: usize) -> Option<usize> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
}

/// Adler-32 (RFC 1950), as rpm checksums NDB blobs.
pub(crate) fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// Read one blob from the block at `blk_off` (16-byte units), `blk_cnt` blocks long.
fn blob(bytes: &[u8], pkg: usize, blk_off: usize, blk_cnt: usize) -> Result<Vec<u8>, String> {
    let start = blk_off.checked_mul(BLK).ok_or("block offset overflows")?;
    let len = blk_cnt.checked_mul(BLK).ok_or("block count overflows")?;
    let block = start
        .checked_add(len)
        .and_then(|end| bytes.get(start..end))
        .ok_or("block is past the end of the file")?;
    if block.len() < 28 || &block[..4] != BLOB_MAGIC {
        return Err("bad blob magic".into());
    }
    if le32(block, 4) != Some(pkg) {
        return Err("blob belongs to another package".into());
    }
    let blob_len = le32(block, 12).unwrap_or(usize::MAX);
    if blob_len > block.len() - 28 {
        return Err(format!(
            "blob length {blob_len} does not fit its {len}-byte block"
        ));
    }
    let tail = &block[block.len() - 12..];
    if &tail[8..] != TAIL_MAGIC || le32(tail, 4) != Some(blob_len) {
        return Err("bad blob tail".into());
    }
    if le32(tail, 0) != Some(adler32(&block[..block.len() - 12]) as usize) {
        return Err("blob checksum mismatch".into());
    }
    Ok(block[16..16 + blob_len].to_vec())
}

/// Read every header blob from an rpm NDB `Packages.db` file.
pub(super) fn read(bytes: &[u8]) -> Result<Blobs, String> {
    if bytes.len() < 32 || &bytes[..4] != HEADER_MAGIC {
        return Err("not an rpm NDB database (bad magic)".into());
    }
    if le32(bytes, 4) != Some(0) {
        return Err("unsupported NDB version".into());
    }
    let npages = le32(bytes, 12).unwrap_or(0);
    if npages == 0 || npages > MAX_SLOT_PAGES {
        return Err(format!("bad slot page count {npages}"));
    }
    let slots = bytes
        .get(..npages * SLOT_PAGE)
        .ok_or("slot pages are past the end of the file")?;
    let mut out = Blobs::default();
    for (i, slot) in slots.chunks_exact(16).enumerate().skip(2) {
        if &slot[..4] != SLOT_MAGIC {
            return Err(format!("slot {i} has a bad magic"));
        }
        let pkg = le32(slot, 4).unwrap_or(0);
        if pkg == 0 {
            continue;
        }
        let (off, cnt) = (le32(slot, 8).unwrap_or(0), le32(slot, 12).unwrap_or(0));
        match blob(bytes, pkg, off, cnt) {
            Ok(b) => out.blobs.push(b),
            Err(e) => out.warnings.push(format!("package {pkg}: {e}")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// Validates Adler-32 against the RFC 1950 example value for "Wikipedia".
    #[test]
    fn adler() {
        assert_eq!(super::adler32(b"Wikipedia"), 0x11E6_0398);
        assert_eq!(super::adler32(b""), 1);
    }
}

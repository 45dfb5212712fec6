//! rpm's Berkeley DB backend (`Packages`, RHEL/CentOS ≤ 8, SLES ≤ 15 SP2, Amazon Linux 2).
//!
//! A Berkeley DB hash database: page 0 is the hash meta page (magic 0x061561 in either byte
//! order, which decides the byte order of every page; page size; last page number). Hash pages
//! (type 13, or 2 for the unsorted pages of old versions) hold an index of 2-byte item offsets,
//! keys and values alternating. A value is either inline (`H_KEYDATA`, type byte 1, its length
//! given by the previous item's offset) or on a chain of overflow pages (`H_OFFPAGE`, type 3:
//! first page number and total length), each overflow page (type 7) holding `hf_offset` bytes.
//! Keys are 4-byte package numbers; key 0 is rpm's bookkeeping record, not a package.
//!
//! Traps: hostile input. Every offset is checked against its page, page numbers against the
//! file, overflow chains are bounded by the page count (no cycles) and by the declared length.

use super::Blobs;

const HASH_MAGIC: u32 = 0x0006_1561;
const PAGE_HEADER: usize = 26;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_DUPLICATE: u8 = 2;
const H_OFFPAGE: u8 = 3;

/// The database's byte order and geometry.
struct Db<'a> {
    bytes: &'a [u8],
    big_endian: bool,
    page_size: usize,
    pages: usize,
}

impl<'a> Db<'a> {
    fn u16(&self, b: &[u8], at: usize) -> Option<usize> {
        let s = b.get(at..at.checked_add(2)?)?;
        let v = [s[0], s[1]];
        Some(if self.big_endian {
            u16::from_be_bytes(v)
        } else {
            u16::from_le_bytes(v)
        } as usize)
    }

    fn u32(&self, b: &[u8], at: usize) -> Option<u32> {
        let s = b.get(at..at.checked_add(4)?)?;
        let v = [s[0], s[1], s[2], s[3]];
        Some(if self.big_endian {
            u32::from_be_bytes(v)
        } else {
            u32::from_le_bytes(v)
        })
    }

    fn page(&self, n: usize) -> Option<&'a [u8]> {
        if n >= self.pages {
            return None;
        }
        let start = n.checked_mul(self.page_size)?;
        self.bytes.get(start..start.checked_add(self.page_size)?)
    }

    /// The bytes of item `i` on a hash page: from its offset to the previous item's offset.
    fn item(&self, page: &'a [u8], i: usize) -> Option<&'a [u8]> {
        let start = self.u16(page, PAGE_HEADER + 2 * i)?;
        let end = if i == 0 {
            self.page_size
        } else {
            self.u16(page, PAGE_HEADER + 2 * (i - 1))?
        };
        page.get(start..end).filter(|s| !s.is_empty())
    }

    /// Follow an overflow chain from page `first`, collecting `len` bytes.
    fn overflow(&self, first: usize, len: usize) -> Result<Vec<u8>, String> {
        if len > self.bytes.len() {
            return Err(format!(
                "overflow item claims {len} bytes, more than the file"
            ));
        }
        let mut out = Vec::with_capacity(len);
        let mut n = first;
        let mut hops = 0;
        while out.len() < len {
            hops += 1;
            if n == 0 || hops > self.pages {
                return Err(format!(
                    "overflow chain from page {first} is broken or cyclic"
                ));
            }
            let page = self
                .page(n)
                .ok_or_else(|| format!("overflow page {n} is past the end"))?;
            if page[25] != P_OVERFLOW {
                return Err(format!("page {n} is not an overflow page"));
            }
            let used = self.u16(page, 22).unwrap_or(0);
            let chunk = page
                .get(PAGE_HEADER..PAGE_HEADER + used)
                .ok_or_else(|| format!("overflow page {n} has a bad length"))?;
            let take = chunk.len().min(len - out.len());
            out.extend_from_slice(&chunk[..take]);
            n = self.u32(page, 16).unwrap_or(0) as usize;
        }
        Ok(out)
    }
}

/// Read every header blob stored in an rpm Berkeley DB hash `Packages` file.
pub(super) fn read(bytes: &[u8]) -> Result<Blobs, String> {
    let meta = bytes
        .get(..512)
        .ok_or("shorter than a Berkeley DB meta page")?;
    let magic = [meta[12], meta[13], meta[14], meta[15]];
    let big_endian = if u32::from_le_bytes(magic) == HASH_MAGIC {
        false
    } else if u32::from_be_bytes(magic) == HASH_MAGIC {
        true
    } else {
        return Err("not a Berkeley DB hash database (bad magic)".into());
    };
    let mut db = Db {
        bytes,
        big_endian,
        page_size: 0,
        pages: 0,
    };
    let page_size = db.u32(meta, 20).unwrap_or(0) as usize;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(format!("bad page size {page_size}"));
    }
    if meta[24] != 0 {
        return Err("encrypted Berkeley DB databases are not supported".into());
    }
    if meta[25] != P_HASHMETA {
        return Err(format!("page 0 has type {}, not hash meta", meta[25]));
    }
    let last = db.u32(meta, 32).unwrap_or(0) as usize;
    db.page_size = page_size;
    db.pages = last.saturating_add(1).min(bytes.len() / page_size);
    let mut out = Blobs::default();
    if db.pages <= last {
        out.warnings.push(format!(
            "truncated: meta page says {} pages, file holds {}",
            last.saturating_add(1),
            db.pages
        ));
    }
    for n in 1..db.pages {
        let Some(page) = db.page(n) else { break };
        if page[25] != P_HASH && page[25] != P_HASH_UNSORTED {
            continue;
        }
        let entries = db.u16(page, 20).unwrap_or(0);
        if entries & 1 != 0 || PAGE_HEADER + 2 * entries > page_size {
            out.warnings
                .push(format!("page {n}: bad entry count {entries}"));
            continue;
        }
        for pair in 0..entries / 2 {
            let (k, v) = (2 * pair, 2 * pair + 1);
            let (Some(key), Some(val)) = (db.item(page, k), db.item(page, v)) else {
                out.warnings
                    .push(format!("page {n}: item {v} out of bounds"));
                continue;
            };
            // rpm's record 0 holds bookkeeping, not a header.
            if key[0] == H_KEYDATA && key[1..].iter().all(|&b| b == 0) {
                continue;
            }
            match val[0] {
                H_KEYDATA => out.blobs.push(val[1..].to_vec()),
                H_OFFPAGE => {
                    let pgno = db.u32(val, 4);
                    let len = db.u32(val, 8);
                    let (Some(pgno), Some(len)) = (pgno, len) else {
                        out.warnings
                            .push(format!("page {n}: short off-page item {v}"));
                        continue;
                    };
                    match db.overflow(pgno as usize, len as usize) {
                        Ok(blob) => out.blobs.push(blob),
                        Err(e) => out.warnings.push(format!("page {n} item {v}: {e}")),
                    }
                }
                H_DUPLICATE => out
                    .warnings
                    .push(format!("page {n}: duplicate items are not expected")),
                t => out
                    .warnings
                    .push(format!("page {n}: item {v} has unknown type {t}")),
            }
        }
    }
    Ok(out)
}

//! The names of the Go functions in an executable, from its pclntab (the table the Go
//! runtime keeps for stack traces, present in stripped binaries too).
//!
//! Where: the `.gopclntab` (ELF) or `__gopclntab` (Mach-O) section; else the bytes between
//! the `runtime.pclntab` and `runtime.epclntab` symbols (PE, and ELF without the section);
//! else the first place in the file, aligned to 4 bytes, where a header of a known version
//! starts and the whole table reads (stripped PE, files without section headers).
//!
//! The header: a 4-byte magic in the file's byte order (`0xfffffffb` Go 1.2–1.15,
//! `0xfffffffa` 1.16–1.17, `0xfffffff0` 1.18–1.19, `0xfffffff1` 1.20 and later), two zero
//! bytes, the instruction size quantum (1, 2 or 4) and the pointer size (4 or 8). Then:
//! * 1.2: the function count (a pointer-sized word) and the function table right after it;
//!   name offsets are relative to the start of the table;
//! * 1.16: pointer-sized words: function count, file count, then offsets of the function
//!   name table (word 2) and of the function table (word 6);
//! * 1.18 and 1.20: as 1.16 with the text start at word 2, the name table at word 3 and the
//!   function table at word 7; function table fields are 4 bytes instead of pointer-sized.
//!
//! The function table holds (entry, offset of the `_func` record) pairs; a `_func` starts
//! with its entry (pointer-sized before 1.18, 4 bytes since) and the 4-byte offset of its
//! name in the name table (NUL-terminated).
//!
//! Names are kept in govulncheck's spelling: the package path (`%xx` escapes undone,
//! `net/http`), a `.`, then the function (`Serve`) or the receiver type and method with any
//! pointer mark and generic arguments dropped (`(*Server).Serve` → `Server.Serve`). Closures
//! keep their suffix (`Server.Serve.func1`), so they never pass for the function itself.
//! Compiler-generated names (`type:`, `go:` and, before 1.20, `type.` and `go.` prefixes) are
//! dropped.

use std::collections::{BTreeMap, BTreeSet};

use object::{Object, ObjectSection, ObjectSegment, ObjectSymbol};

/// The most functions read from one table.
pub(crate) const MAX_FUNCS: u64 = 4_000_000;
/// The longest function name read.
const MAX_NAME: usize = 4096;

/// The pclntab versions, by header magic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Version {
    V12,
    V116,
    V118,
    V120,
}

impl Version {
    fn of_magic(m: u32) -> Option<Version> {
        match m {
            0xffff_fffb => Some(Version::V12),
            0xffff_fffa => Some(Version::V116),
            0xffff_fff0 => Some(Version::V118),
            0xffff_fff1 => Some(Version::V120),
            _ => None,
        }
    }
}

/// Why the function names could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PclntabError {
    /// No table found.
    #[error("no Go pclntab found")]
    NotFound,
    /// A table whose contents do not read.
    #[error("corrupt Go pclntab: {0}")]
    Corrupt(String),
}

fn corrupt(s: impl Into<String>) -> PclntabError {
    PclntabError::Corrupt(s.into())
}

/// A parsed header over the table's bytes.
struct Table<'a> {
    data: &'a [u8],
    version: Version,
    ptr: usize,
    big: bool,
}

impl<'a> Table<'a> {
    fn header(data: &'a [u8]) -> Result<Table<'a>, PclntabError> {
        if data.len() < 16 {
            return Err(corrupt("header truncated"));
        }
        let le = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
        let be = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
        let (version, big) = match (Version::of_magic(le), Version::of_magic(be)) {
            (Some(v), _) => (v, false),
            (None, Some(v)) => (v, true),
            (None, None) => return Err(corrupt(format!("unknown header magic {le:#x}"))),
        };
        if data[4] != 0 || data[5] != 0 {
            return Err(corrupt("header padding is not zero"));
        }
        if !matches!(data[6], 1 | 2 | 4) {
            return Err(corrupt(format!(
                "instruction quantum {} is not 1, 2 or 4",
                data[6]
            )));
        }
        let ptr = data[7] as usize;
        if ptr != 4 && ptr != 8 {
            return Err(corrupt(format!("pointer size {ptr} is neither 4 nor 8")));
        }
        Ok(Table {
            data,
            version,
            ptr,
            big,
        })
    }

    fn uint(&self, at: usize, size: usize) -> Result<u64, PclntabError> {
        let b = at
            .checked_add(size)
            .and_then(|end| self.data.get(at..end))
            .ok_or_else(|| corrupt(format!("offset {at:#x} is past the end of the table")))?;
        let mut v: u64 = 0;
        for i in 0..size {
            let byte = if self.big { b[i] } else { b[size - 1 - i] };
            v = (v << 8) | u64::from(byte);
        }
        Ok(v)
    }

    /// Header word `w` (pointer-sized, after the first 8 bytes).
    fn word(&self, w: usize) -> Result<u64, PclntabError> {
        self.uint(8 + w * self.ptr, self.ptr)
    }

    fn offset(&self, w: usize, what: &str) -> Result<usize, PclntabError> {
        let off = self.word(w)?;
        usize::try_from(off)
            .ok()
            .filter(|&o| o <= self.data.len())
            .ok_or_else(|| {
                corrupt(format!(
                    "{what} offset {off:#x} is past the end of the table"
                ))
            })
    }

    /// Every function name, raw (`net/http.(*Server).Serve`).
    fn names(&self) -> Result<Vec<&'a str>, PclntabError> {
        let (nfunc, names_at, functab_at, field) = match self.version {
            Version::V12 => (self.word(0)?, 0, 8 + self.ptr, self.ptr),
            Version::V116 => (
                self.word(0)?,
                self.offset(2, "name table")?,
                self.offset(6, "function table")?,
                self.ptr,
            ),
            Version::V118 | Version::V120 => (
                self.word(0)?,
                self.offset(3, "name table")?,
                self.offset(7, "function table")?,
                4,
            ),
        };
        // The function data is addressed from the function table (1.16+) or the start (1.2).
        let funcdata_at = if self.version == Version::V12 {
            0
        } else {
            functab_at
        };
        let fits = nfunc
            .checked_mul(2)
            .and_then(|n| n.checked_add(1))
            .and_then(|n| n.checked_mul(field as u64))
            .and_then(|n| n.checked_add(functab_at as u64))
            .is_some_and(|end| end <= self.data.len() as u64);
        if nfunc > MAX_FUNCS || !fits {
            return Err(corrupt(format!(
                "{nfunc} functions do not fit in a {}-byte table",
                self.data.len()
            )));
        }
        let nfunc = nfunc as usize;
        // The `_func` record's name offset follows its entry.
        let name_field = if self.version >= Version::V118 {
            4
        } else {
            self.ptr
        };
        let mut out = Vec::with_capacity(nfunc);
        for i in 0..nfunc {
            let funcoff = self.uint(functab_at + (2 * i + 1) * field, field)?;
            let rec = usize::try_from(funcoff)
                .ok()
                .and_then(|o| o.checked_add(funcdata_at))
                .ok_or_else(|| corrupt(format!("function {i}: record offset {funcoff:#x}")))?;
            let nameoff = self.uint(
                rec.checked_add(name_field)
                    .ok_or_else(|| corrupt("record offset overflows"))?,
                4,
            )? as usize;
            let start = names_at
                .checked_add(nameoff)
                .filter(|&s| s < self.data.len())
                .ok_or_else(|| {
                    corrupt(format!(
                        "function {i}: name offset {nameoff:#x} past the end"
                    ))
                })?;
            let rest = &self.data[start..self.data.len().min(start + MAX_NAME)];
            let end = rest
                .iter()
                .position(|&b| b == 0)
                .ok_or_else(|| corrupt(format!("function {i}: name without an end")))?;
            let name = std::str::from_utf8(&rest[..end])
                .map_err(|_| corrupt(format!("function {i}: name is not UTF-8")))?;
            out.push(name);
        }
        Ok(out)
    }
}

/// The raw function names of the table `data` starts with, and its version.
pub(crate) fn raw_names(data: &[u8]) -> Result<(Version, Vec<&str>), PclntabError> {
    let t = Table::header(data)?;
    Ok((t.version, t.names()?))
}

/// The table's bytes in `file`, by section or by symbols.
fn locate<'d>(file: &object::File<'d>) -> Option<&'d [u8]> {
    for sec in file.sections() {
        if matches!(sec.name(), Ok(".gopclntab" | "__gopclntab")) {
            if let Ok(d) = sec.data() {
                if !d.is_empty() {
                    return Some(d);
                }
            }
        }
    }
    let mut start = None;
    let mut end = None;
    for sym in file.symbols() {
        match sym.name() {
            Ok("runtime.pclntab") => start = Some(sym.address()),
            Ok("runtime.epclntab") => end = Some(sym.address()),
            _ => {}
        }
    }
    let (start, end) = (start?, end?);
    let len = end.checked_sub(start)?;
    file.segments()
        .find_map(|s| s.data_range(start, len).ok().flatten())
}

/// Searches `data` for a table: the first 4-byte aligned header of a known version whose
/// names all read.
fn search(data: &[u8]) -> Result<(Version, Vec<&str>), PclntabError> {
    const MAGICS: [[u8; 4]; 4] = [
        [0xf1, 0xff, 0xff, 0xff],
        [0xf0, 0xff, 0xff, 0xff],
        [0xfa, 0xff, 0xff, 0xff],
        [0xfb, 0xff, 0xff, 0xff],
    ];
    let mut i = 0;
    while i + 16 <= data.len() {
        let w = &data[i..i + 4];
        let hit = MAGICS
            .iter()
            .any(|m| w == m || (w[0] == m[3] && w[1] == m[2] && w[2] == m[1] && w[3] == m[0]));
        if hit && data[i + 4] == 0 && data[i + 5] == 0 {
            if let Ok((v, names)) = raw_names(&data[i..]) {
                if !names.is_empty() {
                    return Ok((v, names));
                }
            }
        }
        i += 4;
    }
    Err(PclntabError::NotFound)
}

/// The Go functions of the executable `data`, in govulncheck's spelling, by package path
/// (`net/http` → `Server.Serve`, `ListenAndServe`, …), sorted and deduplicated.
pub(crate) fn functions(
    data: &[u8],
    file: Option<&object::File<'_>>,
) -> Result<BTreeMap<String, BTreeSet<String>>, PclntabError> {
    let (version, names) = match file.and_then(locate) {
        Some(table) => raw_names(table)?,
        None => search(data)?,
    };
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (pkg, sym) in names.into_iter().filter_map(|n| normalize(n, version)) {
        out.entry(pkg).or_default().insert(sym);
    }
    Ok(out)
}

/// `name` without generic arguments (`F[...]`, `(*T[...]).M`).
fn without_inst(name: &str) -> std::borrow::Cow<'_, str> {
    match (name.find('['), name.rfind(']')) {
        (Some(s), Some(e)) if e > s => format!("{}{}", &name[..s], &name[e + 1..]).into(),
        _ => name.into(),
    }
}

/// `%xx` escapes undone (the linker escapes dots in the last path element: `yaml%2ev2`).
fn path_unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One function name in govulncheck's spelling, as (package path, `Func` or `Type.Method`),
/// as its `parseName` reads `debug/gosym` symbols; `None` for names of no package.
pub(crate) fn normalize(name: &str, version: Version) -> Option<(String, String)> {
    let plain = without_inst(name);
    let generated = if version >= Version::V120 {
        plain.starts_with("go:") || plain.starts_with("type:")
    } else {
        plain.starts_with("go.") || plain.starts_with("type.")
    };
    if generated {
        return None;
    }
    let pathend = plain.rfind('/').unwrap_or(0);
    let first_dot = pathend + plain[pathend..].find('.')?;
    let last_dot = pathend + plain[pathend..].rfind('.')?;
    let pkg = path_unescape(&plain[..first_dot]);
    if pkg.is_empty() {
        return None;
    }
    let base = &plain[last_dot + 1..];
    if first_dot == last_dot {
        return Some((pkg, base.to_string()));
    }
    // `(*T).M` and `(*T).M.func1` → `T.M`, `T.M.func1`.
    let recv = &plain[first_dot + 1..last_dot];
    let recv = match recv.strip_prefix("(*").and_then(|r| r.split_once(')')) {
        Some((t, rest)) => format!("{t}{rest}"),
        None => recv.to_string(),
    };
    Some((pkg, format!("{recv}.{base}")))
}

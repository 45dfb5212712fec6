//! The Go build info of an executable: the Go version and the module information text
//! (`path`, `mod`, `dep`, `=>`, `build` lines) that `go version -m` prints.
//!
//! The linker writes a 32-byte header aligned to 16 bytes, starting with the magic
//! `\xff Go buildinf:`, then the pointer size (byte 14) and flags (byte 15):
//! * Go 1.18 and later (flag bit 2 set): the version and the module text follow the header
//!   inline, each as a uvarint length and the bytes;
//! * before 1.18: two pointers after the header (at 16 and 16 + pointer size) to Go string
//!   headers (data pointer, length), in the byte order flag bit 1 says (1 = big-endian),
//!   resolved through the file's segments.
//!
//! The header is looked for where `debug/buildinfo` looks: the `.go.buildinfo` (ELF) or
//! `__go_buildinfo` (Mach-O) section, else the writable data (ELF segments with the write
//! flag, the Mach-O `__DATA` segment, PE sections with the write flag), else, for a file whose
//! headers do not parse, the whole file. The module text sits between two 16-byte sentinels,
//! which are cut off.

use object::{Object, ObjectSection, ObjectSegment};

/// The magic that starts the header.
pub(crate) const MAGIC: &[u8; 14] = b"\xff Go buildinf:";
/// The header's size.
const HEADER: usize = 32;
/// The header's alignment in the file.
const ALIGN: usize = 16;
/// The longest Go version string read (`go1.21.0 X:boringcrypto`).
const MAX_VERSION: u64 = 1024;
/// The longest module information text read.
pub(crate) const MAX_MODINFO: u64 = 4 * 1024 * 1024;

/// What the build info says, raw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Raw {
    /// `go1.19.8`, as the binary writes it.
    pub go_version: String,
    /// The module text without its sentinels (empty when the binary has none: GOPATH mode).
    pub modinfo: String,
}

/// Why a build info could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BuildInfoError {
    /// No header: not a Go binary (or one whose build info was removed).
    #[error("no Go build info")]
    NotFound,
    /// A header, but what follows it does not read.
    #[error("corrupt Go build info: {0}")]
    Corrupt(String),
}

fn corrupt(s: impl Into<String>) -> BuildInfoError {
    BuildInfoError::Corrupt(s.into())
}

/// Finds the first 16-byte aligned header in `region`: its offset.
fn find_header(region: &[u8]) -> Option<usize> {
    let mut at = 0;
    while at + MAGIC.len() <= region.len() {
        let rest = &region[at..];
        let i = memfind(rest, MAGIC)?;
        let pos = at + i;
        if pos % ALIGN == 0 {
            return Some(pos);
        }
        at = (pos + ALIGN) & !(ALIGN - 1);
    }
    None
}

/// The first index of `needle` in `hay`.
pub(crate) fn memfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while from + needle.len() <= hay.len() {
        let i = hay[from..=hay.len() - needle.len()]
            .iter()
            .position(|&b| b == first)?;
        let at = from + i;
        if &hay[at + 1..at + needle.len()] == rest {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// A uvarint at the start of `b`: the value and its length.
fn uvarint(b: &[u8]) -> Result<(u64, usize), BuildInfoError> {
    let mut x: u64 = 0;
    for (i, &byte) in b.iter().enumerate().take(10) {
        if i == 9 && byte > 1 {
            return Err(corrupt("length varint overflows"));
        }
        x |= u64::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            return Ok((x, i + 1));
        }
    }
    Err(corrupt("truncated length varint"))
}

/// A uvarint-prefixed string at the start of `b`, at most `max` bytes: the string and the rest.
fn inline_string<'b>(
    b: &'b [u8],
    max: u64,
    what: &str,
) -> Result<(&'b [u8], usize), BuildInfoError> {
    let (len, n) = uvarint(b)?;
    if len > max {
        return Err(corrupt(format!(
            "{what} length {len} is over the {max}-byte limit"
        )));
    }
    let end = n
        .checked_add(len as usize)
        .filter(|&e| e <= b.len())
        .ok_or_else(|| corrupt(format!("{what} length {len} runs past the end of the file")))?;
    Ok((&b[n..end], end))
}

/// Address → bytes, through the object file's loaded segments (sections for PE).
struct Memory<'d, 'f> {
    file: Option<&'f object::File<'d>>,
}

impl<'d> Memory<'d, '_> {
    fn read(&self, addr: u64, len: u64) -> Option<&'d [u8]> {
        let file = self.file?;
        // Segments only (ELF program headers, Mach-O segments, PE sections): sections that
        // are not loaded (ELF `.shstrtab`) have address 0 and would answer for low pointers.
        file.segments()
            .find_map(|seg| seg.data_range(addr, len).ok().flatten())
    }
}

fn read_uint(b: &[u8], size: usize, big: bool) -> u64 {
    let mut v: u64 = 0;
    for i in 0..size {
        let byte = if big { b[i] } else { b[size - 1 - i] };
        v = (v << 8) | u64::from(byte);
    }
    v
}

/// A Go string header at `addr` (pointer, length), read through `mem`.
fn pointer_string<'d>(
    mem: &Memory<'d, '_>,
    addr: u64,
    ptr: usize,
    big: bool,
    max: u64,
    what: &str,
) -> Result<&'d [u8], BuildInfoError> {
    let hdr = mem.read(addr, 2 * ptr as u64).ok_or_else(|| {
        corrupt(format!(
            "{what} string header at {addr:#x} is outside every segment"
        ))
    })?;
    let data = read_uint(hdr, ptr, big);
    let len = read_uint(&hdr[ptr..], ptr, big);
    if len > max {
        return Err(corrupt(format!(
            "{what} length {len} is over the {max}-byte limit"
        )));
    }
    if len == 0 {
        return Ok(&[]);
    }
    let bytes = mem.read(data, len).ok_or_else(|| {
        corrupt(format!(
            "{what} data at {data:#x} ({len} bytes) is outside every segment"
        ))
    })?;
    Ok(bytes)
}

/// Parses the header found at the start of `at` (the rest of its region).
fn parse_header<'d>(at: &'d [u8], mem: &Memory<'d, '_>) -> Result<Raw, BuildInfoError> {
    if at.len() < HEADER {
        return Err(corrupt("header truncated"));
    }
    let ptr = at[14] as usize;
    let flags = at[15];
    let (go_version, modinfo) = if flags & 2 != 0 {
        let (vers, n) = inline_string(&at[HEADER..], MAX_VERSION, "Go version")?;
        let (m, _) = inline_string(&at[HEADER + n..], MAX_MODINFO, "module information")?;
        (vers, m)
    } else {
        if ptr != 4 && ptr != 8 {
            return Err(corrupt(format!("pointer size {ptr} is neither 4 nor 8")));
        }
        let big = flags & 1 != 0;
        let vaddr = read_uint(&at[16..], ptr, big);
        let maddr = read_uint(&at[16 + ptr..], ptr, big);
        let vers = pointer_string(mem, vaddr, ptr, big, MAX_VERSION, "Go version")?;
        let m = pointer_string(mem, maddr, ptr, big, MAX_MODINFO, "module information")?;
        (vers, m)
    };
    if go_version.is_empty() {
        return Err(corrupt("empty Go version"));
    }
    Ok(Raw {
        go_version: String::from_utf8_lossy(go_version).into_owned(),
        modinfo: strip_sentinels(modinfo),
    })
}

/// The module text between its 16-byte sentinels; empty when they are not there (as
/// `debug/buildinfo` reads it).
fn strip_sentinels(b: &[u8]) -> String {
    if b.len() >= 33 && b[b.len() - 17] == b'\n' {
        String::from_utf8_lossy(&b[16..b.len() - 16]).into_owned()
    } else {
        String::new()
    }
}

/// The regions of `file` to search for the header, most specific first, as file ranges.
fn regions<'d>(file: &object::File<'d>) -> Vec<&'d [u8]> {
    let mut out = Vec::new();
    for sec in file.sections() {
        if matches!(sec.name(), Ok(".go.buildinfo" | "__go_buildinfo")) {
            if let Ok(d) = sec.data() {
                out.push(d);
            }
        }
    }
    match file.format() {
        object::BinaryFormat::Elf => {
            for seg in file.segments() {
                let writable = matches!(seg.flags(), object::SegmentFlags::Elf { p_flags } if p_flags & object::elf::PF_W != 0);
                if writable {
                    if let Ok(d) = seg.data() {
                        out.push(d);
                    }
                }
            }
        }
        object::BinaryFormat::MachO => {
            for seg in file.segments() {
                if matches!(seg.name(), Ok(Some("__DATA"))) {
                    if let Ok(d) = seg.data() {
                        out.push(d);
                    }
                }
            }
        }
        object::BinaryFormat::Pe => {
            for sec in file.sections() {
                let writable = matches!(sec.flags(), object::SectionFlags::Coff { characteristics } if characteristics & object::pe::IMAGE_SCN_MEM_WRITE != 0);
                if writable {
                    if let Ok(d) = sec.data() {
                        out.push(d);
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// Reads the build info of the executable `data` (`file`: its parsed headers, when they parse).
pub(crate) fn read<'d>(
    data: &'d [u8],
    file: Option<&object::File<'d>>,
) -> Result<Raw, BuildInfoError> {
    let mem = Memory { file };
    let regions = match file {
        Some(f) => regions(f),
        None => vec![data],
    };
    for region in regions {
        if let Some(at) = find_header(region) {
            return parse_header(&region[at..], &mem);
        }
    }
    Err(BuildInfoError::NotFound)
}

/// One module line of the module text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Module {
    pub path: String,
    pub version: String,
    pub sum: String,
    /// The `=>` line that follows, when the module was replaced.
    pub replace: Option<Box<Module>>,
}

/// The module text, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ModInfo {
    /// `path`: the main package's import path.
    pub path: Option<String>,
    /// `mod`: the main module.
    pub main: Option<Module>,
    /// `dep` lines, in order.
    pub deps: Vec<Module>,
    /// `build` settings (`-ldflags`, `GOOS`, `vcs.revision`), values unquoted.
    pub settings: Vec<(String, String)>,
}

fn module(fields: &[&str]) -> Module {
    let get = |i: usize| fields.get(i).map_or(String::new(), |s| s.to_string());
    Module {
        path: get(0),
        version: get(1),
        sum: get(2),
        replace: None,
    }
}

/// A Go-quoted string (`"-s -w"`) unquoted; other text as it is.
fn unquote(s: &str) -> String {
    let Some(inner) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return s.to_string();
    };
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Parses the module text as `runtime/debug.ParseBuildInfo` does; lines it does not know are
/// returned as problems (`line N: …`).
pub(crate) fn parse_modinfo(text: &str) -> (ModInfo, Vec<String>) {
    let mut info = ModInfo::default();
    let mut problems = Vec::new();
    // Which module a `=>` line replaces: the main module (-1) or a dep.
    let mut last: Option<Option<usize>> = None;
    for (n, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let Some((key, rest)) = line.split_once('\t') else {
            problems.push(format!("line {}: no tab: {line:.80}", n + 1));
            continue;
        };
        let fields: Vec<&str> = rest.split('\t').collect();
        match key {
            "go" => {}
            "path" => info.path = Some(rest.to_string()),
            "mod" => {
                info.main = Some(module(&fields));
                last = Some(None);
            }
            "dep" => {
                info.deps.push(module(&fields));
                last = Some(Some(info.deps.len() - 1));
            }
            "=>" => {
                let target = match last.take() {
                    Some(Some(i)) => info.deps.get_mut(i),
                    Some(None) => info.main.as_mut(),
                    None => None,
                };
                match target {
                    Some(m) => m.replace = Some(Box::new(module(&fields))),
                    None => problems.push(format!(
                        "line {}: a replacement without a module before it",
                        n + 1
                    )),
                }
            }
            "build" => {
                let (k, v) = if rest.starts_with('"') {
                    // A quoted key: find its closing quote.
                    let mut end = None;
                    let mut esc = false;
                    for (i, c) in rest.char_indices().skip(1) {
                        match c {
                            '\\' if !esc => esc = true,
                            '"' if !esc => {
                                end = Some(i);
                                break;
                            }
                            _ => esc = false,
                        }
                    }
                    match end {
                        Some(e) => (
                            unquote(&rest[..=e]),
                            rest[e + 1..].strip_prefix('=').unwrap_or(""),
                        ),
                        None => (rest.to_string(), ""),
                    }
                } else {
                    match rest.split_once('=') {
                        Some((k, v)) => (k.to_string(), v),
                        None => (rest.to_string(), ""),
                    }
                };
                info.settings.push((k, unquote(v)));
            }
            _ => problems.push(format!("line {}: unknown key {key:.40}", n + 1)),
        }
    }
    (info, problems)
}

#[cfg(test)]
pub(crate) fn sentinel_wrap(text: &str) -> Vec<u8> {
    let mut v = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6".to_vec();
    v.extend_from_slice(text.as_bytes());
    v.extend_from_slice(b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2");
    v
}

//! Go binaries written here in the published layouts (ELF, Mach-O and PE headers, the build
//! info header in both its forms, pclntab tables of each version), and real ones built with
//! the Go toolchain when it is installed.

use std::sync::Arc;

use super::buildinfo::{parse_modinfo, sentinel_wrap, MAGIC};
use super::*;
use crate::diagnostics;

// ---- writers of the published layouts ----

/// One section of a fixture executable: name, contents, writable.
struct Sec {
    name: &'static str,
    data: Vec<u8>,
    write: bool,
}

fn sec(name: &'static str, data: Vec<u8>, write: bool) -> Sec {
    Sec { name, data, write }
}

/// Where the fixtures' sections are placed: section `i` at file offset and address
/// `BASE + OFF * (i + 1)` / `OFF * (i + 1)`.
const BASE: u64 = 0x40_0000;
const OFF: usize = 0x1000;

fn put(out: &mut Vec<u8>, at: usize, bytes: &[u8]) {
    if out.len() < at + bytes.len() {
        out.resize(at + bytes.len(), 0);
    }
    out[at..at + bytes.len()].copy_from_slice(bytes);
}

/// A 64-bit ELF executable, one PT_LOAD per section (file offset `OFF * (i+1)`, address
/// `BASE` plus that), with section headers unless `shdrs` is false.
fn elf(secs: &[Sec], shdrs: bool, big: bool) -> Vec<u8> {
    let u16b = |v: u16| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let u32b = |v: u32| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let u64b = |v: u64| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut out = vec![0u8; 64];
    out[..4].copy_from_slice(b"\x7fELF");
    out[4] = 2; // 64-bit
    out[5] = if big { 2 } else { 1 };
    out[6] = 1;
    put(&mut out, 16, &u16b(2)); // ET_EXEC
    put(&mut out, 18, &u16b(if big { 43 } else { 62 }));
    put(&mut out, 20, &u32b(1));
    put(&mut out, 32, &u64b(64)); // e_phoff
    put(&mut out, 52, &u16b(64));
    put(&mut out, 54, &u16b(56));
    put(&mut out, 56, &u16b(secs.len() as u16));
    for (i, s) in secs.iter().enumerate() {
        let ph = 64 + 56 * i;
        let off = (OFF * (i + 1)) as u64;
        put(&mut out, ph, &u32b(1)); // PT_LOAD
        put(&mut out, ph + 4, &u32b(if s.write { 6 } else { 5 }));
        put(&mut out, ph + 8, &u64b(off));
        put(&mut out, ph + 16, &u64b(BASE + off));
        put(&mut out, ph + 24, &u64b(BASE + off));
        put(&mut out, ph + 32, &u64b(s.data.len() as u64));
        put(&mut out, ph + 40, &u64b(s.data.len() as u64));
        put(&mut out, ph + 48, &u64b(0x1000));
        put(&mut out, OFF * (i + 1), &s.data);
    }
    if shdrs {
        let mut strtab = vec![0u8];
        let mut names = Vec::new();
        for s in secs.iter().map(|s| s.name).chain([".shstrtab"]) {
            names.push(strtab.len() as u32);
            strtab.extend_from_slice(s.as_bytes());
            strtab.push(0);
        }
        let str_off = (out.len() + 15) & !15;
        put(&mut out, str_off, &strtab);
        let sh_off = (out.len() + 15) & !15;
        let n = secs.len() + 2;
        out.resize(sh_off + 64 * n, 0);
        for (i, s) in secs.iter().enumerate() {
            let sh = sh_off + 64 * (i + 1);
            let off = (OFF * (i + 1)) as u64;
            put(&mut out, sh, &u32b(names[i]));
            put(&mut out, sh + 4, &u32b(1)); // PROGBITS
            put(&mut out, sh + 8, &u64b(if s.write { 3 } else { 2 }));
            put(&mut out, sh + 16, &u64b(BASE + off));
            put(&mut out, sh + 24, &u64b(off));
            put(&mut out, sh + 32, &u64b(s.data.len() as u64));
            put(&mut out, sh + 48, &u64b(16));
        }
        let sh = sh_off + 64 * (n - 1);
        put(&mut out, sh, &u32b(names[secs.len()]));
        put(&mut out, sh + 4, &u32b(3)); // STRTAB
        put(&mut out, sh + 24, &u64b(str_off as u64));
        put(&mut out, sh + 32, &u64b(strtab.len() as u64));
        put(&mut out, 40, &u64b(sh_off as u64));
        put(&mut out, 58, &u16b(64));
        put(&mut out, 60, &u16b(n as u16));
        put(&mut out, 62, &u16b((n - 1) as u16));
    }
    out
}

/// A 64-bit Mach-O executable: one `__DATA` or `__TEXT` segment per section.
fn macho(secs: &[Sec]) -> Vec<u8> {
    let mut out = vec![0u8; 32];
    put(&mut out, 0, &0xfeed_facfu32.to_le_bytes());
    put(&mut out, 4, &0x0100_0007u32.to_le_bytes()); // x86_64
    put(&mut out, 8, &3u32.to_le_bytes());
    put(&mut out, 12, &2u32.to_le_bytes()); // MH_EXECUTE
    put(&mut out, 16, &(secs.len() as u32).to_le_bytes());
    put(&mut out, 20, &((72 + 80) * secs.len() as u32).to_le_bytes());
    let name16 = |out: &mut Vec<u8>, at: usize, s: &str| {
        let mut b = [0u8; 16];
        b[..s.len()].copy_from_slice(s.as_bytes());
        put(out, at, &b);
    };
    for (i, s) in secs.iter().enumerate() {
        let cmd = 32 + (72 + 80) * i;
        let off = (OFF * (i + 1)) as u64;
        let seg = if s.write { "__DATA" } else { "__TEXT" };
        put(&mut out, cmd, &0x19u32.to_le_bytes());
        put(&mut out, cmd + 4, &152u32.to_le_bytes());
        name16(&mut out, cmd + 8, seg);
        put(&mut out, cmd + 24, &(BASE + off).to_le_bytes());
        put(&mut out, cmd + 32, &(OFF as u64).to_le_bytes());
        put(&mut out, cmd + 40, &off.to_le_bytes());
        put(&mut out, cmd + 48, &(s.data.len() as u64).to_le_bytes());
        put(&mut out, cmd + 56, &3u32.to_le_bytes());
        put(&mut out, cmd + 60, &3u32.to_le_bytes());
        put(&mut out, cmd + 64, &1u32.to_le_bytes());
        let sc = cmd + 72;
        name16(&mut out, sc, s.name);
        name16(&mut out, sc + 16, seg);
        put(&mut out, sc + 32, &(BASE + off).to_le_bytes());
        put(&mut out, sc + 40, &(s.data.len() as u64).to_le_bytes());
        put(&mut out, sc + 48, &(off as u32).to_le_bytes());
        put(&mut out, sc + 52, &4u32.to_le_bytes());
        put(&mut out, OFF * (i + 1), &s.data);
    }
    out
}

/// A PE32+ executable, one section per fixture section.
fn pe(secs: &[Sec]) -> Vec<u8> {
    let mut out = vec![0u8; 0x80];
    put(&mut out, 0, b"MZ");
    put(&mut out, 0x3c, &0x80u32.to_le_bytes());
    put(&mut out, 0x80, b"PE\0\0");
    let coff = 0x84;
    put(&mut out, coff, &0x8664u16.to_le_bytes());
    put(&mut out, coff + 2, &(secs.len() as u16).to_le_bytes());
    put(&mut out, coff + 16, &240u16.to_le_bytes());
    put(&mut out, coff + 18, &0x22u16.to_le_bytes());
    let opt = coff + 20;
    put(&mut out, opt, &0x20bu16.to_le_bytes());
    put(&mut out, opt + 24, &BASE.to_le_bytes()); // ImageBase
    put(&mut out, opt + 32, &(OFF as u32).to_le_bytes()); // SectionAlignment
    put(&mut out, opt + 36, &0x200u32.to_le_bytes()); // FileAlignment
    put(&mut out, opt + 40, &6u16.to_le_bytes());
    put(&mut out, opt + 48, &6u16.to_le_bytes());
    put(
        &mut out,
        opt + 56,
        &((OFF * (secs.len() + 1)) as u32).to_le_bytes(),
    );
    put(&mut out, opt + 60, &0x400u32.to_le_bytes());
    put(&mut out, opt + 68, &3u16.to_le_bytes());
    put(&mut out, opt + 108, &16u32.to_le_bytes());
    for (i, s) in secs.iter().enumerate() {
        let sh = opt + 240 + 40 * i;
        let off = OFF * (i + 1);
        let mut name = [0u8; 8];
        let n = s.name.len().min(8);
        name[..n].copy_from_slice(&s.name.as_bytes()[..n]);
        put(&mut out, sh, &name);
        put(&mut out, sh + 8, &(s.data.len() as u32).to_le_bytes());
        put(&mut out, sh + 12, &(off as u32).to_le_bytes());
        let raw = (s.data.len() + 0x1ff) & !0x1ff;
        put(&mut out, sh + 16, &(raw as u32).to_le_bytes());
        put(&mut out, sh + 20, &(off as u32).to_le_bytes());
        let flags: u32 = if s.write { 0xc000_0040 } else { 0x4000_0040 };
        put(&mut out, sh + 36, &flags.to_le_bytes());
        put(&mut out, off, &s.data);
        out.resize(off + raw, 0);
    }
    out
}

fn uvarint(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
    out
}

/// The Go 1.18+ build info: the header with the inline flag, then both strings.
fn inline_buildinfo(go: &str, modinfo: &str) -> Vec<u8> {
    let mut b = MAGIC.to_vec();
    b.push(8);
    b.push(2);
    b.resize(32, 0);
    b.extend(uvarint(go.len() as u64));
    b.extend_from_slice(go.as_bytes());
    let m = sentinel_wrap(modinfo);
    b.extend(uvarint(m.len() as u64));
    b.extend(m);
    b
}

/// The pre-1.18 build info in a data section at `addr` (the first section of a fixture):
/// the header, two pointers, two string headers, then the strings.
fn pointer_buildinfo(addr: u64, go: &str, modinfo: &str, big: bool) -> Vec<u8> {
    let p = |v: u64| {
        if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let m = sentinel_wrap(modinfo);
    let mut b = MAGIC.to_vec();
    b.push(8);
    b.push(u8::from(big));
    b.extend(p(addr + 32));
    b.extend(p(addr + 48));
    // String headers at 32 and 48, the strings from 64.
    b.extend(p(addr + 64));
    b.extend(p(go.len() as u64));
    b.extend(p(addr + 64 + go.len() as u64));
    b.extend(p(m.len() as u64));
    b.extend_from_slice(go.as_bytes());
    b.extend(m);
    b
}

/// A pclntab of `version` (pointer size 8, little-endian) naming `names`.
fn pclntab(version: pclntab::Version, names: &[&str]) -> Vec<u8> {
    use pclntab::Version::*;
    let magic: u32 = match version {
        V12 => 0xffff_fffb,
        V116 => 0xffff_fffa,
        V118 => 0xffff_fff0,
        V120 => 0xffff_fff1,
    };
    let mut t = magic.to_le_bytes().to_vec();
    t.extend([0, 0, 1, 8]);
    let n = names.len();
    let mut nametab = Vec::new();
    let mut nameoffs = Vec::new();
    for name in names {
        nameoffs.push(nametab.len() as u32);
        nametab.extend_from_slice(name.as_bytes());
        nametab.push(0);
    }
    let word = |t: &mut Vec<u8>, v: u64| t.extend(v.to_le_bytes());
    match version {
        V12 => {
            // nfunc, functab (pc, funcoff) pairs + end pc + file offset, _func records,
            // names; all offsets from the start.
            word(&mut t, n as u64);
            let functab = t.len();
            let funcs = functab + (2 * n + 1) * 8 + 4;
            let names_at = funcs + n * 16;
            for i in 0..n {
                word(&mut t, 0x1000 + i as u64);
                word(&mut t, (funcs + 16 * i) as u64);
            }
            word(&mut t, 0x2000);
            t.extend(0u32.to_le_bytes());
            for off in &nameoffs {
                word(&mut t, 0x1000);
                t.extend((names_at as u32 + off).to_le_bytes());
                t.extend(0u32.to_le_bytes());
            }
            t.extend(nametab);
        }
        V116 | V118 | V120 => {
            let (words, field, name_word, tab_word, entry) = if version == V116 {
                (7, 8, 2, 6, 8)
            } else {
                (8, 4, 3, 7, 4)
            };
            let names_at = 8 + words * 8;
            let functab = names_at + nametab.len();
            let mut header = vec![0u64; words];
            header[0] = n as u64;
            header[name_word] = names_at as u64;
            header[tab_word] = functab as u64;
            for w in header {
                word(&mut t, w);
            }
            t.extend(&nametab);
            let funcs = (2 * n + 1) * field;
            let mut tab = Vec::new();
            let f = |tab: &mut Vec<u8>, v: u64| {
                if field == 8 {
                    tab.extend(v.to_le_bytes())
                } else {
                    tab.extend((v as u32).to_le_bytes())
                }
            };
            for i in 0..n {
                f(&mut tab, 0x100 * i as u64);
                f(&mut tab, (funcs + (entry + 4) * i) as u64);
            }
            f(&mut tab, 0x100 * n as u64);
            for off in &nameoffs {
                if entry == 8 {
                    tab.extend(0u64.to_le_bytes());
                } else {
                    tab.extend(0u32.to_le_bytes());
                }
                tab.extend(off.to_le_bytes());
            }
            t.extend(tab);
        }
    }
    t
}

const MODINFO: &str = "path\texample.com/app/cmd/app\n\
mod\texample.com/app\t(devel)\t\n\
dep\tgithub.com/google/uuid\tv1.3.0\th1:t6JiXgmwXMjEs8VusXIJk2BXHsn+wx8BZdTaoZ5fu7I=\n\
dep\tgolang.org/x/net\tv0.7.0\th1:abc=\n\
=>\tgolang.org/x/net\tv0.17.0\th1:def=\n\
dep\tgopkg.in/yaml.v3\tv3.0.1\th1:ghi=\n\
dep\texample.com/local\tv1.0.0\n\
=>\t../local\t\t\n\
build\t-compiler=gc\n\
build\t-ldflags=\"-s -w\"\n\
build\tCGO_ENABLED=0\n\
build\tGOOS=linux\n\
build\tvcs.revision=0123456789abcdef\n";

const FUNCS: [&str; 9] = [
    "main.main",
    "net/http.(*Server).Serve",
    "net/http.(*Server).Serve.func1",
    "net/http.ListenAndServe",
    "golang.org/x/net/http2.(*Framer).ReadFrame",
    "gopkg.in/yaml%2ev3.Unmarshal",
    "github.com/google/uuid.UUID.String",
    "slices.Sort[go.shape.int]",
    "type:.eq.net/http.Request",
];

fn view(path: &str, data: &[u8]) -> FileSet {
    let reduced = GoBinary.reduce(path, data).expect("a Go binary");
    FileSet::from([(path.to_string(), Arc::new(reduced))])
}

fn by_name<'a>(a: &'a Analysis, name: &str) -> &'a Package {
    a.packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} in {:?}", a.packages))
}

// ---- build info ----

/// Validates the Go 1.18+ inline build info in an ELF `.go.buildinfo` section: stdlib at the
/// Go version, the main module at `(devel)`, each dep at its version, a replaced module as
/// its replacement with the original in `found_by`, a local replacement as unknown, the main
/// module depending on all of them, and functions assigned to the module they belong to.
#[test]
fn inline_build_info_in_elf() {
    let bin = elf(
        &[
            sec(".text", vec![0xcc; 64], false),
            sec(".gopclntab", pclntab(pclntab::Version::V120, &FUNCS), false),
            sec(
                ".go.buildinfo",
                inline_buildinfo("go1.21.0 X:boringcrypto", MODINFO),
                true,
            ),
        ],
        true,
        false,
    );
    let a = GoBinary.analyze(&view("app/server", &bin)).unwrap();
    assert!(a.diagnostics.is_empty() && a.warnings.is_empty(), "{a:?}");
    let rows: Vec<(&str, &str, &str)> = a
        .packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.found_by.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("stdlib", "1.21.0", "go version"),
            ("github.com/google/uuid", "v1.3.0", "dep"),
            (
                "golang.org/x/net",
                "v0.17.0",
                "replace of golang.org/x/net@v0.7.0"
            ),
            ("gopkg.in/yaml.v3", "v3.0.1", "dep"),
            (
                "example.com/local",
                "(devel)",
                "replace of example.com/local@v1.0.0 by ../local"
            ),
            ("example.com/app", "(devel)", "main module"),
        ]
    );
    assert!(a
        .packages
        .iter()
        .all(|p| p.db_path == "app/server" && p.package_type == Some(PackageType::Golang)));
    let main = by_name(&a, "example.com/app");
    assert_eq!(
        main.depends,
        [
            "example.com/local",
            "github.com/google/uuid",
            "golang.org/x/net",
            "gopkg.in/yaml.v3",
            "stdlib"
        ]
    );
    let syms = |n: &str| by_name(&a, n).symbols.clone().unwrap();
    assert_eq!(
        syms("stdlib"),
        [
            "net/http.ListenAndServe",
            "net/http.Server.Serve",
            "net/http.Server.Serve.func1",
            "slices.Sort"
        ]
    );
    assert_eq!(syms("example.com/app"), ["main.main"]);
    assert_eq!(
        syms("golang.org/x/net"),
        ["golang.org/x/net/http2.Framer.ReadFrame"]
    );
    assert_eq!(syms("gopkg.in/yaml.v3"), ["gopkg.in/yaml.v3.Unmarshal"]);
    assert_eq!(
        syms("github.com/google/uuid"),
        ["github.com/google/uuid.UUID.String"]
    );
    assert_eq!(syms("example.com/local"), Vec::<String>::new());
}

/// Validates the pre-1.18 pointer form, little- and big-endian, resolved through the program
/// headers of an ELF file that has no section headers (the header found by searching the
/// writable segment), with a Go 1.16 pclntab found by its magic.
#[test]
fn pointer_build_info_without_section_headers() {
    for big in [false, true] {
        let data_addr = BASE + OFF as u64 * 2;
        let bin = elf(
            &[
                sec(
                    ".gopclntab",
                    pclntab(pclntab::Version::V116, &FUNCS[..4]),
                    false,
                ),
                sec(
                    ".data",
                    pointer_buildinfo(data_addr, "go1.16.15", MODINFO, big),
                    true,
                ),
            ],
            false,
            big,
        );
        let r = reduce_binary(&bin).expect("a Go binary");
        assert_eq!(r.buildinfo_error, None);
        assert_eq!(r.go.as_deref(), Some("go1.16.15"));
        assert_eq!(r.modinfo, MODINFO);
        let syms = r.symbols.expect("symbols by magic search");
        assert!(syms["net/http"].contains("Server.Serve"), "{syms:?}");
    }
}

/// Validates Mach-O (`__go_buildinfo`, `__gopclntab`) and PE (the build info in the writable
/// `.data` section; the pclntab, which PE binaries keep in `.rdata` without a section of its
/// own, found by its magic).
#[test]
fn mach_o_and_pe() {
    let info = inline_buildinfo("go1.22.1", MODINFO);
    let table = pclntab(pclntab::Version::V120, &FUNCS);
    let m = macho(&[
        sec("__gopclntab", table.clone(), false),
        sec("__go_buildinfo", info.clone(), true),
    ]);
    let mut rdata = vec![7u8; 40];
    rdata.extend(&table);
    let p = pe(&[sec(".rdata", rdata, false), sec(".data", info, true)]);
    for (what, bin) in [("Mach-O", m), ("PE", p)] {
        assert!(object::File::parse(&*bin).is_ok(), "{what} fixture parses");
        let a = GoBinary.analyze(&view("app/x", &bin)).unwrap();
        assert!(a.diagnostics.is_empty(), "{what}: {a:?}");
        assert_eq!(by_name(&a, "stdlib").version, "1.22.1", "{what}");
        assert_eq!(by_name(&a, "golang.org/x/net").version, "v0.17.0", "{what}");
        assert!(
            by_name(&a, "stdlib")
                .symbols
                .as_ref()
                .unwrap()
                .contains(&"net/http.Server.Serve".to_string()),
            "{what}"
        );
    }
}

/// Validates the pclntab of each header version: the raw names in order, and govulncheck's
/// spelling (pointer receivers, `%2e` escapes, generic arguments, generated names dropped).
#[test]
fn pclntab_versions() {
    use pclntab::Version::*;
    for v in [V12, V116, V118, V120] {
        let t = pclntab(v, &FUNCS);
        let (got, names) = pclntab::raw_names(&t).unwrap();
        assert_eq!(got, v);
        assert_eq!(names, FUNCS, "{v:?}");
    }
    let n = |s: &str, v| pclntab::normalize(s, v);
    let pair = |p: &str, s: &str| Some((p.to_string(), s.to_string()));
    assert_eq!(
        n("net/http.(*Server).Serve", V120),
        pair("net/http", "Server.Serve")
    );
    assert_eq!(
        n("net/http.Header.Get", V120),
        pair("net/http", "Header.Get")
    );
    assert_eq!(
        n("gopkg.in/yaml%2ev3.Unmarshal", V118),
        pair("gopkg.in/yaml.v3", "Unmarshal")
    );
    assert_eq!(
        n("example.com/m.(*List[...]).Push", V120),
        pair("example.com/m", "List.Push")
    );
    assert_eq!(n("type:.eq.net/http.Request", V120), None);
    assert_eq!(n("type..eq.net/http.Request", V118), None);
    assert_eq!(n("go.buildid", V116), None);
    assert_eq!(n("runtime.text", V12), pair("runtime", "text"));
    assert_eq!(n("_rt0_amd64", V120), None);
}

/// Validates the module text parser: replacements of the main module and deps, quoted build
/// settings, unknown lines reported.
#[test]
fn modinfo_lines() {
    let (info, problems) = parse_modinfo(MODINFO);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(info.path.as_deref(), Some("example.com/app/cmd/app"));
    assert_eq!(info.main.as_ref().unwrap().version, "(devel)");
    assert_eq!(info.deps.len(), 4);
    assert_eq!(
        info.deps[0].sum,
        "h1:t6JiXgmwXMjEs8VusXIJk2BXHsn+wx8BZdTaoZ5fu7I="
    );
    assert_eq!(
        info.deps[1].replace.as_deref().map(|r| r.version.as_str()),
        Some("v0.17.0")
    );
    let get = |k: &str| {
        info.settings
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("-ldflags"), Some("-s -w"));
    assert_eq!(get("vcs.revision"), Some("0123456789abcdef"));
    let (_, problems) = parse_modinfo("=>\tx\tv1\t\nbogus line\nwhat\tever\n");
    assert_eq!(problems.len(), 3, "{problems:?}");
}

/// Validates the stdlib version from the Go version string.
#[test]
fn stdlib_versions() {
    let v = |s: &str| stdlib_version(s);
    assert_eq!(v("go1.19.8").as_deref(), Some("1.19.8"));
    assert_eq!(v("go1.21.0 X:boringcrypto").as_deref(), Some("1.21.0"));
    assert_eq!(v("go1.19").as_deref(), Some("1.19.0"));
    assert_eq!(v("go1.21rc2").as_deref(), Some("1.21.0-rc.2"));
    assert_eq!(v("devel go1.22-abcdef Tue"), None);
    assert_eq!(v(""), None);
}

/// Validates that a binary without build info is dropped, and that a GOPATH-mode binary
/// (no module lines) gives stdlib alone.
#[test]
fn not_go_and_gopath_mode() {
    let plain = elf(&[sec(".data", vec![1; 256], true)], true, false);
    assert_eq!(GoBinary.reduce("usr/bin/true", &plain), None);
    let gopath = elf(
        &[sec(".go.buildinfo", inline_buildinfo("go1.19.8", ""), true)],
        true,
        false,
    );
    let a = GoBinary.analyze(&view("usr/bin/tool", &gopath)).unwrap();
    let names: Vec<&str> = a.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["stdlib"]);
    // No pclntab: a diagnostic, the symbols unknown.
    assert_eq!(a.diagnostics.len(), 1, "{a:?}");
    assert_eq!(a.diagnostics[0].0, diagnostics::GO_PCLNTAB_CORRUPT);
    assert_eq!(a.packages[0].symbols, None);
}

/// Validates that a binary dpkg owns is the Debian package's, not Go modules.
#[test]
fn owned_binaries_are_skipped() {
    let bin = elf(
        &[sec(
            ".go.buildinfo",
            inline_buildinfo("go1.19.8", MODINFO),
            true,
        )],
        true,
        false,
    );
    let mut files = view("usr/bin/app", &bin);
    files.extend(view("opt/app", &bin));
    files.insert(
        "var/lib/dpkg/info/app.list".into(),
        Arc::new(b"/.\n/usr\n/usr/bin\n/usr/bin/app\n".to_vec()),
    );
    let a = GoBinary.analyze(&files).unwrap();
    assert!(!a.packages.is_empty());
    assert!(a.packages.iter().all(|p| p.db_path == "opt/app"));
}

// ---- hostile input ----

fn diag_of(bin: &[u8]) -> Vec<(&'static str, String)> {
    match GoBinary.reduce("x", bin) {
        None => vec![],
        Some(r) => {
            let files = FileSet::from([("bin/x".to_string(), Arc::new(r))]);
            GoBinary.analyze(&files).unwrap().diagnostics
        }
    }
}

/// Validates each corrupt build info is a diagnostic naming the file and the problem: a
/// truncated varint, a length past the end of the file, a length over the cap, a header cut
/// short, a pointer outside every segment, a string whose data is outside every segment.
#[test]
fn corrupt_build_info() {
    let head = |flags: u8| {
        let mut b = MAGIC.to_vec();
        b.push(8);
        b.push(flags);
        b.resize(32, 0);
        b
    };
    let mut truncated_varint = head(2);
    truncated_varint.extend([0x80, 0x80, 0x80]);
    let mut past_end = head(2);
    past_end.extend(uvarint(900));
    past_end.extend(b"go1.19");
    let mut over_cap = head(2);
    over_cap.extend(uvarint(8));
    over_cap.extend(b"go1.19.8");
    over_cap.extend(uvarint(1 << 40));
    let mut overflow = head(2);
    overflow.extend([0xff; 10]);
    let mut bad_pointer = head(0);
    bad_pointer[16..24].copy_from_slice(&0xdead_beef_0000u64.to_le_bytes());
    let addr = BASE + OFF as u64;
    let mut bad_data = pointer_buildinfo(addr, "go1.16", "", false);
    bad_data[32..40].copy_from_slice(&0x10u64.to_le_bytes());
    let cases: [(&str, Vec<u8>); 6] = [
        ("truncated length varint", truncated_varint),
        ("runs past the end of the file", past_end),
        ("over the 4194304-byte limit", over_cap),
        ("varint overflows", overflow),
        ("outside every segment", bad_pointer),
        ("outside every segment", bad_data),
    ];
    for (want, info) in cases {
        let bin = elf(&[sec(".go.buildinfo", info, true)], true, false);
        let d = diag_of(&bin);
        assert_eq!(d.len(), 1, "{want}: {d:?}");
        assert_eq!(d[0].0, diagnostics::GO_BUILDINFO_CORRUPT, "{want}: {d:?}");
        assert!(
            d[0].1.contains(want) && d[0].1.contains("/bin/x"),
            "{want}: {d:?}"
        );
    }
    // A header cut short by the end of the file, searched in a file that does not parse.
    let mut cut = vec![0u8; 32];
    cut.extend(&MAGIC[..]);
    cut.push(8);
    let d = diag_of(&cut);
    assert!(d[0].1.contains("header truncated"), "{d:?}");
}

/// Validates that a corrupt pclntab (a function count that does not fit, a name offset past
/// the end, a name without its end) is a diagnostic and the modules are still reported.
#[test]
fn corrupt_pclntab() {
    let good = pclntab(pclntab::Version::V120, &FUNCS);
    let mut huge = good.clone();
    huge[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
    let mut name_past_end = good.clone();
    // The first `_func` record's name offset: the last 8 bytes hold the last record.
    let len = name_past_end.len();
    name_past_end[len - 4..].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
    let mut no_end = pclntab(pclntab::Version::V120, &["main.main"]);
    let names_at = 8 + 8 * 8;
    let l = no_end.len();
    // Make the name run to the end of the table with no NUL.
    for b in &mut no_end[names_at..l] {
        if *b == 0 {
            *b = b'x';
        }
    }
    for (want, table) in [
        ("do not fit", huge),
        ("past the end", name_past_end),
        ("past the end", no_end),
    ] {
        let bin = elf(
            &[
                sec(".gopclntab", table, false),
                sec(".go.buildinfo", inline_buildinfo("go1.20.1", MODINFO), true),
            ],
            true,
            false,
        );
        let files = view("bin/x", &bin);
        let a = GoBinary.analyze(&files).unwrap();
        assert_eq!(a.diagnostics.len(), 1, "{want}: {a:?}");
        assert_eq!(a.diagnostics[0].0, diagnostics::GO_PCLNTAB_CORRUPT);
        assert!(
            a.diagnostics[0].1.contains(want),
            "{want}: {:?}",
            a.diagnostics
        );
        assert_eq!(by_name(&a, "stdlib").version, "1.20.1");
        assert!(a.packages.iter().all(|p| p.symbols.is_none()));
    }
}

/// Validates that no truncation and no single corrupted byte of a valid binary panics, and
/// that the reduced form stays small (bounded by the caps, not by declared lengths).
#[test]
fn every_truncation_and_flipped_byte() {
    let bin = elf(
        &[
            sec(".gopclntab", pclntab(pclntab::Version::V118, &FUNCS), false),
            sec(
                ".go.buildinfo",
                inline_buildinfo("go1.18.10", MODINFO),
                true,
            ),
        ],
        true,
        false,
    );
    for cut in (0..bin.len()).step_by(7) {
        let _ = reduce_binary(&bin[..cut]);
    }
    for i in 0..bin.len() {
        let mut b = bin.clone();
        b[i] ^= 0xa5;
        if let Some(r) = reduce_binary(&b) {
            assert!(serde_json::to_vec(&r).unwrap().len() < 64 * 1024);
        }
    }
}

// ---- real binaries ----

/// The Go toolchain, when installed (`.ci/run` installs Debian's golang-go); `None` skips,
/// unless SHIPSHAPE_REQUIRE_IMAGE_TESTS is set.
#[allow(clippy::print_stderr)]
fn go() -> Option<std::path::PathBuf> {
    let found = std::process::Command::new("go")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("SHIPSHAPE_REQUIRE_IMAGE_TESTS").is_none(),
            "the go toolchain is required (SHIPSHAPE_REQUIRE_IMAGE_TESTS is set)"
        );
        eprintln!("SKIPPED: no go toolchain");
        return None;
    }
    Some("go".into())
}

/// Builds a small net/http program for `goos` in `dir`, stripped or not.
fn build(go: &std::path::Path, dir: &std::path::Path, goos: &str, stripped: bool) -> Vec<u8> {
    std::fs::write(dir.join("go.mod"), "module example.com/hello\n\ngo 1.17\n").unwrap();
    std::fs::write(
        dir.join("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\t\"net/http\"\n)\n\nfunc main() {\n\
         \tfmt.Println(http.ListenAndServe(\":8080\", nil))\n}\n",
    )
    .unwrap();
    let out = dir.join(format!("hello-{goos}-{stripped}"));
    let mut cmd = std::process::Command::new(go);
    cmd.current_dir(dir)
        .env("GOOS", goos)
        .env("GOARCH", "amd64")
        .env("CGO_ENABLED", "0")
        .env("GOFLAGS", "-mod=mod")
        .args(["build", "-trimpath", "-o"])
        .arg(&out);
    if stripped {
        cmd.arg("-ldflags=-s -w");
    }
    let o = cmd.arg(".").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read(out).unwrap()
}

/// Validates, on binaries built here by the Go toolchain for Linux, macOS and Windows, that
/// the build info reads as `go version -m` prints it, and that the function names read from
/// the pclntab of the stripped (`-s -w`) build are the text symbols `go tool nm` lists for
/// the unstripped one, both in govulncheck's spelling (`nm` marks assembly functions with
/// `.abi0`).
#[test]
fn real_binaries_match_go_version_and_go_tool_nm() {
    let Some(go) = go() else { return };
    let dir = tempfile::tempdir().unwrap();
    for goos in ["linux", "darwin", "windows"] {
        let stripped = build(&go, dir.path(), goos, true);
        let full = build(&go, dir.path(), goos, false);
        let r = reduce_binary(&stripped).expect("a Go binary");
        assert_eq!(r.buildinfo_error, None, "{goos}");
        // `go version -m` on the same file.
        let path = dir.path().join(format!("hello-{goos}-true"));
        let o = std::process::Command::new(&go)
            .args(["version", "-m"])
            .arg(&path)
            .output()
            .unwrap();
        let text = String::from_utf8(o.stdout).unwrap();
        let mut lines = text.lines();
        let first = lines.next().unwrap();
        assert_eq!(first.rsplit(' ').next(), r.go.as_deref(), "{goos}: {text}");
        let want: Vec<String> = lines.map(|l| l.trim_start().to_string()).collect();
        let got: Vec<String> = r.modinfo.lines().map(str::to_string).collect();
        assert_eq!(got, want, "{goos}");

        // `go tool nm` on the unstripped build.
        let full_path = dir.path().join(format!("hello-{goos}-false"));
        let o = std::process::Command::new(&go)
            .args(["tool", "nm"])
            .arg(&full_path)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let version = pclntab::Version::V118; // Go 1.19's table: generated names use `type.`
        let mut from_nm: BTreeSet<String> = BTreeSet::new();
        for line in String::from_utf8(o.stdout).unwrap().lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() >= 3 && matches!(f[f.len() - 2], "T" | "t") {
                let name = f[f.len() - 1];
                let name = name.strip_suffix(".abi0").unwrap_or(name);
                // The linker's markers of the text section's bounds, not functions.
                if matches!(name, "runtime.text" | "runtime.etext") {
                    continue;
                }
                if let Some((p, s)) = pclntab::normalize(name, version) {
                    from_nm.insert(format!("{p}.{s}"));
                }
            }
        }
        let ours: BTreeSet<String> = r
            .symbols
            .expect("symbols")
            .into_iter()
            .flat_map(|(p, s)| s.into_iter().map(move |s| format!("{p}.{s}")))
            .collect();
        let unstripped: BTreeSet<String> = reduce_binary(&full)
            .unwrap()
            .symbols
            .unwrap()
            .into_iter()
            .flat_map(|(p, s)| s.into_iter().map(move |s| format!("{p}.{s}")))
            .collect();
        assert_eq!(ours, unstripped, "{goos}: stripping changes no function");
        let only_nm: Vec<&String> = from_nm.difference(&ours).collect();
        let only_ours: Vec<&String> = ours.difference(&from_nm).collect();
        assert!(
            only_nm.is_empty() && only_ours.is_empty(),
            "{goos}: only in nm {only_nm:?}\nonly in the pclntab {only_ours:?}"
        );
        assert!(ours.contains("net/http.Server.Serve"), "{goos}");
        assert!(ours.len() > 1000, "{goos}: {}", ours.len());
    }
}

/// Validates the walk's side: executables are picked by their first bytes and execute bit
/// (a Go ELF without +x is not), and a root filesystem's Go binary gives `pkg:golang` purls
/// (`stdlib@1.21.0`, the replaced module at its replacement's version).
#[test]
fn picked_from_a_root_filesystem() {
    use std::os::unix::fs::PermissionsExt;
    let bin = elf(
        &[
            sec(".gopclntab", pclntab(pclntab::Version::V120, &FUNCS), false),
            sec(".go.buildinfo", inline_buildinfo("go1.21.0", MODINFO), true),
        ],
        true,
        false,
    );
    assert!(GoBinary.picks("app/server", 0o755, &bin[..64]));
    assert!(!GoBinary.picks("app/server", 0o644, &bin[..64]));
    assert!(!GoBinary.picks("app/notes.txt", 0o755, b"hello"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("app")).unwrap();
    let path = dir.path().join("app/server");
    std::fs::write(&path, &bin).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.path().join("app/data"), &bin).unwrap();
    std::fs::set_permissions(
        dir.path().join("app/data"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let inv = crate::inventory_rootfs(dir.path(), &crate::Options::default()).unwrap();
    let purls: Vec<&str> = inv
        .packages
        .iter()
        .filter(|p| p.package_type == Some(PackageType::Golang))
        .map(|p| p.purl.as_str())
        .collect();
    assert_eq!(
        purls,
        [
            "pkg:golang/example.com/app@%28devel%29",
            "pkg:golang/example.com/local@%28devel%29",
            "pkg:golang/github.com/google/uuid@v1.3.0",
            "pkg:golang/golang.org/x/net@v0.17.0",
            "pkg:golang/gopkg.in/yaml.v3@v3.0.1",
            "pkg:golang/stdlib@1.21.0",
        ]
    );
    assert!(inv
        .packages
        .iter()
        .all(|p| p.db_path == "app/server" && p.symbols.is_some()));
}

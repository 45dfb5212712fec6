//! Fixtures: ELF64 files written here section by section (the ELF layout as published: file
//! header, section contents, `.shstrtab`, section header table), with a `.dep-v0` section
//! holding zlib-compressed JSON in cargo-auditable's format.

use std::io::Write;
use std::sync::Arc;

use super::*;
use crate::diagnostics::ALL;

/// An ELF64 little-endian executable whose sections are `sections` (name, contents).
fn elf(sections: &[(&str, &[u8])]) -> Vec<u8> {
    let mut names = vec![0u8];
    let mut name_at = Vec::new();
    for (name, _) in sections.iter().copied().chain([(".shstrtab", &[][..])]) {
        name_at.push(names.len() as u32);
        names.extend_from_slice(name.as_bytes());
        names.push(0);
    }
    let mut body = vec![0u8; 64];
    let mut placed = Vec::new();
    for (_, data) in sections {
        placed.push((body.len() as u64, data.len() as u64));
        body.extend_from_slice(data);
    }
    placed.push((body.len() as u64, names.len() as u64));
    body.extend_from_slice(&names);
    body.resize(body.len().next_multiple_of(8), 0);
    let shoff = body.len() as u64;
    let shnum = (sections.len() + 2) as u16;
    body.extend_from_slice(&[0u8; 64]); // the null section
    for (i, (offset, size)) in placed.iter().enumerate() {
        let kind: u32 = if i == sections.len() { 3 } else { 1 };
        body.extend_from_slice(&name_at[i].to_le_bytes());
        body.extend_from_slice(&kind.to_le_bytes());
        body.extend_from_slice(&0u64.to_le_bytes()); // flags
        body.extend_from_slice(&0u64.to_le_bytes()); // addr
        body.extend_from_slice(&offset.to_le_bytes());
        body.extend_from_slice(&size.to_le_bytes());
        body.extend_from_slice(&0u32.to_le_bytes()); // link
        body.extend_from_slice(&0u32.to_le_bytes()); // info
        body.extend_from_slice(&1u64.to_le_bytes()); // addralign
        body.extend_from_slice(&0u64.to_le_bytes()); // entsize
    }
    let mut h = Vec::with_capacity(64);
    h.extend_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
    h.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    h.extend_from_slice(&62u16.to_le_bytes()); // x86-64
    h.extend_from_slice(&1u32.to_le_bytes());
    h.extend_from_slice(&0u64.to_le_bytes()); // entry
    h.extend_from_slice(&0u64.to_le_bytes()); // phoff
    h.extend_from_slice(&shoff.to_le_bytes());
    h.extend_from_slice(&0u32.to_le_bytes()); // flags
    h.extend_from_slice(&64u16.to_le_bytes()); // ehsize
    h.extend_from_slice(&56u16.to_le_bytes()); // phentsize
    h.extend_from_slice(&0u16.to_le_bytes()); // phnum
    h.extend_from_slice(&64u16.to_le_bytes()); // shentsize
    h.extend_from_slice(&shnum.to_le_bytes());
    h.extend_from_slice(&(shnum - 1).to_le_bytes()); // shstrndx
    body[..64].copy_from_slice(&h);
    body
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("in memory");
    e.finish().expect("in memory")
}

/// What std puts in every Rust binary: the panic handler's variable and a panic location.
const RUST_RODATA: &[u8] =
    b"RUST_BACKTRACE\0/rustc/17067e9ac6d7e98f18d4a3a8e5b2a4ac7d0e2b31/library/core/src/panicking.rs";

fn rust_binary(json: &str) -> Vec<u8> {
    elf(&[
        (".rodata", RUST_RODATA),
        (".dep-v0", &zlib(json.as_bytes())),
    ])
}

/// A small program's audit data as cargo-auditable 0.6 writes it: the binary's own package
/// (`root`, `local`), crates.io crates (one at two versions), a git crate, a build-only
/// proc-macro and its dependency.
const AUDIT: &str = r#"{"packages":[
 {"name":"app","version":"0.1.0","source":"local","dependencies":[1,2,3,4,5,6],"root":true},
 {"name":"bitflags","version":"1.3.2","source":"crates.io"},
 {"name":"bitflags","version":"2.4.0","source":"crates.io"},
 {"name":"smallvec","version":"1.6.0","source":"crates.io"},
 {"name":"forked","version":"0.3.0","source":"git","dependencies":[1]},
 {"name":"derive-thing","version":"1.0.0","source":"crates.io","kind":"build","dependencies":[6]},
 {"name":"proc-macro2","version":"1.0.70","source":"crates.io","kind":"build"}
]}"#;

fn files(entries: Vec<(&str, Vec<u8>)>) -> FileSet {
    entries
        .into_iter()
        .map(|(p, d)| (p.to_string(), Arc::new(d)))
        .collect()
}

/// Reduces each binary as the walk would and analyzes the result.
fn run(binaries: &[(&str, &[u8])]) -> Analysis {
    let set = files(
        binaries
            .iter()
            .filter_map(|(p, d)| reduce(d).map(|r| (*p, r)))
            .collect(),
    );
    analyze(&set)
}

fn codes(a: &Analysis) -> Vec<&'static str> {
    a.diagnostics.iter().map(|(c, _)| *c).collect()
}

/// Validates every runtime crate as a package with its origin and `name@version` edges, the
/// build-only crates left out.
#[test]
fn crates_of_an_auditable_binary() {
    let a = run(&[("usr/local/bin/app", &rust_binary(AUDIT))]);
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    let got: Vec<(&str, &str, Option<&str>, Vec<&str>)> = a
        .packages
        .iter()
        .map(|p| {
            assert_eq!(p.package_type, Some(PackageType::Cargo));
            assert_eq!(p.db_path, "usr/local/bin/app");
            (
                p.name.as_str(),
                p.version.as_str(),
                p.origin.as_deref(),
                p.depends.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "app",
                "0.1.0",
                Some("local"),
                vec![
                    "bitflags@1.3.2",
                    "bitflags@2.4.0",
                    "forked@0.3.0",
                    "smallvec@1.6.0"
                ]
            ),
            ("bitflags", "1.3.2", None, vec![]),
            ("bitflags", "2.4.0", None, vec![]),
            ("smallvec", "1.6.0", None, vec![]),
            ("forked", "0.3.0", Some("git"), vec!["bitflags@1.3.2"]),
        ]
    );
}

/// Validates that the dependency edges resolve within the binary: the root reaches every
/// crate, and the git crate reaches bitflags 1 only.
#[test]
fn edges_resolve_to_the_right_versions() {
    let a = run(&[
        ("usr/local/bin/app", &rust_binary(AUDIT)),
        ("usr/local/bin/app2", &rust_binary(AUDIT)),
    ]);
    let inv = crate::Inventory {
        packages: a.packages,
        ..Default::default()
    };
    let deps = inv.dependencies();
    let forked = inv
        .packages_with_ids()
        .find(|(_, p)| p.name == "forked" && p.db_path.ends_with("app2"))
        .map(|(id, _)| id)
        .expect("forked in app2");
    let targets: Vec<(&str, &str, &str)> = deps
        .of(forked)
        .iter()
        .filter_map(|&id| inv.package(id))
        .map(|p| (p.name.as_str(), p.version.as_str(), p.db_path.as_str()))
        .collect();
    assert_eq!(targets, [("bitflags", "1.3.2", "usr/local/bin/app2")]);
    let roots: Vec<(&str, &str)> = deps
        .roots()
        .into_iter()
        .filter_map(|id| inv.package(id))
        .map(|p| (p.name.as_str(), p.db_path.as_str()))
        .collect();
    assert_eq!(
        roots,
        [("app", "usr/local/bin/app"), ("app", "usr/local/bin/app2")]
    );
}

/// Validates the diagnostic for a Rust binary without the section, and silence for one that
/// is not Rust.
#[test]
fn without_audit_data() {
    let plain_rust = elf(&[(".rodata", RUST_RODATA)]);
    let c_program = elf(&[(".rodata", b"usage: %s [-v] FILE\0GLIBC_2.34")]);
    let a = run(&[("usr/bin/plain", &plain_rust), ("usr/bin/tool", &c_program)]);
    assert!(a.packages.is_empty());
    assert_eq!(codes(&a), [RUST_NO_AUDIT_DATA]);
    assert!(a.diagnostics[0].1.starts_with("/usr/bin/plain: "));
    assert!(a.diagnostics[0].1.contains("without cargo-auditable"));
    // Either marker alone is enough.
    assert!(is_rust(b"..RUST_BACKTRACE.."));
    assert!(is_rust(
        b"x/rustc/0123456789abcdef0123456789abcdef01234567/library/std/src/rt.rs"
    ));
    assert!(!is_rust(b"/rustc/0123/library/ and /rustc/"));
    assert!(reduce(&c_program).is_none());
}

/// Validates truncated and corrupt zlib: a diagnostic, no packages.
#[test]
fn truncated_zlib() {
    let z = zlib(AUDIT.as_bytes());
    let truncated = elf(&[(".dep-v0", &z[..z.len() / 2])]);
    let mut corrupt_z = z.clone();
    corrupt_z[10] ^= 0xff;
    let corrupt = elf(&[(".dep-v0", &corrupt_z)]);
    let a = run(&[("bin/a", &truncated), ("bin/b", &corrupt)]);
    assert!(a.packages.is_empty());
    assert_eq!(
        codes(&a),
        [RUST_AUDIT_DATA_INVALID, RUST_AUDIT_DATA_INVALID]
    );
    assert!(a.diagnostics[0]
        .1
        .starts_with("/bin/a: cargo-auditable data unreadable"));
}

/// Validates a zlib bomb: 64 MiB of JSON-looking bytes in 64 KiB stop at the cap, with a
/// diagnostic.
#[test]
fn zlib_bomb() {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b' '; 1024 * 1024];
    e.write_all(b"{\"packages\":[").expect("in memory");
    for _ in 0..64 {
        e.write_all(&chunk).expect("in memory");
    }
    let bomb = e.finish().expect("in memory");
    assert!(bomb.len() < 256 * 1024, "{}", bomb.len());
    let a = run(&[("bin/bomb", &elf(&[(".dep-v0", &bomb)]))]);
    assert!(a.packages.is_empty());
    assert_eq!(codes(&a), [RUST_AUDIT_DATA_LIMIT]);
    assert!(a.diagnostics[0].1.contains("zlib bomb"));
}

/// Validates malformed JSON, JSON of another shape, several roots and a dependency cycle:
/// a diagnostic each, nothing of that binary listed.
#[test]
fn malformed_documents() {
    let cases = [
        r#"{"packages":[{"name":"a","version":"1.0.0","source":"crates.io""#,
        r#"{"packages":[{"name":"a","version":"not a version","source":"crates.io"}]}"#,
        r#"[1,2,3]"#,
        r#"{"packages":[
            {"name":"a","version":"1.0.0","source":"local","root":true},
            {"name":"b","version":"1.0.0","source":"local","root":true}]}"#,
        r#"{"packages":[
            {"name":"a","version":"1.0.0","source":"local","root":true,"dependencies":[1]},
            {"name":"b","version":"1.0.0","source":"crates.io","dependencies":[2]},
            {"name":"c","version":"1.0.0","source":"crates.io","dependencies":[1]}]}"#,
    ];
    for json in cases {
        let a = run(&[("bin/x", &rust_binary(json))]);
        assert!(a.packages.is_empty(), "{json}");
        assert_eq!(codes(&a), [RUST_AUDIT_DATA_INVALID], "{json}");
        assert!(a.diagnostics[0].1.contains("not valid"), "{json}");
    }
}

/// Validates dependency indices out of range (one far beyond, one just past the end): the
/// edges are dropped with a diagnostic, the crates are listed.
#[test]
fn indices_out_of_range() {
    let json = r#"{"packages":[
        {"name":"a","version":"1.0.0","source":"local","root":true,"dependencies":[1,2,18446744073709551615]},
        {"name":"b","version":"1.0.0","source":"crates.io"}]}"#;
    let a = run(&[("bin/x", &rust_binary(json))]);
    let names: Vec<(&str, &[String])> = a
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.depends.as_slice()))
        .collect();
    assert_eq!(names, [("a", &["b@1.0.0".to_string()][..]), ("b", &[][..])]);
    assert_eq!(codes(&a), [RUST_AUDIT_DATA_INVALID]);
    assert!(a.diagnostics[0]
        .1
        .contains("names 2 dependencies beyond its 2 crates"));
}

/// Validates a `.dep-v0` section pointing past the end of the file.
#[test]
fn section_outside_the_file() {
    let mut bin = rust_binary(AUDIT);
    // The `.dep-v0` header is the third (null, .rodata, .dep-v0); its size field is at 32.
    let shoff = u64::from_le_bytes(bin[40..48].try_into().expect("8 bytes")) as usize;
    let size_at = shoff + 2 * 64 + 32;
    bin[size_at..size_at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    let a = run(&[("bin/x", &bin)]);
    assert!(a.packages.is_empty());
    assert_eq!(codes(&a), [RUST_AUDIT_DATA_INVALID]);
}

/// Validates that a binary an OS package owns is the OS package's.
#[test]
fn owned_binaries_are_skipped() {
    let mut set = files(vec![
        (
            "usr/bin/rg",
            reduce(&rust_binary(AUDIT)).expect("a Rust binary"),
        ),
        (
            "usr/local/bin/app",
            reduce(&rust_binary(AUDIT)).expect("a Rust binary"),
        ),
    ]);
    set.insert(
        "var/lib/dpkg/info/ripgrep.list".into(),
        Arc::new(b"/.\n/usr\n/usr/bin\n/usr/bin/rg\n".to_vec()),
    );
    let a = analyze(&set);
    assert!(a.packages.iter().all(|p| p.db_path == "usr/local/bin/app"));
    assert_eq!(a.packages.len(), 5);
}

/// Validates that the reduced bytes are small and that bytes of another kind are ignored.
#[test]
fn reduced_bytes() {
    let bin = rust_binary(AUDIT);
    let r = reduce(&bin).expect("a Rust binary");
    assert!(r.len() < 2048, "{}", r.len());
    assert!(decode(b"shipshape-rustbinary/1\n{not json").is_none());
    assert!(decode(b"\x7fELF").is_none());
    assert!(ALL.iter().any(|(c, _)| *c == RUST_AUDIT_DATA_LIMIT));
}

/// A 64-bit little-endian Mach-O executable with one `__DATA` segment holding `.dep-v0`
/// (`mach_header_64`, `LC_SEGMENT_64` with one `section_64`, then the section's bytes).
fn macho(dep: &[u8]) -> Vec<u8> {
    let name16 = |s: &str| {
        let mut b = [0u8; 16];
        b[..s.len()].copy_from_slice(s.as_bytes());
        b
    };
    let cmdsize = 72u32 + 80;
    let data_at = 32 + cmdsize;
    let mut m = Vec::new();
    for v in [0xfeed_facfu32, 0x0100_0007, 3, 2, 1, cmdsize, 0, 0] {
        m.extend_from_slice(&v.to_le_bytes());
    }
    m.extend_from_slice(&0x19u32.to_le_bytes());
    m.extend_from_slice(&cmdsize.to_le_bytes());
    m.extend_from_slice(&name16("__DATA"));
    for v in [0u64, dep.len() as u64, u64::from(data_at), dep.len() as u64] {
        m.extend_from_slice(&v.to_le_bytes());
    }
    for v in [3u32, 3, 1, 0] {
        m.extend_from_slice(&v.to_le_bytes());
    }
    m.extend_from_slice(&name16(".dep-v0"));
    m.extend_from_slice(&name16("__DATA"));
    m.extend_from_slice(&0u64.to_le_bytes());
    m.extend_from_slice(&(dep.len() as u64).to_le_bytes());
    for v in [data_at, 0, 0, 0, 0, 0, 0, 0] {
        m.extend_from_slice(&v.to_le_bytes());
    }
    assert_eq!(m.len() as u32, data_at);
    m.extend_from_slice(dep);
    m
}

/// A fat (universal) Mach-O of the given slices (`fat_header`, `fat_arch` entries, big
/// endian, then each slice at a 16-byte boundary).
fn fat(slices: &[Vec<u8>]) -> Vec<u8> {
    let mut offset = 8 + 20 * slices.len();
    let mut head = Vec::new();
    head.extend_from_slice(&0xcafe_babeu32.to_be_bytes());
    head.extend_from_slice(&(slices.len() as u32).to_be_bytes());
    let mut body = Vec::new();
    for (i, s) in slices.iter().enumerate() {
        let at = offset.next_multiple_of(16);
        body.resize(at - 8 - 20 * slices.len(), 0);
        for v in [
            0x0100_0007u32 + i as u32 * 5,
            3,
            at as u32,
            s.len() as u32,
            4,
        ] {
            head.extend_from_slice(&v.to_be_bytes());
        }
        body.extend_from_slice(s);
        offset = at + s.len();
    }
    head.extend_from_slice(&body);
    head
}

/// Validates Mach-O: `__DATA,.dep-v0` of a thin file, and of the second architecture of a
/// fat file whose first has none.
#[test]
fn macho_thin_and_fat() {
    let thin = macho(&zlib(AUDIT.as_bytes()));
    assert_eq!(
        super::super::executable::format(0o755, &thin[..64]),
        Some(super::super::executable::ExecFormat::MachO)
    );
    let universal = fat(&[macho(b""), thin.clone()]);
    assert!(RustBinary.picks("Applications/app", 0o755, &universal[..64]));
    let a = run(&[("bin/thin", &thin), ("bin/universal", &universal)]);
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    for path in ["bin/thin", "bin/universal"] {
        let names: Vec<&str> = a
            .packages
            .iter()
            .filter(|p| p.db_path == path)
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["app", "bitflags", "bitflags", "smallvec", "forked"]);
    }
}

/// Validates what is picked: executables by their magic and mode, not other files.
#[test]
fn picks_executables_only() {
    let bin = rust_binary(AUDIT);
    assert!(RustBinary.picks("usr/local/bin/app", 0o755, &bin[..64]));
    assert!(!RustBinary.picks("usr/lib/libx.so", 0o644, &bin[..64]));
    assert!(!RustBinary.picks("etc/motd", 0o755, b"#!/bin/sh\necho hi\n"));
}

/// Validates that a binary whose own crate came from crates.io (`cargo install`) lists it
/// without an origin, so it is matched like its dependencies, while a crate of another
/// registry keeps `registry`.
#[test]
fn installed_from_crates_io() {
    let json = r#"{"packages":[
        {"name":"ripgrep","version":"13.0.0","source":"crates.io","dependencies":[1],"root":true},
        {"name":"private-thing","version":"0.2.0","source":"registry"}],"format":1}"#;
    let a = run(&[("root/.cargo/bin/rg", &rust_binary(json))]);
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    let got: Vec<(&str, Option<&str>)> = a
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.origin.as_deref()))
        .collect();
    assert_eq!(
        got,
        [("ripgrep", None), ("private-thing", Some("registry"))]
    );
}

/// A PE executable (DOS header with `e_lfanew`, `PE\0\0`, a COFF header without an optional
/// header, one section table entry `.dep-v0`, then the section's bytes).
fn pe(dep: &[u8]) -> Vec<u8> {
    let mut p = vec![0u8; 64];
    p[..2].copy_from_slice(b"MZ");
    p[0x3c..0x40].copy_from_slice(&64u32.to_le_bytes());
    p.extend_from_slice(b"PE\0\0");
    p.extend_from_slice(&0x8664u16.to_le_bytes()); // x86-64
    p.extend_from_slice(&1u16.to_le_bytes()); // sections
    p.extend_from_slice(&[0u8; 12]); // time stamp, symbol table, symbol count
    p.extend_from_slice(&0u16.to_le_bytes()); // optional header size
    p.extend_from_slice(&0x22u16.to_le_bytes()); // executable, large address aware
    let data_at = (p.len() + 40) as u32;
    p.extend_from_slice(b".dep-v0\0");
    for v in [dep.len() as u32, 0x1000, dep.len() as u32, data_at] {
        p.extend_from_slice(&v.to_le_bytes());
    }
    p.extend_from_slice(&[0u8; 16]);
    p.extend_from_slice(dep);
    p
}

/// Validates PE: picked without an execute bit (Windows has none), crates read from its
/// `.dep-v0` section.
#[test]
fn pe_executable() {
    let exe = pe(&zlib(AUDIT.as_bytes()));
    assert!(RustBinary.picks("app/app.exe", 0o644, &exe[..64]));
    let a = run(&[("app/app.exe", &exe)]);
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    assert_eq!(a.packages.len(), 5);
    assert!(a.packages.iter().all(|p| p.db_path == "app/app.exe"));
}

//! Telling an executable by its first bytes, for analyzers that pick binaries
//! ([`crate::Analyzer::picks`]): Go build info, cargo-auditable data.

/// An executable file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecFormat {
    /// ELF (Linux and most Unix).
    Elf,
    /// Mach-O, 32 or 64 bit, either byte order, or a fat (universal) binary.
    MachO,
    /// PE/COFF (`MZ`): Windows executables and DLLs.
    Pe,
}

/// The format of an executable file from its mode bits and first bytes, or `None`.
///
/// ELF and Mach-O count only with an execute bit in `mode` (or `mode` 0, unknown): shared
/// libraries and object files in Debian images are not executable, and an image's
/// programs are. PE files need no execute bit (Windows has none). A Java class file starts
/// `CA FE BA BE` like a fat Mach-O; it is told apart by the architecture count that follows
/// (a class file's version is at least 45, a fat binary has a handful of architectures).
pub fn format(mode: u32, head: &[u8]) -> Option<ExecFormat> {
    let executable = mode == 0 || mode & 0o111 != 0;
    let magic = head.get(..4)?;
    match magic {
        [b'M', b'Z', ..] => Some(ExecFormat::Pe),
        _ if !executable => None,
        [0x7f, b'E', b'L', b'F'] => Some(ExecFormat::Elf),
        [0xfe, 0xed, 0xfa, 0xce | 0xcf] | [0xce | 0xcf, 0xfa, 0xed, 0xfe] => {
            Some(ExecFormat::MachO)
        }
        [0xca, 0xfe, 0xba, 0xbe] => {
            let count = u32::from_be_bytes(head.get(4..8)?.try_into().ok()?);
            (1..=20).contains(&count).then_some(ExecFormat::MachO)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates each magic, the execute-bit rule and the class-file look-alike.
    #[test]
    fn formats_by_magic_and_mode() {
        let elf = b"\x7fELF\x02\x01\x01\0";
        assert_eq!(format(0o755, elf), Some(ExecFormat::Elf));
        assert_eq!(format(0, elf), Some(ExecFormat::Elf));
        assert_eq!(format(0o644, elf), None, "a shared library without +x");
        assert_eq!(format(0o100, elf), Some(ExecFormat::Elf));
        assert_eq!(
            format(0o755, b"\xcf\xfa\xed\xfe\x07\0\0\x01"),
            Some(ExecFormat::MachO)
        );
        assert_eq!(
            format(0o755, b"\xfe\xed\xfa\xce\0\0\0\x07"),
            Some(ExecFormat::MachO)
        );
        assert_eq!(
            format(0o755, b"\xca\xfe\xba\xbe\0\0\0\x02"),
            Some(ExecFormat::MachO)
        );
        assert_eq!(
            format(0o755, b"\xca\xfe\xba\xbe\0\0\0\x3d"),
            None,
            "Java 17 class file"
        );
        assert_eq!(format(0o644, b"MZ\x90\0\x03\0"), Some(ExecFormat::Pe));
        assert_eq!(format(0o755, b"#!/bin/sh\n"), None);
        assert_eq!(format(0o755, b"\x7fEL"), None, "too short");
        assert_eq!(format(0o755, b""), None);
    }
}

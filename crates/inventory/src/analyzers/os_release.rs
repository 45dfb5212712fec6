//! The operating system: `os-release` first, then distribution-specific release files.
//!
//! Precedence follows os-release(5): `etc/os-release` over `usr/lib/os-release`. Debian
//! testing and sid have no `VERSION_ID`; then `etc/debian_version` (`12.5`, `trixie/sid`)
//! supplies the major version when it is numeric. Images without os-release (old Alpine,
//! CentOS 6) fall back to `etc/alpine-release` and `etc/redhat-release`/`centos-release`.

use crate::{Analysis, AnalyzeError, Analyzer, FileSet, OsInfo};

/// Reads os-release and release files.
pub struct OsRelease;

const PATHS: &[&str] = &[
    "etc/os-release",
    "usr/lib/os-release",
    "etc/debian_version",
    "etc/alpine-release",
    "etc/redhat-release",
    "etc/centos-release",
];

/// Parse os-release(5) `KEY=value` lines with shell-style quoting.
pub(crate) fn parse_os_release(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim();
        let v = if v.len() >= 2
            && ((v.starts_with('"') && v.ends_with('"'))
                || (v.starts_with('\'') && v.ends_with('\'')))
        {
            let inner = &v[1..v.len() - 1];
            let mut s = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        s.push(n);
                    }
                } else {
                    s.push(c);
                }
            }
            s
        } else {
            v.to_string()
        };
        out.push((k.trim().to_string(), v));
    }
    out
}

fn from_os_release(path: &str, text: &str) -> Option<OsInfo> {
    let kv = parse_os_release(text);
    let get = |k: &str| {
        kv.iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let id = get("ID")?.to_lowercase();
    Some(OsInfo {
        id,
        version_id: get("VERSION_ID"),
        codename: get("VERSION_CODENAME"),
        pretty_name: get("PRETTY_NAME"),
        id_like: get("ID_LIKE")
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default(),
        source_file: format!("/{path}"),
    })
}

fn text(files: &FileSet, path: &str) -> Option<String> {
    files
        .get(path)
        .map(|d| String::from_utf8_lossy(d).into_owned())
}

/// `Red Hat Enterprise Linux release 8.9 (Ootpa)` → (`rhel`, `8.9`).
fn from_redhat_release(path: &str, s: &str) -> Option<OsInfo> {
    let line = s.lines().next()?.trim();
    let (name, rest) = line.split_once(" release ")?;
    let version = rest.split_whitespace().next()?.to_string();
    let id = match name {
        n if n.starts_with("Red Hat") => "rhel",
        n if n.starts_with("CentOS") => "centos",
        n if n.starts_with("Rocky") => "rocky",
        n if n.starts_with("AlmaLinux") => "almalinux",
        n if n.starts_with("Fedora") => "fedora",
        n if n.starts_with("Oracle") => "ol",
        _ => return None,
    };
    Some(OsInfo {
        id: id.into(),
        version_id: Some(version),
        pretty_name: Some(line.to_string()),
        source_file: format!("/{path}"),
        ..Default::default()
    })
}

impl Analyzer for OsRelease {
    fn name(&self) -> &'static str {
        "os-release"
    }
    fn version(&self) -> u32 {
        1
    }
    fn wants(&self, path: &str) -> bool {
        PATHS.contains(&path)
    }
    fn max_file_size(&self) -> u64 {
        64 * 1024
    }
    fn analyze(&self, files: &FileSet) -> Result<Analysis, AnalyzeError> {
        let mut os = ["etc/os-release", "usr/lib/os-release"]
            .iter()
            .find_map(|p| text(files, p).and_then(|t| from_os_release(p, &t)));
        if let (Some(os), Some(dv)) = (os.as_mut(), text(files, "etc/debian_version")) {
            if os.id == "debian" && os.version_id.is_none() {
                let major = dv.trim().split('.').next().unwrap_or("");
                if !major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()) {
                    os.version_id = Some(major.to_string());
                }
            }
        }
        if os.is_none() {
            if let Some(v) = text(files, "etc/alpine-release") {
                os = Some(OsInfo {
                    id: "alpine".into(),
                    version_id: Some(v.trim().to_string()),
                    source_file: "/etc/alpine-release".into(),
                    ..Default::default()
                });
            }
        }
        if os.is_none() {
            os = ["etc/redhat-release", "etc/centos-release"]
                .iter()
                .find_map(|p| text(files, p).and_then(|t| from_redhat_release(p, &t)));
        }
        if os.is_none() {
            if let Some(v) = text(files, "etc/debian_version") {
                let v = v.trim();
                let major = v.split('.').next().unwrap_or("");
                os = Some(OsInfo {
                    id: "debian".into(),
                    version_id: (!major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()))
                        .then(|| major.to_string()),
                    source_file: "/etc/debian_version".into(),
                    ..Default::default()
                });
            }
        }
        Ok(Analysis {
            os,
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn set(files: &[(&str, &str)]) -> FileSet {
        files
            .iter()
            .map(|(p, t)| (p.to_string(), Arc::new(t.as_bytes().to_vec())))
            .collect()
    }

    /// Validates the paths declared, with near misses.
    #[test]
    fn wants() {
        assert!(OsRelease.wants("etc/os-release"));
        assert!(OsRelease.wants("usr/lib/os-release"));
        assert!(!OsRelease.wants("etc/os-release.d/x"));
        assert!(!OsRelease.wants("usr/etc/os-release"));
    }

    /// Validates Debian 12's real os-release.
    #[test]
    fn debian_bookworm() {
        let f = set(&[(
            "usr/lib/os-release",
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL=\"https://www.debian.org/\"\n",
        )]);
        let os = OsRelease.analyze(&f).unwrap().os.unwrap();
        assert_eq!(os.id, "debian");
        assert_eq!(os.version_id.as_deref(), Some("12"));
        assert_eq!(os.codename.as_deref(), Some("bookworm"));
        assert_eq!(
            os.pretty_name.as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
    }

    /// Validates precedence of etc/ over usr/lib and the fallbacks.
    #[test]
    fn precedence_and_fallbacks() {
        let f = set(&[
            ("etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n"),
            ("usr/lib/os-release", "ID=debian\n"),
        ]);
        assert_eq!(OsRelease.analyze(&f).unwrap().os.unwrap().id, "alpine");
        let f = set(&[
            (
                "etc/os-release",
                "ID=debian\nPRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\n",
            ),
            ("etc/debian_version", "13.1\n"),
        ]);
        assert_eq!(
            OsRelease
                .analyze(&f)
                .unwrap()
                .os
                .unwrap()
                .version_id
                .as_deref(),
            Some("13")
        );
        let f = set(&[("etc/debian_version", "trixie/sid\n")]);
        let os = OsRelease.analyze(&f).unwrap().os.unwrap();
        assert_eq!((os.id.as_str(), os.version_id), ("debian", None));
        let f = set(&[("etc/alpine-release", "3.10.9\n")]);
        assert_eq!(
            OsRelease
                .analyze(&f)
                .unwrap()
                .os
                .unwrap()
                .version_id
                .as_deref(),
            Some("3.10.9")
        );
        let f = set(&[(
            "etc/redhat-release",
            "Red Hat Enterprise Linux release 8.9 (Ootpa)\n",
        )]);
        let os = OsRelease.analyze(&f).unwrap().os.unwrap();
        assert_eq!(
            (os.id.as_str(), os.version_id.as_deref()),
            ("rhel", Some("8.9"))
        );
        assert!(OsRelease
            .analyze(&set(&[("etc/os-release", "garbage\n\0\0")]))
            .unwrap()
            .os
            .is_none());
    }
}

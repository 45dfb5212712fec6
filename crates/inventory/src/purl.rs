//! Package URLs per the purl spec, for OS packages.
//!
//! `pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl`

use crate::model::{OsInfo, Package, PackageType};

/// Percent-encode a purl component: everything but unreserved characters.
fn encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The purl namespace for an OS id (`rhel` is `redhat` in purl usage).
fn namespace(os: Option<&OsInfo>, t: PackageType) -> String {
    match os {
        Some(os) if os.id == "rhel" => "redhat".into(),
        Some(os) if !os.id.is_empty() => os.id.to_lowercase(),
        _ => match t {
            PackageType::Deb => "debian".into(),
            PackageType::Apk => "alpine".into(),
            PackageType::Rpm => "rpm".into(),
        },
    }
}

/// The purl of an OS package in an image whose OS is `os`.
pub fn os_package(p: &Package, os: Option<&OsInfo>) -> String {
    let t = p.package_type.unwrap_or(PackageType::Deb);
    let mut s = format!(
        "pkg:{}/{}/{}@{}",
        t.as_str(),
        encode(&namespace(os, t), &[]),
        encode(&p.name, &[]),
        encode(&p.version, b":")
    );
    // Qualifiers sorted by key, as the spec requires for canonical form.
    let mut q: Vec<(&str, String)> = Vec::new();
    if let Some(a) = &p.arch {
        q.push(("arch", a.clone()));
    }
    if let Some(os) = os {
        if let Some(v) = &os.version_id {
            q.push(("distro", format!("{}-{}", os.id, v)));
        }
    }
    if let Some(e) = p.epoch {
        if e > 0 {
            q.push(("epoch", e.to_string()));
        }
    }
    if let Some(src) = &p.source_name {
        match &p.source_version {
            Some(v) if v != &p.version => q.push(("upstream", format!("{src}@{v}"))),
            _ if src != &p.name => q.push(("upstream", src.clone())),
            _ => {}
        }
    }
    q.sort_by(|a, b| a.0.cmp(b.0));
    for (i, (k, v)) in q.iter().enumerate() {
        s.push(if i == 0 { '?' } else { '&' });
        s.push_str(k);
        s.push('=');
        s.push_str(&encode(v, b":"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates the purl form given in the spec example of the SBOM issue.
    #[test]
    fn deb_purl() {
        let p = Package {
            package_type: Some(PackageType::Deb),
            name: "libssl3".into(),
            version: "3.0.11-1~deb12u2".into(),
            arch: Some("amd64".into()),
            source_name: Some("openssl".into()),
            ..Default::default()
        };
        let os = OsInfo {
            id: "debian".into(),
            version_id: Some("12".into()),
            ..Default::default()
        };
        assert_eq!(
            os_package(&p, Some(&os)),
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl"
        );
    }

    /// Validates epoch and source-version encoding for rpm and deb.
    #[test]
    fn epochs_and_upstream_versions() {
        let p = Package {
            package_type: Some(PackageType::Rpm),
            name: "openssl-libs".into(),
            version: "3.0.7-24.el9".into(),
            epoch: Some(1),
            arch: Some("x86_64".into()),
            source_name: Some("openssl".into()),
            source_version: Some("3.0.7-24.el9".into()),
            ..Default::default()
        };
        let os = OsInfo {
            id: "rhel".into(),
            version_id: Some("9.3".into()),
            ..Default::default()
        };
        assert_eq!(
            os_package(&p, Some(&os)),
            "pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=rhel-9.3&epoch=1&upstream=openssl"
        );
        let d = Package {
            package_type: Some(PackageType::Deb),
            name: "git".into(),
            version: "1:2.39.2-1.1".into(),
            source_name: Some("git".into()),
            source_version: Some("1:2.39.2-1.1".into()),
            ..Default::default()
        };
        assert_eq!(os_package(&d, None), "pkg:deb/debian/git@1:2.39.2-1.1");
    }
}

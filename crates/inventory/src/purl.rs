//! Package URLs per the purl spec, for OS packages and language packages.
//!
//! `pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl`,
//! `pkg:pypi/jinja2@2.11.2`, `pkg:npm/%40babel/core@7.24.0`.
//!
//! Traps, per type (purl-spec `PURL-TYPES.rst`):
//! * pypi names are lower-cased with `_` as `-`; shipshape applies the whole PEP 503
//!   normalisation (runs of `-`, `_`, `.` become one `-`), so `Jinja2`, `jinja_2` and
//!   `jinja.2` spell one purl, as pip treats them as one distribution;
//! * an npm scope is the namespace, and its `@` is percent-encoded (`%40babel`);
//! * Go module paths keep their case and their `/` separators (`github.com/Azure/x`);
//! * Maven packages are named `group:artifact` here (as in OSV); the group is the namespace.

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
            PackageType::Apk => "alpine".into(),
            PackageType::Rpm => "rpm".into(),
            _ => "debian".into(),
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

/// Encode each `/`-separated segment of a path-like namespace, keeping the separators.
fn encode_segments(s: &str) -> String {
    s.split('/')
        .filter(|seg| !seg.is_empty())
        .map(|seg| encode(seg, &[]))
        .collect::<Vec<_>>()
        .join("/")
}

/// The purl of a language package (`pkg:pypi/jinja2@2.11.2`, `pkg:npm/%40scope/name@1.0.0`,
/// `pkg:gem/rails@7.0.0`, `pkg:golang/github.com/x/y@v1.2.3`, `pkg:cargo/serde@1.0.0`,
/// `pkg:maven/org.apache/commons-text@1.9`). OS packages get [`os_package`] instead; for
/// them, and packages without a type, this falls back to it without an OS.
pub fn language_package(p: &Package) -> String {
    let Some(t) = p.package_type.filter(|t| !t.is_os()) else {
        return os_package(p, None);
    };
    let (namespace, name) = match t {
        PackageType::Python => (None, version::pep503::normalize(&p.name)),
        PackageType::Npm => {
            let lower = p.name.to_lowercase();
            match lower.split_once('/') {
                Some((scope, n)) if scope.starts_with('@') => {
                    (Some(encode(scope, &[])), n.to_string())
                }
                _ => (None, lower),
            }
        }
        PackageType::Golang => match p.name.trim_matches('/').rsplit_once('/') {
            Some((ns, n)) => (Some(encode_segments(ns)), n.to_string()),
            None => (None, p.name.clone()),
        },
        PackageType::Maven => match p.name.split_once(':') {
            Some((g, a)) => (Some(encode(g, &[])), a.to_string()),
            None => (None, p.name.clone()),
        },
        _ => (None, p.name.clone()),
    };
    let mut s = format!("pkg:{}/", t.as_str());
    if let Some(ns) = namespace.filter(|ns| !ns.is_empty()) {
        s.push_str(&ns);
        s.push('/');
    }
    s.push_str(&encode(&name, &[]));
    if !p.version.is_empty() {
        s.push('@');
        s.push_str(&encode(&p.version, b":"));
    }
    // A gem built for one platform (`nokogiri-1.15.4-x86_64-linux`) says so; pure-Ruby
    // gems (`ruby`) carry no qualifier.
    if t == PackageType::Gem {
        if let Some(a) = p.arch.as_deref().filter(|a| !a.is_empty() && *a != "ruby") {
            s.push_str("?platform=");
            s.push_str(&encode(a, &[]));
        }
    }
    s
}

/// The purl of any package: [`os_package`] for OS packages, [`language_package`] for the rest.
pub fn package(p: &Package, os: Option<&OsInfo>) -> String {
    match p.package_type {
        Some(t) if !t.is_os() => language_package(p),
        _ => os_package(p, os),
    }
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

    fn lang(t: PackageType, name: &str, version: &str) -> String {
        language_package(&Package {
            package_type: Some(t),
            name: name.into(),
            version: version.into(),
            ..Default::default()
        })
    }

    /// Validates the language purls of each type, with the spec's normalisation rules.
    #[test]
    fn language_purls() {
        use PackageType::*;
        assert_eq!(lang(Python, "Jinja2", "2.11.2"), "pkg:pypi/jinja2@2.11.2");
        assert_eq!(
            lang(Python, "MarkupSafe", "1.1.1"),
            "pkg:pypi/markupsafe@1.1.1"
        );
        assert_eq!(
            lang(Python, "zope.interface", "6.0"),
            "pkg:pypi/zope-interface@6.0"
        );
        assert_eq!(
            lang(Python, "Foo__Bar-._baz", "1.0+local.1"),
            "pkg:pypi/foo-bar-baz@1.0%2Blocal.1"
        );
        assert_eq!(lang(Npm, "lodash", "4.17.21"), "pkg:npm/lodash@4.17.21");
        assert_eq!(
            lang(Npm, "@babel/core", "7.24.0"),
            "pkg:npm/%40babel/core@7.24.0"
        );
        assert_eq!(lang(Gem, "rails", "7.0.0"), "pkg:gem/rails@7.0.0");
        let mut nokogiri = Package {
            package_type: Some(Gem),
            name: "nokogiri".into(),
            version: "1.15.4".into(),
            arch: Some("x86_64-linux".into()),
            ..Default::default()
        };
        assert_eq!(
            language_package(&nokogiri),
            "pkg:gem/nokogiri@1.15.4?platform=x86_64-linux"
        );
        nokogiri.arch = Some("ruby".into());
        assert_eq!(language_package(&nokogiri), "pkg:gem/nokogiri@1.15.4");
        assert_eq!(
            lang(Golang, "github.com/x/y", "v1.2.3"),
            "pkg:golang/github.com/x/y@v1.2.3"
        );
        assert_eq!(
            lang(
                Golang,
                "github.com/Azure/azure-sdk-for-go/sdk/azcore",
                "v1.9.0"
            ),
            "pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore@v1.9.0"
        );
        assert_eq!(lang(Golang, "stdlib", "1.22.1"), "pkg:golang/stdlib@1.22.1");
        assert_eq!(lang(Cargo, "serde", "1.0.0"), "pkg:cargo/serde@1.0.0");
        assert_eq!(
            lang(Maven, "org.apache.commons:commons-text", "1.9"),
            "pkg:maven/org.apache.commons/commons-text@1.9"
        );
    }

    /// Validates that `package` picks the OS form for OS packages and the language form
    /// for the rest, whatever the OS.
    #[test]
    fn package_dispatches_by_type() {
        let os = OsInfo {
            id: "debian".into(),
            version_id: Some("12".into()),
            ..Default::default()
        };
        let py = Package {
            package_type: Some(PackageType::Python),
            name: "requests".into(),
            version: "2.25.1".into(),
            ..Default::default()
        };
        assert_eq!(package(&py, Some(&os)), "pkg:pypi/requests@2.25.1");
        let deb = Package {
            package_type: Some(PackageType::Deb),
            name: "python3-requests".into(),
            version: "2.28.1+dfsg-1".into(),
            ..Default::default()
        };
        assert_eq!(
            package(&deb, Some(&os)),
            "pkg:deb/debian/python3-requests@2.28.1%2Bdfsg-1?distro=debian-12"
        );
    }
}

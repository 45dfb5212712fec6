//! Package URLs per the purl spec: one [`Purl`] type that parses and formats them, and the
//! purls of OS packages and language packages.
//!
//! `pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl`,
//! `pkg:pypi/jinja2@2.11.2`, `pkg:npm/%40babel/core@7.24.0`.
//!
//! Traps, per type (purl-spec `PURL-TYPES.rst`):
//! * pypi names are lower-cased with `_` as `-`; shipshape applies the whole PEP 503
//!   normalisation (runs of `-`, `_`, `.` become one `-`), so `Jinja2`, `jinja_2` and
//!   `jinja.2` spell one purl, as pip treats them as one distribution;
//! * npm and deb names and the deb, apk and rpm namespaces are lower case;
//! * an npm scope is the namespace, and its `@` is percent-encoded (`%40babel`);
//! * Go module paths keep their case and their `/` separators (`github.com/Azure/x`);
//! * Maven packages are named `group:artifact` here (as in OSV); the group is the namespace.
//! * Composer packages are named `vendor/name`; the vendor is the namespace, and both are
//!   lower case (the spec says so, and Packagist names are lower case);
//! * NuGet ids keep the case the manifest writes (`Newtonsoft.Json`): the spec asks for no
//!   normalisation, and NuGet compares ids case-insensitively anyway ([`Purl::same_package`]).
//!
//! Encoding: every byte but the unreserved ones (`A-Z a-z 0-9 - . _ ~`) is percent-encoded,
//! except `:` in versions and qualifier values (`1:2.39.2-1.1`); namespace and subpath keep
//! their `/` separators. Parsing is lenient, since SBOMs from other tools are read back: the
//! components are decoded and kept as written (no per-type normalisation), qualifier keys are
//! lower-cased and qualifiers without a value dropped.

use std::collections::BTreeMap;
use std::fmt;

use crate::model::{OsInfo, Package, PackageType};

/// A package URL: `pkg:type/namespace/name@version?qualifiers#subpath`, decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Purl {
    /// `deb`, `pypi`, … (lower case).
    pub purl_type: String,
    /// Namespace segments joined by `/`, decoded.
    pub namespace: Option<String>,
    /// Name, decoded.
    pub name: String,
    /// Version, decoded. `Some("")` is written as a bare `@`.
    pub version: Option<String>,
    /// Qualifiers, keys lower case, values decoded; written sorted by key.
    pub qualifiers: BTreeMap<String, String>,
    /// Subpath segments joined by `/`, decoded.
    pub subpath: Option<String>,
}

/// Percent-encode a purl component: everything but unreserved characters and `keep`.
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

/// Decode `%XX` escapes; a `%` not followed by two hex digits is kept as it is.
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
        {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encode each `/`-separated segment of a path-like component, keeping the separators and
/// dropping empty segments.
fn encode_segments(s: &str) -> String {
    s.split('/')
        .filter(|seg| !seg.is_empty())
        .map(|seg| encode(seg, &[]))
        .collect::<Vec<_>>()
        .join("/")
}

impl Purl {
    /// A purl of `purl_type` named `name`, with nothing else set.
    pub fn new(purl_type: &str, name: &str) -> Purl {
        Purl {
            purl_type: purl_type.to_string(),
            name: name.to_string(),
            ..Purl::default()
        }
    }

    /// Parse `pkg:type/namespace/name@version?qualifiers#subpath`; `None` if it is not one.
    pub fn parse(s: &str) -> Option<Purl> {
        let rest = s.trim().strip_prefix("pkg:")?.trim_start_matches('/');
        let (rest, subpath) = match rest.split_once('#') {
            Some((r, sp)) => (r, Some(sp)),
            None => (rest, None),
        };
        let (rest, quals) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (path, version) = match rest.rsplit_once('@') {
            Some((p, v)) if !p.is_empty() && !p.ends_with('/') => (p, Some(decode(v))),
            _ => (rest, None),
        };
        let (purl_type, path) = path.split_once('/')?;
        let mut segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let name = decode(segs.pop()?);
        let namespace = (!segs.is_empty())
            .then(|| segs.iter().map(|s| decode(s)).collect::<Vec<_>>().join("/"));
        let qualifiers = quals
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter_map(|kv| kv.split_once('='))
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_lowercase(), decode(v)))
            .collect();
        let subpath = subpath
            .map(|sp| {
                sp.split('/')
                    .filter(|s| !s.is_empty() && *s != "." && *s != "..")
                    .map(decode)
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .filter(|sp| !sp.is_empty());
        Some(Purl {
            purl_type: purl_type.to_lowercase(),
            namespace,
            name,
            version: version.filter(|v| !v.is_empty()),
            qualifiers,
            subpath,
        })
    }

    /// The purl with its type's normalisation applied, as the spec requires for the types
    /// shipshape writes: pypi names by PEP 503, npm names and scopes, deb names and the deb,
    /// apk and rpm namespaces in lower case, composer vendors and names in lower case. Other
    /// types (Go, Maven, gem, cargo, nuget) keep case.
    pub fn normalized(mut self) -> Purl {
        let lower_namespace = |p: &mut Purl| {
            if let Some(ns) = &mut p.namespace {
                *ns = ns.to_lowercase();
            }
        };
        match self.purl_type.as_str() {
            "pypi" => self.name = version::pep503::normalize(&self.name),
            "npm" | "deb" | "composer" => {
                self.name = self.name.to_lowercase();
                lower_namespace(&mut self);
            }
            "apk" | "rpm" => lower_namespace(&mut self),
            _ => {}
        }
        self
    }

    /// Whether both name the same package, whatever the version, qualifiers and subpath:
    /// type, namespace and name equal, ASCII case ignored.
    pub fn same_package(&self, other: &Purl) -> bool {
        let ns = |p: &Purl| p.namespace.clone().unwrap_or_default();
        self.purl_type.eq_ignore_ascii_case(&other.purl_type)
            && ns(self).eq_ignore_ascii_case(&ns(other))
            && self.name.eq_ignore_ascii_case(&other.name)
    }

    /// The package type, if shipshape knows it.
    pub fn package_type(&self) -> Option<PackageType> {
        PackageType::from_purl_type(&self.purl_type)
    }

    /// The package it describes, without provenance; `None` for unknown types. The inverse
    /// of [`package`]: an npm scope or Go path is put back in front of the name, a Maven
    /// group before `:`, an rpm epoch (in the version or the `epoch` qualifier) into
    /// [`Package::epoch`], a deb or apk `epoch` qualifier in front of the version (trivy
    /// writes it so), `arch` (gem: `platform`) and `upstream` into their fields.
    pub fn to_package(&self) -> Option<Package> {
        let t = self.package_type()?;
        let ns = self.namespace.as_deref().filter(|n| !n.is_empty());
        let name = match (t, ns) {
            (PackageType::Npm | PackageType::Golang | PackageType::Composer, Some(ns)) => {
                format!("{ns}/{}", self.name)
            }
            (PackageType::Maven, Some(ns)) => format!("{ns}:{}", self.name),
            _ => self.name.clone(),
        };
        let mut version = self.version.clone().unwrap_or_default();
        let mut epoch = None;
        let q_epoch = self
            .qualifiers
            .get("epoch")
            .and_then(|e| e.parse::<u64>().ok());
        match t {
            PackageType::Rpm => {
                if let Some((e, v)) = version.split_once(':') {
                    if let Ok(e) = e.parse::<u64>() {
                        epoch = Some(e);
                        version = v.to_string();
                    }
                }
                epoch = epoch.or(q_epoch);
            }
            PackageType::Deb | PackageType::Apk => {
                if let Some(e) = q_epoch.filter(|&e| e > 0) {
                    if !version.contains(':') {
                        version = format!("{e}:{version}");
                    }
                }
            }
            _ => {}
        }
        let arch = match t {
            PackageType::Gem => self.qualifiers.get("platform").cloned(),
            _ => self.qualifiers.get("arch").cloned(),
        };
        let (source_name, source_version) = match self.qualifiers.get("upstream") {
            Some(u) => match u.split_once('@') {
                Some((n, v)) => (Some(n.to_string()), Some(v.to_string())),
                None => (Some(u.clone()), None),
            },
            None => (None, None),
        };
        Some(Package {
            package_type: Some(t),
            name,
            version,
            epoch,
            arch,
            source_name,
            source_version,
            ..Default::default()
        })
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pkg:{}/", self.purl_type)?;
        if let Some(ns) = self.namespace.as_deref().map(encode_segments) {
            if !ns.is_empty() {
                write!(f, "{ns}/")?;
            }
        }
        f.write_str(&encode(&self.name, &[]))?;
        if let Some(v) = &self.version {
            write!(f, "@{}", encode(v, b":"))?;
        }
        for (i, (k, v)) in self.qualifiers.iter().enumerate() {
            let sep = if i == 0 { '?' } else { '&' };
            write!(f, "{sep}{k}={}", encode(v, b":"))?;
        }
        if let Some(sp) = self.subpath.as_deref().map(encode_segments) {
            if !sp.is_empty() {
                write!(f, "#{sp}")?;
            }
        }
        Ok(())
    }
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
    let mut purl = Purl::new(t.as_str(), &p.name);
    purl.namespace = Some(namespace(os, t));
    purl.version = Some(p.version.clone());
    let q = &mut purl.qualifiers;
    if let Some(a) = &p.arch {
        q.insert("arch".into(), a.clone());
    }
    if let Some(os) = os {
        if let Some(v) = &os.version_id {
            q.insert("distro".into(), format!("{}-{}", os.id, v));
        }
    }
    if let Some(e) = p.epoch {
        if e > 0 {
            q.insert("epoch".into(), e.to_string());
        }
    }
    if let Some(src) = &p.source_name {
        match &p.source_version {
            Some(v) if v != &p.version => {
                q.insert("upstream".into(), format!("{src}@{v}"));
            }
            _ if src != &p.name => {
                q.insert("upstream".into(), src.clone());
            }
            _ => {}
        }
    }
    purl.normalized().to_string()
}

/// The purl of a language package (`pkg:pypi/jinja2@2.11.2`, `pkg:npm/%40scope/name@1.0.0`,
/// `pkg:gem/rails@7.0.0`, `pkg:golang/github.com/x/y@v1.2.3`, `pkg:cargo/serde@1.0.0`,
/// `pkg:maven/org.apache/commons-text@1.9`, `pkg:nuget/Newtonsoft.Json@13.0.1`,
/// `pkg:composer/guzzlehttp/guzzle@7.4.2`). OS packages get [`os_package`] instead; for
/// them, and packages without a type, this falls back to it without an OS.
pub fn language_package(p: &Package) -> String {
    let Some(t) = p.package_type.filter(|t| !t.is_os()) else {
        return os_package(p, None);
    };
    let (namespace, name) = match t {
        PackageType::Npm => match p.name.split_once('/') {
            Some((scope, n)) if scope.starts_with('@') => (Some(scope), n),
            _ => (None, p.name.as_str()),
        },
        PackageType::Golang => match p.name.trim_matches('/').rsplit_once('/') {
            Some((ns, n)) => (Some(ns), n),
            None => (None, p.name.as_str()),
        },
        PackageType::Maven => match p.name.split_once(':') {
            Some((g, a)) => (Some(g), a),
            None => (None, p.name.as_str()),
        },
        PackageType::Composer => match p.name.split_once('/') {
            Some((vendor, n)) => (Some(vendor), n),
            None => (None, p.name.as_str()),
        },
        _ => (None, p.name.as_str()),
    };
    let mut purl = Purl::new(t.as_str(), name);
    purl.namespace = namespace.map(str::to_string);
    purl.version = Some(p.version.clone()).filter(|v| !v.is_empty());
    // A gem built for one platform (`nokogiri-1.15.4-x86_64-linux`) says so; pure-Ruby
    // gems (`ruby`) carry no qualifier.
    if t == PackageType::Gem {
        if let Some(a) = p.arch.as_deref().filter(|a| !a.is_empty() && *a != "ruby") {
            purl.qualifiers.insert("platform".into(), a.into());
        }
    }
    purl.normalized().to_string()
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

    /// Validates parsing: decoding, qualifiers, subpath, lenient forms and non-purls.
    #[test]
    fn parse() {
        let p = Purl::parse(
            "pkg:deb/debian/bash@5.2.15-2%2Bb13?Arch=amd64&distro=debian-12&upstream=bash%405.2.15-2&empty=#usr//bin/./x",
        )
        .unwrap();
        assert_eq!(p.purl_type, "deb");
        assert_eq!(p.namespace.as_deref(), Some("debian"));
        assert_eq!(p.name, "bash");
        assert_eq!(p.version.as_deref(), Some("5.2.15-2+b13"));
        assert_eq!(p.qualifiers["arch"], "amd64");
        assert_eq!(p.qualifiers["upstream"], "bash@5.2.15-2");
        assert!(!p.qualifiers.contains_key("empty"));
        assert_eq!(p.subpath.as_deref(), Some("usr/bin/x"));
        let npm = Purl::parse("pkg:NPM/%40babel/core").unwrap();
        assert_eq!(
            (
                npm.purl_type.as_str(),
                npm.namespace.as_deref(),
                npm.version
            ),
            ("npm", Some("@babel"), None)
        );
        let go = Purl::parse("pkg://golang/github.com/Azure/x@v1.0.0").unwrap();
        assert_eq!(go.namespace.as_deref(), Some("github.com/Azure"));
        assert_eq!(
            Purl::parse("pkg:oci/app@sha256%3Aabc")
                .unwrap()
                .version
                .as_deref(),
            Some("sha256:abc")
        );
        assert!(Purl::parse("not a purl").is_none());
        assert!(Purl::parse("pkg:deb").is_none());
        assert_eq!(decode("a%2"), "a%2");
        assert_eq!(decode("a%+1%zz%é"), "a%+1%zz%é");
        assert_eq!(decode("%3a%3A"), "::");
    }

    /// Validates that formatting a parsed purl gives it back in canonical form (qualifiers
    /// sorted, components encoded), and the per-type normalisation.
    #[test]
    fn format_and_normalise() {
        for (raw, canonical) in [
            (
                "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12&arch=amd64",
                "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
            ),
            (
                "pkg:npm/%40babel/core@7.24.0",
                "pkg:npm/%40babel/core@7.24.0",
            ),
            (
                "pkg:deb/debian/git@1%3A2.39.2-1.1",
                "pkg:deb/debian/git@1:2.39.2-1.1",
            ),
            (
                "pkg:golang/github.com/Azure/x@v1.0.0#sub/dir",
                "pkg:golang/github.com/Azure/x@v1.0.0#sub/dir",
            ),
            ("pkg:pypi/a%20b@1.0+local", "pkg:pypi/a%20b@1.0%2Blocal"),
        ] {
            assert_eq!(Purl::parse(raw).unwrap().to_string(), canonical, "{raw}");
        }
        let norm = |s: &str| Purl::parse(s).unwrap().normalized().to_string();
        assert_eq!(
            norm("pkg:pypi/Zope_Interface@6.0"),
            "pkg:pypi/zope-interface@6.0"
        );
        assert_eq!(norm("pkg:npm/%40Babel/Core@7"), "pkg:npm/%40babel/core@7");
        assert_eq!(norm("pkg:deb/Debian/Bash@5"), "pkg:deb/debian/bash@5");
        assert_eq!(norm("pkg:rpm/RedHat/NSS@3"), "pkg:rpm/redhat/NSS@3");
        assert_eq!(
            norm("pkg:golang/github.com/Azure/X@v1"),
            "pkg:golang/github.com/Azure/X@v1"
        );
    }

    /// Validates package identity: version, qualifiers and subpath ignored, ASCII case too.
    #[test]
    fn same_package() {
        let p = |s: &str| Purl::parse(s).unwrap();
        let a = p("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64");
        assert!(a.same_package(&p("pkg:deb/debian/libssl3")));
        assert!(a.same_package(&p("pkg:DEB/Debian/LibSSL3@1#x")));
        assert!(!a.same_package(&p("pkg:deb/ubuntu/libssl3")));
        assert!(!a.same_package(&p("pkg:deb/libssl3")));
        assert!(!a.same_package(&p("pkg:rpm/debian/libssl3")));
    }

    /// Validates NuGet and Composer purls: NuGet ids keep their case, Composer vendors are
    /// the namespace and lower case; both read back into the package they came from.
    #[test]
    fn nuget_and_composer_purls() {
        use PackageType::*;
        assert_eq!(
            lang(NuGet, "Newtonsoft.Json", "13.0.1"),
            "pkg:nuget/Newtonsoft.Json@13.0.1"
        );
        assert_eq!(
            lang(NuGet, "System.Text.Encodings.Web", "4.5.0-preview1.1"),
            "pkg:nuget/System.Text.Encodings.Web@4.5.0-preview1.1"
        );
        assert_eq!(
            lang(Composer, "guzzlehttp/guzzle", "7.4.2"),
            "pkg:composer/guzzlehttp/guzzle@7.4.2"
        );
        assert_eq!(
            lang(Composer, "Symfony/Console", "v6.4.3"),
            "pkg:composer/symfony/console@v6.4.3"
        );
        for (purl, t, name, version) in [
            (
                "pkg:nuget/Newtonsoft.Json@13.0.1",
                NuGet,
                "Newtonsoft.Json",
                "13.0.1",
            ),
            (
                "pkg:composer/guzzlehttp/guzzle@7.4.2",
                Composer,
                "guzzlehttp/guzzle",
                "7.4.2",
            ),
        ] {
            let p = Purl::parse(purl).unwrap().to_package().unwrap();
            assert_eq!(
                (p.package_type, p.name.as_str(), p.version.as_str()),
                (Some(t), name, version)
            );
            assert_eq!(language_package(&p), purl);
        }
    }
}

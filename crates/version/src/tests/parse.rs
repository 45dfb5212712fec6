//! Parsing: what each scheme rejects, error messages, display, and scheme names.

use crate::{
    compare, ApkVersion, DpkgVersion, GemVersion, GoVersion, MavenVersion, RpmVersion, Scheme,
    SemverVersion,
};

/// Validates that dpkg rejects what dpkg's parseversion rejects (lib/dpkg/t/t-version.c).
#[test]
fn dpkg_rejects_what_dpkg_rejects() {
    let mut bad: Vec<String> = [
        "",
        "  ",
        "0:",
        "0:0 0-1",
        "-1:0-1",
        "999999999999999999999999:0-1",
        "a:0-0",
        "A:0-0",
        "-0",
        "0:-0",
        "0:abc3-0",
        "0:0-0:0",
        "foo5.2",
        "10a:5.2",
        "5.2@3-2",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for c in "!#@$%&/|\\<>()[]{};,_=*^'".chars() {
        bad.push(format!("0:0{c}-0"));
    }
    for c in "!#@$%&/|\\<>()[]{}:;,_=*^'".chars() {
        bad.push(format!("0:0-0{c}"));
    }
    for s in &bad {
        let err = s.parse::<DpkgVersion>().unwrap_err();
        assert_eq!(err.scheme(), Scheme::Dpkg);
        assert_eq!(err.input(), s);
    }
    // Accepted: surrounding whitespace, every valid character, multiple colons/hyphens.
    for s in [
        "  \t0:0-1",
        "0:0-1\t  ",
        "0:09azAZ.-+~:-0",
        "0:0-azAZ09.+~",
        "0:0:0:0-0",
        "0:0-",
    ] {
        s.parse::<DpkgVersion>()
            .unwrap_or_else(|e| panic!("{s:?}: {e}"));
    }
    let v: DpkgVersion = "  1:2.3-4+deb12u1 ".parse().unwrap();
    assert_eq!(
        (v.epoch(), v.upstream(), v.revision()),
        (1, "2.3", "4+deb12u1")
    );
    assert_eq!(v.to_string(), "1:2.3-4+deb12u1");
}

/// Validates error messages name the scheme, the input and the reason.
#[test]
fn errors_name_scheme_and_input() {
    let err = compare(Scheme::Dpkg, "1.0", "1:").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid dpkg version \"1:\": nothing after the epoch's colon"
    );
    let err = compare(Scheme::Npm, "1.2", "1.2.3").unwrap_err();
    assert!(
        err.to_string().starts_with("invalid npm version \"1.2\": "),
        "{err}"
    );
    let err = compare(Scheme::Pep440, "1.0", "french toast").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid pep440 version \"french toast\""),
        "{err}"
    );
    assert!(!err.reason().is_empty());
}

/// Validates each scheme's rejections of clearly invalid versions.
#[test]
fn invalid_versions() {
    let cases: &[(Scheme, &[&str])] = &[
        (Scheme::Apk, &["", "abc", "-r1", "1.0 beta"]),
        (Scheme::Rpm, &["", ":1.0", "a:1.0", "1.0-", "-1", "1.0 1"]),
        (Scheme::Semver, &["", "1.2.3.4", "01.2.3", "1.2.3-", "x"]),
        (Scheme::Npm, &["", "1.2", "1.2.3.4", "01.2.3", "1.2.3-01"]),
        (Scheme::Cargo, &["", "v1.2.3", "1.2", "1.2.3-"]),
        (
            Scheme::Go,
            &[
                "bad",
                "v1-pre",
                "v1+meta",
                "v1-pre+meta",
                "v1.2-pre",
                "v1.2+meta",
                "go",
                "go1.21x1",
                "go1.2.3.4",
            ],
        ),
        (
            Scheme::Pep440,
            &[
                "french toast",
                "1.0+a+",
                "1.0++",
                "1.0+_foobar",
                "1.0+foo&asd",
                "1.0+1+1",
                "1. 0",
                "1 .0",
                "1.0 a1",
                ".",
                "1..0",
                "1.0.",
            ],
        ),
        (Scheme::Maven, &["", "1.0 beta"]),
        (
            Scheme::NuGet,
            &["", "v1.0", "1.2.3.4.5", "1.0-", "1.0 beta"],
        ),
        (Scheme::Packagist, &["", "v", "1.0 beta"]),
        (
            Scheme::RubyGems,
            &["junk", "1.0\n2.0", "1..0", "1.0-", "-1"],
        ),
    ];
    for (scheme, inputs) in cases {
        for input in *inputs {
            let err = compare(*scheme, input, input).unwrap_err();
            assert_eq!(err.scheme(), *scheme, "{input:?}");
        }
    }
}

/// Validates Display: dpkg, rpm, apk, Maven, RubyGems and Go keep the input; SemVer and
/// PEP 440 normalize.
#[test]
fn display() {
    assert_eq!(
        "0:1.0-1.el9".parse::<RpmVersion>().unwrap().to_string(),
        "0:1.0-1.el9"
    );
    assert_eq!(
        "1.2.3_rc1-r0".parse::<ApkVersion>().unwrap().to_string(),
        "1.2.3_rc1-r0"
    );
    assert_eq!(
        "1.0-SNAPSHOT".parse::<MavenVersion>().unwrap().to_string(),
        "1.0-SNAPSHOT"
    );
    assert_eq!(
        "1.0.0-rc1".parse::<GemVersion>().unwrap().to_string(),
        "1.0.0-rc1"
    );
    assert_eq!(
        "go1.21rc2".parse::<GoVersion>().unwrap().to_string(),
        "go1.21rc2"
    );
    assert_eq!(
        "go1.21rc2"
            .parse::<GoVersion>()
            .unwrap()
            .semver()
            .to_string(),
        "1.21.0-rc.2"
    );
    assert_eq!(
        SemverVersion::parse_lenient("v1.2").unwrap().to_string(),
        "1.2.0"
    );
    assert_eq!(
        crate::pep440::parse("1.0RC1").unwrap().to_string(),
        "1.0rc1"
    );
    let rpm: RpmVersion = "2:1.0-3".parse().unwrap();
    assert_eq!(
        (rpm.epoch(), rpm.version(), rpm.release()),
        (Some(2), "1.0", Some("3"))
    );
}

/// Validates rpm's dependency-style comparison that ignores a missing epoch or release.
#[test]
fn rpm_ignoring_missing() {
    use std::cmp::Ordering;
    let v = |s: &str| s.parse::<RpmVersion>().unwrap();
    assert_eq!(v("1.0").cmp_ignoring_missing(&v("1.0-5")), Ordering::Equal);
    assert_eq!(v("1.0-5").cmp(&v("1.0")), Ordering::Greater);
    assert_eq!(
        v("1.0-5").cmp_ignoring_missing(&v("1:1.0-5")),
        Ordering::Equal
    );
    assert_eq!(v("1.0-5").cmp(&v("1:1.0-5")), Ordering::Less);
    assert_eq!(v("1.0-5").cmp_ignoring_missing(&v("1.0-6")), Ordering::Less);
}

/// Validates apk's own validity check, separate from ordering.
#[test]
fn apk_validity() {
    for s in ["1.0", "1.2.3a_rc1_p2-r4", "0.1.0_alpha_pre2", "20240101"] {
        assert!(s.parse::<ApkVersion>().unwrap().is_valid(), "{s}");
    }
    for s in ["1.0bc", "1.0-x", "1.0_foo", "1.0A"] {
        assert!(!s.parse::<ApkVersion>().unwrap().is_valid(), "{s}");
    }
}

/// Validates OSV ecosystem names and scheme names.
#[test]
fn schemes() {
    let cases = [
        ("Debian", Scheme::Dpkg),
        ("Debian:12", Scheme::Dpkg),
        ("Ubuntu:22.04:LTS", Scheme::Dpkg),
        ("Alpine", Scheme::Apk),
        ("Alpine:v3.19", Scheme::Apk),
        ("Wolfi", Scheme::Apk),
        ("Red Hat", Scheme::Rpm),
        ("Red Hat:enterprise_linux:9::appstream", Scheme::Rpm),
        ("AlmaLinux:9", Scheme::Rpm),
        ("Rocky Linux:8", Scheme::Rpm),
        ("SUSE:Linux Enterprise Server 15 SP5", Scheme::Rpm),
        ("openSUSE:Tumbleweed", Scheme::Rpm),
        ("Mageia:9", Scheme::Rpm),
        ("npm", Scheme::Npm),
        ("PyPI", Scheme::Pep440),
        ("Maven", Scheme::Maven),
        ("RubyGems", Scheme::RubyGems),
        ("Go", Scheme::Go),
        ("crates.io", Scheme::Cargo),
        ("Packagist", Scheme::Packagist),
        ("NuGet", Scheme::NuGet),
        ("NVD", Scheme::Cpe),
    ];
    for (ecosystem, scheme) in cases {
        assert_eq!(
            Scheme::for_ecosystem(ecosystem),
            Some(scheme),
            "{ecosystem}"
        );
    }
    for unknown in ["", "Hackage", "GIT", "Debianish"] {
        assert_eq!(Scheme::for_ecosystem(unknown), None, "{unknown}");
    }
    for scheme in Scheme::ALL {
        assert_eq!(scheme.to_string().parse::<Scheme>().unwrap(), scheme);
    }
    assert_eq!("DPKG".parse::<Scheme>().unwrap(), Scheme::Dpkg);
    assert!("deb".parse::<Scheme>().is_err());
}

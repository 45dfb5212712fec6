//! Native version specifiers: `satisfies(scheme, version, spec)`.
//!
//! Each scheme reads its own ecosystem's syntax:
//!
//! | scheme | syntax | example |
//! | --- | --- | --- |
//! | npm, SemVer | node-semver ranges | `^1.2.3 \|\| >=2.0.0 <2.1.0`, `1.2.x`, `1 - 2` |
//! | Cargo | Cargo requirements (`semver::VersionReq`) | `^1.2`, `>=1.0, <1.5`, `~0.3` |
//! | PEP 440 | version specifiers | `>=1.0,!=1.3.*,<2`, `~=2.2`, `===1.0` |
//! | RubyGems | requirements | `~> 2.1`, `>= 1.0, < 3` |
//! | Maven | version ranges | `[1.0,2.0)`, `(,1.0]`, `[1.2]`, `(,1.0],[1.2,)` |
//! | dpkg, apk, rpm, Go | comparators joined by `,` | `>= 1.0-1, << 2.0` |
//!
//! Pre-release rules follow each ecosystem: node-semver's and Cargo's (a pre-release
//! matches only a comparator with a pre-release on the same `major.minor.patch`),
//! packaging's (pre-releases match only when a specifier names one, or the version is not
//! a pre-release), RubyGems' and Maven's (no special rule).

use std::cmp::Ordering;
use std::str::FromStr;

use pep440_rs::{Operator, VersionSpecifiers};

use crate::npm::NpmRange;
use crate::parsed::Parsed;
use crate::{pep440, GemVersion, MavenVersion, Scheme, SemverVersion, SpecError};

/// Whether `version` satisfies the native specifier `spec` of `scheme`.
///
/// ```
/// use version::{satisfies, Scheme};
/// assert!(satisfies(Scheme::Npm, "1.2.4", "^1.2.3 || >=3").unwrap());
/// assert!(!satisfies(Scheme::Npm, "1.2.4-beta", ">1.2.3").unwrap());
/// assert!(satisfies(Scheme::Pep440, "1.4.2", ">=1.0,!=1.3.*,<2").unwrap());
/// assert!(!satisfies(Scheme::Pep440, "2.0rc1", ">=1.0").unwrap());
/// assert!(satisfies(Scheme::RubyGems, "2.1.9", "~> 2.1.3").unwrap());
/// assert!(satisfies(Scheme::Maven, "1.5", "[1.0,2.0)").unwrap());
/// assert!(satisfies(Scheme::Dpkg, "1.0-1+deb12u1", ">= 1.0-1, << 1.0-2").unwrap());
/// ```
///
/// # Errors
///
/// [`SpecError::Version`] when the version (or a version in the spec) is invalid,
/// [`SpecError::Syntax`] when the specifier is malformed.
pub fn satisfies(scheme: Scheme, version: &str, spec: &str) -> Result<bool, SpecError> {
    satisfies_with(scheme, version, spec, Prereleases::EcosystemDefault)
}

/// How [`satisfies_with`] treats pre-release versions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Prereleases {
    /// The ecosystem's own rule (see the module docs).
    #[default]
    EcosystemDefault,
    /// Let pre-releases match like releases: node-semver's `includePrerelease`,
    /// packaging's `prereleases=True`. Other schemes have no pre-release rule to lift.
    Include,
}

/// [`satisfies`], choosing how pre-releases are treated.
///
/// ```
/// use version::{satisfies_with, Prereleases, Scheme};
/// assert!(satisfies_with(Scheme::Npm, "2.0.0-rc.1", "^1.0.0 || >=2.0.0-0", Prereleases::EcosystemDefault).unwrap());
/// assert!(satisfies_with(Scheme::Npm, "1.2.4-beta", ">1.2.3", Prereleases::Include).unwrap());
/// assert!(satisfies_with(Scheme::Pep440, "2.0rc1", ">=1.0", Prereleases::Include).unwrap());
/// ```
///
/// # Errors
///
/// As [`satisfies`].
pub fn satisfies_with(
    scheme: Scheme,
    version: &str,
    spec: &str,
    prereleases: Prereleases,
) -> Result<bool, SpecError> {
    let include = prereleases == Prereleases::Include;
    match scheme {
        Scheme::Npm => {
            let range = NpmRange::parse(scheme, spec, include)?;
            Ok(range.matches(&SemverVersion::parse_npm(version)?))
        }
        Scheme::Semver => {
            let range = NpmRange::parse(scheme, spec, include)?;
            Ok(range.matches(&SemverVersion::parse_lenient(version)?))
        }
        Scheme::Cargo => {
            let req = semver::VersionReq::parse(spec)
                .map_err(|e| SpecError::syntax(scheme, spec, e.to_string()))?;
            let v: SemverVersion = version.parse()?;
            Ok(req.matches(v.as_semver()))
        }
        Scheme::Pep440 => pep440_satisfies(version, spec, include),
        Scheme::RubyGems => gem_satisfies(version, spec),
        Scheme::Maven => maven_satisfies(version, spec),
        Scheme::Dpkg
        | Scheme::Apk
        | Scheme::Rpm
        | Scheme::Go
        | Scheme::NuGet
        | Scheme::Packagist
        | Scheme::Cpe => comparators_satisfy(scheme, version, spec),
    }
}

/// PEP 440 specifiers with packaging's default pre-release handling.
fn pep440_satisfies(version: &str, spec: &str, include: bool) -> Result<bool, SpecError> {
    let v = pep440::parse(version)?;
    let specs = VersionSpecifiers::from_str(spec)
        .map_err(|e| SpecError::syntax(Scheme::Pep440, spec, e.to_string()))?;
    // packaging: pre-releases are allowed when an inclusive specifier names one.
    let allow_pre = specs.iter().any(|s| {
        #[allow(deprecated)]
        let inclusive = matches!(
            s.operator(),
            Operator::Equal
                | Operator::EqualStar
                | Operator::ExactEqual
                | Operator::GreaterThanEqual
                | Operator::LessThanEqual
                | Operator::TildeEqual
        );
        inclusive && s.version().any_prerelease()
    });
    if v.any_prerelease() && !allow_pre && !include {
        return Ok(false);
    }
    Ok(specs.iter().all(|s| match s.operator() {
        Operator::LessThan => pep440_less_than(&v, s.version()),
        _ => s.contains(&v),
    }))
}

/// packaging's `<`: below the spec, and not a pre-release of the spec's own release
/// unless the spec is itself a pre-release. (`pep440_rs` also rejects `3.0.0a7` for
/// `<3.0.0a8`, which packaging accepts.)
fn pep440_less_than(v: &pep440::Pep440Version, spec: &pep440::Pep440Version) -> bool {
    if v >= spec {
        return false;
    }
    if !spec.any_prerelease() && v.any_prerelease() {
        let base = |x: &pep440::Pep440Version| {
            pep440::Pep440Version::new(x.release().iter().copied()).with_epoch(x.epoch())
        };
        if base(v) == base(spec) {
            return false;
        }
    }
    true
}

/// Split `op version` into the operator (one of `ops`, longest first) and the version.
fn split_op<'a>(item: &'a str, ops: &[&'static str]) -> (Option<&'static str>, &'a str) {
    let item = item.trim();
    for op in ops {
        if let Some(rest) = item.strip_prefix(op) {
            return (Some(op), rest.trim());
        }
    }
    (None, item)
}

/// RubyGems requirements: `op version` items joined by `,`, all of which must hold.
fn gem_satisfies(version: &str, spec: &str) -> Result<bool, SpecError> {
    let v: GemVersion = version.parse()?;
    let spec_trimmed = spec.trim();
    if spec_trimmed.is_empty() {
        return Ok(v >= "0".parse::<GemVersion>()?);
    }
    for item in spec_trimmed.split(',') {
        let (op, rest) = split_op(item, &["~>", ">=", "<=", "!=", ">", "<", "="]);
        if rest.is_empty() {
            return Err(SpecError::syntax(Scheme::RubyGems, spec, "missing version"));
        }
        let r: GemVersion = rest.parse()?;
        let ok = match op.unwrap_or("=") {
            "=" => v == r,
            "!=" => v != r,
            ">" => v > r,
            "<" => v < r,
            ">=" => v >= r,
            "<=" => v <= r,
            "~>" => v >= r && v.release() < r.bump(),
            _ => unreachable!("listed operators"),
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Maven version ranges, as `VersionRange.createFromVersionSpec` reads them.
///
/// A bare version (Maven's "soft requirement", which Maven lets match anything) is read
/// as an exact version here: callers asking "does 1.0 satisfy 1.0" mean equality.
fn maven_satisfies(version: &str, spec: &str) -> Result<bool, SpecError> {
    let err = |reason: &str| SpecError::syntax(Scheme::Maven, spec, reason);
    let v: MavenVersion = version.parse()?;
    let mut rest = spec.trim();
    if rest.is_empty() {
        return Err(err("empty range"));
    }
    if !rest.starts_with(['[', '(']) {
        return Ok(v == rest.parse::<MavenVersion>()?);
    }
    let mut any = false;
    while rest.starts_with(['[', '(']) {
        let close = rest
            .find([']', ')'])
            .ok_or_else(|| err("unbounded range"))?;
        let restriction = &rest[..=close];
        if restriction_contains(&v, restriction).map_err(|r| err(&r))? {
            any = true;
        }
        rest = rest[close + 1..].trim_start();
        if let Some(r) = rest.strip_prefix(',') {
            rest = r.trim_start();
            if rest.is_empty() {
                return Err(err("trailing comma"));
            }
        }
    }
    if !rest.is_empty() {
        return Err(err("only bracketed ranges may be listed together"));
    }
    Ok(any)
}

fn restriction_contains(v: &MavenVersion, r: &str) -> Result<bool, String> {
    let lower_inclusive = r.starts_with('[');
    let upper_inclusive = r.ends_with(']');
    let inner = r[1..r.len() - 1].trim();
    let parse = |s: &str| s.parse::<MavenVersion>().map_err(|e| e.to_string());
    let Some((lower, upper)) = inner.split_once(',') else {
        if !(lower_inclusive && upper_inclusive) {
            return Err("a single version must be surrounded by []".into());
        }
        return Ok(*v == parse(inner)?);
    };
    let (lower, upper) = (lower.trim(), upper.trim());
    if upper.contains(',') {
        return Err(format!("too many commas in {r:?}"));
    }
    let lower = (!lower.is_empty()).then(|| parse(lower)).transpose()?;
    let upper = (!upper.is_empty()).then(|| parse(upper)).transpose()?;
    if let (Some(l), Some(u)) = (&lower, &upper) {
        if u < l {
            return Err(format!(
                "range {r:?} has its upper bound below its lower bound"
            ));
        }
    }
    if let Some(l) = &lower {
        match l.cmp(v) {
            Ordering::Greater => return Ok(false),
            Ordering::Equal if !lower_inclusive => return Ok(false),
            _ => {}
        }
    }
    if let Some(u) = &upper {
        match u.cmp(v) {
            Ordering::Less => return Ok(false),
            Ordering::Equal if !upper_inclusive => return Ok(false),
            _ => {}
        }
    }
    Ok(true)
}

/// `op version` items joined by `,`, all of which must hold. Operators: `<`, `<=`, `=`,
/// `==`, `!=`, `>=`, `>`, and dpkg's `<<` and `>>` (strictly less, greater). A bare
/// version means `=`.
fn comparators_satisfy(scheme: Scheme, version: &str, spec: &str) -> Result<bool, SpecError> {
    let v = Parsed::parse(scheme, version)?;
    if spec.trim().is_empty() {
        return Err(SpecError::syntax(scheme, spec, "empty specifier"));
    }
    for item in spec.split(',') {
        let (op, rest) = split_op(item, &["<<", ">>", "<=", ">=", "==", "!=", "<", ">", "="]);
        if rest.is_empty() {
            return Err(SpecError::syntax(scheme, spec, "missing version"));
        }
        let ord = v.cmp_same(&Parsed::parse(scheme, rest)?);
        let ok = match op.unwrap_or("=") {
            "<<" | "<" => ord.is_lt(),
            ">>" | ">" => ord.is_gt(),
            "<=" => ord.is_le(),
            ">=" => ord.is_ge(),
            "=" | "==" => ord.is_eq(),
            "!=" => ord.is_ne(),
            _ => unreachable!("listed operators"),
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

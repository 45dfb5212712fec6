//! Whether an advisory affects one installed package version, using the `version` crate's
//! OSV range evaluation.
//!
//! Rules, in order, for each affected entry of the same ecosystem (with release) and the same
//! normalized package name:
//! * A withdrawn advisory affects nothing.
//! * [`Status::NotAffected`] entries affect nothing, whatever their ranges say.
//! * A version listed in `versions` is affected.
//! * `ECOSYSTEM` ranges use the ecosystem's scheme ([`version::Scheme::for_ecosystem`]);
//!   `SEMVER` ranges use it too where it is a SemVer dialect (Go, npm, Cargo, NuGet, whose
//!   four-part versions plain SemVer cannot read) and plain SemVer otherwise; `GIT` ranges are skipped (they name commits, not versions).
//! * An entry without ranges or versions affects nothing: there is no evidence.

use version::Scheme;

use crate::error::MatchError;
use crate::model::{Advisory, Affected, Event, RangeKind, Status};

fn scheme_for(kind: RangeKind, ecosystem: Option<Scheme>) -> Option<Scheme> {
    match kind {
        RangeKind::Git => None,
        RangeKind::Ecosystem => ecosystem,
        RangeKind::Semver => match ecosystem {
            Some(
                s @ (Scheme::Go | Scheme::Npm | Scheme::Cargo | Scheme::Semver | Scheme::NuGet),
            ) => Some(s),
            _ => Some(Scheme::Semver),
        },
    }
}

fn to_version_event(e: &Event) -> version::Event {
    match e {
        Event::Introduced(v) => version::Event::Introduced(v.clone()),
        Event::Fixed(v) => version::Event::Fixed(v.clone()),
        Event::LastAffected(v) => version::Event::LastAffected(v.clone()),
        Event::Limit(v) => version::Event::Limit(v.clone()),
    }
}

/// The first affected entry of `advisory` that affects `package` at `version` in
/// `ecosystem` (`"Debian:12"`, `"PyPI"`), or `None`.
///
/// ```
/// let json = br#"{"id": "PYSEC-2021-66", "affected": [{"package": {"ecosystem": "PyPI",
///   "name": "jinja2"}, "ranges": [{"type": "ECOSYSTEM",
///   "events": [{"introduced": "0"}, {"fixed": "2.11.3"}]}]}]}"#;
/// let adv = &vulndb::import::osv::import_json("osv", &json[..]).unwrap().items[0];
/// assert!(vulndb::matches(adv, "PyPI", "Jinja2", "2.11.2").unwrap().is_some());
/// assert!(vulndb::matches(adv, "PyPI", "jinja2", "2.11.3").unwrap().is_none());
/// ```
///
/// # Errors
/// When the ecosystem has no known scheme, or a version does not parse in it.
pub fn matches<'a>(
    advisory: &'a Advisory,
    ecosystem: &str,
    package: &str,
    version: &str,
) -> Result<Option<&'a Affected>, MatchError> {
    if advisory.withdrawn.is_some() {
        return Ok(None);
    }
    for a in &advisory.affected {
        if a.ecosystem.as_str() != ecosystem
            || a.normalized_package() != a.ecosystem.normalize_package(package)
            || a.status == Status::NotAffected
        {
            continue;
        }
        if a.versions.iter().any(|v| v == version) {
            return Ok(Some(a));
        }
        let eco_scheme = Scheme::for_ecosystem(ecosystem);
        for r in &a.ranges {
            let scheme = match (r.kind, scheme_for(r.kind, eco_scheme)) {
                (RangeKind::Git, _) => continue,
                (_, Some(s)) => s,
                (_, None) => {
                    return Err(MatchError::UnknownScheme {
                        advisory: advisory.id.to_string(),
                        ecosystem: ecosystem.to_owned(),
                    })
                }
            };
            let events: Vec<version::Event> = r.events.iter().map(to_version_event).collect();
            let hit =
                version::affected(scheme, version, &events).map_err(|err| MatchError::Version {
                    advisory: advisory.id.to_string(),
                    package: package.to_owned(),
                    version: version.to_owned(),
                    err: Box::new(err),
                })?;
            if hit {
                return Ok(Some(a));
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{debian, osv};

    const GO: &str = r#"{"id": "GO-2023-1571", "affected": [
      {"package": {"name": "stdlib", "ecosystem": "Go"}, "ranges": [{"type": "SEMVER", "events": [
        {"introduced": "0"}, {"fixed": "1.19.6"}, {"introduced": "1.20.0-0"}, {"fixed": "1.20.1"}]}]},
      {"package": {"name": "golang.org/x/net", "ecosystem": "Go"}, "ranges": [{"type": "SEMVER",
        "events": [{"introduced": "0"}, {"fixed": "0.7.0"}]}]}]}"#;

    #[test]
    fn go_stdlib_with_and_without_go_prefix() {
        let adv = &osv::import_json("osv", GO.as_bytes()).unwrap().items[0];
        assert!(matches(adv, "Go", "stdlib", "go1.20").unwrap().is_some());
        assert!(matches(adv, "Go", "stdlib", "1.19.5").unwrap().is_some());
        assert!(matches(adv, "Go", "stdlib", "go1.20.1").unwrap().is_none());
        assert!(matches(adv, "Go", "stdlib", "1.19.6").unwrap().is_none());
        let net = matches(adv, "Go", "golang.org/x/net", "v0.6.0")
            .unwrap()
            .unwrap();
        assert_eq!(net.package, "golang.org/x/net");
        assert!(
            matches(adv, "npm", "stdlib", "1.0.0").unwrap().is_none(),
            "other ecosystem"
        );
    }

    #[test]
    fn debian_statuses() {
        let doc = r#"{"zlib": {"CVE-2023-45853": {"releases": {
            "bookworm": {"status": "open", "nodsa": "x", "nodsa_reason": "ignored"},
            "bullseye": {"status": "resolved", "fixed_version": "0"},
            "trixie": {"status": "resolved", "fixed_version": "1:1.3.dfsg-3"}}}}}"#;
        let adv = &debian::import("debian", doc.as_bytes()).unwrap().items[0];
        let wnf = matches(adv, "Debian:12", "zlib", "1:1.2.13.dfsg-1")
            .unwrap()
            .unwrap();
        assert_eq!(wnf.status, Status::WillNotFix);
        assert!(matches(adv, "Debian:11", "zlib", "1:1.2.11.dfsg-2")
            .unwrap()
            .is_none());
        assert!(matches(adv, "Debian:13", "zlib", "1:1.3.dfsg-2")
            .unwrap()
            .is_some());
        assert!(matches(adv, "Debian:13", "zlib", "1:1.3.dfsg-3")
            .unwrap()
            .is_none());
    }

    #[test]
    fn bad_version_is_an_error_naming_the_advisory() {
        let adv = &osv::import_json("osv", GO.as_bytes()).unwrap().items[0];
        let err = matches(adv, "Go", "stdlib", "not a version!").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("GO-2023-1571: cannot compare stdlib"),
            "{err}"
        );
    }
}

//! Debian and Ubuntu release codenames and the release numbers they stand for.
//!
//! One table for every reader of codenames: the Debian Security Tracker keys releases by
//! codename (`bookworm`) while OSV ecosystems use numbers (`Debian:12`); an image whose
//! `/etc/debian_version` says `trixie/sid` has no number at all; and image tags open with a
//! codename (`bookworm-slim`, `jammy-20240111`).
//!
//! Traps:
//! * Debian numbers its releases by major only since 7; older ones had minors (`3.1`);
//! * `sid` is always unstable and has no number;
//! * Ubuntu's release number is `YY.MM` (`22.04`); only its LTS releases from 18.04 on are
//!   listed, the ones shipshape reads in tags.

/// A distribution that names its releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Distro {
    /// Debian.
    Debian,
    /// Ubuntu.
    Ubuntu,
}

/// One named release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Release {
    /// The distribution.
    pub distro: Distro,
    /// The codename, lower case (`bookworm`).
    pub codename: &'static str,
    /// The release as the distribution numbers it (`12`, `22.04`), or `unstable` for sid.
    pub version: &'static str,
}

const fn r(distro: Distro, codename: &'static str, version: &'static str) -> Release {
    Release {
        distro,
        codename,
        version,
    }
}

/// Every release this crate knows, oldest first per distribution.
pub const RELEASES: &[Release] = &[
    r(Distro::Debian, "buzz", "1.1"),
    r(Distro::Debian, "rex", "1.2"),
    r(Distro::Debian, "bo", "1.3"),
    r(Distro::Debian, "hamm", "2.0"),
    r(Distro::Debian, "slink", "2.1"),
    r(Distro::Debian, "potato", "2.2"),
    r(Distro::Debian, "woody", "3.0"),
    r(Distro::Debian, "sarge", "3.1"),
    r(Distro::Debian, "etch", "4"),
    r(Distro::Debian, "lenny", "5"),
    r(Distro::Debian, "squeeze", "6"),
    r(Distro::Debian, "wheezy", "7"),
    r(Distro::Debian, "jessie", "8"),
    r(Distro::Debian, "stretch", "9"),
    r(Distro::Debian, "buster", "10"),
    r(Distro::Debian, "bullseye", "11"),
    r(Distro::Debian, "bookworm", "12"),
    r(Distro::Debian, "trixie", "13"),
    r(Distro::Debian, "forky", "14"),
    r(Distro::Debian, "duke", "15"),
    r(Distro::Debian, "sid", "unstable"),
    r(Distro::Ubuntu, "bionic", "18.04"),
    r(Distro::Ubuntu, "focal", "20.04"),
    r(Distro::Ubuntu, "jammy", "22.04"),
    r(Distro::Ubuntu, "noble", "24.04"),
];

impl Release {
    /// The release number as integers (`12` → `[12]`, `22.04` → `[22, 4]`); `None` for a
    /// release without a number (sid).
    pub fn numbers(&self) -> Option<Vec<u64>> {
        self.version.split('.').map(|p| p.parse().ok()).collect()
    }
}

/// The release of `distro` named `codename` (exact, lower case).
pub fn release(distro: Distro, codename: &str) -> Option<&'static Release> {
    RELEASES
        .iter()
        .find(|r| r.distro == distro && r.codename == codename)
}

/// The release named `codename` in any distribution (codenames do not collide).
pub fn by_codename(codename: &str) -> Option<&'static Release> {
    RELEASES.iter().find(|r| r.codename == codename)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates lookups, numbers, and that no codename names two releases.
    #[test]
    fn codenames() {
        assert_eq!(release(Distro::Debian, "bookworm").unwrap().version, "12");
        assert_eq!(release(Distro::Debian, "sid").unwrap().version, "unstable");
        assert_eq!(release(Distro::Debian, "jammy"), None);
        assert_eq!(release(Distro::Debian, "Bookworm"), None);
        let jammy = by_codename("jammy").unwrap();
        assert_eq!(jammy.distro, Distro::Ubuntu);
        assert_eq!(jammy.numbers(), Some(vec![22, 4]));
        assert_eq!(by_codename("sarge").unwrap().numbers(), Some(vec![3, 1]));
        assert_eq!(by_codename("sid").unwrap().numbers(), None);
        for (i, a) in RELEASES.iter().enumerate() {
            assert!(
                RELEASES[i + 1..].iter().all(|b| b.codename != a.codename),
                "{}",
                a.codename
            );
        }
    }
}

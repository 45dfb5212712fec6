//! Stable codes for problems that make a scan less complete without stopping it.

/// One diagnostic code and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    /// The code (`S001`).
    pub code: &'static str,
    /// What it means.
    pub meaning: &'static str,
}

/// OS packages were not checked: the OS is unknown or has no feed.
pub const NO_OS_FEED: Code = Code {
    code: "S001",
    meaning: "OS packages not checked: no advisory feed for this OS",
};

/// Packages were not checked: their type has no ecosystem, they have no version, or they did
/// not come from their ecosystem's registry (`Package::origin`).
pub const NOT_QUERYABLE: Code = Code {
    code: "S002",
    meaning: "packages not checked: no ecosystem, no version or not from the registry",
};

/// Advisories could not be evaluated for a package (a version does not parse); one per
/// package.
pub const NOT_COMPARABLE: Code = Code {
    code: "S003",
    meaning: "advisories skipped for a package: versions not comparable",
};

/// An ignore rule has passed its `expires` date and no longer hides findings.
pub const EXPIRED_RULE: Code = Code {
    code: "S004",
    meaning: "ignore rule expired: its findings are reported again",
};

/// The advisory database is older than `vulndb::update::STALE_AFTER` or of unknown age.
pub const STALE_DATABASE: Code = Code {
    code: "S005",
    meaning: "the vulnerability database is stale",
};

/// The database holds no advisory at all for an ecosystem the image's packages need, so
/// those packages were checked against nothing.
pub const EMPTY_FEED: Code = Code {
    code: "S006",
    meaning: "the database has no advisories for an ecosystem the image needs",
};

/// The Dockerfile given with `--file` does not match the image's history (other
/// instructions, another count, an unknown stage): no finding is attributed to its lines.
pub const DOCKERFILE_MISMATCH: Code = Code {
    code: "S007",
    meaning: "the Dockerfile does not match the image: instructions not attributed",
};

/// The image given with `--base-image` is not this image's base (its layers are not the
/// image's bottom layers); the base is found the other ways.
pub const BASE_IMAGE_MISMATCH: Code = Code {
    code: "S008",
    meaning: "--base-image is not the base of this image: ignored",
};

/// RustSec informational advisories (`unmaintained`, `notice`) matched installed crates;
/// they are not vulnerabilities, so not findings, and are named here (cargo-audit's
/// warnings). `unsound` ones are findings.
pub const RUSTSEC_INFORMATIONAL: Code = Code {
    code: "S009",
    meaning: "informational RustSec advisories (unmaintained, notice) are not findings",
};

/// Every code, for documentation and the uniqueness test.
pub const ALL: [Code; 9] = [
    NO_OS_FEED,
    NOT_QUERYABLE,
    NOT_COMPARABLE,
    EXPIRED_RULE,
    STALE_DATABASE,
    EMPTY_FEED,
    DOCKERFILE_MISMATCH,
    BASE_IMAGE_MISMATCH,
    RUSTSEC_INFORMATIONAL,
];

#[cfg(test)]
mod tests {
    /// Validates that codes are unique and well formed.
    #[test]
    fn codes_unique() {
        let mut codes: Vec<&str> = super::ALL.iter().map(|c| c.code).collect();
        assert!(codes.iter().all(|c| c.len() == 4 && c.starts_with('S')));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), super::ALL.len());
    }
}

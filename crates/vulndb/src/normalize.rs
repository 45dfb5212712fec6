//! Package-name normalization per ecosystem, so lookups find what feeds wrote differently.
//!
//! * PyPI: [PEP 503](https://peps.python.org/pep-0503/#normalized-names) through
//!   [`version::pep503::normalize`], the form the inventory's pypi purls use too: lower case,
//!   and every run of `-`, `_` and `.` becomes one `-` (`Jinja2` → `jinja2`,
//!   `zope.interface` → `zope-interface`).
//! * Packagist, NuGet: names are case-insensitive, so lower case.
//! * Everything else (npm, crates.io, Go module paths, Maven, RubyGems, Debian, Alpine) is
//!   kept as written: those registries are case-sensitive or already lower case.

/// Normalizes `package` for the ecosystem named `ecosystem` (without release).
pub fn normalize_package(ecosystem: &str, package: &str) -> String {
    match ecosystem {
        "PyPI" => version::pep503::normalize(package),
        "Packagist" | "NuGet" => package.to_ascii_lowercase(),
        _ => package.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_package;

    #[test]
    fn pep503_examples() {
        // Examples from PEP 503.
        for name in [
            "friendly-bard",
            "Friendly-Bard",
            "FRIENDLY-BARD",
            "friendly.bard",
            "friendly_bard",
            "friendly--bard",
            "FrIeNdLy-._.-bArD",
        ] {
            assert_eq!(normalize_package("PyPI", name), "friendly-bard", "{name}");
        }
        assert_eq!(normalize_package("PyPI", "Jinja2"), "jinja2");
    }

    #[test]
    fn other_ecosystems_keep_names() {
        assert_eq!(normalize_package("npm", "@Scope/Pkg"), "@Scope/Pkg");
        assert_eq!(
            normalize_package("Go", "github.com/BurntSushi/toml"),
            "github.com/BurntSushi/toml"
        );
        assert_eq!(normalize_package("crates.io", "Inflector"), "Inflector");
        assert_eq!(
            normalize_package("NuGet", "Newtonsoft.Json"),
            "newtonsoft.json"
        );
    }
}

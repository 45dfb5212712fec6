//! Python distribution names as PEP 503 compares them.
//!
//! [PEP 503](https://peps.python.org/pep-0503/#normalized-names): lower case, and every run
//! of `-`, `_` and `.` becomes one `-` (`re.sub(r"[-_.]+", "-", name).lower()`, as
//! `packaging.utils.canonicalize_name` does). pip treats `Jinja2`, `jinja_2` and `jinja.2`
//! as one distribution, so shipshape keys PyPI packages by this form everywhere: the
//! advisory store's package keys, pypi purls and the Python analyzer's dependency links.
//!
//! It lives here, beside PEP 440, because it is the one naming rule both the advisory store
//! (`vulndb`) and the inventory need, and this crate is the leaf both depend on.

/// The PEP 503 normalized form of a Python distribution name (surrounding whitespace
/// dropped): `Jinja2` → `jinja2`, `zope.interface` → `zope-interface`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize;

    /// Validates the examples of PEP 503 and runs of mixed separators.
    #[test]
    fn pep503_examples() {
        for (raw, norm) in [
            ("Jinja2", "jinja2"),
            ("friendly-bard", "friendly-bard"),
            ("Friendly-Bard", "friendly-bard"),
            ("FRIENDLY-BARD", "friendly-bard"),
            ("friendly.bard", "friendly-bard"),
            ("friendly_bard", "friendly-bard"),
            ("friendly--bard", "friendly-bard"),
            ("FrIeNdLy-._.-bArD", "friendly-bard"),
            ("zope.interface", "zope-interface"),
            ("Foo__Bar-._baz", "foo-bar-baz"),
            (" Jinja2 ", "jinja2"),
        ] {
            assert_eq!(normalize(raw), norm, "{raw}");
        }
    }
}

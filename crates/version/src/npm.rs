//! npm version ranges, evaluated as node-semver (v7) evaluates them.
//!
//! Traps:
//! - `||` joins comparator sets; inside a set, comparators separated by spaces must all
//!   hold. An empty set, `*`, `x` and `X` match any release.
//! - Desugaring: `~1.2.3` is `>=1.2.3 <1.3.0-0`; `~1` is `>=1.0.0 <2.0.0-0`; `^1.2.3` is
//!   `>=1.2.3 <2.0.0-0`, but `^0.2.3` is `>=0.2.3 <0.3.0-0` and `^0.0.3` is
//!   `>=0.0.3 <0.0.4-0`; `1.2.x` is `>=1.2.0 <1.3.0-0`; `>1.2` is `>=1.3.0`; `<=1.2` is
//!   `<1.3.0-0`; `1.2.3 - 2.3` is `>=1.2.3 <2.4.0-0`; `>*` and `<*` match nothing.
//! - Pre-releases: a version with a pre-release tag satisfies a set only if some
//!   comparator in that set has a pre-release on the same `[major, minor, patch]`.
//!   So `1.2.4-beta` is *not* in `>1.2.3`, but `1.2.3-beta.4` is in `>1.2.3-beta.2`, and
//!   `3.0.0-rc.1` is in `>=3.0.0-beta <3.1` but `3.1.0-rc.1` is not in `>=3.0.0-beta`.
//! - Whitespace between an operator and its version is allowed (`>= 1.2.3`, `~ 1.2`),
//!   as are a leading `v` or `=` on versions (`>=v1.2.3`), and `~>` for `~`.
//! - Build metadata is ignored when comparing.
//! - node-semver's `includePrerelease` option is offered through
//!   [`Prereleases::Include`](crate::Prereleases); its `loose` mode is not.

use semver::{Prerelease, Version};

use crate::semantic::SemverVersion;
use crate::{Scheme, SpecError};

/// The largest number node-semver accepts in a version (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
}

/// One comparator; `None` is node-semver's ANY (the empty comparator).
#[derive(Debug, Clone)]
struct Comparator(Option<(Op, Version)>);

impl Comparator {
    fn new(op: Op, major: u64, minor: u64, patch: u64, pre: Prerelease) -> Self {
        Comparator(Some((
            op,
            Version {
                major,
                minor,
                patch,
                pre,
                build: semver::BuildMetadata::EMPTY,
            },
        )))
    }

    fn zero_pre(op: Op, major: u64, minor: u64, patch: u64) -> Self {
        Comparator::new(
            op,
            major,
            minor,
            patch,
            Prerelease::new("0").expect("valid"),
        )
    }

    fn plain(op: Op, major: u64, minor: u64, patch: u64) -> Self {
        Comparator::new(op, major, minor, patch, Prerelease::EMPTY)
    }

    fn any() -> Self {
        Comparator(None)
    }

    fn test(&self, v: &Version) -> bool {
        let Some((op, c)) = &self.0 else {
            return true;
        };
        let ord = (v.major, v.minor, v.patch, &v.pre).cmp(&(c.major, c.minor, c.patch, &c.pre));
        match op {
            Op::Lt => ord.is_lt(),
            Op::Le => ord.is_le(),
            Op::Eq => ord.is_eq(),
            Op::Ge => ord.is_ge(),
            Op::Gt => ord.is_gt(),
        }
    }
}

/// A parsed node-semver range: a union of comparator sets.
#[derive(Debug, Clone)]
pub(crate) struct NpmRange {
    sets: Vec<Vec<Comparator>>,
    include_prerelease: bool,
}

/// A possibly partial version: `None` parts are `x`, `X`, `*` or missing.
#[derive(Debug, Clone)]
struct Partial {
    major: Option<u64>,
    minor: Option<u64>,
    patch: Option<u64>,
    pre: Prerelease,
}

impl NpmRange {
    pub(crate) fn parse(
        scheme: Scheme,
        input: &str,
        include_prerelease: bool,
    ) -> Result<NpmRange, SpecError> {
        let err = |reason: String| SpecError::syntax(scheme, input, reason);
        let normalized = input.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut sets = Vec::new();
        for part in normalized.split("||") {
            sets.push(parse_set(part.trim(), include_prerelease).map_err(err)?);
        }
        Ok(NpmRange {
            sets,
            include_prerelease,
        })
    }

    pub(crate) fn matches(&self, v: &SemverVersion) -> bool {
        let v = v.as_semver();
        self.sets
            .iter()
            .any(|set| test_set(set, v, self.include_prerelease))
    }
}

fn test_set(set: &[Comparator], v: &Version, include_prerelease: bool) -> bool {
    if !set.iter().all(|c| c.test(v)) {
        return false;
    }
    if v.pre.is_empty() || include_prerelease {
        return true;
    }
    // A pre-release is allowed only when a comparator with a pre-release names the same
    // [major, minor, patch].
    set.iter().any(|c| match &c.0 {
        Some((_, cv)) => {
            !cv.pre.is_empty() && cv.major == v.major && cv.minor == v.minor && cv.patch == v.patch
        }
        None => false,
    })
}

fn parse_set(set: &str, inc: bool) -> Result<Vec<Comparator>, String> {
    let words: Vec<&str> = set.split(' ').filter(|w| !w.is_empty()).collect();
    // Hyphen range: `A - B`.
    if words.len() == 3 && words[1] == "-" {
        return hyphen(words[0], words[2], inc);
    }
    // Join an operator written apart from its version (`>= 1.2.3`, `~ 1.2`, `^ 1`).
    let mut tokens: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if is_operator_only(w) && i + 1 < words.len() {
            tokens.push(format!("{w}{}", words[i + 1]));
            i += 2;
        } else {
            tokens.push(w.to_owned());
            i += 1;
        }
    }
    let mut comparators = Vec::new();
    for token in &tokens {
        comparators.extend(parse_token(token, inc)?);
    }
    if comparators.is_empty() {
        comparators.push(Comparator::any());
    }
    // A set containing the null set `<0.0.0-0` is the null set.
    if let Some(null) = comparators.iter().find(|c| is_null_set(c)) {
        return Ok(vec![null.clone()]);
    }
    if comparators.len() > 1 {
        comparators.retain(|c| c.0.is_some());
        if comparators.is_empty() {
            comparators.push(Comparator::any());
        }
    }
    Ok(comparators)
}

fn is_operator_only(w: &str) -> bool {
    matches!(w, "<" | "<=" | ">" | ">=" | "=" | "~" | "~>" | "^")
}

fn is_null_set(c: &Comparator) -> bool {
    matches!(&c.0, Some((Op::Lt, v)) if v.major == 0 && v.minor == 0 && v.patch == 0 && v.pre.as_str() == "0")
}

fn parse_token(token: &str, inc: bool) -> Result<Vec<Comparator>, String> {
    if let Some(rest) = token.strip_prefix('^') {
        return Ok(caret(&parse_partial(rest)?, inc));
    }
    if let Some(rest) = token.strip_prefix("~>").or_else(|| token.strip_prefix('~')) {
        return Ok(tilde(&parse_partial(rest)?));
    }
    let (op, rest) = if let Some(r) = token.strip_prefix("<=") {
        ("<=", r)
    } else if let Some(r) = token.strip_prefix(">=") {
        (">=", r)
    } else if let Some(r) = token.strip_prefix('<') {
        ("<", r)
    } else if let Some(r) = token.strip_prefix('>') {
        (">", r)
    } else if let Some(r) = token.strip_prefix('=') {
        ("=", r)
    } else {
        ("", token)
    };
    Ok(xrange(op, &parse_partial(rest)?, inc))
}

/// node-semver's XRANGEPLAIN: `[v=\s]*` then `M[.m[.p[-pre][+build]]]`, each of M, m, p a
/// number or `x`/`X`/`*`.
fn parse_partial(s: &str) -> Result<Partial, String> {
    let s = s.trim_start_matches(['v', '=', ' ']);
    if s.is_empty() {
        return Ok(Partial {
            major: None,
            minor: None,
            patch: None,
            pre: Prerelease::EMPTY,
        });
    }
    let (core, build) = match s.split_once('+') {
        Some((c, b)) => (c, Some(b)),
        None => (s, None),
    };
    if let Some(b) = build {
        if b.is_empty() {
            return Err("empty build metadata".into());
        }
        semver::BuildMetadata::new(b).map_err(|e| format!("invalid build metadata {b:?}: {e}"))?;
    }
    let mut parts = core.splitn(3, '.');
    let major = parts.next().unwrap_or("");
    let minor = parts.next();
    let patch_and_pre = parts.next();
    let (patch, pre) = match patch_and_pre {
        Some(p) => match p.split_once('-') {
            Some((p, pre)) => (Some(p), Some(pre)),
            None => (Some(p), None),
        },
        None => (None, None),
    };
    if build.is_some() && patch.is_none() {
        return Err(format!("build metadata on a partial version {s:?}"));
    }
    if pre == Some("") {
        return Err("empty pre-release".into());
    }
    let pre = match pre {
        Some(pre) => {
            Prerelease::new(pre).map_err(|e| format!("invalid pre-release {pre:?}: {e}"))?
        }
        None => Prerelease::EMPTY,
    };
    Ok(Partial {
        major: number(major)?,
        minor: minor.map(number).transpose()?.flatten(),
        patch: patch.map(number).transpose()?.flatten(),
        pre,
    })
}

/// One XRANGEIDENTIFIER: `0|[1-9]\d*` or `x`, `X`, `*` (→ `None`).
fn number(s: &str) -> Result<Option<u64>, String> {
    if matches!(s, "x" | "X" | "*") {
        return Ok(None);
    }
    let valid =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if !valid {
        return Err(format!("invalid version number {s:?}"));
    }
    match s.parse::<u64>() {
        Ok(n) if n <= MAX_SAFE_INTEGER => Ok(Some(n)),
        _ => Err(format!("version number {s:?} is too large")),
    }
}

/// A lower bound `>=M.m.p`, or `>=M.m.p-0` when pre-releases are included.
fn lower(inc: bool, major: u64, minor: u64, patch: u64) -> Comparator {
    if inc {
        Comparator::zero_pre(Op::Ge, major, minor, patch)
    } else {
        Comparator::plain(Op::Ge, major, minor, patch)
    }
}

fn caret(p: &Partial, inc: bool) -> Vec<Comparator> {
    let Some(major) = p.major else {
        return vec![Comparator::any()];
    };
    let Some(minor) = p.minor else {
        return vec![
            lower(inc, major, 0, 0),
            Comparator::zero_pre(Op::Lt, major + 1, 0, 0),
        ];
    };
    let Some(patch) = p.patch else {
        let upper = if major == 0 {
            Comparator::zero_pre(Op::Lt, major, minor + 1, 0)
        } else {
            Comparator::zero_pre(Op::Lt, major + 1, 0, 0)
        };
        return vec![lower(inc, major, minor, 0), upper];
    };
    let lower = if !p.pre.is_empty() {
        Comparator::new(Op::Ge, major, minor, patch, p.pre.clone())
    } else if major == 0 {
        lower(inc, major, minor, patch)
    } else {
        Comparator::plain(Op::Ge, major, minor, patch)
    };
    let upper = if major == 0 {
        if minor == 0 {
            Comparator::zero_pre(Op::Lt, major, minor, patch + 1)
        } else {
            Comparator::zero_pre(Op::Lt, major, minor + 1, 0)
        }
    } else {
        Comparator::zero_pre(Op::Lt, major + 1, 0, 0)
    };
    vec![lower, upper]
}

fn tilde(p: &Partial) -> Vec<Comparator> {
    let Some(major) = p.major else {
        return vec![Comparator::any()];
    };
    let Some(minor) = p.minor else {
        return vec![
            Comparator::plain(Op::Ge, major, 0, 0),
            Comparator::zero_pre(Op::Lt, major + 1, 0, 0),
        ];
    };
    let lower = match p.patch {
        None => Comparator::plain(Op::Ge, major, minor, 0),
        Some(patch) => Comparator::new(Op::Ge, major, minor, patch, p.pre.clone()),
    };
    vec![lower, Comparator::zero_pre(Op::Lt, major, minor + 1, 0)]
}

fn xrange(gtlt: &str, p: &Partial, inc: bool) -> Vec<Comparator> {
    let xm = p.minor.is_none();
    let xp = p.patch.is_none();
    let any_x = p.major.is_none() || xm || xp;
    let gtlt = if gtlt == "=" && any_x { "" } else { gtlt };
    let Some(mut major) = p.major else {
        return if gtlt == ">" || gtlt == "<" {
            vec![Comparator::zero_pre(Op::Lt, 0, 0, 0)]
        } else {
            vec![Comparator::any()]
        };
    };
    if !gtlt.is_empty() && any_x {
        let mut minor = p.minor.unwrap_or(0);
        let mut patch = 0;
        let mut op = gtlt;
        if op == ">" {
            op = ">=";
            if xm {
                major += 1;
                minor = 0;
                patch = 0;
            } else {
                minor += 1;
                patch = 0;
            }
        } else if op == "<=" {
            op = "<";
            if xm {
                major += 1;
            } else {
                minor += 1;
            }
        }
        return match op {
            "<" => vec![Comparator::zero_pre(Op::Lt, major, minor, patch)],
            ">=" => vec![lower(inc, major, minor, patch)],
            _ => unreachable!("only <, <=, >, >= reach here"),
        };
    }
    if let Some(minor) = p.minor {
        if let Some(patch) = p.patch {
            let op = match gtlt {
                "<" => Op::Lt,
                "<=" => Op::Le,
                ">" => Op::Gt,
                ">=" => Op::Ge,
                _ => Op::Eq,
            };
            return vec![Comparator::new(op, major, minor, patch, p.pre.clone())];
        }
        return vec![
            lower(inc, major, minor, 0),
            Comparator::zero_pre(Op::Lt, major, minor + 1, 0),
        ];
    }
    vec![
        lower(inc, major, 0, 0),
        Comparator::zero_pre(Op::Lt, major + 1, 0, 0),
    ]
}

/// node-semver's `hyphenReplace`.
fn hyphen(from: &str, to: &str, inc: bool) -> Result<Vec<Comparator>, String> {
    let f = parse_partial(from)?;
    let t = parse_partial(to)?;
    let mut out = Vec::new();
    match (f.major, f.minor, f.patch) {
        (None, _, _) => {}
        (Some(m), None, _) => out.push(lower(inc, m, 0, 0)),
        (Some(m), Some(n), None) => out.push(lower(inc, m, n, 0)),
        (Some(m), Some(n), Some(p)) if f.pre.is_empty() => out.push(lower(inc, m, n, p)),
        (Some(m), Some(n), Some(p)) => out.push(Comparator::new(Op::Ge, m, n, p, f.pre.clone())),
    }
    match (t.major, t.minor, t.patch) {
        (None, _, _) => {}
        (Some(m), None, _) => out.push(Comparator::zero_pre(Op::Lt, m + 1, 0, 0)),
        (Some(m), Some(n), None) => out.push(Comparator::zero_pre(Op::Lt, m, n + 1, 0)),
        (Some(m), Some(n), Some(p)) if t.pre.is_empty() && inc => {
            out.push(Comparator::zero_pre(Op::Lt, m, n, p + 1))
        }
        (Some(m), Some(n), Some(p)) => out.push(Comparator::new(Op::Le, m, n, p, t.pre.clone())),
    }
    if out.is_empty() {
        out.push(Comparator::any());
    }
    Ok(out)
}

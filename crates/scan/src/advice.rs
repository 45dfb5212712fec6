//! Base image advice: which tags of the base image's repository would bring fewer
//! vulnerabilities.
//!
//! The policy is here; the registry work is the caller's, behind [`AdviceSource`]
//! ([`recommend`] runs the steps with it). The steps:
//!
//! 1. [`parse_tag`] reads a tag into a version and a variant: `3.12.1-slim-bookworm` is
//!    version `3.12.1`, variant `slim-bookworm`; `bookworm-slim` is Debian's codename (version
//!    `12`) with variant `slim`; `bullseye-20240110` is version `11` with a date; `rc`,
//!    `beta`, `preview3`… mark pre-releases; `latest`, `stable` and variant-only tags
//!    (`alpine`) have no version.
//! 2. [`plan`] picks candidates among the repository's tags, in the order they are worth
//!    scanning: [`Group::Minor`] (same major version, same variant, not older),
//!    [`Group::Major`] (newer major, same variant), [`Group::Alternative`] (another variant of
//!    the same major line). Pre-releases are candidates only when the current tag is one.
//! 3. [`collapse_aliases`] joins tags that name one manifest digest: the image is scanned
//!    once and shown once, under its most specific tag (see [`display_order`]).
//! 4. [`remediation`] keeps the candidates strictly better than the current image by
//!    [`rank_key`] (fewer critical, then high, medium, low, unknown, then fewer in total),
//!    ranks them, and writes Snyk's `code` and `advice` lines, the same text the text report
//!    prints.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::SeverityCounts;

mod runner;

pub use runner::{
    recommend, AdviceOptions, AdviceProgress, AdviceSource, BaseLocation, SourceError,
    OFFLINE_NOTE, RESOLVES_PER_SCAN, TIME_BUDGET,
};

/// `code` when better base images were found.
pub const REMEDIATION_AVAILABLE: &str = "REMEDIATION_AVAILABLE";
/// `code` when nothing scanned beats the current base image.
pub const NO_REMEDIATION: &str = "NO_REMEDIATION";
/// `code` when the advice could not be computed (offline, no registry, no tag…).
pub const SKIPPED: &str = "SKIPPED";

/// The sentence for "nothing is better", as Snyk writes it.
pub const MOST_SECURE: &str =
    "According to our scan, you are currently using the most secure version of the selected base image";

/// The heading of the recommendations.
pub const HEADING: &str = "Recommendations for base image upgrade:";

/// Snyk's `docker.baseImageRemediation`: a code, the advice as text lines, and (ours) the
/// current base image's counts, the better candidates and notes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BaseImageRemediation {
    /// [`REMEDIATION_AVAILABLE`], [`NO_REMEDIATION`] or [`SKIPPED`].
    pub code: String,
    /// The advice as Snyk writes it: text lines, some bold. The text report prints them.
    #[serde(default)]
    pub advice: Vec<AdviceLine>,
    /// The current base image's own counts, when scanned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<SeverityCounts>,
    /// The candidates better than the current base image, best first within each group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Candidate>,
    /// Why something was skipped or not scanned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One line of advice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdviceLine {
    /// The text (a table is one message of several lines).
    pub message: String,
    /// Printed in bold.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bold: bool,
}

impl AdviceLine {
    fn plain(message: impl Into<String>) -> AdviceLine {
        AdviceLine {
            message: message.into(),
            bold: false,
        }
    }

    fn bold(message: impl Into<String>) -> AdviceLine {
        AdviceLine {
            message: message.into(),
            bold: true,
        }
    }
}

/// Which kind of change a candidate is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// Same major version and variant, newer (or the line's floating tag).
    Minor,
    /// A newer major version, same variant.
    Major,
    /// Another variant (slim, alpine, distroless…) of the same major line.
    Alternative,
}

impl Group {
    /// Every group, in the order the advice lists them.
    pub const ALL: [Group; 3] = [Group::Minor, Group::Major, Group::Alternative];

    /// The heading in the advice (`Minor upgrades`).
    pub fn title(self) -> &'static str {
        match self {
            Group::Minor => "Minor upgrades",
            Group::Major => "Major upgrades",
            Group::Alternative => "Alternative image types",
        }
    }
}

/// A better base image, as the JSON lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// `repository:tag` under the most specific tag of the image (`debian:11.11`).
    pub image: String,
    /// Every tag seen naming the same manifest, display tag first.
    pub tags: Vec<String>,
    /// The manifest digest scanned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Minor, major or alternative.
    pub group: Group,
    /// Its findings by severity, scanned on its own.
    pub counts: SeverityCounts,
}

/// A tag read into its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagInfo {
    /// The tag as written.
    pub tag: String,
    /// Version components (`[3, 12, 1]`); empty for `latest` and variant-only tags.
    pub version: Vec<u64>,
    /// The distribution codename the version came from (`bookworm` in `bookworm-slim`).
    pub codename: Option<String>,
    /// What is left once version, pre-release and date are taken out, joined with `-`
    /// (`slim-bookworm`); empty for the plain image.
    pub variant: String,
    /// A pre-release (`rc1`, `beta`, `preview3`, `3.13.0a2`).
    pub prerelease: bool,
    /// A snapshot date suffix (`20240110`).
    pub date: Option<String>,
}

/// The version of a distribution codename that opens a tag (`bookworm-slim` → 12), from
/// [`version::distro`]: the releases with codename-tagged images, Debian from jessie (8) to
/// forky (14) and Ubuntu's LTS releases; other words are not versions.
pub fn codename_version(name: &str) -> Option<Vec<u64>> {
    let release = version::distro::by_codename(name)?;
    let numbers = release.numbers()?;
    let tagged = match release.distro {
        version::distro::Distro::Debian => numbers.first().is_some_and(|m| (8..=14).contains(m)),
        version::distro::Distro::Ubuntu => true,
    };
    tagged.then_some(numbers)
}

/// `rc`, `rc1`, `beta2`, `preview3`, `alpha`, `dev`, `a1`, `b2`.
fn is_prerelease_word(s: &str) -> bool {
    let word = s.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = &s[word.len()..];
    match word {
        "rc" | "alpha" | "beta" | "preview" | "pre" | "dev" | "nightly" | "snapshot" => true,
        "a" | "b" => !digits.is_empty(),
        _ => false,
    }
}

/// `^v?\d+(\.\d+)*` at the start of `s`: the numbers and the rest.
fn leading_version(s: &str) -> Option<(Vec<u64>, &str)> {
    let body = s.strip_prefix('v').unwrap_or(s);
    if !body.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut numbers = Vec::new();
    let mut rest = body;
    loop {
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if end == 0 {
            return None;
        }
        numbers.push(rest[..end].parse().ok()?);
        rest = &rest[end..];
        match rest.strip_prefix('.') {
            Some(r) if r.starts_with(|c: char| c.is_ascii_digit()) => rest = r,
            _ => break,
        }
    }
    Some((numbers, rest))
}

fn is_date(s: &str) -> bool {
    s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) && s.starts_with('2')
}

/// Read a tag into version, variant, pre-release and date; `None` for tags that are not
/// images (cosign's `sha256-….sig`, `.att`, `.sbom`) or are empty.
pub fn parse_tag(tag: &str) -> Option<TagInfo> {
    if tag.is_empty()
        || (tag.starts_with("sha256-")
            && [".sig", ".att", ".sbom"].iter().any(|s| tag.ends_with(s)))
    {
        return None;
    }
    let mut info = TagInfo {
        tag: tag.to_string(),
        version: Vec::new(),
        codename: None,
        variant: String::new(),
        prerelease: false,
        date: None,
    };
    let parts: Vec<&str> = tag.split('-').collect();
    let mut variant: Vec<&str> = Vec::new();
    let mut rest = parts.as_slice();
    if let Some((first, tail)) = parts.split_first() {
        if let Some((numbers, suffix)) = leading_version(first) {
            info.version = numbers;
            let suffix = suffix.trim_start_matches(['.', '_', '+']);
            if !suffix.is_empty() {
                if is_prerelease_word(suffix) {
                    info.prerelease = true;
                } else {
                    variant.push(suffix);
                }
            }
            rest = tail;
        } else if let Some(v) = codename_version(first) {
            info.version = v;
            info.codename = Some((*first).to_string());
            rest = tail;
        }
    }
    for (i, part) in rest.iter().enumerate() {
        if is_prerelease_word(part) && (i == 0 && !info.version.is_empty()) {
            info.prerelease = true;
        } else if is_date(part) {
            info.date = Some((*part).to_string());
        } else if !part.is_empty() {
            variant.push(part);
        }
    }
    // `latest` is the plain image's floating tag: no version, no variant.
    if variant == ["latest"] {
        variant.clear();
    }
    info.variant = variant.join("-");
    Some(info)
}

/// A floating line tag (`11`) orders above every release in its line (`11.11`): it tracks
/// the newest. Otherwise versions compare component by component.
pub fn compare_versions(a: &[u64], b: &[u64]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        match x.cmp(y) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    // Equal on the common part: the shorter (floating) one is newer.
    b.len().cmp(&a.len())
}

/// Display preference among tags of one image, most specific first: more version
/// components (`11.11` before `11` before `bullseye`), then undated before dated snapshots,
/// then a number before a codename, then the shorter tag, then alphabetical.
pub fn display_order(a: &TagInfo, b: &TagInfo) -> Ordering {
    b.version
        .len()
        .cmp(&a.version.len())
        .then_with(|| a.date.is_some().cmp(&b.date.is_some()))
        .then_with(|| a.codename.is_some().cmp(&b.codename.is_some()))
        .then_with(|| a.tag.len().cmp(&b.tag.len()))
        .then_with(|| a.tag.cmp(&b.tag))
}

/// A tag worth scanning, with its group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposed {
    /// The tag, parsed.
    pub info: TagInfo,
    /// Its group.
    pub group: Group,
}

/// Why no candidates can be planned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The current tag has no version and no variant to compare with (`latest` when the
    /// repository has no variant-only tags, or `stable`, `lts`…).
    #[error("the tag {0:?} names no version to compare other tags with")]
    NoVersion(String),
    /// The tag is not an image tag.
    #[error("{0:?} is not an image tag")]
    NotATag(String),
}

fn is_alias_word(s: &str) -> bool {
    matches!(s, "stable" | "lts" | "edge" | "mainline" | "current")
}

/// The candidates among `tags` for an image tagged `current`, in the order to scan them:
/// groups taken in turn (minor, major, alternative), and within a group the newest tag of
/// each line first (each major for majors, each `major.minor` for minors, each variant for
/// alternatives), then the rest, newest first.
///
/// Minor: same major, same variant, not older than the current version (a floating tag of
/// the line, `11` for `11.6`, counts: it tracks the newest). Major: a newer major, same
/// variant. Alternative: another variant of the same major line (without a version when
/// the current has none, e.g. `slim` for `latest`). The current tag itself, pre-releases
/// (unless the current is one), and `stable`/`lts`/`edge` style aliases are left out.
pub fn plan(current: &str, tags: &[String]) -> Result<Vec<Proposed>, PlanError> {
    let cur = parse_tag(current).ok_or_else(|| PlanError::NotATag(current.to_string()))?;
    if cur.version.is_empty() && !cur.variant.is_empty() {
        // `stable`, `alpine`…: nothing says which line it is.
        return Err(PlanError::NoVersion(current.to_string()));
    }
    let mut groups: BTreeMap<Group, Vec<TagInfo>> = BTreeMap::new();
    for tag in tags {
        if tag == current {
            continue;
        }
        let Some(t) = parse_tag(tag) else { continue };
        if (t.prerelease && !cur.prerelease) || is_alias_word(&t.variant) {
            continue;
        }
        let group = if cur.version.is_empty() {
            // `latest`: only variant-only tags (`slim`, `alpine`) compare.
            if t.version.is_empty() && !t.variant.is_empty() {
                Some(Group::Alternative)
            } else {
                None
            }
        } else if t.version.is_empty() {
            None
        } else if t.variant == cur.variant {
            if t.version[0] == cur.version[0] {
                (compare_versions(&t.version, &cur.version) != Ordering::Less
                    && !(t.version == cur.version
                        && !cur.prerelease
                        && t.date.is_none()
                        && cur.date.is_none()
                        && t.codename == cur.codename))
                    .then_some(Group::Minor)
            } else if t.version[0] > cur.version[0] {
                Some(Group::Major)
            } else {
                None
            }
        } else if t.version[0] == cur.version[0] {
            Some(Group::Alternative)
        } else {
            None
        };
        if let Some(g) = group {
            groups.entry(g).or_default().push(t);
        }
    }
    let mut ordered: Vec<Vec<Proposed>> = Vec::new();
    for (group, mut list) in groups {
        list.sort_by(|a, b| {
            compare_versions(&b.version, &a.version)
                .then_with(|| a.date.is_some().cmp(&b.date.is_some()))
                .then_with(|| b.date.cmp(&a.date))
                .then_with(|| display_order(a, b))
        });
        let line = |t: &TagInfo| -> (Vec<u64>, String) {
            match group {
                Group::Major => (t.version[..1].to_vec(), String::new()),
                Group::Minor => (t.version.iter().take(2).copied().collect(), String::new()),
                Group::Alternative => (Vec::new(), t.variant.clone()),
            }
        };
        let mut seen = std::collections::BTreeSet::new();
        let (mut first, mut later) = (Vec::new(), Vec::new());
        for t in list {
            let p = Proposed { group, info: t };
            if seen.insert(line(&p.info)) {
                first.push(p);
            } else {
                later.push(p);
            }
        }
        first.extend(later);
        ordered.push(first);
    }
    // Round robin over the groups, so a limit samples each of them.
    let mut out = Vec::new();
    let mut iters: Vec<_> = ordered.into_iter().map(Vec::into_iter).collect();
    loop {
        let mut any = false;
        for it in &mut iters {
            if let Some(p) = it.next() {
                out.push(p);
                any = true;
            }
        }
        if !any {
            break;
        }
    }
    Ok(out)
}

/// A proposed tag resolved to its manifest digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The tag and its group.
    pub proposed: Proposed,
    /// Its manifest digest.
    pub digest: String,
}

/// One image behind one or more tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AliasSet {
    /// The manifest digest.
    pub digest: String,
    /// Its tags, display tag (see [`display_order`]) first.
    pub tags: Vec<TagInfo>,
    /// The display tag's group.
    pub group: Group,
}

/// Join tags naming one digest, keeping the order of each digest's first appearance
/// (the scan order). The display tag is the most specific by [`display_order`], and the
/// set takes its group.
pub fn collapse_aliases(resolved: Vec<Resolved>) -> Vec<AliasSet> {
    let mut sets: Vec<AliasSet> = Vec::new();
    let mut groups_of: Vec<Vec<Group>> = Vec::new();
    for r in resolved {
        match sets.iter().position(|s| s.digest == r.digest) {
            Some(i) => {
                sets[i].tags.push(r.proposed.info);
                groups_of[i].push(r.proposed.group);
            }
            None => {
                sets.push(AliasSet {
                    digest: r.digest,
                    tags: vec![r.proposed.info],
                    group: r.proposed.group,
                });
                groups_of.push(vec![r.proposed.group]);
            }
        }
    }
    for (set, groups) in sets.iter_mut().zip(groups_of) {
        let mut paired: Vec<(TagInfo, Group)> = set.tags.drain(..).zip(groups).collect();
        paired.sort_by(|a, b| display_order(&a.0, &b.0));
        set.group = paired[0].1;
        set.tags = paired.into_iter().map(|(t, _)| t).collect();
    }
    sets
}

/// The ranking key: critical, high, medium, low, unknown, then the total; smaller is better.
pub fn rank_key(c: &SeverityCounts) -> [usize; 6] {
    [c.critical, c.high, c.medium, c.low, c.unknown, c.total()]
}

/// `2 critical, 12 high, 4 medium, 6 low` (critical and unknown only when non-zero), as the
/// Severity column shows counts.
pub fn severity_text(c: &SeverityCounts) -> String {
    let mut parts = Vec::new();
    if c.critical > 0 {
        parts.push(format!("{} critical", c.critical));
    }
    parts.push(format!("{} high", c.high));
    parts.push(format!("{} medium", c.medium));
    parts.push(format!("{} low", c.low));
    if c.unknown > 0 {
        parts.push(format!("{} unknown", c.unknown));
    }
    parts.join(", ")
}

/// The "Base Image / Vulnerabilities / Severity" table, columns aligned, without a final
/// newline.
pub fn table(rows: &[(String, SeverityCounts)]) -> String {
    let head = ("Base Image", "Vulnerabilities");
    let w0 = rows
        .iter()
        .map(|(n, _)| n.chars().count())
        .chain([head.0.len()])
        .max()
        .unwrap_or(0)
        + 2;
    let w1 = head.1.len() + 2;
    let mut lines = vec![format!("{:<w0$}{:<w1$}Severity", head.0, head.1)];
    for (name, c) in rows {
        lines.push(format!("{name:<w0$}{:<w1$}{}", c.total(), severity_text(c)));
    }
    lines.join("\n")
}

/// A remediation that could not be computed, with the note saying why.
pub fn skipped(note: impl Into<String>) -> BaseImageRemediation {
    let note = note.into();
    BaseImageRemediation {
        code: SKIPPED.to_string(),
        advice: vec![AdviceLine::plain(format!(
            "Base image recommendations skipped: {note}"
        ))],
        current: None,
        candidates: Vec::new(),
        notes: vec![note],
    }
}

/// The remediation from the current base image's counts and every scanned candidate: keeps
/// the candidates strictly better than `current` by [`rank_key`], best first within each
/// group (ties: the order given), and writes the advice: the heading, then per non-empty
/// group its title (bold) and table, or [`MOST_SECURE`]; notes follow as plain lines.
pub fn remediation(
    current: SeverityCounts,
    scanned: Vec<Candidate>,
    notes: Vec<String>,
) -> BaseImageRemediation {
    let key = rank_key(&current);
    let mut better: Vec<Candidate> = scanned
        .into_iter()
        .filter(|c| rank_key(&c.counts) < key)
        .collect();
    // Stable: equal keys keep the scan order (newest first).
    better.sort_by(|a, b| {
        a.group
            .cmp(&b.group)
            .then_with(|| rank_key(&a.counts).cmp(&rank_key(&b.counts)))
    });
    let mut advice = Vec::new();
    let code = if better.is_empty() {
        advice.push(AdviceLine::plain(MOST_SECURE));
        NO_REMEDIATION
    } else {
        advice.push(AdviceLine::bold(HEADING));
        for group in Group::ALL {
            let rows: Vec<(String, SeverityCounts)> = better
                .iter()
                .filter(|c| c.group == group)
                .map(|c| (c.image.clone(), c.counts.clone()))
                .collect();
            if rows.is_empty() {
                continue;
            }
            advice.push(AdviceLine::bold(group.title()));
            advice.push(AdviceLine::plain(table(&rows)));
        }
        REMEDIATION_AVAILABLE
    };
    for n in &notes {
        advice.push(AdviceLine::plain(format!("Note: {n}")));
    }
    BaseImageRemediation {
        code: code.to_string(),
        advice,
        current: Some(current),
        candidates: better,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(tag: &str) -> TagInfo {
        parse_tag(tag).unwrap()
    }

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn counts(c: usize, h: usize, m: usize, l: usize) -> SeverityCounts {
        SeverityCounts {
            critical: c,
            high: h,
            medium: m,
            low: l,
            unknown: 0,
        }
    }

    /// Real Docker Hub tag shapes (debian, python, ruby, node, alpine, golang, ubuntu,
    /// eclipse-temurin, distroless) read into (version, codename, variant, pre-release, date).
    #[test]
    fn tag_shapes() {
        #[allow(clippy::type_complexity)]
        let table: &[(&str, &[u64], Option<&str>, &str, bool, Option<&str>)] = &[
            (
                "3.12.1-slim-bookworm",
                &[3, 12, 1],
                None,
                "slim-bookworm",
                false,
                None,
            ),
            ("11", &[11], None, "", false, None),
            ("11.6", &[11, 6], None, "", false, None),
            ("11.8-slim", &[11, 8], None, "slim", false, None),
            (
                "bookworm-slim",
                &[12],
                Some("bookworm"),
                "slim",
                false,
                None,
            ),
            ("bookworm", &[12], Some("bookworm"), "", false, None),
            ("buster", &[10], Some("buster"), "", false, None),
            (
                "trixie-20250113-slim",
                &[13],
                Some("trixie"),
                "slim",
                false,
                Some("20250113"),
            ),
            (
                "bullseye-20240110",
                &[11],
                Some("bullseye"),
                "",
                false,
                Some("20240110"),
            ),
            ("3.19", &[3, 19], None, "", false, None),
            ("3.12-alpine3.19", &[3, 12], None, "alpine3.19", false, None),
            ("latest", &[], None, "", false, None),
            ("stable", &[], None, "stable", false, None),
            ("alpine", &[], None, "alpine", false, None),
            (
                "2.7.0-preview3-slim-buster",
                &[2, 7, 0],
                None,
                "slim-buster",
                true,
                None,
            ),
            ("2.7.0-preview2-slim", &[2, 7, 0], None, "slim", true, None),
            (
                "3.13.0rc1-bookworm",
                &[3, 13, 0],
                None,
                "bookworm",
                true,
                None,
            ),
            ("3.13.0a2", &[3, 13, 0], None, "", true, None),
            ("3.13-rc", &[3, 13], None, "", true, None),
            ("1.22-rc-alpine", &[1, 22], None, "alpine", true, None),
            (
                "20.11.0-bookworm-slim",
                &[20, 11, 0],
                None,
                "bookworm-slim",
                false,
                None,
            ),
            ("v1.2.3", &[1, 2, 3], None, "", false, None),
            ("22.04", &[22, 4], None, "", false, None),
            ("jammy", &[22, 4], Some("jammy"), "", false, None),
            ("21-jdk-jammy", &[21], None, "jdk-jammy", false, None),
            ("nonroot", &[], None, "nonroot", false, None),
            ("2.5", &[2, 5], None, "", false, None),
            ("2.5.1", &[2, 5, 1], None, "", false, None),
        ];
        for (tag, version, codename, variant, pre, date) in table {
            let got = t(tag);
            assert_eq!(got.version, *version, "{tag}");
            assert_eq!(got.codename.as_deref(), *codename, "{tag}");
            assert_eq!(got.variant, *variant, "{tag}");
            assert_eq!(got.prerelease, *pre, "{tag}");
            assert_eq!(got.date.as_deref(), *date, "{tag}");
        }
        assert_eq!(parse_tag("sha256-0123abcd.sig"), None);
        assert_eq!(parse_tag(""), None);
    }

    #[test]
    fn version_order_puts_floating_tags_on_top_of_their_line() {
        assert_eq!(compare_versions(&[11, 11], &[11, 6]), Ordering::Greater);
        assert_eq!(compare_versions(&[11], &[11, 11]), Ordering::Greater);
        assert_eq!(compare_versions(&[11, 11], &[12]), Ordering::Less);
        assert_eq!(compare_versions(&[2, 10], &[2, 9, 9]), Ordering::Greater);
        assert_eq!(compare_versions(&[3, 12], &[3, 12]), Ordering::Equal);
    }

    fn grouped(current: &str, all: &[&str]) -> BTreeMap<Group, Vec<String>> {
        let mut out: BTreeMap<Group, Vec<String>> = BTreeMap::new();
        for p in plan(current, &tags(all)).unwrap() {
            out.entry(p.group).or_default().push(p.info.tag);
        }
        out
    }

    const DEBIAN: &[&str] = &[
        "10",
        "10.13",
        "buster",
        "buster-slim",
        "11",
        "11.6",
        "11.11",
        "bullseye",
        "bullseye-20240110",
        "11-slim",
        "11.11-slim",
        "bullseye-slim",
        "12",
        "12.11",
        "bookworm",
        "12-slim",
        "bookworm-slim",
        "latest",
        "stable",
        "rc-buggy",
        "13-rc",
    ];

    /// Debian 11.6: newer 11.x (and the floating 11/bullseye) are minor, 12 is major, slim
    /// variants of 11 are alternatives; older, 12-slim, stable and pre-releases are not.
    #[test]
    fn groups_for_debian_11_6() {
        let g = grouped("11.6", DEBIAN);
        let sorted = |group: Group| {
            let mut v = g_of(&g, group);
            v.sort();
            v
        };
        assert_eq!(
            sorted(Group::Minor),
            ["11", "11.11", "bullseye", "bullseye-20240110"]
        );
        assert_eq!(sorted(Group::Major), ["12", "12.11", "bookworm"]);
        assert_eq!(
            sorted(Group::Alternative),
            ["11-slim", "11.11-slim", "bullseye-slim"]
        );
        // Scan order: the newest tag of each line first, groups in turn.
        let order: Vec<String> = plan("11.6", &tags(DEBIAN))
            .unwrap()
            .into_iter()
            .map(|p| p.info.tag)
            .collect();
        assert_eq!(&order[..4], ["11", "12", "11-slim", "11.11"]);
        assert_eq!(order.len(), 10);
    }

    fn g_of(g: &BTreeMap<Group, Vec<String>>, group: Group) -> Vec<String> {
        g.get(&group).cloned().unwrap_or_default()
    }

    /// The guide's ruby:2.5.1: 2.5 is a minor upgrade, 2.5-slim an alternative, 2.7 a newer
    /// minor line of major 2; pre-releases are left out unless the current is one.
    #[test]
    fn groups_for_ruby() {
        let all = [
            "2.5",
            "2.5.1",
            "2.5.0",
            "2.5-slim",
            "2.7.0-slim-buster",
            "2.7.0-preview3-slim-buster",
            "2.7",
            "3.3",
            "3.3-slim",
            "2.4",
        ];
        let g = grouped("2.5.1", &all);
        assert_eq!(g_of(&g, Group::Minor), ["2.7", "2.5"]);
        assert_eq!(g_of(&g, Group::Major), ["3.3"]);
        assert_eq!(
            g_of(&g, Group::Alternative),
            ["2.7.0-slim-buster", "2.5-slim"]
        );
        let pre = grouped(
            "2.7.0-preview2-slim",
            &["2.7.0-preview3-slim", "2.7.0-slim"],
        );
        assert_eq!(
            g_of(&pre, Group::Minor),
            ["2.7.0-slim", "2.7.0-preview3-slim"]
        );
    }

    /// `bookworm-slim` compares with other slim tags, whatever their spelling.
    #[test]
    fn codename_tags_compare_as_versions() {
        let g = grouped(
            "bullseye-slim",
            &[
                "11-slim",
                "bookworm-slim",
                "12-slim",
                "bullseye",
                "trixie-slim",
            ],
        );
        assert_eq!(g_of(&g, Group::Minor), ["11-slim"]);
        assert_eq!(
            g_of(&g, Group::Major),
            ["trixie-slim", "12-slim", "bookworm-slim"]
        );
        assert_eq!(g_of(&g, Group::Alternative), ["bullseye"]);
    }

    #[test]
    fn latest_compares_with_variant_only_tags() {
        let g = grouped("latest", &["slim", "alpine", "12", "stable"]);
        assert_eq!(g.keys().copied().collect::<Vec<_>>(), [Group::Alternative]);
        assert_eq!(g_of(&g, Group::Alternative), ["slim", "alpine"]);
        assert_eq!(
            plan("stable", &tags(&["12"])),
            Err(PlanError::NoVersion("stable".into()))
        );
    }

    /// Aliases: one digest, shown once under the most specific tag, first-seen order kept.
    #[test]
    fn aliases_collapse_under_the_most_specific_tag() {
        let plan = plan("11.6", &tags(DEBIAN)).unwrap();
        let digest_of = |tag: &str| match tag {
            "11" | "11.11" | "bullseye" | "bullseye-20240110" => "sha256:a",
            "12" | "12.11" | "bookworm" => "sha256:b",
            "11-slim" | "11.11-slim" | "bullseye-slim" => "sha256:c",
            _ => "sha256:z",
        };
        let resolved = plan
            .into_iter()
            .map(|p| Resolved {
                digest: digest_of(&p.info.tag).to_string(),
                proposed: p,
            })
            .collect();
        let sets = collapse_aliases(resolved);
        let shown: Vec<(&str, Group, Vec<&str>)> = sets
            .iter()
            .map(|s| {
                (
                    s.digest.as_str(),
                    s.group,
                    s.tags.iter().map(|t| t.tag.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "sha256:a",
                    Group::Minor,
                    vec!["11.11", "11", "bullseye", "bullseye-20240110"]
                ),
                ("sha256:b", Group::Major, vec!["12.11", "12", "bookworm"]),
                (
                    "sha256:c",
                    Group::Alternative,
                    vec!["11.11-slim", "11-slim", "bullseye-slim"]
                ),
            ]
        );
    }

    fn cand(image: &str, group: Group, c: SeverityCounts) -> Candidate {
        Candidate {
            image: image.into(),
            tags: vec![image.rsplit(':').next().unwrap_or_default().into()],
            digest: None,
            group,
            counts: c,
        }
    }

    /// Only strictly better candidates stay, ranked by critical, high, medium, low, then
    /// total; the advice holds the heading, group titles and aligned tables.
    #[test]
    fn ranking_and_advice() {
        let current = counts(0, 2, 4, 6);
        let r = remediation(
            current.clone(),
            vec![
                cand("debian:11.11", Group::Minor, counts(0, 1, 4, 6)),
                cand("debian:12.11", Group::Major, counts(0, 0, 9, 9)),
                cand("debian:11-worse", Group::Minor, counts(1, 0, 0, 0)),
                cand("debian:11.11-slim", Group::Alternative, counts(0, 1, 2, 3)),
                cand("debian:11.10-slim", Group::Alternative, counts(0, 1, 2, 2)),
                cand("debian:11.9", Group::Minor, counts(0, 2, 4, 6)),
            ],
            vec![],
        );
        assert_eq!(r.code, REMEDIATION_AVAILABLE);
        let images: Vec<&str> = r.candidates.iter().map(|c| c.image.as_str()).collect();
        assert_eq!(
            images,
            [
                "debian:11.11",
                "debian:12.11",
                "debian:11.10-slim",
                "debian:11.11-slim"
            ]
        );
        let text: Vec<&str> = r.advice.iter().map(|a| a.message.as_str()).collect();
        assert_eq!(
            text,
            [
                HEADING,
                "Minor upgrades",
                "Base Image    Vulnerabilities  Severity\ndebian:11.11  11               1 high, 4 medium, 6 low",
                "Major upgrades",
                "Base Image    Vulnerabilities  Severity\ndebian:12.11  18               0 high, 9 medium, 9 low",
                "Alternative image types",
                "Base Image         Vulnerabilities  Severity\n\
                 debian:11.10-slim  5                1 high, 2 medium, 2 low\n\
                 debian:11.11-slim  6                1 high, 2 medium, 3 low",
            ]
        );
        assert!(r.advice[0].bold && r.advice[1].bold && !r.advice[2].bold);
        assert_eq!(r.current, Some(current));
    }

    #[test]
    fn nothing_better_is_no_remediation() {
        let r = remediation(
            counts(0, 0, 1, 0),
            vec![cand("debian:12", Group::Major, counts(0, 0, 1, 0))],
            vec!["2 candidates not scanned (--recommend-limit 1)".into()],
        );
        assert_eq!(r.code, NO_REMEDIATION);
        assert!(r.candidates.is_empty());
        assert_eq!(r.advice[0].message, MOST_SECURE);
        assert_eq!(
            r.advice[1].message,
            "Note: 2 candidates not scanned (--recommend-limit 1)"
        );
        let s = skipped("--offline: base image recommendations need the registry");
        assert_eq!(s.code, SKIPPED);
        assert_eq!(s.notes.len(), 1);
    }

    #[test]
    fn severity_text_shows_critical_and_unknown_only_when_present() {
        assert_eq!(
            severity_text(&counts(0, 2, 4, 6)),
            "2 high, 4 medium, 6 low"
        );
        let mut c = counts(1, 0, 0, 0);
        c.unknown = 3;
        assert_eq!(
            severity_text(&c),
            "1 critical, 0 high, 0 medium, 0 low, 3 unknown"
        );
    }

    #[test]
    fn json_shape() {
        let r = remediation(
            counts(0, 1, 0, 0),
            vec![cand("debian:12", Group::Major, counts(0, 0, 1, 0))],
            vec![],
        );
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["code"], "REMEDIATION_AVAILABLE");
        assert_eq!(v["advice"][0]["bold"], true);
        assert!(v["advice"][2].get("bold").is_none());
        assert_eq!(v["current"]["high"], 1);
        assert_eq!(v["candidates"][0]["group"], "major");
        assert_eq!(v["candidates"][0]["counts"]["medium"], 1);
        assert!(v.get("notes").is_none());
        let back: BaseImageRemediation = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
    }

    /// Validates which codenames open a versioned tag, with their versions.
    #[test]
    fn tag_codenames() {
        for (name, version) in [
            ("jessie", &[8][..]),
            ("stretch", &[9]),
            ("buster", &[10]),
            ("bullseye", &[11]),
            ("bookworm", &[12]),
            ("trixie", &[13]),
            ("forky", &[14]),
            ("bionic", &[18, 4]),
            ("focal", &[20, 4]),
            ("jammy", &[22, 4]),
            ("noble", &[24, 4]),
        ] {
            assert_eq!(codename_version(name).as_deref(), Some(version), "{name}");
        }
        for name in ["wheezy", "duke", "sid", "slim", "Bookworm"] {
            assert_eq!(codename_version(name), None, "{name}");
        }
    }
}

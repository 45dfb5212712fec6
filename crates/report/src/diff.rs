//! `shipshape diff` output: a [`scan::diff::ImageDiff`] as text or JSON.
//!
//! The text starts with an overview in the shape of `docker scout compare` (both images,
//! package and vulnerability totals, counts per severity with the change), then one table
//! per change: packages added, removed and changed, vulnerabilities added, removed and
//! still present after a version change.
//!
//! ```text
//! Comparing  from  oci-dir:debian-bookworm.oci:bookworm
//!            to    oci-dir:app.oci:1
//!
//!                    from          to            change
//!   Image ID         9877616e5e49  36c17c2a7141
//!   Packages         88            146           +58 -0 ~3
//!   Vulnerabilities  2             4             +3 -1 ~1
//!     critical       0             0
//!     high           0             3             +3
//!     medium         1             0             -1
//!     low            1             1
//!
//! Packages added (58)
//!   NAME             VERSION           TYPE  ARCH   SOURCE
//!   ca-certificates  20250419~deb12u2  deb   all    ca-certificates
//!   …
//! Vulnerabilities removed (1)
//!   SEVERITY  ID             PACKAGE            VERSION          FIXED IN
//!   medium    CVE-2099-0102  xz-utils/liblzma5  5.4.1-1+deb12u1  5.4.1-1+deb12u2
//! …
//! 85 packages unchanged, 0 vulnerabilities unchanged.
//! ```
//!
//! The JSON is the serde form of [`ImageDiff`] under `"schemaVersion": 1`; its field names
//! are documented on [`ImageDiff`].

use std::fmt::Write as _;
use std::io::Write;

use scan::diff::{DiffFinding, ImageDiff};
use scan::{Severity, SeverityCounts};
use serde::Serialize;

/// The version of the diff JSON layout, bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// The output formats of `shipshape diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DiffFormat {
    /// Human text tables (colour on a terminal).
    Text,
    /// JSON, see [`ImageDiff`].
    Json,
}

/// Rendering a diff failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiffRenderError {
    /// The JSON could not be serialised.
    #[error("could not serialise the diff as JSON")]
    Serialize(#[source] serde_json::Error),
    /// Writing to the output failed.
    #[error("could not write the diff")]
    Write(#[source] std::io::Error),
}

/// The JSON document: the diff under a schema version.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    schema_version: u32,
    #[serde(flatten)]
    diff: &'a ImageDiff,
}

/// Writes the diff in `format` to `out`, ending in a newline; `color` applies to text only.
pub fn render_diff(
    diff: &ImageDiff,
    format: DiffFormat,
    out: &mut dyn Write,
    color: bool,
) -> Result<(), DiffRenderError> {
    let bytes = match format {
        DiffFormat::Text => text(diff, color).into_bytes(),
        DiffFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&Document {
                schema_version: SCHEMA_VERSION,
                diff,
            })
            .map_err(DiffRenderError::Serialize)?;
            v.push(b'\n');
            v
        }
    };
    out.write_all(&bytes)
        .and_then(|()| out.flush())
        .map_err(DiffRenderError::Write)
}

const RESET: &str = "\x1b[0m";

fn severity_color(s: Severity) -> Option<&'static str> {
    match s {
        Severity::Critical => Some("\x1b[1;35m"),
        Severity::High => Some("\x1b[31m"),
        Severity::Medium => Some("\x1b[33m"),
        Severity::Low => Some("\x1b[34m"),
        Severity::Unknown => None,
    }
}

/// A cell: its text and an optional ANSI colour applied after padding.
struct Cell {
    text: String,
    color: Option<&'static str>,
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell { text, color: None }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell {
            text: text.to_owned(),
            color: None,
        }
    }
}

/// Writes rows as left-aligned columns two spaces apart, indented by two.
fn table(out: &mut String, rows: Vec<Vec<Cell>>) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.text.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::from("  ");
        let last = row.len().saturating_sub(1);
        for (i, cell) in row.into_iter().enumerate() {
            let pad = if i == last {
                0
            } else {
                widths[i] - cell.text.chars().count() + 2
            };
            match cell.color {
                Some(c) => {
                    let _ = write!(line, "{c}{}{RESET}", cell.text);
                }
                None => line.push_str(&cell.text),
            }
            line.extend(std::iter::repeat_n(' ', pad));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

fn signed(n: usize, m: usize) -> String {
    match m.cmp(&n) {
        std::cmp::Ordering::Greater => format!("+{}", m - n),
        std::cmp::Ordering::Less => format!("-{}", n - m),
        std::cmp::Ordering::Equal => String::new(),
    }
}

fn opt(s: Option<&str>) -> String {
    s.unwrap_or("-").to_owned()
}

fn fixed_in(f: &DiffFinding) -> String {
    f.nearest_fixed_in_version
        .clone()
        .unwrap_or_else(|| f.status.as_str().to_owned())
}

fn severity_cell(s: Severity, color: bool) -> Cell {
    Cell {
        text: s.as_str().to_owned(),
        color: severity_color(s).filter(|_| color),
    }
}

fn heading(out: &mut String, title: &str, n: usize) {
    let _ = writeln!(out, "\n{title} ({n})");
    if n == 0 {
        out.push_str("  none\n");
    }
}

/// The whole text report, ending in a newline.
pub fn text(diff: &ImageDiff, color: bool) -> String {
    let mut out = String::new();
    let (a, b) = (&diff.from, &diff.to);
    let _ = writeln!(out, "Comparing  from  {}", a.image.name);
    let _ = writeln!(out, "           to    {}", b.image.name);

    // Overview.
    let p = &diff.packages;
    let v = &diff.vulnerabilities;
    let mut rows: Vec<Vec<Cell>> =
        vec![vec!["".into(), "from".into(), "to".into(), "change".into()]];
    if a.image.config_digest.is_some() || b.image.config_digest.is_some() {
        let short = |d: &Option<String>| {
            d.as_deref().map_or("-".to_owned(), |d| {
                let hex = d.split_once(':').map_or(d, |(_, h)| h);
                hex.chars().take(12).collect()
            })
        };
        rows.push(vec![
            "Image ID".into(),
            short(&a.image.config_digest).into(),
            short(&b.image.config_digest).into(),
        ]);
    }
    // The OS only when it differs (a distribution upgrade, another base).
    if a.os != b.os {
        rows.push(vec![
            "OS".into(),
            opt(a.os.as_deref()).into(),
            opt(b.os.as_deref()).into(),
        ]);
    }
    rows.push(vec![
        "Packages".into(),
        a.package_count.to_string().into(),
        b.package_count.to_string().into(),
        format!(
            "+{} -{} ~{}",
            p.added.len(),
            p.removed.len(),
            p.changed.len()
        )
        .into(),
    ]);
    rows.push(vec![
        "Vulnerabilities".into(),
        a.vulnerability_count.to_string().into(),
        b.vulnerability_count.to_string().into(),
        format!(
            "+{} -{} ~{}",
            v.added.len(),
            v.removed.len(),
            v.changed.len()
        )
        .into(),
    ]);
    let counts = |c: &SeverityCounts, s: Severity| c.get(s);
    for s in Severity::ALL.into_iter().rev() {
        let (x, y) = (counts(&a.severity_counts, s), counts(&b.severity_counts, s));
        if s == Severity::Unknown && x == 0 && y == 0 {
            continue;
        }
        rows.push(vec![
            Cell {
                text: format!("  {}", s.as_str()),
                color: None,
            },
            x.to_string().into(),
            y.to_string().into(),
            signed(x, y).into(),
        ]);
    }
    out.push('\n');
    table(&mut out, rows);

    let package_rows = |list: &[scan::diff::DiffPackage]| {
        let mut rows: Vec<Vec<Cell>> = vec![vec![
            "NAME".into(),
            "VERSION".into(),
            "TYPE".into(),
            "ARCH".into(),
            "SOURCE".into(),
        ]];
        rows.extend(list.iter().map(|x| {
            vec![
                x.name.as_str().into(),
                x.version.as_str().into(),
                x.package_type.as_str().into(),
                opt(x.arch.as_deref()).into(),
                opt(x.source_name.as_deref()).into(),
            ]
        }));
        rows
    };
    heading(&mut out, "Packages added", p.added.len());
    if !p.added.is_empty() {
        table(&mut out, package_rows(&p.added));
    }
    heading(&mut out, "Packages removed", p.removed.len());
    if !p.removed.is_empty() {
        table(&mut out, package_rows(&p.removed));
    }
    heading(&mut out, "Packages changed", p.changed.len());
    if !p.changed.is_empty() {
        let mut rows: Vec<Vec<Cell>> = vec![vec![
            "NAME".into(),
            "FROM".into(),
            "TO".into(),
            "TYPE".into(),
            "CHANGE".into(),
        ]];
        for c in &p.changed {
            let change = serde_json::to_value(c.change)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let change = match (&c.from_arch, &c.arch) {
                (Some(fa), Some(ta)) => format!("{change} ({fa} → {ta})"),
                _ => change,
            };
            rows.push(vec![
                c.name.as_str().into(),
                c.from_version.as_str().into(),
                c.to_version.as_str().into(),
                c.package_type.as_str().into(),
                change.into(),
            ]);
        }
        table(&mut out, rows);
    }

    let finding_rows = |list: &mut dyn Iterator<Item = (&DiffFinding, Option<&str>)>,
                        with_from: bool| {
        let mut head: Vec<Cell> = vec!["SEVERITY".into(), "ID".into(), "PACKAGE".into()];
        if with_from {
            head.push("FROM".into());
            head.push("TO".into());
        } else {
            head.push("VERSION".into());
        }
        head.push("FIXED IN".into());
        let mut rows = vec![head];
        for (f, from) in list {
            let mut row = vec![
                severity_cell(f.severity, color),
                f.id.as_str().into(),
                f.name.as_str().into(),
            ];
            if let Some(from) = from {
                row.push(from.into());
            }
            row.push(f.version.as_str().into());
            row.push(fixed_in(f).into());
            rows.push(row);
        }
        rows
    };
    heading(&mut out, "Vulnerabilities added", v.added.len());
    if !v.added.is_empty() {
        let rows = finding_rows(&mut v.added.iter().map(|f| (f, None)), false);
        table(&mut out, rows);
    }
    heading(&mut out, "Vulnerabilities removed", v.removed.len());
    if !v.removed.is_empty() {
        let rows = finding_rows(&mut v.removed.iter().map(|f| (f, None)), false);
        table(&mut out, rows);
    }
    if !v.changed.is_empty() {
        heading(
            &mut out,
            "Vulnerabilities still present after a version change",
            v.changed.len(),
        );
        let rows = finding_rows(
            &mut v
                .changed
                .iter()
                .map(|c| (&c.finding, Some(c.from_version.as_str()))),
            true,
        );
        table(&mut out, rows);
    }
    let _ = writeln!(
        out,
        "\n{} packages unchanged, {} vulnerabilities unchanged.",
        p.unchanged_count, v.unchanged_count
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use scan::diff::{
        DiffPackage, DiffSide, FindingDiff, PackageChange, PackageDiff, VersionChange,
    };
    use scan::FindingStatus;

    fn sample() -> ImageDiff {
        let finding = |id: &str, sev, fixed: Option<&str>| DiffFinding {
            id: id.into(),
            title: "t".into(),
            severity: sev,
            status: if fixed.is_some() {
                FindingStatus::Fixed
            } else {
                FindingStatus::NotFixed
            },
            package_name: "curl".into(),
            name: "curl/libcurl4".into(),
            binary_name: "libcurl4".into(),
            package_type: inventory::PackageType::Deb,
            version: "7.88.1-10".into(),
            nearest_fixed_in_version: fixed.map(Into::into),
            url: String::new(),
        };
        ImageDiff {
            from: DiffSide {
                image: inventory::ImageIdentity {
                    name: "oci-dir:base.oci:bookworm".into(),
                    ..Default::default()
                },
                package_count: 2,
                severity_counts: SeverityCounts {
                    low: 1,
                    ..Default::default()
                },
                vulnerability_count: 1,
                ..Default::default()
            },
            to: DiffSide {
                image: inventory::ImageIdentity {
                    name: "oci-dir:app.oci:1".into(),
                    ..Default::default()
                },
                package_count: 3,
                severity_counts: SeverityCounts {
                    high: 1,
                    low: 1,
                    ..Default::default()
                },
                vulnerability_count: 2,
                ..Default::default()
            },
            packages: PackageDiff {
                added: vec![DiffPackage {
                    package_type: "deb".into(),
                    name: "libcurl4".into(),
                    version: "7.88.1-10".into(),
                    arch: Some("amd64".into()),
                    source_name: Some("curl".into()),
                    purl: String::new(),
                }],
                removed: Vec::new(),
                changed: vec![PackageChange {
                    package_type: "deb".into(),
                    name: "liblzma5".into(),
                    arch: Some("amd64".into()),
                    from_arch: None,
                    source_name: Some("xz-utils".into()),
                    from_version: "5.4.1-1+deb12u1".into(),
                    to_version: "5.4.1-1+deb12u2".into(),
                    change: VersionChange::Upgrade,
                }],
                unchanged_count: 1,
            },
            vulnerabilities: FindingDiff {
                added: vec![finding("CVE-2099-0001", Severity::High, Some("7.88.1-11"))],
                removed: Vec::new(),
                changed: Vec::new(),
                unchanged_count: 1,
            },
        }
    }

    /// Validates the text tables: overview with per-severity change, each section, "none"
    /// for empty ones, and colour only when asked for.
    #[test]
    fn text_sections() {
        let t = text(&sample(), false);
        assert!(
            t.starts_with(
                "Comparing  from  oci-dir:base.oci:bookworm\n           to    oci-dir:app.oci:1\n"
            ),
            "{t}"
        );
        assert!(t.contains("  Packages         2     3   +1 -0 ~1\n"), "{t}");
        assert!(t.contains("    high           0     1   +1\n"), "{t}");
        assert!(t.contains("    low            1     1\n"), "{t}");
        assert!(t.contains("Packages added (1)\n  NAME      VERSION    TYPE  ARCH   SOURCE\n  libcurl4  7.88.1-10  deb   amd64  curl\n"), "{t}");
        assert!(t.contains("Packages removed (0)\n  none\n"), "{t}");
        assert!(
            t.contains("  liblzma5  5.4.1-1+deb12u1  5.4.1-1+deb12u2  deb   upgrade\n"),
            "{t}"
        );
        assert!(
            t.contains("  high      CVE-2099-0001  curl/libcurl4  7.88.1-10  7.88.1-11\n"),
            "{t}"
        );
        assert!(t.contains("Vulnerabilities removed (0)\n  none\n"), "{t}");
        assert!(!t.contains('\x1b'));
        assert!(text(&sample(), true).contains("\x1b[31mhigh\x1b[0m"));
        assert!(!t.contains("  OS "), "{t}");
        let mut d = sample();
        d.from.os = Some("Debian GNU/Linux 11 (bullseye)".into());
        d.to.os = Some("Debian GNU/Linux 12 (bookworm)".into());
        let t = text(&d, false);
        assert!(
            t.contains("  OS               Debian GNU/Linux 11 (bullseye)  Debian GNU/Linux 12 (bookworm)\n"),
            "{t}"
        );
    }

    /// Validates the JSON document: schema version and the diff's camelCase fields.
    #[test]
    fn json_document() {
        let mut out = Vec::new();
        render_diff(&sample(), DiffFormat::Json, &mut out, true).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["schemaVersion"], SCHEMA_VERSION);
        assert_eq!(v["from"]["path"], "oci-dir:base.oci:bookworm");
        assert_eq!(v["packages"]["changed"][0]["toVersion"], "5.4.1-1+deb12u2");
        assert_eq!(
            v["vulnerabilities"]["added"][0]["nearestFixedInVersion"],
            "7.88.1-11"
        );
        assert!(!String::from_utf8(out).unwrap().contains('\x1b'));
    }
}

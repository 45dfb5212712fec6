//! Human text in the shape of `docker scan` / `snyk container test`: one block per finding,
//! then a summary.
//!
//! ```text
//! ✗ High severity vulnerability found in curl/libcurl4
//!   Description: Out-of-bounds Write
//!   Info: https://security-tracker.debian.org/tracker/CVE-2024-0011
//!   Introduced through: git@1:2.39.2-1.1, curl@7.88.1-10+deb12u5
//!   From: git@1:2.39.2-1.1 > curl/libcurl3-gnutls@7.88.1-10+deb12u5
//!   and 3 more...
//!   Introduced in your Dockerfile by `RUN apt-get install -y git`
//!   Fixed in: 7.88.1-10+deb12u8
//! ```
//!
//! Every value comes from the [`Report`]: findings in the order `scan` sorted them, paths as
//! many as it kept, "and N more" from [`Finding::more_paths`], the issue count from
//! [`Report::severity_counts`]. Where a package came from is said once, the most specific way
//! known: the base image (Dockerfile-aware enrichment), else the build step read from the
//! image history, else the layer.
//!
//! The summary follows `docker scan`: the label block (`Target file:` and `Base image:` when
//! known), the "Tested N dependencies" line, the base image's own "Base Image /
//! Vulnerabilities / Severity" table, how many findings `--exclude-base` hid, then the
//! base image recommendations, printed from `docker.baseImageRemediation`'s advice lines so
//! the text and the JSON say the same thing.
//!
//! Colour (ANSI escapes) is used only when asked for, on the block's first line (and bold advice headings): low blue,
//! medium yellow, high red, critical bold magenta, unknown plain; the all-clear line green.

use std::fmt::Write as _;

use scan::{advice, BaseImageSource, Finding, FindingStatus, Report, Severity};

const RESET: &str = "\x1b[0m";
const GREEN: &str = "\x1b[32m";
const BOLD: &str = "\x1b[1m";

/// Width of the summary labels, `Package manager:` and its padding, as `docker scan` aligns.
const LABEL_WIDTH: usize = 19;

/// The whole text report, ending in a newline.
pub fn render(report: &Report, color: bool) -> String {
    let mut out = String::new();
    for f in &report.vulnerabilities {
        finding(&mut out, f, color);
        out.push('\n');
    }
    summary(&mut out, report, color);
    out
}

/// The ANSI colour of a severity, `None` for unknown.
fn severity_color(s: Severity) -> Option<&'static str> {
    match s {
        Severity::Critical => Some("\x1b[1;35m"),
        Severity::High => Some("\x1b[31m"),
        Severity::Medium => Some("\x1b[33m"),
        Severity::Low => Some("\x1b[34m"),
        Severity::Unknown => None,
    }
}

/// `High`, `Critical`, …
fn severity_title(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Unknown => "Unknown",
    }
}

fn finding(out: &mut String, f: &Finding, color: bool) {
    let head = format!(
        "✗ {} severity vulnerability found in {}",
        severity_title(f.severity),
        f.name
    );
    match severity_color(f.severity).filter(|_| color) {
        Some(c) => {
            let _ = writeln!(out, "{c}{head}{RESET}");
        }
        None => {
            let _ = writeln!(out, "{head}");
        }
    }
    let _ = writeln!(out, "  Description: {}", f.title);
    if !f.url.is_empty() {
        let _ = writeln!(out, "  Info: {}", f.url);
    }
    if !f.introduced_through.is_empty() {
        let _ = writeln!(
            out,
            "  Introduced through: {}",
            f.introduced_through.join(", ")
        );
    }
    for path in &f.paths {
        let _ = writeln!(out, "  From: {}", path.join(" > "));
    }
    if f.more_paths > 0 {
        let at_least = if f.paths_truncated { "at least " } else { "" };
        let _ = writeln!(out, "  and {at_least}{} more...", f.more_paths);
    }
    if let Some(base) = &f.docker_base_image {
        if base == scan::base::UNNAMED_BASE {
            out.push_str("  Introduced by your base image\n");
        } else {
            let _ = writeln!(out, "  Introduced by your base image ({base})");
        }
    } else if let Some(step) = &f.dockerfile_instruction {
        let _ = writeln!(out, "  Introduced in your Dockerfile by `{step}`");
    } else if let Some(layer) = &f.layer {
        let _ = writeln!(out, "  Image layer: {} ({})", layer.index, layer.digest);
    }
    match (f.status, &f.nearest_fixed_in_version) {
        (FindingStatus::Fixed, Some(v)) => {
            let _ = writeln!(out, "  Fixed in: {v}");
        }
        (FindingStatus::WillNotFix, _) => out.push_str("  Status: will not fix\n"),
        (FindingStatus::EndOfLife, _) => {
            out.push_str("  Status: end of life (this release gets no more fixes)\n")
        }
        _ => out.push_str("  Status: no fix available yet\n"),
    }
    if let Some(v) = &f.vulnerable_symbols {
        let _ = writeln!(out, "  Vulnerable symbol: {}", symbol_text(v));
    }
}

/// The Go vulnerable-symbol check in words: `present (net/http.Server.Serve)`.
fn symbol_text(v: &scan::VulnerableSymbols) -> String {
    /// At most this many names are shown.
    const SHOWN: usize = 3;
    let names = |list: &[String]| {
        let mut s = list
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if list.len() > SHOWN {
            s.push_str(&format!(" and {} more", list.len() - SHOWN));
        }
        s
    };
    match v.status {
        scan::SymbolStatus::Present => format!("present ({})", names(&v.found)),
        scan::SymbolStatus::Absent => {
            format!("absent (none of {} is in the binary)", names(&v.listed))
        }
        scan::SymbolStatus::Unknown if v.listed.is_empty() => {
            "unknown (the advisory lists no symbols)".to_owned()
        }
        scan::SymbolStatus::Unknown => "unknown (the binary's functions were not read)".to_owned(),
    }
}

/// How the base image was found, as the `Base image:` line says it.
fn source_text(s: BaseImageSource) -> &'static str {
    match s {
        BaseImageSource::Dockerfile => "from the Dockerfile",
        BaseImageSource::Annotation => "from the image's base annotation",
        BaseImageSource::Label => "from the image's base label",
        BaseImageSource::DiffIds => "its layers are this image's bottom layers",
        BaseImageSource::History => "guessed from the image history",
    }
}

fn label(out: &mut String, name: &str, value: &str) {
    let _ = writeln!(out, "{:<LABEL_WIDTH$}{value}", format!("{name}:"));
}

fn summary(out: &mut String, r: &Report, color: bool) {
    if let Some(pm) = &r.package_manager {
        label(out, "Package manager", pm);
    }
    if let Some(file) = &r.target_file {
        label(out, "Target file", file);
    }
    let image = &r.image.identity;
    label(out, "Target", &image.name);
    label(out, "Project name", &r.project_name);
    label(out, "Docker image", &image.name);
    if let Some(p) = &image.platform {
        label(out, "Platform", p);
    }
    if let Some(b) = &r.docker.base_image {
        match r.docker.base_image_source.map(source_text) {
            Some(how) => label(out, "Base image", &format!("{b} ({how})")),
            None => label(out, "Base image", b),
        }
    }
    out.push('\n');
    if r.ok {
        let line = format!(
            "✓ Tested {} dependencies for known issues, no vulnerable paths found.",
            r.dependency_count
        );
        if color {
            let _ = writeln!(out, "{GREEN}{line}{RESET}");
        } else {
            let _ = writeln!(out, "{line}");
        }
    } else {
        let found = r.severity_counts.total();
        let _ = writeln!(
            out,
            "Tested {} dependencies for known issues, found {found} {}.",
            r.dependency_count,
            if found == 1 { "issue" } else { "issues" }
        );
    }
    if r.suppressed_count > 0 {
        let _ = writeln!(
            out,
            "{} findings suppressed by policy or VEX (see --json).",
            r.suppressed_count
        );
    }
    base_image(out, r, color);
    if !r.diagnostics.is_empty() {
        out.push('\n');
        for d in &r.diagnostics {
            let _ = writeln!(out, "Warning ({}): {}", d.code, d.message);
        }
    }
}

/// The base image's own table, how many findings `--exclude-base` hid, and the
/// recommendations: `docker.baseImageRemediation`'s advice lines as the JSON holds them, a
/// blank line before each block (a group title and its table are one block).
fn base_image(out: &mut String, r: &Report, color: bool) {
    let d = &r.docker;
    let remediation = d.base_image_remediation.as_ref();
    // The base image's own scan when advice made one (the same measure as the candidates
    // below it), else the findings this image's base layers brought.
    let counts = remediation
        .and_then(|a| a.current.as_ref())
        .or(d.base_image_vulnerabilities.as_ref());
    if let (Some(name), Some(c)) = (&d.base_image, counts) {
        out.push('\n');
        let _ = writeln!(out, "{}", advice::table(&[(name.clone(), c.clone())]));
    }
    if let Some(n) = d.excluded_base_count {
        out.push('\n');
        let _ = writeln!(
            out,
            "{n} {} introduced by the base image hidden by --exclude-base.",
            if n == 1 { "issue" } else { "issues" }
        );
    }
    let Some(rem) = remediation else { return };
    let titles = advice::Group::ALL.map(advice::Group::title);
    let mut after_title = false;
    for line in &rem.advice {
        if !after_title {
            out.push('\n');
        }
        if line.bold && color {
            let _ = writeln!(out, "{BOLD}{}{RESET}", line.message);
        } else {
            let _ = writeln!(out, "{}", line.message);
        }
        after_title = line.bold && titles.contains(&line.message.as_str());
    }
}

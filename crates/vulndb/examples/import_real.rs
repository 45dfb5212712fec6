//! Imports the real advisory data in `$SHIPSHAPE_VULNDATA` (see `shared/vulndata/README.md`)
//! into a database, prints record counts, skipped counts and timings, checks known answers,
//! and times a thousand (ecosystem, package, version) lookups.
//!
//! ```text
//! SHIPSHAPE_VULNDATA=path/to/vulndata cargo run --release -p shipshape-vulndb --example import_real [DB]
//! ```
//!
//! Range evaluation is [`vulndb::matches`], which uses the `version` crate.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use vulndb::import::{alpine, kev, osv};
use vulndb::{Advisory, ImportReport, Imported, SourceMeta, Store};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Calls `f(name, bytes)` for every regular file in a .tar.gz.
fn each_tar_entry(path: &Path, mut f: impl FnMut(&str, &[u8])) -> Res<()> {
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(path)?);
    let mut ar = tar::Archive::new(gz);
    for entry in ar.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry.path()?.to_string_lossy().into_owned();
        let mut buf = Vec::new();
        entry.read_to_end(&mut buf)?;
        f(&name, &buf);
    }
    Ok(())
}

fn show(report: &ImportReport, took: Duration) {
    println!(
        "{:<14} records {:>6}  skipped {:>4}  {:>8.1} ms",
        report.source,
        report.records,
        report.skipped,
        took.as_secs_f64() * 1e3
    );
    for e in report.errors.iter().take(3) {
        println!("    skipped {e}");
    }
}

/// Whether `adv` affects the package version, by [`vulndb::matches`]; versions that do not
/// parse in the scheme count as "not affected" here and are tallied.
fn affects(adv: &Advisory, ecosystem: &str, package: &str, v: &str, errors: &mut usize) -> bool {
    match vulndb::matches(adv, ecosystem, package, v) {
        Ok(hit) => hit.is_some(),
        Err(_) => {
            *errors += 1;
            false
        }
    }
}

fn main() -> Res<()> {
    let Some(data) = std::env::var_os("SHIPSHAPE_VULNDATA").map(PathBuf::from) else {
        eprintln!("set SHIPSHAPE_VULNDATA to the vulndata folder");
        return Ok(());
    };
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("shipshape-real.db"));
    let total = Instant::now();
    let mut feeds: Vec<Imported<Advisory>> = Vec::new();

    // Go vulndb OSV JSON.
    let t = Instant::now();
    let mut imp = osv::OsvImporter::new("osv-go");
    each_tar_entry(&data.join("golang-vulndb-osv.tar.gz"), |name, bytes| {
        if name.contains("/data/osv/") && name.ends_with(".json") {
            imp.add_json(name.rsplit('/').next().unwrap_or(name), bytes);
        }
    })?;
    let go = imp.finish();
    show(&go.report, t.elapsed());
    feeds.push(go);

    // PyPA advisory database, OSV in YAML.
    let t = Instant::now();
    let mut imp = osv::OsvImporter::new("osv-pypi");
    each_tar_entry(
        &data.join("pypa-advisory-database.tar.gz"),
        |name, bytes| {
            if name.contains("/vulns/") && name.ends_with(".yaml") {
                imp.add_yaml(name, bytes);
            }
        },
    )?;
    let pypi = imp.finish();
    show(&pypi.report, t.elapsed());
    feeds.push(pypi);

    // RustSec advisory-db: Markdown with TOML front matter, crates/ only.
    let t = Instant::now();
    let mut imp = vulndb::import::rustsec::RustsecImporter::new("rustsec");
    each_tar_entry(&data.join("rustsec-advisory-db.tar.gz"), |name, bytes| {
        let file = name.rsplit('/').next().unwrap_or(name);
        if name.contains("/crates/") && file.starts_with("RUSTSEC-") && file.ends_with(".md") {
            imp.add_file(name, bytes);
        }
    })?;
    let rustsec = imp.finish();
    show(&rustsec.report, t.elapsed());
    feeds.push(rustsec);

    // Alpine secdb YAML, one file per branch and repository.
    let t = Instant::now();
    let mut alpine_all = Imported {
        items: Vec::new(),
        report: ImportReport::new("alpine"),
    };
    let mut files = 0;
    let mut failed = Vec::new();
    each_tar_entry(
        &data.join("alpine-secdb-yaml-v3.3-v3.11.tar.gz"),
        |name, bytes| {
            if name.ends_with(".yaml") {
                files += 1;
                match alpine::import_yaml("alpine", bytes) {
                    Ok(i) => {
                        alpine_all.items.extend(i.items);
                        alpine_all.report.absorb(i.report);
                    }
                    Err(e) => failed.push(format!("{name}: {e}")),
                }
            }
        },
    )?;
    show(&alpine_all.report, t.elapsed());
    println!(
        "    {files} files, {} advisories before merging, failed files: {failed:?}",
        alpine_all.items.len()
    );
    feeds.push(alpine_all);

    // KEV.
    let t = Instant::now();
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(
        data.join("kev/known_exploited_vulnerabilities.json.gz"),
    )?);
    let kev_feed = kev::import("kev", gz)?;
    show(&kev_feed.report, t.elapsed());

    // Build.
    let t = Instant::now();
    let mut b = Store::build_beside(&out)?;
    for f in &feeds {
        b.add_advisories(&SourceMeta::named(&f.report.source), f)?;
    }
    b.add_kev(&SourceMeta::named("kev"), &kev_feed)?;
    b.commit()?;
    let build = t.elapsed();
    let size = std::fs::metadata(&out)?.len();
    println!(
        "store build {:.1} ms; total {:.1} ms; {} = {:.1} MiB",
        build.as_secs_f64() * 1e3,
        total.elapsed().as_secs_f64() * 1e3,
        out.display(),
        size as f64 / (1 << 20) as f64
    );

    let store = Store::open(&out)?;
    println!("{}", serde_json::to_string_pretty(&store.status()?.counts)?);

    // Known answers.
    let mut errs = 0usize;
    let stdlib: Vec<String> = store
        .advisories_for("Go", "stdlib")?
        .into_iter()
        .filter(|a| {
            a.id.as_str().starts_with("GO-2023-")
                && affects(a, "Go", "stdlib", "go1.20.1", &mut errs)
        })
        .map(|a| a.id.to_string())
        .collect();
    println!(
        "Go stdlib 1.20.1: {} GO-2023 advisories, e.g. {:?}",
        stdlib.len(),
        &stdlib[..stdlib.len().min(5)]
    );
    let jinja: Vec<String> = store
        .advisories_for("PyPI", "Jinja2")?
        .into_iter()
        .filter(|a| affects(a, "PyPI", "jinja2", "2.11.2", &mut errs))
        .map(|a| a.id.to_string())
        .collect();
    println!(
        "PyPI jinja2 2.11.2: {jinja:?} (PYSEC-2021-66 present: {})",
        jinja.iter().any(|i| i == "PYSEC-2021-66")
    );
    let smallvec: Vec<String> = store
        .advisories_for("crates.io", "smallvec")?
        .into_iter()
        .filter(|a| affects(a, "crates.io", "smallvec", "0.6.13", &mut errs))
        .map(|a| a.id.to_string())
        .collect();
    println!("crates.io smallvec 0.6.13: {smallvec:?}");
    let ssl = store.advisories_for("Alpine:v3.11", "openssl")?;
    println!("Alpine:v3.11 openssl: {} advisories", ssl.len());

    // A thousand lookups: (ecosystem, package, version) taken from the store itself.
    let conn = rusqlite::Connection::open(&out)?;
    let mut stmt = conn.prepare(
        "SELECT DISTINCT ecosystem, package, fixed FROM affected WHERE fixed IS NOT NULL \
         ORDER BY random() LIMIT 1000",
    )?;
    let queries: Vec<(String, String, String)> = stmt
        .query_map([], |r| {
            let fixed: String = r.get(2)?;
            Ok((
                r.get(0)?,
                r.get(1)?,
                fixed.split(' ').next().unwrap_or("0").to_owned(),
            ))
        })?
        .collect::<Result<_, _>>()?;
    let t = Instant::now();
    for (eco, pkg, _) in &queries {
        std::hint::black_box(store.advisories_for(eco, pkg)?);
    }
    let lookup = t.elapsed();
    println!(
        "{} lookups (advisories_for only): {:.1} ms total, {:.1} µs each",
        queries.len(),
        lookup.as_secs_f64() * 1e3,
        lookup.as_secs_f64() * 1e6 / queries.len().max(1) as f64
    );
    let t = Instant::now();
    let mut hits = 0usize;
    let mut found = 0usize;
    for (eco, pkg, v) in &queries {
        let advs = store.advisories_for(eco, pkg)?;
        found += advs.len();
        hits += advs
            .iter()
            .filter(|a| affects(a, eco, pkg, v, &mut errs))
            .count();
    }
    let took = t.elapsed();
    println!("range evaluation errors (unparsable versions): {errs}");
    println!(
        "{} lookups (+ range evaluation): {:.1} ms total, {:.1} µs each; {found} advisories read, {hits} affect the queried version",
        queries.len(),
        took.as_secs_f64() * 1e3,
        took.as_secs_f64() * 1e6 / queries.len().max(1) as f64
    );
    Ok(())
}

//! FIRST EPSS scores as CSV (`epss_scores-YYYY-MM-DD.csv`, after gunzip).
//!
//! The file opens with a comment line `#model_version:v2023.03.01,score_date:2023-03-21T…`
//! (older files lack it), then the header `cve,epss,percentile`. Both numbers are
//! probabilities in `[0, 1]`. A row that fails to parse is a skipped record; a file without
//! the `cve`, `epss` and `percentile` columns fails the feed.

use std::io::Read;

use serde::{Deserialize, Serialize};

use super::{ImportReport, Imported};
use crate::error::ImportError;
use crate::model::is_cve;

/// The EPSS score of one CVE.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpssScore {
    /// The CVE id.
    pub cve: String,
    /// Probability of exploitation activity in the next 30 days.
    pub epss: f32,
    /// Percentile of this score among all scored CVEs.
    pub percentile: f32,
}

/// The model and date an EPSS file states in its comment line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpssInfo {
    /// `model_version`, e.g. `v2023.03.01`.
    pub model_version: Option<String>,
    /// `score_date`, e.g. `2023-03-21T00:00:00+0000`.
    pub score_date: Option<String>,
}

fn parse_comment(line: &str) -> EpssInfo {
    let mut info = EpssInfo::default();
    for part in line.trim_start_matches('#').split(',') {
        if let Some((k, v)) = part.split_once(':') {
            match k.trim() {
                "model_version" => info.model_version = Some(v.trim().to_owned()),
                "score_date" => info.score_date = Some(v.trim().to_owned()),
                _ => {}
            }
        }
    }
    info
}

fn probability(s: &str, what: &str) -> Result<f32, String> {
    let v: f32 = s.trim().parse().map_err(|e| format!("{what} {s:?}: {e}"))?;
    if !(0.0..=1.0).contains(&v) {
        return Err(format!("{what} {v} is outside [0, 1]"));
    }
    Ok(v)
}

/// Imports an EPSS CSV file.
pub fn import(
    feed: &str,
    mut reader: impl Read,
) -> Result<(Imported<EpssScore>, EpssInfo), ImportError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::io(feed, "input", e))?;
    let (info, body) = if bytes.first() == Some(&b'#') {
        let end = bytes
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(bytes.len());
        let line = String::from_utf8_lossy(&bytes[..end]).into_owned();
        (parse_comment(&line), &bytes[(end + 1).min(bytes.len())..])
    } else {
        (EpssInfo::default(), &bytes[..])
    };
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(body);
    let headers = csv
        .headers()
        .map_err(|e| ImportError::parse(feed, "input", "EPSS CSV", e))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(c_cve), Some(c_epss), Some(c_pct)) = (col("cve"), col("epss"), col("percentile"))
    else {
        return Err(ImportError::parse(
            feed,
            "input",
            "EPSS CSV",
            format!(
                "expected the columns cve,epss,percentile, found {:?}",
                headers.iter().collect::<Vec<_>>()
            ),
        ));
    };
    let mut report = ImportReport::new(feed);
    let mut items = Vec::new();
    for (i, row) in csv.records().enumerate() {
        let line = format!("row {}", i + 1);
        let converted = row.map_err(|e| e.to_string()).and_then(|row| {
            let cve = row.get(c_cve).unwrap_or_default().trim().to_owned();
            if !is_cve(&cve) {
                return Err(format!("{cve:?} is not a CVE id"));
            }
            let epss = probability(row.get(c_epss).unwrap_or_default(), "epss")?;
            let percentile = probability(row.get(c_pct).unwrap_or_default(), "percentile")?;
            Ok(EpssScore {
                cve,
                epss,
                percentile,
            })
        });
        match converted {
            Ok(s) => {
                report.records += 1;
                items.push(s);
            }
            Err(e) => report.skip(line, e),
        }
    }
    Ok((Imported { items, report }, info))
}

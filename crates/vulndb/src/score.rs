//! CVSS vectors to base scores and ratings, via RustSec's `cvss` crate.
//!
//! `cvss` 3.x parses and scores CVSS v2.0, v3.0, v3.1 and v4.0 vectors, so no scoring is
//! hand-written here. CVSS v2 has no official qualitative scale; like NVD (and `cvss`), we
//! rate v2 scores low below 4.0, medium below 7.0 and high otherwise (never critical).

use std::str::FromStr;

use crate::model::{Rating, Severity, SeverityKind};

/// Why a CVSS vector could not be scored.
#[derive(Debug, thiserror::Error)]
#[error("invalid CVSS vector {vector:?}: {reason}")]
pub struct InvalidVector {
    /// The vector as given.
    pub vector: String,
    /// What the parser said.
    pub reason: String,
}

/// Parses a CVSS vector (`CVSS:3.1/AV:N/…`, `CVSS:4.0/…`, or a bare v2 `AV:N/AC:L/…`) and
/// returns a [`Severity`] with its base score and rating.
pub fn cvss_severity(vector: &str) -> Result<Severity, InvalidVector> {
    let vector = vector.trim();
    let v2 = vector
        .strip_prefix("(")
        .and_then(|v| v.strip_suffix(")"))
        .unwrap_or(vector);
    let parsed = cvss::Cvss::from_str(v2).map_err(|e| InvalidVector {
        vector: vector.to_owned(),
        reason: e.to_string(),
    })?;
    let kind = match parsed {
        cvss::Cvss::CvssV20(_) => SeverityKind::CvssV2,
        cvss::Cvss::CvssV30(_) | cvss::Cvss::CvssV31(_) => SeverityKind::CvssV3,
        cvss::Cvss::CvssV40(_) => SeverityKind::CvssV4,
        _ => {
            return Err(InvalidVector {
                vector: vector.to_owned(),
                reason: "unsupported CVSS version".to_owned(),
            })
        }
    };
    let score = parsed.score();
    Ok(Severity {
        kind,
        vector_or_label: vector.to_owned(),
        score: Some(score as f32),
        rating: Some(rating_of(parsed.severity())),
        source: None,
    })
}

fn rating_of(s: cvss::Severity) -> Rating {
    match s {
        cvss::Severity::None => Rating::None,
        cvss::Severity::Low => Rating::Low,
        cvss::Severity::Medium => Rating::Medium,
        cvss::Severity::High => Rating::High,
        cvss::Severity::Critical => Rating::Critical,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v31_log4shell() {
        let s = cvss_severity("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H").unwrap();
        assert_eq!(s.kind, SeverityKind::CvssV3);
        assert_eq!(s.score, Some(10.0));
        assert_eq!(s.rating, Some(Rating::Critical));
    }

    #[test]
    fn v2_base_score() {
        // NVD's v2 score for CVE-2014-0160 (Heartbleed) is 5.0 medium.
        let s = cvss_severity("AV:N/AC:L/Au:N/C:P/I:N/A:N").unwrap();
        assert_eq!(s.kind, SeverityKind::CvssV2);
        assert_eq!(s.score, Some(5.0));
        assert_eq!(s.rating, Some(Rating::Medium));
    }

    #[test]
    fn v4_score() {
        let s = cvss_severity("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
            .unwrap();
        assert_eq!(s.kind, SeverityKind::CvssV4);
        assert_eq!(s.score, Some(9.3));
        assert_eq!(s.rating, Some(Rating::Critical));
    }

    #[test]
    fn garbage_is_an_error() {
        let e = cvss_severity("CVSS:3.1/AV:Q").unwrap_err();
        assert!(e.to_string().contains("CVSS:3.1/AV:Q"));
    }
}

//! Which severity a finding gets, and from where.
//!
//! Precedence, first that gives a rating wins:
//! 1. the vendor's own rating of the affected package in its feed (Debian's urgency,
//!    Ubuntu's priority; `unimportant` is low; `not yet assigned` and `end-of-life` rate
//!    nothing and fall through),
//! 2. a CVSS vector in the advisory (newest CVSS version first: v4, then v3, then v2; the
//!    highest score within a version),
//! 3. NVD's scoring of the CVE (its primary metric, newest version first),
//! 4. otherwise [`Severity::Unknown`] with source `none`.
//!
//! The CVSS score and vector are reported whatever rated the severity: the advisory's when
//! it has one, else NVD's.

use vulndb::{Rating, SeverityKind};

use crate::model::{Severity, SeveritySource};

/// A vendor's rating label, e.g. (`debian`, `unimportant`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VendorLabel {
    /// The vendor (`debian`).
    pub vendor: String,
    /// The label as written.
    pub label: String,
}

/// The outcome of [`rate`].
#[derive(Clone, Debug, PartialEq)]
pub struct Rated {
    /// The severity.
    pub severity: Severity,
    /// Where it came from.
    pub source: SeveritySource,
    /// The vendor label, when the vendor rated it.
    pub vendor_label: Option<String>,
    /// The CVSS base score shown.
    pub cvss_score: Option<f32>,
    /// The vector of that score.
    pub cvss_vector: Option<String>,
    /// A CVSS v3 vector, when one is known.
    pub cvss_v3: Option<String>,
}

fn cvss_rank(kind: &SeverityKind) -> Option<u8> {
    match kind {
        SeverityKind::CvssV4 => Some(3),
        SeverityKind::CvssV3 => Some(2),
        SeverityKind::CvssV2 => Some(1),
        SeverityKind::Vendor(_) => None,
    }
}

fn best_cvss<'a>(list: &[&'a vulndb::Severity]) -> Option<&'a vulndb::Severity> {
    list.iter()
        .copied()
        .filter(|s| s.rating.is_some() && cvss_rank(&s.kind).is_some())
        .max_by(|a, b| {
            (cvss_rank(&a.kind), a.score.unwrap_or(0.0))
                .partial_cmp(&(cvss_rank(&b.kind), b.score.unwrap_or(0.0)))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
}

fn best_v3(list: &[&vulndb::Severity]) -> Option<String> {
    list.iter()
        .filter(|s| s.kind == SeverityKind::CvssV3)
        .max_by(|a, b| {
            a.score
                .unwrap_or(0.0)
                .partial_cmp(&b.score.unwrap_or(0.0))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .map(|s| s.vector_or_label.clone())
}

/// Rates a vulnerability from the vendors' labels, the advisories' CVSS severities and
/// NVD's severities (preferred first).
pub fn rate(vendor: &[VendorLabel], cvss: &[&vulndb::Severity], nvd: &[vulndb::Severity]) -> Rated {
    let nvd_refs: Vec<&vulndb::Severity> = nvd.iter().collect();
    let shown = best_cvss(cvss).or_else(|| nvd.first().filter(|s| s.score.is_some()));
    let mut rated = Rated {
        severity: Severity::Unknown,
        source: SeveritySource::None,
        vendor_label: None,
        cvss_score: shown.and_then(|s| s.score),
        cvss_vector: shown.map(|s| s.vector_or_label.clone()),
        cvss_v3: best_v3(cvss).or_else(|| best_v3(&nvd_refs)),
    };
    let by_vendor = vendor
        .iter()
        .filter_map(|v| Rating::from_label(&v.label).map(|r| (r, v)))
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.vendor.cmp(&a.1.vendor)));
    if let Some((rating, v)) = by_vendor {
        rated.severity = Severity::from_rating(rating);
        rated.source = SeveritySource::Vendor(v.vendor.clone());
        rated.vendor_label = Some(v.label.clone());
    } else if let Some(s) = best_cvss(cvss).and_then(|s| s.rating) {
        rated.severity = Severity::from_rating(s);
        rated.source = SeveritySource::Cvss;
    } else if let Some(s) = nvd.first().and_then(|s| s.rating) {
        rated.severity = Severity::from_rating(s);
        rated.source = SeveritySource::Nvd;
    }
    rated
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vendor(v: &str, l: &str) -> VendorLabel {
        VendorLabel {
            vendor: v.into(),
            label: l.into(),
        }
    }

    const V3_CRIT: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    const V3_MED: &str = "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N";
    const V2_HIGH: &str = "AV:N/AC:L/Au:N/C:P/I:P/A:P";

    /// Validates vendor > CVSS > NVD > unknown, and that `not yet assigned` falls through.
    #[test]
    fn precedence() {
        let crit = vulndb::cvss_severity(V3_CRIT).unwrap();
        let med = vulndb::cvss_severity(V3_MED).unwrap();
        let nvd = vec![vulndb::cvss_severity(V2_HIGH).unwrap()];

        let r = rate(&[vendor("debian", "unimportant")], &[&crit], &nvd);
        assert_eq!(r.severity, Severity::Low);
        assert_eq!(r.source, SeveritySource::Vendor("debian".into()));
        assert_eq!(r.vendor_label.as_deref(), Some("unimportant"));
        assert_eq!(r.cvss_score, Some(9.8));
        assert_eq!(r.cvss_v3.as_deref(), Some(V3_CRIT));

        let r = rate(
            &[vendor("debian", "not yet assigned")],
            &[&med, &crit],
            &nvd,
        );
        assert_eq!(
            (r.severity, &r.source),
            (Severity::Critical, &SeveritySource::Cvss)
        );
        assert_eq!(r.cvss_vector.as_deref(), Some(V3_CRIT));

        let r = rate(&[vendor("debian", "end-of-life")], &[], &nvd);
        assert_eq!(
            (r.severity, &r.source),
            (Severity::High, &SeveritySource::Nvd)
        );
        assert_eq!(r.cvss_vector.as_deref(), Some(V2_HIGH));
        assert_eq!(r.cvss_v3, None);

        let r = rate(&[], &[], &[]);
        assert_eq!(
            (r.severity, &r.source),
            (Severity::Unknown, &SeveritySource::None)
        );
        assert_eq!(r.cvss_score, None);
    }

    /// Validates that a v3 vector beats a v2 vector with a higher score.
    #[test]
    fn newer_cvss_version_first() {
        let v2 = vulndb::cvss_severity(V2_HIGH).unwrap();
        let med = vulndb::cvss_severity(V3_MED).unwrap();
        let r = rate(&[], &[&v2, &med], &[]);
        assert_eq!(r.severity, Severity::Medium);
        assert_eq!(r.cvss_vector.as_deref(), Some(V3_MED));
    }
}

//! The report's JSON: the shape of `snyk container test --json`, written from the typed
//! [`Report`].
//!
//! The report keeps one [`inventory::ImageIdentity`]; Snyk's JSON says it in three places,
//! which this view writes (and reads back) in Snyk's order: `path` (the name as given) and
//! `platform` at the top, and `image` (`name`, `reference`, `manifestDigest`, `imageId` for
//! the config digest, `layerCount`) after `os`. Every other field is written as it is.
//! Fields borrow from the report when writing; reading owns them.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{
    DatabaseInfo, DockerInfo, Finding, ImageSummary, OsSummary, Report, ScanDiagnostic,
    SeverityCounts, Suppressed,
};

/// [`Report`] as its JSON says it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportJson<'a> {
    ok: bool,
    vulnerabilities: Cow<'a, [Finding]>,
    dependency_count: usize,
    unique_count: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    package_manager: Option<Cow<'a, str>>,
    summary: Cow<'a, str>,
    severity_counts: Cow<'a, SeverityCounts>,
    path: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    target_file: Option<Cow<'a, str>>,
    project_name: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    platform: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    os: Option<Cow<'a, OsSummary>>,
    image: ImageJson<'a>,
    docker: Cow<'a, DockerInfo>,
    database: Cow<'a, DatabaseInfo>,
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    diagnostics: Cow<'a, [ScanDiagnostic]>,
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    suppressed: Cow<'a, [Suppressed]>,
    #[serde(default, skip_serializing_if = "is_zero")]
    suppressed_count: usize,
}

/// Snyk's `image` object.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImageJson<'a> {
    name: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reference: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    manifest_digest: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    image_id: Option<Cow<'a, str>>,
    layer_count: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Optional text borrowed for a serialisation view.
pub(crate) fn borrowed(s: &Option<String>) -> Option<Cow<'_, str>> {
    s.as_deref().map(Cow::Borrowed)
}

/// Optional text read through a view, owned again.
pub(crate) fn owned(s: Option<Cow<'_, str>>) -> Option<String> {
    s.map(Cow::into_owned)
}

impl<'a> From<&'a Report> for ReportJson<'a> {
    fn from(r: &'a Report) -> ReportJson<'a> {
        // Every field, so that a new one cannot be forgotten here.
        let Report {
            ok,
            vulnerabilities,
            dependency_count,
            unique_count,
            package_manager,
            summary,
            severity_counts,
            target_file,
            project_name,
            os,
            image:
                ImageSummary {
                    identity,
                    layer_count,
                },
            docker,
            database,
            diagnostics,
            suppressed,
            suppressed_count,
        } = r;
        ReportJson {
            ok: *ok,
            vulnerabilities: Cow::Borrowed(vulnerabilities),
            dependency_count: *dependency_count,
            unique_count: *unique_count,
            package_manager: borrowed(package_manager),
            summary: Cow::Borrowed(summary),
            severity_counts: Cow::Borrowed(severity_counts),
            path: Cow::Borrowed(&identity.name),
            target_file: borrowed(target_file),
            project_name: Cow::Borrowed(project_name),
            platform: borrowed(&identity.platform),
            os: os.as_ref().map(Cow::Borrowed),
            image: ImageJson {
                name: Cow::Borrowed(&identity.name),
                reference: borrowed(&identity.reference),
                manifest_digest: borrowed(&identity.manifest_digest),
                image_id: borrowed(&identity.config_digest),
                layer_count: *layer_count,
            },
            docker: Cow::Borrowed(docker),
            database: Cow::Borrowed(database),
            diagnostics: Cow::Borrowed(diagnostics),
            suppressed: Cow::Borrowed(suppressed),
            suppressed_count: *suppressed_count,
        }
    }
}

impl From<ReportJson<'_>> for Report {
    /// `path` is the image's name again and is not read.
    fn from(j: ReportJson<'_>) -> Report {
        Report {
            ok: j.ok,
            vulnerabilities: j.vulnerabilities.into_owned(),
            dependency_count: j.dependency_count,
            unique_count: j.unique_count,
            package_manager: owned(j.package_manager),
            summary: j.summary.into_owned(),
            severity_counts: j.severity_counts.into_owned(),
            target_file: owned(j.target_file),
            project_name: j.project_name.into_owned(),
            os: j.os.map(Cow::into_owned),
            image: ImageSummary {
                identity: inventory::ImageIdentity {
                    name: j.image.name.into_owned(),
                    reference: owned(j.image.reference),
                    manifest_digest: owned(j.image.manifest_digest),
                    config_digest: owned(j.image.image_id),
                    platform: owned(j.platform),
                },
                layer_count: j.image.layer_count,
            },
            docker: j.docker.into_owned(),
            database: j.database.into_owned(),
            diagnostics: j.diagnostics.into_owned(),
            suppressed: j.suppressed.into_owned(),
            suppressed_count: j.suppressed_count,
        }
    }
}

impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ReportJson::from(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Report {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Report, D::Error> {
        ReportJson::deserialize(deserializer).map(Report::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates that the identity is written as Snyk's `path`, `platform` and `image`, in
    /// Snyk's order, and read back.
    #[test]
    fn identity_in_snyk_places() {
        let report = Report {
            target_file: Some("Dockerfile".into()),
            project_name: "docker-image|debian".into(),
            image: ImageSummary {
                identity: inventory::ImageIdentity {
                    name: "debian:12".into(),
                    reference: Some("docker.io/library/debian:12".into()),
                    manifest_digest: Some("sha256:m".into()),
                    config_digest: Some("sha256:c".into()),
                    platform: Some("linux/amd64".into()),
                },
                layer_count: 1,
            },
            ..Report::default()
        };
        let text = serde_json::to_string(&report).unwrap();
        let at = |key: &str| text.find(&format!("\"{key}\":")).unwrap();
        assert!(at("severityCounts") < at("path"));
        assert!(at("path") < at("targetFile"));
        assert!(at("projectName") < at("platform"));
        assert!(at("platform") < at("image"));
        assert!(at("image") < at("docker"));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["path"], "debian:12");
        assert_eq!(v["platform"], "linux/amd64");
        assert_eq!(
            v["image"],
            serde_json::json!({"name": "debian:12", "reference": "docker.io/library/debian:12",
                "manifestDigest": "sha256:m", "imageId": "sha256:c", "layerCount": 1})
        );
        assert!(v.get("diagnostics").is_none() && v.get("suppressedCount").is_none());
        let back: Report = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);
    }
}

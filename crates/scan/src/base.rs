//! Which base image an image was built on, how many of its layers that base made, and
//! what that means for the report's findings.
//!
//! [`detect`] tries, most reliable first ([`BaseImageSource`]):
//!
//! 1. the Dockerfile given with `--file`: the target stage's `FROM`, followed through
//!    stage aliases and ARGs to the external image (`FROM scratch`: no base image);
//! 2. the `org.opencontainers.image.base.name` / `.base.digest` manifest annotations;
//! 3. the same keys as config labels;
//! 4. the image given with `--base-image`, when all its diff_ids are the image's
//!    leading diff_ids;
//! 5. the history: buildah and podman write `FROM <image>` in the comment of the first
//!    history entry of a build (the highest such comment naming an image, not an
//!    intermediate image ID, is the base); else the base ends after the last `CMD` or
//!    `ENTRYPOINT` entry that a layer-making entry follows (a base image's last step is
//!    usually its `CMD`), with the name unknown.
//!
//! The base layer count comes, in order, from the Dockerfile's alignment with the
//! history ([`crate::attribution::attribute`]), the `--base-image` diff_ids, and the
//! history rules of step 5.
//!
//! [`apply`] then marks the findings the base layers brought, fills `report.docker`, and
//! with `--exclude-base` drops those findings and recounts.

use dockerfile::Dockerfile;
use inventory::{HistoryEntry, Inventory};

use crate::attribution::{normalize, resolve_stage, Attribution};
use crate::model::{BaseImageSource, Finding, Report, SeverityCounts};

/// The annotation (and label) naming the base image.
pub const BASE_NAME: &str = "org.opencontainers.image.base.name";
/// The annotation (and label) giving the base image's manifest digest.
pub const BASE_DIGEST: &str = "org.opencontainers.image.base.digest";

/// The base image of a scanned image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseImage {
    /// Its reference (`debian:12`), when known.
    pub name: Option<String>,
    /// Its manifest digest, when known.
    pub digest: Option<String>,
    /// How it was found.
    pub source: BaseImageSource,
    /// How many of the image's layers, from the bottom, it made; `None` when unknown.
    pub layers: Option<usize>,
}

/// Finds the base image of `inv` (see the module docs for the order). `dockerfile` is the
/// parsed `--file` with the `--target` stage and its alignment with the image
/// ([`crate::attribution::attribute`], computed once by the caller, which also attributes the
/// findings with it); `base` is the inventory of an image whose layers may be `inv`'s bottom
/// layers. `None` when there is no base (`FROM scratch`) or nothing tells.
///
/// Check the stage first with [`resolve_stage`] (or [`crate::attribution::attribute`], which
/// fails the same way): here a stage the Dockerfile does not have skips the Dockerfile.
pub fn detect(
    inv: &Inventory,
    dockerfile: Option<(&Dockerfile, Option<&str>, &Attribution)>,
    base: Option<&Inventory>,
) -> Option<BaseImage> {
    let dockerfile = dockerfile.and_then(|(df, stage, aligned)| {
        let target = resolve_stage(df, stage).ok()?;
        Some((df, target, aligned))
    });
    let aligned = dockerfile.and_then(|(_, _, a)| a.base_layers);
    let diff_ids = base.and_then(|b| diff_id_prefix(inv, b));
    let count = || {
        aligned
            .or(diff_ids)
            .or_else(|| history_base(inv).map(|(_, n)| n))
    };

    if let Some((df, target, _)) = dockerfile {
        if let Some(from) = df.resolve_base(target) {
            if from.expanded.eq_ignore_ascii_case("scratch") {
                return None;
            }
            let name = from.expanded.clone();
            let digest = name.split_once('@').map(|(_, d)| d.to_owned()).or_else(|| {
                // The annotation's digest, when it names the same image.
                let a = &inv.image.annotations;
                (a.get(BASE_NAME).map(String::as_str) == Some(name.as_str()))
                    .then(|| a.get(BASE_DIGEST).cloned())
                    .flatten()
            });
            return Some(BaseImage {
                name: Some(name),
                digest,
                source: BaseImageSource::Dockerfile,
                layers: count(),
            });
        }
    }
    for (map, source) in [
        (&inv.image.annotations, BaseImageSource::Annotation),
        (&inv.image.labels, BaseImageSource::Label),
    ] {
        let name = map.get(BASE_NAME).filter(|v| !v.trim().is_empty()).cloned();
        let digest = map
            .get(BASE_DIGEST)
            .filter(|v| !v.trim().is_empty())
            .cloned();
        if name.is_some() || digest.is_some() {
            return Some(BaseImage {
                name,
                digest,
                source,
                layers: count(),
            });
        }
    }
    if let Some(b) = base.and_then(|b| named(inv, b)) {
        return Some(b);
    }
    history_base(inv).map(|(name, n)| BaseImage {
        name,
        digest: None,
        source: BaseImageSource::History,
        layers: Some(n),
    })
}

/// The base image the user named (`--base-image`), when all its diff_ids are `inv`'s
/// leading diff_ids: an explicit statement beats what [`detect`] would read from the
/// Dockerfile or the image's metadata (whose name may be a local one no registry serves).
/// `None` when its layers are not `inv`'s bottom layers.
pub fn named(inv: &Inventory, base: &Inventory) -> Option<BaseImage> {
    let n = diff_id_prefix(inv, base)?;
    Some(BaseImage {
        name: base
            .image
            .identity
            .reference
            .clone()
            .or_else(|| Some(base.image.identity.name.clone()).filter(|n| !n.is_empty())),
        digest: base.image.identity.manifest_digest.clone(),
        source: BaseImageSource::DiffIds,
        layers: Some(n),
    })
}

/// `base`'s layer count when all its diff_ids are `inv`'s leading diff_ids.
fn diff_id_prefix(inv: &Inventory, base: &Inventory) -> Option<usize> {
    let theirs: Vec<&str> = base
        .layers
        .iter()
        .map(|l| l.diff_id.as_deref())
        .collect::<Option<_>>()?;
    if theirs.is_empty() || theirs.len() > inv.layers.len() {
        return None;
    }
    let ours = inv.layers[..theirs.len()]
        .iter()
        .map(|l| l.diff_id.as_deref());
    ours.zip(&theirs)
        .all(|(a, b)| a == Some(*b))
        .then_some(theirs.len())
}

/// The base from the history alone: (name if known, base layer count).
fn history_base(inv: &Inventory) -> Option<(Option<String>, usize)> {
    let history = &inv.image.history;
    let pairing = inv.image.layer_history(inv.layers.len());
    if !pairing.is_exact() {
        return None;
    }
    // buildah/podman: `FROM <image>` on the first entry of a build.
    if let Some((i, name)) = history
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, h)| from_comment(h).map(|n| (i, n)))
    {
        return Some((Some(name), pairing.layers_below(i)));
    }
    // The base's last step is usually its CMD/ENTRYPOINT: the last one that a
    // layer-making entry follows.
    let kw = |h: &HistoryEntry| {
        h.created_by
            .as_deref()
            .and_then(normalize)
            .map(|s| s.keyword)
            .unwrap_or_default()
    };
    let last = history.iter().enumerate().rev().find(|&(i, h)| {
        matches!(kw(h).as_str(), "CMD" | "ENTRYPOINT")
            && pairing.layers_below(i + 1) < pairing.made_layers()
    })?;
    Some((None, pairing.layers_below(last.0 + 1)))
}

/// The image a buildah/podman `FROM <image>` history comment names; `None` for an
/// intermediate image ID (`FROM 449f7a0bf80a`).
fn from_comment(h: &HistoryEntry) -> Option<String> {
    let name = h.comment.as_deref()?.trim().strip_prefix("FROM ")?.trim();
    let is_id = name.len() >= 12 && name.chars().all(|c| c.is_ascii_hexdigit());
    (!name.is_empty() && !is_id && !name.contains(char::is_whitespace)).then(|| name.to_owned())
}

/// The label shown for findings the base image brought when its name is unknown.
pub const UNNAMED_BASE: &str = "base image";

/// Enriches `report` with the base image and the Dockerfile attribution:
///
/// * every finding (suppressed ones included) whose layer is below the base's layer
///   count gets `docker_base_image` (the name, or [`UNNAMED_BASE`]); its
///   `dockerfile_instruction` keeps the history text (what the base image's own build
///   ran), and renderers should prefer `docker_base_image` for such findings;
/// * a finding on a user layer with a matched [`crate::attribution::Step`] gets that step's
///   instruction as written in the Dockerfile and its line; without one it keeps the
///   history text;
/// * `report.docker` gets the base's name, digest, source, layer count and the base
///   findings' severity counts (before any exclusion);
/// * with `exclude_base`, the base findings leave `vulnerabilities`,
///   `docker.excluded_base_count` says how many, and `ok`, the counts, `uniqueCount` and
///   `summary` are recomputed as [`crate::scan`] computes them.
///
/// A package the user's layers upgraded or reinstalled is credited by the inventory to
/// the user's layer (its layer index is at or above the base count), so it counts as the
/// user's. Findings with no layer (directory targets) are never the base's.
pub fn apply(
    report: &mut Report,
    base: Option<&BaseImage>,
    attribution: Option<&Attribution>,
    exclude_base: bool,
) {
    let base_layers = base
        .and_then(|b| b.layers)
        .or_else(|| attribution.and_then(|a| a.base_layers));
    let label = base
        .and_then(|b| b.name.clone())
        .unwrap_or_else(|| UNNAMED_BASE.to_owned());
    let is_base = |f: &Finding| match (base_layers, &f.layer) {
        (Some(n), Some(l)) => l.index < n,
        _ => false,
    };
    let annotate = |f: &mut Finding| {
        if is_base(f) {
            f.docker_base_image = Some(label.clone());
            // With a matching Dockerfile, the instruction that brought it is the FROM.
            match attribution.and_then(|a| a.from.as_ref()) {
                Some(from) => {
                    f.dockerfile_instruction = Some(from.instruction.clone());
                    f.dockerfile_line = Some(from.line);
                }
                None => f.dockerfile_line = None,
            }
            return;
        }
        let step = f
            .layer
            .as_ref()
            .and_then(|l| attribution.and_then(|a| a.steps.get(l.index)))
            .and_then(Option::as_ref);
        if let Some(step) = step {
            f.dockerfile_instruction = Some(step.instruction.clone());
            f.dockerfile_line = Some(step.line);
        }
    };
    report.vulnerabilities.iter_mut().for_each(annotate);
    for s in &mut report.suppressed {
        annotate(&mut s.finding);
    }

    if let Some(b) = base {
        report.docker.base_image = b.name.clone();
        report.docker.base_image_digest = b.digest.clone();
        report.docker.base_image_source = Some(b.source);
    }
    report.docker.base_layer_count = base_layers;
    if base_layers.is_some() {
        let base_findings: Vec<Finding> = report
            .vulnerabilities
            .iter()
            .filter(|f| is_base(f))
            .cloned()
            .collect();
        report.docker.base_image_vulnerabilities = Some(SeverityCounts::of(&base_findings));
    }
    if exclude_base {
        let before = report.vulnerabilities.len();
        report.vulnerabilities.retain(|f| !is_base(f));
        report.docker.excluded_base_count = Some(before - report.vulnerabilities.len());
        crate::policy::recount(report);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution;
    use crate::attribution::tests::{image, APP_BUILDAH, APP_DOCKERFILE};
    use crate::model::{LayerRef, Severity, Suppressed, SuppressionRule, SuppressionSource};
    use crate::policy::tests::{finding, report, PURL};

    fn inv(config: &str) -> Inventory {
        let (image, layers) = image(config);
        Inventory {
            image,
            layers,
            ..Inventory::default()
        }
    }

    fn df(text: &str) -> Dockerfile {
        Dockerfile::parse(text).expect("fixture Dockerfile")
    }

    /// The base image `debian-bookworm` as its own inventory: one layer, the app's first.
    /// `detect` with the Dockerfile aligned first, as the scan does.
    fn detect_with(
        app: &Inventory,
        d: &Dockerfile,
        stage: Option<&str>,
        base: Option<&Inventory>,
    ) -> Option<BaseImage> {
        let aligned = attribution::attribute(&app.image, &app.layers, d, stage).ok();
        match &aligned {
            Some(a) => detect(app, Some((d, stage, a)), base),
            // An unknown stage: the caller has already failed; the Dockerfile is skipped.
            None => detect(app, None, base),
        }
    }

    fn debian_base(app: &Inventory) -> Inventory {
        Inventory {
            image: inventory::ImageInfo {
                identity: inventory::ImageIdentity {
                    name: "oci-dir:debian-bookworm.oci".into(),
                    reference: Some("localhost/test/debian:bookworm".into()),
                    manifest_digest: Some("sha256:feed".into()),
                    ..Default::default()
                },
                ..inventory::ImageInfo::default()
            },
            layers: app.layers[..1].to_vec(),
            ..Inventory::default()
        }
    }

    const MULTI: &str = "\
ARG DEBIAN=12
FROM debian:${DEBIAN}-slim AS base
RUN apt-get update
FROM base AS app
COPY . /srv
FROM scratch AS static
COPY --from=app /srv/bin/app /app
";

    /// The Dockerfile wins: the target stage's FROM through aliases and ARGs, the layer
    /// count from the alignment, the digest from the annotation naming the same image;
    /// `FROM scratch` means no base image even when labels name one.
    #[test]
    fn dockerfile_source() {
        let mut app = inv(APP_BUILDAH);
        app.image
            .annotations
            .insert(BASE_NAME.into(), "localhost/test/debian:bookworm".into());
        app.image
            .annotations
            .insert(BASE_DIGEST.into(), "sha256:abc".into());
        let d = df(APP_DOCKERFILE);
        let b = detect_with(&app, &d, None, None).unwrap();
        assert_eq!(
            b,
            BaseImage {
                name: Some("localhost/test/debian:bookworm".into()),
                digest: Some("sha256:abc".into()),
                source: BaseImageSource::Dockerfile,
                layers: Some(1),
            }
        );

        let d = df(MULTI);
        let b = detect_with(&app, &d, Some("app"), None).unwrap();
        assert_eq!(b.name.as_deref(), Some("debian:12-slim"));
        assert_eq!(b.digest, None);
        // This Dockerfile is not the app's: the count comes from the history instead.
        assert_eq!(b.layers, Some(1));

        app.image
            .labels
            .insert(BASE_NAME.into(), "debian:12".into());
        assert_eq!(detect_with(&app, &d, None, None), None);
        // An unknown stage skips the Dockerfile (callers check it first).
        assert_eq!(
            detect_with(&app, &d, Some("nope"), None).unwrap().source,
            BaseImageSource::Annotation
        );
    }

    /// Annotations before labels, labels before diff_ids; each takes its count from the
    /// `--base-image` diff_ids when they match, else from the history.
    #[test]
    fn annotation_then_label_then_diff_ids() {
        let mut app = inv(APP_BUILDAH);
        let base = debian_base(&app);
        app.image
            .labels
            .insert(BASE_NAME.into(), "docker.io/library/debian:bookworm".into());
        let b = detect(&app, None, None).unwrap();
        assert_eq!(b.source, BaseImageSource::Label);
        assert_eq!(b.name.as_deref(), Some("docker.io/library/debian:bookworm"));
        assert_eq!(b.layers, Some(1));

        app.image
            .annotations
            .insert(BASE_DIGEST.into(), "sha256:0123".into());
        let b = detect(&app, None, Some(&base)).unwrap();
        assert_eq!(b.source, BaseImageSource::Annotation);
        assert_eq!((b.name, b.digest.as_deref()), (None, Some("sha256:0123")));
        assert_eq!(b.layers, Some(1));

        app.image.annotations.clear();
        app.image.labels.clear();
        let b = detect(&app, None, Some(&base)).unwrap();
        assert_eq!(
            b,
            BaseImage {
                name: Some("localhost/test/debian:bookworm".into()),
                digest: Some("sha256:feed".into()),
                source: BaseImageSource::DiffIds,
                layers: Some(1),
            }
        );

        // Every base diff_id must be a leading diff_id of the image.
        let mut other = base.clone();
        other.layers[0].diff_id = Some("sha256:other".into());
        let b = detect(&app, None, Some(&other)).unwrap();
        assert_eq!(b.source, BaseImageSource::History);
        let mut longer = base.clone();
        longer.layers = app
            .layers
            .iter()
            .cloned()
            .chain(app.layers.clone())
            .collect();
        assert_ne!(
            detect(&app, None, Some(&longer)).unwrap().source,
            BaseImageSource::DiffIds
        );
    }

    /// The history: buildah's `FROM <image>` comment names the base; else the base ends
    /// after its last CMD/ENTRYPOINT; else nothing is known.
    #[test]
    fn history_source() {
        let b = detect(&inv(APP_BUILDAH), None, None).unwrap();
        assert_eq!(
            b,
            BaseImage {
                name: Some("localhost/test/debian:bookworm".into()),
                digest: None,
                source: BaseImageSource::History,
                layers: Some(1),
            }
        );

        let classic = r#"{"history": [
 {"created_by":"/bin/sh -c #(nop) ADD file:c8ef6447752 in / "},
 {"created_by":"/bin/sh -c #(nop)  CMD [\"bash\"]","empty_layer":true},
 {"created_by":"/bin/sh -c apt-get update && apt-get install -y python3"},
 {"created_by":"/bin/sh -c #(nop)  CMD [\"python3\"]","empty_layer":true},
 {"created_by":"/bin/sh -c #(nop) COPY dir:9a1e0ac in /app "},
 {"created_by":"/bin/sh -c #(nop)  CMD [\"python3\", \"/app/main.py\"]","empty_layer":true}
]}"#;
        let b = detect(&inv(classic), None, None).unwrap();
        assert_eq!((b.name, b.layers), (None, Some(2)));
        assert_eq!(b.source, BaseImageSource::History);

        let lone = r#"{"history": [{"created_by":"/bin/sh -c #(nop) ADD file:c8ef in / "}]}"#;
        assert_eq!(detect(&inv(lone), None, None), None);
    }

    fn at(mut f: Finding, layer: usize, id: &str, severity: Severity) -> Finding {
        f.id = id.into();
        f.severity = severity;
        f.layer = Some(LayerRef {
            index: layer,
            digest: format!("sha256:{layer:064x}"),
            diff_id: None,
            created_by: None,
        });
        f
    }

    /// Base findings are marked and counted; user findings get the Dockerfile's
    /// instruction and line; suppressed findings are marked too.
    #[test]
    fn apply_marks_and_counts() {
        let app = inv(APP_BUILDAH);
        let d = df(APP_DOCKERFILE);
        let attribution = attribution::attribute(&app.image, &app.layers, &d, None).unwrap();
        let base = detect_with(&app, &d, None, None).unwrap();
        let mut base_f = at(
            finding("CVE-1", &[], Severity::High, PURL),
            0,
            "CVE-1",
            Severity::High,
        );
        base_f.dockerfile_instruction = Some("ADD rootfs.tar / # debootstrap bookworm".into());
        let mut r = report(vec![
            base_f,
            at(
                finding("x", &[], Severity::Low, PURL),
                0,
                "CVE-2",
                Severity::Low,
            ),
            at(
                finding("x", &[], Severity::High, PURL),
                1,
                "CVE-3",
                Severity::High,
            ),
            at(
                finding("x", &[], Severity::Medium, PURL),
                3,
                "CVE-4",
                Severity::Medium,
            ),
        ]);
        r.suppressed.push(Suppressed {
            finding: at(
                finding("x", &[], Severity::Low, PURL),
                0,
                "CVE-5",
                Severity::Low,
            ),
            rule: SuppressionRule {
                source: SuppressionSource::Policy,
                file: ".shipshape.yaml".into(),
                index: 0,
                id: "CVE-5".into(),
                reason: None,
                expires: None,
                status: None,
                justification: None,
                statement: None,
            },
        });
        apply(&mut r, Some(&base), Some(&attribution), false);

        let v = &r.vulnerabilities;
        assert_eq!(v.len(), 4);
        let base_name = Some("localhost/test/debian:bookworm".to_owned());
        assert_eq!(v[0].docker_base_image, base_name);
        // A base finding's instruction is the Dockerfile's FROM, with its line.
        assert_eq!(
            v[0].dockerfile_instruction.as_deref(),
            Some("FROM localhost/test/debian:bookworm")
        );
        assert_eq!(v[0].dockerfile_line, Some(1));
        assert_eq!(v[2].docker_base_image, None);
        assert_eq!(v[2].dockerfile_line, Some(3));
        assert!(v[2]
            .dockerfile_instruction
            .as_deref()
            .unwrap()
            .starts_with("RUN apt-get update && DEBIAN_FRONTEND=noninteractive"));
        assert_eq!(v[3].dockerfile_line, Some(12));
        assert_eq!(r.suppressed[0].finding.docker_base_image, base_name);

        let docker = &r.docker;
        assert_eq!(docker.base_image, base_name);
        assert_eq!(docker.base_image_source, Some(BaseImageSource::Dockerfile));
        assert_eq!(docker.base_layer_count, Some(1));
        let counts = docker.base_image_vulnerabilities.as_ref().unwrap();
        assert_eq!((counts.high, counts.low, counts.total()), (1, 1, 2));
        assert_eq!(docker.excluded_base_count, None);
        assert_eq!(r.severity_counts.total(), 4);
    }

    /// `--exclude-base` drops the base findings and recounts; a package the user's layer
    /// upgraded (the inventory credits the upgrading layer) stays.
    #[test]
    fn exclude_base_keeps_upgraded_packages() {
        let app = inv(APP_BUILDAH);
        let base = detect(&app, None, None).unwrap();
        assert_eq!(base.layers, Some(1));
        // liblzma5 was in the base (layer 0) and the apt step (layer 1) upgraded it:
        // inventory provenance credits layer 1.
        let mut upgraded = at(
            finding("x", &[], Severity::High, PURL),
            1,
            "CVE-2024-3094",
            Severity::High,
        );
        upgraded.name = "xz-utils/liblzma5".into();
        let mut unlayered = finding("x", &[], Severity::Medium, PURL);
        unlayered.id = "CVE-10".into();
        let mut r = report(vec![
            at(
                finding("x", &[], Severity::Critical, PURL),
                0,
                "CVE-1",
                Severity::Critical,
            ),
            at(
                finding("x", &[], Severity::Low, PURL),
                0,
                "CVE-1",
                Severity::Low,
            ),
            upgraded,
            unlayered,
            at(
                finding("x", &[], Severity::Low, PURL),
                3,
                "CVE-9",
                Severity::Low,
            ),
        ]);
        assert_eq!(r.unique_count, 4);
        apply(&mut r, Some(&base), None, true);

        let ids: Vec<&str> = r.vulnerabilities.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["CVE-2024-3094", "CVE-10", "CVE-9"]);
        assert_eq!(r.vulnerabilities[0].docker_base_image, None);
        assert_eq!(r.docker.excluded_base_count, Some(2));
        let counts = r.docker.base_image_vulnerabilities.as_ref().unwrap();
        assert_eq!((counts.critical, counts.low, counts.total()), (1, 1, 2));
        assert_eq!(
            (
                r.severity_counts.high,
                r.severity_counts.medium,
                r.severity_counts.low
            ),
            (1, 1, 1)
        );
        assert_eq!((r.unique_count, r.ok), (3, false));
        assert_eq!(r.summary, "3 vulnerable dependency paths");

        // Only base findings: nothing left.
        let mut r = report(vec![at(
            finding("x", &[], Severity::Low, PURL),
            0,
            "CVE-1",
            Severity::Low,
        )]);
        apply(&mut r, Some(&base), None, true);
        assert!(r.ok);
        assert_eq!(r.summary, "No known vulnerabilities");
        assert_eq!(r.docker.excluded_base_count, Some(1));

        // No base known: nothing is excluded, and the JSON still says 0 were hidden.
        let mut r = report(vec![at(
            finding("x", &[], Severity::Low, PURL),
            0,
            "CVE-1",
            Severity::Low,
        )]);
        apply(&mut r, None, None, true);
        assert_eq!(r.vulnerabilities.len(), 1);
        assert_eq!(r.docker.excluded_base_count, Some(0));
        assert_eq!(r.docker.base_image_vulnerabilities, None);
    }
}

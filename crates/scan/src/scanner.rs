//! The one entry point every caller scans through: `scan`, `diff`, `sbom:` re-checks, base
//! image advice and (later) the server.
//!
//! A [`ScanRequest`] holds everything a scan needs besides the store, already read and
//! parsed by the caller: the inventory, the options, the ignore policy and VEX documents,
//! the moment "now" (for rule expiry and the database's age), and, for Dockerfile-aware
//! scans, the parsed Dockerfile and the base image candidates. [`Scanner::scan`] runs the
//! steps in their one order: match ([`crate::scan`]), database age, policy and VEX,
//! Dockerfile attribution and the base image.
//!
//! Nothing here reads a file or the clock: the caller passes documents and `now`.

use dockerfile::Dockerfile;
use inventory::Inventory;
use time::OffsetDateTime;
use vulndb::Store;

use crate::attribution::{self, AttributionError};
use crate::base::{self, BaseImage};
use crate::diagnostics;
use crate::error::ScanError;
use crate::matching::{scan, ScanOptions};
use crate::model::{Report, ScanDiagnostic};
use crate::policy::{apply_policy, check_database_age, Policy};
use crate::vex::Vex;

/// Scans inventories against one open advisory store.
#[derive(Debug, Clone, Copy)]
pub struct Scanner<'s> {
    store: &'s Store,
}

/// The Dockerfile-aware part of a request (`--file`, `--target`, `--base-image`,
/// `--exclude-base`).
#[derive(Debug, Clone, Default)]
pub struct DockerContext<'a> {
    /// The Dockerfile given with `--file`, parsed with its build arguments, and the file
    /// name as given (Snyk's `targetFile`).
    pub dockerfile: Option<(&'a Dockerfile, String)>,
    /// The `--target` stage (default: the last stage).
    pub stage: Option<&'a str>,
    /// The image the user named as the base (`--base-image`, as given) and what its
    /// manifest and config say (its layers): it names the base when its layers are the
    /// image's bottom layers.
    pub given_base: Option<(String, &'a Inventory)>,
    /// An image scanned before whose layers are the image's bottom layers (the caller's
    /// cache of known images), consulted when nothing better names the base.
    pub known_base: Option<&'a Inventory>,
    /// Drop the base image's findings (`--exclude-base`).
    pub exclude_base: bool,
}

/// One scan: the inventory and what to apply to its findings.
#[derive(Debug, Clone)]
pub struct ScanRequest<'a> {
    /// What is installed.
    pub inventory: &'a Inventory,
    /// How matching runs.
    pub options: ScanOptions,
    /// Ignore rules (an empty policy hides nothing).
    pub policy: Option<&'a Policy>,
    /// OpenVEX documents, in the order given.
    pub vex: &'a [Vex],
    /// The moment of the scan: an ignore rule past its expiry on this day hides nothing,
    /// and the database's age is measured to it. `None` skips both the expiry (rules hide
    /// as if unexpired) and the age check: only for callers that re-scan for counts.
    pub now: Option<OffsetDateTime>,
    /// The Dockerfile-aware part; `None` for a plain scan.
    pub docker: Option<DockerContext<'a>>,
}

impl<'a> ScanRequest<'a> {
    /// A plain request: match `inventory` with the default options, check the database's
    /// age against `now`, no policy, no VEX, no Dockerfile.
    pub fn new(inventory: &'a Inventory, now: OffsetDateTime) -> ScanRequest<'a> {
        ScanRequest {
            inventory,
            options: ScanOptions::default(),
            policy: None,
            vex: &[],
            now: Some(now),
            docker: None,
        }
    }
}

impl<'s> Scanner<'s> {
    /// A scanner reading `store`.
    pub fn new(store: &'s Store) -> Scanner<'s> {
        Scanner { store }
    }

    /// The store it reads.
    pub fn store(&self) -> &'s Store {
        self.store
    }

    /// Runs the request: match, the database's age, policy and VEX, then the Dockerfile
    /// attribution and the base image.
    ///
    /// # Errors
    /// [`ScanError::Store`] when the store cannot be read; [`ScanError::Dockerfile`] when
    /// the Dockerfile has no such stage; [`ScanError::NoBaseLayers`] when the base image's
    /// findings are to be excluded but nothing tells which layers are the base image's.
    pub fn scan(&self, req: &ScanRequest<'_>) -> Result<Report, ScanError> {
        let inv = req.inventory;
        let mut report = scan(inv, self.store, &req.options)?;
        if let Some(now) = req.now {
            let age = report
                .database
                .built_at
                .as_deref()
                .and_then(|b| vulndb::update::age_at(b, now));
            check_database_age(&mut report, age);
        }
        if req.policy.is_some() || !req.vex.is_empty() {
            let empty = Policy::default();
            let today = req.now.map(|n| n.date()).unwrap_or(time::Date::MIN);
            apply_policy(
                &mut report,
                inv,
                req.policy.unwrap_or(&empty),
                req.vex,
                today,
            );
        }
        if let Some(docker) = &req.docker {
            report.target_file = docker.dockerfile.as_ref().map(|(_, f)| f.clone());
            dockerfile_aware(&mut report, inv, docker)?;
        }
        Ok(report)
    }
}

/// Which layers are the base image's and which Dockerfile instruction made each of the
/// others; `--exclude-base`.
fn dockerfile_aware(
    report: &mut Report,
    inv: &Inventory,
    docker: &DockerContext<'_>,
) -> Result<(), ScanError> {
    let attribution = match &docker.dockerfile {
        Some((df, file)) => Some(
            attribution::attribute(&inv.image, &inv.layers, df, docker.stage).map_err(
                |err: AttributionError| ScanError::Dockerfile {
                    file: file.clone(),
                    err,
                },
            )?,
        ),
        None => None,
    };
    if let Some(a) = &attribution {
        report
            .diagnostics
            .extend(a.warnings.iter().map(|w| ScanDiagnostic {
                code: diagnostics::DOCKERFILE_MISMATCH.code.to_owned(),
                message: w.clone(),
            }));
    }
    // A --base-image whose layers are this image's bottom layers names the base; else the
    // usual order (Dockerfile, annotations, labels, an image scanned before, history).
    let named = match &docker.given_base {
        Some((given, b)) => {
            let named = base::named(inv, b);
            if named.is_none() {
                report.diagnostics.push(ScanDiagnostic {
                    code: diagnostics::BASE_IMAGE_MISMATCH.code.to_owned(),
                    message: format!(
                        "--base-image {given}: its {} layers are not the bottom layers of {}; ignored",
                        b.layers.len(),
                        inv.image.identity.name
                    ),
                });
            }
            named
        }
        None => None,
    };
    let base: Option<BaseImage> = named.or_else(|| {
        base::detect(
            inv,
            docker
                .dockerfile
                .as_ref()
                .zip(attribution.as_ref())
                .map(|((df, _), a)| (*df, docker.stage, a)),
            docker.known_base,
        )
    });
    if docker.exclude_base && base.as_ref().and_then(|b| b.layers).is_none() {
        return Err(ScanError::NoBaseLayers);
    }
    base::apply(
        report,
        base.as_ref(),
        attribution.as_ref(),
        docker.exclude_base,
    );
    Ok(())
}

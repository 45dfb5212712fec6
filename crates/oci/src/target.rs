//! What the user typed, parsed into a source: registry reference, archive, layout or rootfs.

use std::fmt;
use std::path::PathBuf;

use crate::error::{Error, ErrorKind};
use crate::image::{Image, Platform};

/// A parsed registry reference: `registry/repository[:tag][@digest]`.
///
/// Docker Hub conventions apply: `debian` means `docker.io/library/debian:latest`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Registry host with optional port (`docker.io`, `127.0.0.1:5000`).
    pub registry: String,
    /// Repository path (`library/debian`).
    pub repository: String,
    /// Tag, if given (defaults to `latest` when neither tag nor digest is given).
    pub tag: Option<String>,
    /// Digest, if given.
    pub digest: Option<crate::Digest>,
}

/// A scan target as given on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An image in a registry.
    Registry(Reference),
    /// `docker-archive:FILE` (docker save, buildah, podman output).
    DockerArchive {
        /// The archive.
        path: PathBuf,
        /// `repo:tag` to pick when the archive holds several images.
        name: Option<String>,
    },
    /// `oci-archive:FILE[:ref]`: a tar of an OCI image layout.
    OciArchive {
        /// The archive.
        path: PathBuf,
        /// The `org.opencontainers.image.ref.name` to pick.
        tag: Option<String>,
    },
    /// `oci-dir:DIR[:ref]`: an OCI image layout directory.
    OciDir {
        /// The layout directory.
        path: PathBuf,
        /// The `org.opencontainers.image.ref.name` to pick.
        tag: Option<String>,
    },
    /// `dir:ROOTFS`: an unpacked root filesystem.
    Dir(PathBuf),
    /// `sbom:FILE`: a stored CycloneDX or SPDX JSON SBOM, read instead of an image.
    Sbom(PathBuf),
}

/// Options for resolving a target into an [`Image`].
#[derive(Clone, Debug, Default)]
pub struct ResolveOptions {
    /// Platform to select from an index; the host's when `None`.
    pub platform: Option<Platform>,
    /// Registries (host[:port]) that may be spoken to over plain HTTP although not on loopback.
    pub insecure_registries: Vec<String>,
    /// Directory holding docker `config.json`; `$DOCKER_CONFIG` or `~/.docker` when `None`.
    pub docker_config_dir: Option<PathBuf>,
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// Split `PATH[:REF]`: at the first `:` whose left side exists on disk (so a REF such as
/// `docker.io/library/x:1` works), else where REF contains no `/`.
fn split_path_ref(rest: &str) -> (PathBuf, Option<String>) {
    for (i, _) in rest.match_indices(':') {
        let (p, r) = (&rest[..i], &rest[i + 1..]);
        if !p.is_empty() && !r.is_empty() && std::path::Path::new(p).exists() {
            return (PathBuf::from(p), Some(r.to_string()));
        }
    }
    if let Some((p, r)) = rest.rsplit_once(':') {
        if !r.is_empty() && !r.contains('/') && !p.is_empty() {
            return (PathBuf::from(p), Some(r.to_string()));
        }
    }
    (PathBuf::from(rest), None)
}

impl Target {
    /// Parse a target string.
    pub fn parse(s: &str) -> Result<Target, Error> {
        let empty = |kind: &str| {
            Error::new(ErrorKind::InvalidTarget {
                target: s.to_string(),
                why: format!("{kind} needs a path"),
            })
        };
        if let Some(rest) = s.strip_prefix("docker-archive:") {
            if rest.is_empty() {
                return Err(empty("docker-archive:"));
            }
            // docker-archive:FILE[:repo:tag] as skopeo writes it; a repo:tag may hold a ':'.
            let path = PathBuf::from(rest);
            if path.exists() {
                return Ok(Target::DockerArchive { path, name: None });
            }
            if let Some((p, name)) = rest.split_once(':') {
                return Ok(Target::DockerArchive {
                    path: PathBuf::from(p),
                    name: Some(name.to_string()),
                });
            }
            return Ok(Target::DockerArchive { path, name: None });
        }
        if let Some(rest) = s.strip_prefix("oci-archive:") {
            if rest.is_empty() {
                return Err(empty("oci-archive:"));
            }
            if PathBuf::from(rest).exists() {
                return Ok(Target::OciArchive {
                    path: rest.into(),
                    tag: None,
                });
            }
            let (path, tag) = split_path_ref(rest);
            return Ok(Target::OciArchive { path, tag });
        }
        if let Some(rest) = s
            .strip_prefix("oci-dir:")
            .or_else(|| s.strip_prefix("oci:"))
        {
            if rest.is_empty() {
                return Err(empty("oci-dir:"));
            }
            if PathBuf::from(rest).is_dir() {
                return Ok(Target::OciDir {
                    path: rest.into(),
                    tag: None,
                });
            }
            let (path, tag) = split_path_ref(rest);
            return Ok(Target::OciDir { path, tag });
        }
        if let Some(rest) = s.strip_prefix("dir:") {
            if rest.is_empty() {
                return Err(empty("dir:"));
            }
            return Ok(Target::Dir(rest.into()));
        }
        if let Some(rest) = s.strip_prefix("sbom:") {
            if rest.is_empty() {
                return Err(empty("sbom:"));
            }
            return Ok(Target::Sbom(rest.into()));
        }
        let rest = s
            .strip_prefix("docker://")
            .or_else(|| s.strip_prefix("registry:"))
            .unwrap_or(s);
        Ok(Target::Registry(Reference::parse(rest)?))
    }

    /// Resolve the target into an [`Image`]. [`Target::Dir`] and [`Target::Sbom`] are not
    /// images and are rejected; callers walk a root filesystem or read an SBOM directly.
    ///
    /// Nothing large is read here: archives are indexed, layouts and registries give up
    /// their manifest and config, and layers are opened later with [`Image::open_layer`].
    pub fn resolve(&self, opts: &ResolveOptions) -> Result<Image, Error> {
        let platform = opts.platform.clone().unwrap_or_else(Platform::host);
        let name = self.to_string();
        match self {
            Target::DockerArchive { path, name: wanted } => {
                crate::archive::resolve(path, wanted.as_deref(), name)
            }
            Target::OciArchive { path, tag } => {
                crate::layout::resolve_archive(path, tag.as_deref(), name, &platform)
            }
            Target::OciDir { path, tag } => {
                crate::layout::resolve_dir(path, tag.as_deref(), name, &platform)
            }
            Target::Registry(reference) => crate::registry::resolve(reference, name, opts),
            Target::Dir(path) => Err(Error::new(ErrorKind::InvalidTarget {
                target: name,
                why: format!(
                    "{} is a root filesystem, not an image; walk it directly",
                    path.display()
                ),
            })),
            Target::Sbom(path) => Err(Error::new(ErrorKind::InvalidTarget {
                target: name,
                why: format!(
                    "{} is an SBOM, not an image; read it directly",
                    path.display()
                ),
            })),
        }
    }
}

/// The target as the user would write it: registry references in their short Docker Hub
/// form (`debian:12`), sources with their prefix (`docker-archive:app.tar`).
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Registry(r) => {
                let repo = match r.registry.as_str() {
                    "docker.io" => r
                        .repository
                        .strip_prefix("library/")
                        .unwrap_or(&r.repository)
                        .to_string(),
                    host => format!("{host}/{}", r.repository),
                };
                f.write_str(&repo)?;
                if let Some(t) = &r.tag {
                    write!(f, ":{t}")?;
                }
                if let Some(d) = &r.digest {
                    write!(f, "@{d}")?;
                }
                Ok(())
            }
            Target::DockerArchive { path, name } => {
                write!(f, "docker-archive:{}", path.display())?;
                if let Some(n) = name {
                    write!(f, ":{n}")?;
                }
                Ok(())
            }
            Target::OciArchive { path, tag } => {
                write!(f, "oci-archive:{}", path.display())?;
                if let Some(t) = tag {
                    write!(f, ":{t}")?;
                }
                Ok(())
            }
            Target::OciDir { path, tag } => {
                write!(f, "oci-dir:{}", path.display())?;
                if let Some(t) = tag {
                    write!(f, ":{t}")?;
                }
                Ok(())
            }
            Target::Dir(path) => write!(f, "dir:{}", path.display()),
            Target::Sbom(path) => write!(f, "sbom:{}", path.display()),
        }
    }
}

impl Reference {
    /// Parse `[registry/]repository[:tag][@digest]` with Docker Hub defaults.
    pub fn parse(s: &str) -> Result<Reference, Error> {
        let bad = |why: &str| {
            Error::new(ErrorKind::InvalidTarget {
                target: s.to_string(),
                why: why.to_string(),
            })
        };
        if s.is_empty() {
            return Err(bad("empty image reference"));
        }
        let (name, digest) = match s.split_once('@') {
            Some((n, d)) => (n, Some(d.parse::<crate::Digest>()?)),
            None => (s, None),
        };
        // A tag is after the last ':' that follows the last '/'.
        let last_slash = name.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match name[last_slash..].rfind(':') {
            Some(i) => (
                &name[..last_slash + i],
                Some(name[last_slash + i + 1..].to_string()),
            ),
            None => (name, None),
        };
        if let Some(t) = &tag {
            let ok = !t.is_empty()
                && t.len() <= 128
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
                && !t.starts_with(['.', '-']);
            if !ok {
                return Err(bad("invalid tag"));
            }
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), rest.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let registry = if registry == "index.docker.io" || registry == "registry-1.docker.io" {
            "docker.io".to_string()
        } else {
            registry
        };
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        let valid_repo = !repository.is_empty()
            && repository.split('/').all(|c| {
                !c.is_empty()
                    && c.chars().all(|ch| {
                        ch.is_ascii_lowercase() || ch.is_ascii_digit() || "._-".contains(ch)
                    })
            });
        if !valid_repo {
            return Err(bad(
                "repository names are lower-case letters, digits and . _ - separated by /",
            ));
        }
        let tag = if tag.is_none() && digest.is_none() {
            Some("latest".to_string())
        } else {
            tag
        };
        Ok(Reference {
            registry,
            repository,
            tag,
            digest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_defaults() {
        let r = Reference::parse("debian:12").unwrap();
        assert_eq!(r.to_string(), "docker.io/library/debian:12");
        let r = Reference::parse("127.0.0.1:5000/test/app").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            ("127.0.0.1:5000", "test/app", Some("latest"))
        );
        let r = Reference::parse(
            "localhost/x@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        )
        .unwrap();
        assert_eq!(r.tag, None);
        assert!(Reference::parse("Debian:12").is_err());
        assert!(Reference::parse("debian:").is_err());
    }

    #[test]
    fn prefixed_targets() {
        assert_eq!(Target::parse("dir:/x").unwrap(), Target::Dir("/x".into()));
        assert_eq!(
            Target::parse("sbom:app.cdx.json").unwrap(),
            Target::Sbom("app.cdx.json".into())
        );
        assert!(Target::parse("sbom:").is_err());
        let sbom = Target::Sbom("app.cdx.json".into());
        assert_eq!(sbom.to_string(), "sbom:app.cdx.json");
        assert!(sbom.resolve(&ResolveOptions::default()).is_err());
        assert_eq!(
            Target::parse("oci-dir:/nonexistent/layout:v1").unwrap(),
            Target::OciDir {
                path: "/nonexistent/layout".into(),
                tag: Some("v1".into())
            }
        );
        assert!(Target::parse("docker-archive:").is_err());
    }
}

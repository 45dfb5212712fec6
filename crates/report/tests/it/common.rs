//! Test inventories, schema validation and golden-file comparison.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use inventory::{
    Diagnostic, ImageIdentity, ImageInfo, Introduced, Inventory, LayerInfo, OsInfo, Package,
    PackageType,
};
use report::{render_sbom, Format, RenderOptions};
use serde_json::Value;

/// The fixed options every deterministic test renders with.
pub fn fixed_options() -> RenderOptions {
    RenderOptions::fixed(
        "0.1.0",
        "2024-05-06T07:08:09Z",
        "6f1c9a3e-2b4d-4e8f-9a01-23456789abcd",
    )
    .unwrap()
}

/// Renders `inv` in `format` with [`fixed_options`] and parses the result.
pub fn render(inv: &Inventory, format: Format) -> (String, Value) {
    let mut out = Vec::new();
    render_sbom(inv, format, &mut out, &fixed_options()).unwrap();
    let text = String::from_utf8(out).unwrap();
    let value = serde_json::from_str(&text).unwrap();
    (text, value)
}

fn layer(index: usize, created_by: &str) -> LayerInfo {
    LayerInfo {
        index,
        digest: format!("sha256:{index:064x}"),
        diff_id: Some(format!("sha256:{:064x}", index + 0xd1ff)),
        size: Some(1024 * (index as u64 + 1)),
        created_by: Some(created_by.into()),
    }
}

fn introduced(layers: &[LayerInfo], index: usize) -> Option<Introduced> {
    let l = &layers[index];
    Some(Introduced {
        layer_index: index,
        layer_digest: l.digest.clone(),
        diff_id: l.diff_id.clone(),
        created_by: l.created_by.clone(),
    })
}

fn deb(name: &str, version: &str, arch: &str) -> Package {
    Package {
        package_type: Some(PackageType::Deb),
        name: name.into(),
        version: version.into(),
        arch: Some(arch.into()),
        db_path: "var/lib/dpkg/status".into(),
        purl: format!(
            "pkg:deb/debian/{name}@{}?arch={arch}&distro=debian-12",
            version.replace(':', "%3A").replace('+', "%2B")
        ),
        ..Package::default()
    }
}

/// A Debian-based image with two architectures of libc6, an epoch, source packages,
/// Debian-style and SPDX licences, a dependency cycle and an unresolvable dependency; plus an
/// rpm with an epoch and apk packages (one recorded twice), so every package type and every
/// edge case is in one document.
pub fn sample_inventory() -> Inventory {
    let layers = vec![
        layer(
            0,
            "/bin/sh -c #(nop) ADD file:1a2b3c in / ",
        ),
        layer(
            1,
            "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl # buildkit",
        ),
    ];
    let mut libc6 = deb("libc6", "2.36-9+deb12u4", "amd64");
    libc6.source_name = Some("glibc".into());
    libc6.licenses = vec!["GPL-2+".into(), "LGPL-2.1".into()];
    libc6.depends = vec!["libgcc-s1".into()];
    libc6.maintainer = Some("GNU Libc Maintainers <debian-glibc@lists.debian.org>".into());
    libc6.manual = Some(false);
    libc6.introduced = introduced(&layers, 0);

    let mut libc6_i386 = deb("libc6", "2.36-9+deb12u4", "i386");
    libc6_i386.source_name = Some("glibc".into());
    libc6_i386.licenses = vec!["GPL-2+".into()];
    libc6_i386.introduced = introduced(&layers, 1);

    let mut libgcc = deb("libgcc-s1", "12.2.0-14", "amd64");
    libgcc.source_name = Some("gcc-12".into());
    libgcc.licenses = vec!["GPL-3.0-or-later WITH GCC-exception-3.1".into()];
    libgcc.depends = vec!["libc6".into(), "gcc-12-base".into()];
    libgcc.introduced = introduced(&layers, 0);

    let mut bsdutils = deb("bsdutils", "1:2.38.1-5+deb12u1", "amd64");
    bsdutils.source_name = Some("util-linux".into());
    bsdutils.source_version = Some("2.38.1-5+deb12u1".into());
    bsdutils.licenses = vec!["MIT OR Apache-2.0".into()];
    bsdutils.depends = vec!["libc6".into(), "libsystemd0".into()];
    bsdutils.manual = Some(true);
    bsdutils.introduced = introduced(&layers, 1);

    let openssl = Package {
        package_type: Some(PackageType::Rpm),
        name: "openssl-libs".into(),
        version: "3.0.7-24.el9".into(),
        epoch: Some(1),
        arch: Some("x86_64".into()),
        source_name: Some("openssl".into()),
        source_version: Some("3.0.7-24.el9".into()),
        source_rpm: Some("openssl-3.0.7-24.el9.src.rpm".into()),
        licenses: vec!["Apache-2.0".into()],
        depends: vec!["libc6".into()],
        maintainer: Some("Red Hat, Inc. <http://bugzilla.redhat.com/bugzilla>".into()),
        db_path: "var/lib/rpm/rpmdb.sqlite".into(),
        purl: "pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1&distro=rhel-9.3".into(),
        introduced: introduced(&layers, 1),
        ..Package::default()
    };

    let musl = Package {
        package_type: Some(PackageType::Apk),
        name: "musl".into(),
        version: "1.2.4_git20230717-r4".into(),
        arch: Some("x86_64".into()),
        source_name: Some("musl".into()),
        licenses: vec!["MIT".into()],
        maintainer: Some("Timo Teräs <timo.teras@iki.fi>".into()),
        db_path: "lib/apk/db/installed".into(),
        purl: "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=3.19.1".into(),
        introduced: introduced(&layers, 0),
        ..Package::default()
    };
    let mut busybox = Package {
        package_type: Some(PackageType::Apk),
        name: "busybox".into(),
        version: "1.36.1-r15".into(),
        arch: Some("x86_64".into()),
        licenses: vec!["GPL-2.0-only".into()],
        depends: vec!["musl".into(), "libc6".into()],
        db_path: "lib/apk/db/installed".into(),
        purl: "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=3.19.1".into(),
        introduced: introduced(&layers, 0),
        ..Package::default()
    };
    let busybox_again = busybox.clone();
    busybox.licenses.push("public-domain".into());

    let mut labels = BTreeMap::new();
    labels.insert(
        "org.opencontainers.image.source".to_string(),
        "https://example.com/app".to_string(),
    );
    Inventory {
        image: ImageInfo {
            identity: ImageIdentity {
                name: "registry.example:5000/team/app:1.4.2".into(),
                reference: Some("registry.example:5000/team/app:1.4.2".into()),
                manifest_digest: Some(format!("sha256:{:064x}", 0xabc)),
                config_digest: Some(format!("sha256:{:064x}", 0xc0f)),
                platform: Some("linux/amd64".into()),
            },
            labels,
            ..ImageInfo::default()
        },
        os: Some(OsInfo {
            id: "debian".into(),
            version_id: Some("12".into()),
            codename: Some("bookworm".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
            id_like: Vec::new(),
            source_file: "etc/os-release".into(),
        }),
        layers,
        packages: vec![
            bsdutils,
            libc6,
            libc6_i386,
            libgcc,
            busybox,
            busybox_again,
            musl,
            openssl,
        ],
        diagnostics: vec![Diagnostic {
            code: "I001".into(),
            message: "layer sha256:…01: var/lib/dpkg/status.d/broken: unreadable".into(),
        }],
    }
}

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas")
}

fn load(name: &str) -> Value {
    let path = schema_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Serves `$ref`s from tests/schemas by file name, and nothing from the network.
struct LocalSchemas;

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.as_str().rsplit('/').next().unwrap_or_default();
        let name = name.split('#').next().unwrap_or_default();
        if schema_dir().join(name).is_file() {
            Ok(load(name))
        } else {
            Err(format!("no local schema for {uri} (network access is disabled)").into())
        }
    }
}

/// Validates `doc` against the schema file `schema`, panicking with every error found.
pub fn assert_valid(schema: &str, doc: &Value) {
    check(&load(schema), schema, doc);
}

/// [`assert_valid`] for a schema that the validator must not check against its meta-schema:
/// the root is a bare `$ref` to the file, so only `doc` is validated (formats included).
/// The official SARIF 2.1.0 schema needs this (see tests/schemas/README.md).
pub fn assert_valid_by_ref(schema: &str, doc: &Value) {
    let root = serde_json::json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$ref": format!("https://schemas.invalid/{schema}"),
    });
    check(&root, schema, doc);
}

fn check(root: &Value, schema: &str, doc: &Value) {
    let validator = jsonschema::options()
        .with_retriever(LocalSchemas)
        .should_validate_formats(true)
        .build(root)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema}:\n{}", errors.join("\n"));
}

/// Compares `actual` with tests/golden/`name`; `SHIPSHAPE_BLESS=1` rewrites the file.
pub fn assert_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("SHIPSHAPE_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with SHIPSHAPE_BLESS=1 to create it)",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{} differs from the rendered output (review, then rerun with SHIPSHAPE_BLESS=1)",
        path.display()
    );
}

//! Layer walk and merge tests on in-memory images built here, in real tar/gzip/zstd formats.

use std::collections::HashMap;
use std::io::{Read, Write};

use oci::{BlobSource, Digest, History, Image, ImageConfig, Layer};

use super::*;
use crate::{diagnostics, Error};

/// A raw ustar entry; names are written as given, so hostile ones (`../x`) can be made.
fn entry(out: &mut Vec<u8>, name: &str, kind: u8, data: &[u8], link: &str) {
    entry_mode(out, name, kind, data, link, 0o644);
}

/// [`entry`] with the given mode bits.
fn entry_mode(out: &mut Vec<u8>, name: &str, kind: u8, data: &[u8], link: &str, mode: u32) {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..107].copy_from_slice(format!("{mode:07o}").as_bytes());
    h[108..115].copy_from_slice(b"0000000");
    h[116..123].copy_from_slice(b"0000000");
    h[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
    h[136..147].copy_from_slice(b"00000000000");
    h[156] = kind;
    h[157..157 + link.len()].copy_from_slice(link.as_bytes());
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| b as u32).sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    out.extend_from_slice(&h);
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
}

fn file(out: &mut Vec<u8>, name: &str, data: &str) {
    entry(out, name, b'0', data.as_bytes(), "");
}

fn end(mut out: Vec<u8>) -> Vec<u8> {
    out.extend_from_slice(&[0u8; 1024]);
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

struct Blobs(HashMap<Digest, Vec<u8>>);

impl BlobSource for Blobs {
    fn open(&self, digest: &Digest, what: &str) -> Result<Box<dyn Read + Send>, oci::Error> {
        match self.0.get(digest) {
            Some(b) => Ok(Box::new(std::io::Cursor::new(b.clone()))),
            None => Err(oci::ErrorKind::MissingBlob {
                digest: digest.clone(),
                what: what.into(),
                source_name: "test".into(),
            }
            .into()),
        }
    }
    fn describe(&self) -> String {
        "test".into()
    }
}

/// An image from layer blobs and the created_by of each step (`None` = empty layer step).
fn image(blobs: Vec<Vec<u8>>, steps: &[(Option<&str>, bool)]) -> Image {
    let mut map = HashMap::new();
    let mut layers = Vec::new();
    for b in blobs {
        let d = Digest::sha256_of(&b);
        layers.push(Layer {
            digest: d.clone(),
            diff_id: None,
            media_type: String::new(),
            size: Some(b.len() as u64),
        });
        map.insert(d, b);
    }
    let history = steps
        .iter()
        .map(|(c, empty)| History {
            created_by: c.map(str::to_string),
            empty_layer: *empty,
            ..Default::default()
        })
        .collect();
    Image {
        identity: oci::ImageIdentity {
            name: "test-image".into(),
            ..Default::default()
        },
        manifest_media_type: None,
        annotations: Default::default(),
        config: ImageConfig {
            history,
            ..Default::default()
        },
        layers,
        source: Box::new(Blobs(map)),
    }
}

const OS: &str = "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";

fn status(pkgs: &[(&str, &str)]) -> String {
    pkgs.iter()
        .map(|(n, v)| {
            format!(
                "Package: {n}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {v}\n\n"
            )
        })
        .collect()
}

fn find<'a>(inv: &'a Inventory, name: &str) -> &'a crate::Package {
    inv.packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} missing"))
}

/// Validates provenance: first layer of an unbroken presence, upgrades credited to the
/// upgrading layer, history paired with layers skipping empty_layer entries.
#[test]
fn provenance_and_upgrades() {
    let mut l0 = Vec::new();
    file(&mut l0, "usr/lib/os-release", OS);
    entry(
        &mut l0,
        "etc/os-release",
        b'2',
        b"",
        "../usr/lib/os-release",
    );
    file(
        &mut l0,
        "var/lib/dpkg/status",
        &status(&[("base-files", "12.4"), ("libssl3", "3.0.11-1")]),
    );
    let mut l1 = Vec::new();
    file(
        &mut l1,
        "./var/lib/dpkg/status",
        &status(&[
            ("base-files", "12.4"),
            ("libssl3", "3.0.15-1"),
            ("git", "1:2.39.2-1.1"),
        ]),
    );
    let mut l2 = Vec::new();
    file(&mut l2, "app/main.py", "print('hi')\n");
    let img = image(
        vec![
            gzip(&end(l0)),
            zstd::encode_all(&end(l1)[..], 3).unwrap(),
            end(l2),
        ],
        &[
            (Some("ADD rootfs.tar /"), false),
            (Some("ENV A=1"), true),
            (Some("RUN apt-get install git"), false),
            (Some("COPY app /app"), false),
        ],
    );
    let inv = inventory_image(&img, &Options::default()).unwrap();
    assert_eq!(
        inv.os.as_ref().unwrap().version_id.as_deref(),
        Some("12"),
        "os-release reached through a symlink"
    );
    assert_eq!(inv.packages.len(), 3);
    let at = |n: &str| find(&inv, n).introduced.as_ref().unwrap().clone();
    assert_eq!(at("base-files").layer_index, 0);
    assert_eq!(
        at("base-files").created_by.as_deref(),
        Some("ADD rootfs.tar /")
    );
    assert_eq!(
        at("libssl3").layer_index,
        1,
        "an upgrade belongs to the upgrading layer"
    );
    assert_eq!(find(&inv, "libssl3").version, "3.0.15-1");
    assert_eq!(
        at("git").created_by.as_deref(),
        Some("RUN apt-get install git")
    );
    assert_eq!(inv.layers[2].created_by.as_deref(), Some("COPY app /app"));
    assert_eq!(
        find(&inv, "git").purl,
        "pkg:deb/debian/git@1:2.39.2-1.1?arch=amd64&distro=debian-12"
    );
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
}

/// Validates that a same-version reinstall (`apt-get install --reinstall`: the package's
/// dpkg file list written again) is credited to the reinstalling layer, multi-arch
/// `NAME:ARCH.list` included, and that other packages keep their first layer.
#[test]
fn dpkg_reinstall_is_credited_to_the_reinstalling_layer() {
    let pkgs = [
        ("base-files", "12.4"),
        ("libc6", "2.36-9"),
        ("sed", "4.9-1"),
    ];
    let mut l0 = Vec::new();
    file(&mut l0, "etc/os-release", OS);
    file(&mut l0, "var/lib/dpkg/status", &status(&pkgs));
    for (n, _) in &pkgs {
        file(
            &mut l0,
            &format!("var/lib/dpkg/info/{n}.list"),
            "/.\n/usr\n",
        );
    }
    let mut l1 = Vec::new();
    // The status file is rewritten by every dpkg run; the versions stay the same.
    file(&mut l1, "var/lib/dpkg/status", &status(&pkgs));
    file(&mut l1, "var/lib/dpkg/info/sed.list", "/.\n/bin/sed\n");
    let mut l2 = Vec::new();
    file(&mut l2, "var/lib/dpkg/status", &status(&pkgs));
    file(&mut l2, "var/lib/dpkg/info/libc6:amd64.list", "/.\n/lib\n");
    let mut l3 = Vec::new();
    file(&mut l3, "app/main.py", "print('hi')\n");
    let img = image(
        vec![end(l0), end(l1), end(l2), end(l3)],
        &[
            (Some("ADD rootfs.tar /"), false),
            (Some("RUN apt-get install --reinstall sed"), false),
            (Some("RUN apt-get install --reinstall libc6"), false),
            (Some("COPY app /app"), false),
        ],
    );
    let inv = inventory_image(&img, &Options::default()).unwrap();
    let at = |n: &str| find(&inv, n).introduced.as_ref().unwrap().layer_index;
    assert_eq!(at("base-files"), 0);
    assert_eq!(at("sed"), 1, "reinstalled in layer 1");
    assert_eq!(at("libc6"), 2, "multi-arch list name");
}

/// Validates whiteouts, opaque directories and reinstall after removal.
#[test]
fn whiteouts_and_opaque_dirs() {
    let mut l0 = Vec::new();
    file(&mut l0, "etc/os-release", OS);
    file(&mut l0, "var/lib/dpkg/status", &status(&[("a", "1")]));
    // Layer 1 deletes the database, layer 2 brings one back with `a` again.
    let mut l1 = Vec::new();
    entry(&mut l1, "var/lib/dpkg/.wh.status", b'0', b"", "");
    let mut l2 = Vec::new();
    file(
        &mut l2,
        "var/lib/dpkg/status",
        &status(&[("a", "1"), ("b", "2")]),
    );
    let inv = inventory_image(
        &image(vec![end(l0.clone()), end(l1.clone()), end(l2.clone())], &[]),
        &Options::default(),
    )
    .unwrap();
    assert_eq!(
        find(&inv, "a").introduced.as_ref().unwrap().layer_index,
        2,
        "reinstalled after a gap"
    );
    let inv = inventory_image(
        &image(vec![end(l0.clone()), end(l1)], &[]),
        &Options::default(),
    )
    .unwrap();
    assert!(
        inv.packages.is_empty(),
        "whited-out database: {:?}",
        inv.packages
    );
    // An opaque var/lib/dpkg hides the lower status file; one in the same layer survives.
    let mut l1 = Vec::new();
    entry(&mut l1, "var/lib/dpkg/.wh..wh..opq", b'0', b"", "");
    let inv = inventory_image(
        &image(vec![end(l0.clone()), end(l1.clone())], &[]),
        &Options::default(),
    )
    .unwrap();
    assert!(inv.packages.is_empty());
    file(&mut l1, "var/lib/dpkg/status", &status(&[("c", "3")]));
    let inv = inventory_image(
        &image(vec![end(l0.clone()), end(l1)], &[]),
        &Options::default(),
    )
    .unwrap();
    assert_eq!(inv.packages.len(), 1);
    assert_eq!(inv.packages[0].name, "c");
    // Whiting out a parent directory removes what is below it.
    let mut l1 = Vec::new();
    entry(&mut l1, "var/lib/.wh.dpkg", b'0', b"", "");
    let inv = inventory_image(&image(vec![end(l0), end(l1)], &[]), &Options::default()).unwrap();
    assert!(inv.packages.is_empty());
}

/// Validates that `../` entries are skipped and absolute ones re-rooted, both reported.
#[test]
fn path_traversal_is_contained() {
    let mut l0 = Vec::new();
    file(&mut l0, "etc/os-release", OS);
    file(
        &mut l0,
        "../../../var/lib/dpkg/status",
        &status(&[("evil", "1")]),
    );
    file(&mut l0, "/var/lib/dpkg/status", &status(&[("abs", "1")]));
    file(
        &mut l0,
        "usr/../var/lib/dpkg/status.d/ok",
        "Package: ok\nVersion: 1\n",
    );
    let inv = inventory_image(&image(vec![end(l0)], &[]), &Options::default()).unwrap();
    let names: Vec<_> = inv.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["abs", "ok"]);
    let codes: Vec<_> = inv.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, [diagnostics::UNSAFE_PATH, diagnostics::UNSAFE_PATH]);
    assert!(
        inv.diagnostics[0]
            .message
            .contains("../../../var/lib/dpkg/status"),
        "{:?}",
        inv.diagnostics
    );
    assert!(
        inv.diagnostics[0].message.contains("layer 1/1"),
        "{:?}",
        inv.diagnostics
    );
}

/// Validates that a symlink loop is reported, and a link out of the root stays inside it.
#[test]
fn symlink_loops_and_escapes() {
    let mut l0 = Vec::new();
    entry(
        &mut l0,
        "etc/os-release",
        b'2',
        b"",
        "../usr/lib/os-release",
    );
    entry(
        &mut l0,
        "usr/lib/os-release",
        b'2',
        b"/etc/os-release",
        "/etc/os-release",
    );
    let inv = inventory_image(&image(vec![end(l0)], &[]), &Options::default()).unwrap();
    assert!(
        inv.diagnostics
            .iter()
            .any(|d| d.code == diagnostics::SYMLINK_LOOP),
        "{:?}",
        inv.diagnostics
    );
    assert!(inv.os.is_none());
    // A link that climbs above the root is clamped at the image root, as in a chroot.
    let mut l0 = Vec::new();
    entry(
        &mut l0,
        "etc/os-release",
        b'2',
        b"",
        "../../../../../usr/lib/os-release",
    );
    file(&mut l0, "usr/lib/os-release", OS);
    let inv = inventory_image(&image(vec![end(l0)], &[]), &Options::default()).unwrap();
    assert_eq!(inv.os.unwrap().id, "debian");
}

/// Validates hard links to a wanted file inside one layer.
#[test]
fn hardlinks() {
    let mut l0 = Vec::new();
    file(&mut l0, "usr/lib/os-release", OS);
    entry(&mut l0, "etc/os-release", b'1', b"", "usr/lib/os-release");
    entry(&mut l0, "var/lib/dpkg/status", b'1', b"", "nowhere");
    let inv = inventory_image(&image(vec![end(l0)], &[]), &Options::default()).unwrap();
    assert_eq!(inv.os.unwrap().source_file, "/etc/os-release");
    assert!(inv
        .diagnostics
        .iter()
        .any(|d| d.code == diagnostics::BROKEN_HARDLINK));
}

/// Validates that a truncated layer is an error naming the layer.
#[test]
fn truncated_layer() {
    let mut l0 = Vec::new();
    file(
        &mut l0,
        "var/lib/dpkg/status",
        &status(&[("a", "1")]).repeat(50),
    );
    let blob = end(l0);
    for cut in [100, 700, blob.len() / 2] {
        let err = inventory_image(&image(vec![blob[..cut].to_vec()], &[]), &Options::default())
            .unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, Error::Layer { .. }), "{msg}");
        assert!(
            msg.contains("layer 1/1") && msg.contains("test-image"),
            "{msg}"
        );
        let gz = gzip(&blob);
        let err = inventory_image(
            &image(vec![gz[..gz.len() / 2].to_vec()], &[]),
            &Options::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
    }
}

/// Validates that a layer whose bytes do not match its digest is refused, even when the
/// corruption is after the tar end marker.
#[test]
fn digest_mismatch() {
    let mut l0 = Vec::new();
    file(&mut l0, "etc/os-release", OS);
    let blob = end(l0);
    let mut img = image(vec![blob.clone()], &[]);
    let mut bad = blob;
    let n = bad.len();
    bad[n - 1] = 1; // inside the trailing zero blocks
    img.source = Box::new(Blobs(HashMap::from([(img.layers[0].digest.clone(), bad)])));
    let err = inventory_image(&img, &Options::default()).unwrap_err();
    assert!(
        matches!(&err, Error::Image(e) if matches!(e.kind(), oci::ErrorKind::DigestMismatch { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("layer 1/1"), "{err}");
}

/// Validates that a decompression bomb stops at the limit with a clear error, and that a
/// wanted file claiming a huge size is skipped rather than buffered.
#[test]
fn gzip_bomb_is_bounded() {
    let mut l0 = Vec::new();
    entry(&mut l0, "zeros", b'0', &vec![0u8; 32 << 20], "");
    let bomb = gzip(&end(l0));
    assert!(
        bomb.len() * 50 < 32 << 20,
        "a bomb: {} bytes inflate to 32 MiB",
        bomb.len()
    );
    let opts = Options {
        max_layer_bytes: 8 << 20,
        progress: None,
    };
    let err = inventory_image(&image(vec![bomb], &[]), &opts).unwrap_err();
    assert!(err.to_string().contains("decompression bomb"), "{err}");

    let mut l0 = Vec::new();
    entry(
        &mut l0,
        "var/lib/dpkg/status",
        b'0',
        &vec![b'x'; 65 << 20],
        "",
    );
    let inv = inventory_image(&image(vec![gzip(&end(l0))], &[]), &Options::default()).unwrap();
    assert!(
        inv.diagnostics
            .iter()
            .any(|d| d.code == diagnostics::FILE_TOO_LARGE),
        "{:?}",
        inv.diagnostics
    );
}

/// Validates that a blob that is not a tar stream at all is an error naming the layer.
#[test]
fn not_a_tar() {
    let err = inventory_image(
        &image(vec![b"this is not a layer, just text".repeat(40)], &[]),
        &Options::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("layer 1/1"), "{err}");
    let err = inventory_image(
        &image(vec![b"BZh91AY&SY".to_vec()], &[]),
        &Options::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("bzip2"), "{err}");
}

/// Validates the rootfs walk: symlinks are resolved in the tree, not on the host.
#[test]
fn rootfs_dir() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("usr/lib")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::create_dir_all(root.join("var/lib/dpkg")).unwrap();
    std::fs::write(root.join("usr/lib/os-release"), OS).unwrap();
    std::os::unix::fs::symlink("../usr/lib/os-release", root.join("etc/os-release")).unwrap();
    // An absolute link must resolve inside the rootfs, not to the host's /etc/hostname.
    std::os::unix::fs::symlink("/etc/hostname", root.join("var/lib/dpkg/status")).unwrap();
    let inv = inventory_rootfs(root, &Options::default()).unwrap();
    assert_eq!(inv.os.unwrap().id, "debian");
    assert!(inv.packages.is_empty());
    std::fs::remove_file(root.join("var/lib/dpkg/status")).unwrap();
    std::fs::write(root.join("var/lib/dpkg/status"), status(&[("a", "1")])).unwrap();
    let inv = inventory_rootfs(root, &Options::default()).unwrap();
    assert_eq!(inv.packages.len(), 1);
    assert!(inv.packages[0].introduced.is_none());
    let err = inventory_rootfs(&root.join("nope"), &Options::default()).unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
}

const SITE: &str = "usr/local/lib/python3.11/dist-packages";

fn metadata(name: &str, version: &str) -> String {
    format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nLicense: MIT\n\nlong description\n")
}

fn python<'a>(inv: &'a Inventory, name: &str) -> Option<&'a crate::Package> {
    inv.packages
        .iter()
        .find(|p| p.package_type == Some(crate::PackageType::Python) && p.name == name)
}

/// Validates that a pip install step gets the credit for what it installed, that a later
/// apt step (which changes the dpkg file lists the Python analyzer also reads) does not
/// move that credit, and that a pip upgrade (old dist-info whited out) is credited to the
/// upgrading step.
#[test]
fn python_packages_are_credited_to_the_pip_layer() {
    let mut l0 = Vec::new();
    file(&mut l0, "etc/os-release", OS);
    file(
        &mut l0,
        "var/lib/dpkg/status",
        &status(&[("python3", "3.11.2-1+b1")]),
    );
    file(
        &mut l0,
        "var/lib/dpkg/info/python3.list",
        "/.\n/usr/bin/python3\n",
    );
    let mut l1 = Vec::new();
    file(
        &mut l1,
        &format!("{SITE}/requests-2.25.1.dist-info/METADATA"),
        &metadata("requests", "2.25.1").replacen(
            "\n\n",
            "\nRequires-Dist: urllib3 (<1.27,>=1.21.1)\n\n",
            1,
        ),
    );
    file(
        &mut l1,
        &format!("{SITE}/requests-2.25.1.dist-info/RECORD"),
        "",
    );
    file(
        &mut l1,
        &format!("{SITE}/urllib3-1.26.4.dist-info/METADATA"),
        &metadata("urllib3", "1.26.4"),
    );
    let mut l2 = Vec::new();
    file(
        &mut l2,
        "var/lib/dpkg/status",
        &status(&[("python3", "3.11.2-1+b1"), ("vim-tiny", "2:9.0.1378-2")]),
    );
    file(
        &mut l2,
        "var/lib/dpkg/info/vim-tiny.list",
        "/usr/bin/vim.tiny\n",
    );
    let mut l3 = Vec::new();
    file(&mut l3, &format!("{SITE}/.wh.urllib3-1.26.4.dist-info"), "");
    file(
        &mut l3,
        &format!("{SITE}/urllib3-1.26.5.dist-info/METADATA"),
        &metadata("urllib3", "1.26.5"),
    );
    let img = image(
        vec![
            gzip(&end(l0)),
            gzip(&end(l1)),
            gzip(&end(l2)),
            gzip(&end(l3)),
        ],
        &[
            (Some("ADD rootfs.tar /"), false),
            (Some("RUN pip install requests==2.25.1"), false),
            (Some("RUN apt-get install vim-tiny"), false),
            (Some("RUN pip install -U urllib3==1.26.5"), false),
        ],
    );
    let inv = inventory_image(&img, &Options::default()).unwrap();
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let requests = python(&inv, "requests").expect("requests");
    let at = requests.introduced.as_ref().unwrap();
    assert_eq!(at.layer_index, 1);
    assert_eq!(
        at.created_by.as_deref(),
        Some("RUN pip install requests==2.25.1")
    );
    assert_eq!(requests.purl, "pkg:pypi/requests@2.25.1");
    assert_eq!(requests.depends, ["urllib3"]);
    let urllib3 = python(&inv, "urllib3").expect("urllib3");
    assert_eq!(
        urllib3.version, "1.26.5",
        "the old dist-info was whited out"
    );
    assert_eq!(urllib3.introduced.as_ref().unwrap().layer_index, 3);
    let versions: Vec<_> = inv
        .packages
        .iter()
        .filter(|p| p.package_type == Some(crate::PackageType::Python))
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(versions, [("requests", "2.25.1"), ("urllib3", "1.26.5")]);
    assert_eq!(
        find(&inv, "vim-tiny")
            .introduced
            .as_ref()
            .unwrap()
            .layer_index,
        2
    );
}

/// Validates that Debian's python3-requests, whose egg-info its dpkg file list names, is
/// reported once, as the deb, and not again as a PyPI package; a pip-installed requests
/// next to it is reported as PyPI.
#[test]
fn dpkg_owned_python_metadata_is_not_a_pypi_package() {
    let dp = "usr/lib/python3/dist-packages";
    let mut l0 = Vec::new();
    file(&mut l0, "etc/os-release", OS);
    file(
        &mut l0,
        "var/lib/dpkg/status",
        &status(&[
            ("python3-requests", "2.28.1+dfsg-1"),
            ("python3-pip", "23.0.1+dfsg-1"),
        ]),
    );
    file(
        &mut l0,
        "var/lib/dpkg/info/python3-requests.list",
        &format!("/.\n/usr\n/{dp}\n/{dp}/requests\n/{dp}/requests/__init__.py\n/{dp}/requests-2.28.1.egg-info\n/{dp}/requests-2.28.1.egg-info/PKG-INFO\n"),
    );
    file(
        &mut l0,
        "var/lib/dpkg/info/python3-pip.list",
        &format!("/{dp}/pip-23.0.1.dist-info\n/{dp}/pip-23.0.1.dist-info/METADATA\n"),
    );
    file(
        &mut l0,
        &format!("{dp}/requests-2.28.1.egg-info/PKG-INFO"),
        &metadata("requests", "2.28.1"),
    );
    file(
        &mut l0,
        &format!("{dp}/pip-23.0.1.dist-info/METADATA"),
        &metadata("pip", "23.0.1"),
    );
    let mut l1 = Vec::new();
    file(
        &mut l1,
        &format!("{SITE}/requests-2.25.1.dist-info/METADATA"),
        &metadata("requests", "2.25.1"),
    );
    let img = image(
        vec![gzip(&end(l0)), gzip(&end(l1))],
        &[
            (Some("ADD rootfs.tar /"), false),
            (Some("RUN pip install requests==2.25.1"), false),
        ],
    );
    let inv = inventory_image(&img, &Options::default()).unwrap();
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let rows: Vec<_> = inv
        .packages
        .iter()
        .map(|p| {
            (
                p.purl.as_str(),
                p.introduced.as_ref().map(|i| i.layer_index),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "pkg:deb/debian/python3-pip@23.0.1%2Bdfsg-1?arch=amd64&distro=debian-12",
                Some(0)
            ),
            (
                "pkg:deb/debian/python3-requests@2.28.1%2Bdfsg-1?arch=amd64&distro=debian-12",
                Some(0)
            ),
            ("pkg:pypi/requests@2.25.1", Some(1)),
        ]
    );
}

/// A zip with these entries.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, SimpleFileOptions::default()).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Validates a Spring Boot jar through the whole inventory: Maven purls with the group as
/// namespace, the layer that brought it, the outer > inner edge, and the archive
/// diagnostics with their own code.
#[test]
fn java_archives_in_an_image() {
    let lib = zip_of(&[(
        "META-INF/maven/org.yaml/snakeyaml/pom.properties",
        b"groupId=org.yaml\nartifactId=snakeyaml\nversion=1.33\n",
    )]);
    let app = zip_of(&[
        (
            "META-INF/maven/com.example/demo/pom.properties",
            b"groupId=com.example\nartifactId=demo\nversion=0.0.1\n",
        ),
        ("BOOT-INF/lib/snakeyaml-1.33.jar", &lib),
        ("BOOT-INF/lib/broken-1.0.jar", &lib[..lib.len() / 2]),
    ]);
    let mut l0 = Vec::new();
    file(&mut l0, "etc/os-release", OS);
    let mut l1 = Vec::new();
    entry(&mut l1, "app/app.jar", b'0', &app, "");
    let img = image(vec![end(l0), end(l1)], &[]);
    let inv = inventory_image(&img, &Options::default()).unwrap();
    let demo = find(&inv, "com.example:demo");
    assert_eq!(demo.purl, "pkg:maven/com.example/demo@0.0.1");
    assert_eq!(demo.depends, ["org.yaml:snakeyaml"]);
    assert_eq!(demo.introduced.as_ref().unwrap().layer_index, 1);
    let yaml = find(&inv, "org.yaml:snakeyaml");
    assert_eq!(yaml.purl, "pkg:maven/org.yaml/snakeyaml@1.33");
    assert_eq!(yaml.db_path, "app/app.jar!/BOOT-INF/lib/snakeyaml-1.33.jar");
    assert_eq!(inv.packages.len(), 2, "{:?}", inv.packages);
    let d: Vec<_> = inv
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].0, diagnostics::ARCHIVE_CORRUPT);
    assert!(
        d[0].1.starts_with(
            "java analyzer: /app/app.jar!/BOOT-INF/lib/broken-1.0.jar: not a readable zip"
        ),
        "{d:?}"
    );
}

/// A picking analyzer for the tests: picks files starting `BIN:` (with an execute bit, or
/// any file when `mode` is unknown), keeps the rest of the first line, and reports one
/// package per kept file (name = path, version = what was kept). `BIN:-` keeps nothing.
struct Marker;

impl Analyzer for Marker {
    fn name(&self) -> &'static str {
        "marker"
    }
    fn version(&self) -> u32 {
        1
    }
    fn wants(&self, _path: &str) -> bool {
        false
    }
    fn picks(&self, _path: &str, mode: u32, head: &[u8]) -> bool {
        (mode == 0 || mode & 0o111 != 0) && head.starts_with(b"BIN:")
    }
    fn max_pick_size(&self) -> u64 {
        64
    }
    fn reduce(&self, _path: &str, data: &[u8]) -> Option<Vec<u8>> {
        let line = data[4..].split(|&b| b == b'\n').next()?;
        (line != b"-").then(|| line.to_vec())
    }
    fn analyze(&self, files: &crate::FileSet) -> Result<crate::Analysis, crate::AnalyzeError> {
        let packages = files
            .iter()
            .map(|(path, kept)| crate::Package {
                package_type: Some(crate::PackageType::Golang),
                name: path.clone(),
                version: String::from_utf8_lossy(kept).into_owned(),
                ..Default::default()
            })
            .collect();
        Ok(crate::Analysis {
            packages,
            ..Default::default()
        })
    }
}

/// An executable regular file (mode 0755).
fn exe(out: &mut Vec<u8>, name: &str, data: &str) {
    entry_mode(out, name, b'0', data.as_bytes(), "", 0o755);
}

fn marker_list() -> Vec<Box<dyn Analyzer>> {
    vec![Box::new(crate::analyzers::OsRelease), Box::new(Marker)]
}

fn picked(inv: &Inventory) -> Vec<(String, String, Option<usize>)> {
    inv.packages
        .iter()
        .filter(|p| p.package_type == Some(crate::PackageType::Golang))
        .map(|p| {
            let layer = p.introduced.as_ref().map(|i| i.layer_index);
            (p.name.clone(), p.version.clone(), layer)
        })
        .collect()
}

/// Validates files picked by content: only the reduced bytes reach the analyzer, under the
/// file's path; hard links to a picked file are picked too; a later layer's plain file,
/// symlink, directory or whiteout at a picked path removes it; an opaque directory hides
/// the picked files below it; a file over the pick cap is a diagnostic; and each package
/// is credited to the layer that wrote its file.
#[test]
fn files_picked_by_content() {
    let mut l0 = Vec::new();
    file(&mut l0, "usr/lib/os-release", OS);
    exe(&mut l0, "usr/bin/a", "BIN:1.0\n\x7fmachine code");
    entry(&mut l0, "usr/bin/a2", b'1', b"", "usr/bin/a");
    exe(&mut l0, "usr/bin/b", "BIN:2.0\n");
    exe(&mut l0, "usr/bin/c", "BIN:-\n");
    file(&mut l0, "usr/bin/d", "plain text\n");
    file(&mut l0, "usr/lib/libx.so", "BIN:6.0\n");
    exe(&mut l0, "usr/bin/s", "BIN:4.0\n");
    exe(&mut l0, "opt/x/bin/f", "BIN:5.0\n");
    exe(
        &mut l0,
        "usr/bin/big",
        &format!("BIN:9\n{}", "x".repeat(100)),
    );
    let mut l1 = Vec::new();
    file(&mut l1, "usr/bin/b", "now a script\n");
    file(&mut l1, "usr/bin/.wh.a", "");
    exe(&mut l1, "usr/bin/e", "BIN:3.0\n");
    entry(&mut l1, "usr/bin/s", b'2', b"", "e");
    file(&mut l1, "opt/x/.wh..wh..opq", "");
    let img = image(
        vec![gzip(&end(l0)), end(l1)],
        &[
            (Some("ADD rootfs.tar /"), false),
            (Some("COPY bin /usr/bin"), false),
        ],
    );
    let inv = inventory_image_with(&img, &Options::default(), &marker_list()).unwrap();
    assert_eq!(
        picked(&inv),
        vec![
            ("usr/bin/a2".into(), "1.0".into(), Some(0)),
            ("usr/bin/e".into(), "3.0".into(), Some(1)),
        ]
    );
    let too_large: Vec<_> = inv
        .diagnostics
        .iter()
        .filter(|d| d.code == diagnostics::FILE_TOO_LARGE)
        .collect();
    assert_eq!(too_large.len(), 1, "{:?}", inv.diagnostics);
    assert!(
        too_large[0].message.contains("/usr/bin/big"),
        "{too_large:?}"
    );

    // A directory where a picked file was also removes it.
    let mut l0 = Vec::new();
    file(&mut l0, "usr/lib/os-release", OS);
    exe(&mut l0, "srv/tool", "BIN:1\n");
    let mut l1 = Vec::new();
    entry(&mut l1, "srv/tool/", b'5', b"", "");
    let img = image(
        vec![end(l0), end(l1)],
        &[(Some("ADD a /"), false), (Some("ADD b /"), false)],
    );
    let inv = inventory_image_with(&img, &Options::default(), &marker_list()).unwrap();
    assert!(picked(&inv).is_empty(), "{:?}", picked(&inv));
}

/// Validates picking in a root filesystem: the mode comes from the file (a non-executable
/// file is not picked), only the reduced bytes are kept, the pick cap holds.
#[test]
fn files_picked_by_content_in_a_rootfs() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("usr/lib")).unwrap();
    std::fs::create_dir_all(root.join("usr/bin")).unwrap();
    std::fs::write(root.join("usr/lib/os-release"), OS).unwrap();
    let write = |name: &str, data: &str, mode: u32| {
        let p = root.join(name);
        std::fs::write(&p, data).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    write("usr/bin/run", "BIN:7.1\nrest", 0o755);
    write("usr/bin/lib.so", "BIN:7.2\n", 0o644);
    write("usr/bin/big", &format!("BIN:1\n{}", "y".repeat(80)), 0o755);
    let inv = inventory_rootfs_with(root, &marker_list()).unwrap();
    assert_eq!(
        picked(&inv),
        vec![("usr/bin/run".into(), "7.1".into(), None)]
    );
    assert!(
        inv.diagnostics
            .iter()
            .any(|d| d.code == diagnostics::FILE_TOO_LARGE && d.message.contains("/usr/bin/big")),
        "{:?}",
        inv.diagnostics
    );
}

//! Bad input to `shipshape sbom`: a clear error naming the input, exit code 2, no output.

use std::io::Write;

use crate::support::*;

fn assert_fails(target: &str, needles: &[&str]) {
    let out = shipshape(&["sbom", target]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{target}: {err}");
    assert!(out.stdout.is_empty(), "{target}: printed a partial SBOM");
    assert!(!err.contains("panicked"), "{target}: {err}");
    for n in needles {
        assert!(err.contains(n), "{target}: expected {n:?} in: {err}");
    }
}

/// Validates errors for files that are missing or not images at all.
#[test]
fn not_an_image() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello, not an image\n".repeat(100)).unwrap();
    let t = text.display().to_string();
    assert_fails(&format!("docker-archive:{t}"), &["notes.txt"]);
    assert_fails(&format!("oci-archive:{t}"), &["notes.txt"]);
    assert_fails(
        &format!("oci-dir:{}", dir.path().display()),
        &[&dir.path().display().to_string()],
    );
    assert_fails(
        &format!("docker-archive:{}/missing.tar", dir.path().display()),
        &["missing.tar"],
    );
    assert_fails(
        &format!("dir:{}/missing", dir.path().display()),
        &["missing"],
    );
    let empty = dir.path().join("empty.tar");
    std::fs::File::create(&empty)
        .unwrap()
        .write_all(&[0u8; 1024])
        .unwrap();
    assert_fails(
        &format!("docker-archive:{}", empty.display()),
        &["empty.tar"],
    );
    assert_fails("Not/A Valid:Reference", &["Not/A Valid:Reference"]);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn largest_blob(layout: &std::path::Path) -> std::path::PathBuf {
    std::fs::read_dir(layout.join("blobs/sha256"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap()
}

/// Validates that a layer whose bytes do not match its digest, a missing layer blob and a
/// truncated archive of the real base image are errors naming the image and the layer.
#[test]
fn corrupted_real_images() {
    let Some(images) = Images::load() else { return };
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("base.oci");
    copy_dir(&images.path("BASE_OCI_DIR"), &layout);
    let blob = largest_blob(&layout);
    let digest = format!("sha256:{}", blob.file_name().unwrap().to_str().unwrap());
    let mut bytes = std::fs::read(&blob).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&blob, &bytes).unwrap();
    let target = format!("oci-dir:{}", layout.display());
    let out = shipshape(&["sbom", &target]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&digest) && err.contains(&target), "{err}");
    assert!(out.stdout.is_empty());

    std::fs::remove_file(&blob).unwrap();
    assert_fails(&target, &[&digest, "missing"]);

    let archive = images.path("BASE_DOCKER_ARCHIVE");
    let data = std::fs::read(&archive).unwrap();
    let cut = dir.path().join("truncated.tar");
    std::fs::write(&cut, &data[..data.len() * 2 / 3]).unwrap();
    assert_fails(
        &format!("docker-archive:{}", cut.display()),
        &["truncated.tar"],
    );
}

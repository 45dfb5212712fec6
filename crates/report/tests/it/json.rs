//! The native SBOM JSON.

use report::Format;

use crate::common::{assert_golden, render, sample_inventory};

/// Validates the header and that the inventory round-trips unchanged through the document.
#[test]
fn is_the_inventory_with_a_header() {
    let inv = sample_inventory();
    let (_, doc) = render(&inv, Format::Json);
    assert_eq!(doc["schemaVersion"], 1);
    assert_eq!(doc["tool"]["name"], "shipshape");
    assert_eq!(doc["tool"]["version"], "0.1.0");
    let keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    for k in ["image", "os", "layers", "packages", "diagnostics"] {
        assert!(keys.contains(&k), "{k} missing");
    }
    let back: inventory::Inventory = serde_json::from_value(doc.clone()).unwrap();
    assert_eq!(back, inv);
    assert_eq!(doc["packages"][0]["introduced"]["layer_index"], 1);
}

/// Validates that keys are present even when empty, and `os` is null when unknown.
#[test]
fn empty_inventory_keeps_keys() {
    let (_, doc) = render(&inventory::Inventory::default(), Format::Json);
    assert!(doc["os"].is_null());
    assert_eq!(doc["packages"], serde_json::json!([]));
    assert_eq!(doc["diagnostics"], serde_json::json!([]));
}

/// Validates deterministic output against the golden file.
#[test]
fn deterministic_golden() {
    let (text, _) = render(&sample_inventory(), Format::Json);
    assert_golden("sample.json", &text);
}

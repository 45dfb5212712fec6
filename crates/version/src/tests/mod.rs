//! Table tests: ordered pairs per scheme, taken from each ecosystem's own tests and docs.
//!
//! Each `data/<scheme>.txt` line is `A OP B` with OP one of `<`, `=`, `>`; `#` starts a
//! comment. Every row is checked both ways (antisymmetry).

use std::cmp::Ordering;

use crate::{compare, Scheme};

mod garbage;

/// Parse a table file into `(a, b, ordering)` rows.
pub(crate) fn rows(data: &str) -> Vec<(&str, &str, Ordering)> {
    data.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(parts.len(), 3, "bad table row {l:?}");
            let ord = match parts[1] {
                "<" => Ordering::Less,
                "=" | "==" => Ordering::Equal,
                ">" => Ordering::Greater,
                op => panic!("bad operator {op:?} in row {l:?}"),
            };
            (parts[0], parts[2], ord)
        })
        .collect()
}

/// Check every row of a table both ways; report all failures at once.
pub(crate) fn check_table(scheme: Scheme, data: &str) -> usize {
    let rows = rows(data);
    let mut failures = Vec::new();
    for (a, b, want) in &rows {
        match (compare(scheme, a, b), compare(scheme, b, a)) {
            (Ok(got), Ok(rev)) => {
                if got != *want {
                    failures.push(format!("{a} vs {b}: want {want:?}, got {got:?}"));
                }
                if rev != want.reverse() {
                    failures.push(format!(
                        "{b} vs {a}: want {:?}, got {rev:?}",
                        want.reverse()
                    ));
                }
            }
            (Err(e), _) | (_, Err(e)) => failures.push(format!("{a} vs {b}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{scheme}: {} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    rows.len()
}

/// Validates dpkg ordering against dpkg's and Debian policy's cases.
#[test]
fn dpkg_table() {
    assert!(check_table(Scheme::Dpkg, include_str!("data/dpkg.txt")) > 100);
}

/// Validates apk ordering against apk-tools' test/version.data.
#[test]
fn apk_table() {
    assert!(check_table(Scheme::Apk, include_str!("data/apk.txt")) > 500);
}

/// Validates rpm ordering against rpm's tests/rpmvercmp.at and EVR cases.
#[test]
fn rpm_table() {
    assert!(check_table(Scheme::Rpm, include_str!("data/rpm.txt")) > 80);
}

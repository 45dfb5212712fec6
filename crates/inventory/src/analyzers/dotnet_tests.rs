//! Tests of the .NET deps.json analyzer: the test image's file, runtime-specific targets,
//! ownership and bad input.

use std::sync::Arc;

use super::*;

/// The deps.json of the dotnet-php test image (tests/images/dotnet-php): an ASP.NET-style
/// app `ShopApi` with a project reference `ShopApi.Data` and Swashbuckle's packages.
const SHOP_API: &str =
    include_str!("../../../../tests/images/dotnet-php/shopapi/ShopApi.deps.json");

fn files(entries: &[(&str, &[u8])]) -> FileSet {
    entries
        .iter()
        .map(|(p, d)| (p.to_string(), Arc::new(d.to_vec())))
        .collect()
}

/// (name, version, depends, manual) of each package, sorted by name.
fn rows(a: &Analysis) -> Vec<(String, String, Vec<String>, Option<bool>)> {
    let mut r: Vec<_> = a
        .packages
        .iter()
        .map(|p| {
            assert_eq!(p.package_type, Some(PackageType::NuGet));
            (
                p.name.clone(),
                p.version.clone(),
                p.depends.clone(),
                p.manual,
            )
        })
        .collect();
    r.sort();
    r
}

fn row(
    name: &str,
    version: &str,
    depends: &[&str],
    manual: Option<bool>,
) -> (String, String, Vec<String>, Option<bool>) {
    (
        name.into(),
        version.into(),
        depends.iter().map(|d| d.to_string()).collect(),
        manual,
    )
}

/// Validates the image's deps.json: every library of type `package` is a package (the two
/// projects are not), edges come from the target's dependencies, packages a project needs
/// directly (through the project reference too) are top-level and the rest are not, and
/// `db_path` is the file.
#[test]
fn reads_the_image_deps_json() {
    let path = "app/shopapi/ShopApi.deps.json";
    let a = DotNet
        .analyze(&files(&[(path, SHOP_API.as_bytes())]))
        .unwrap();
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    let swagger = "Swashbuckle.AspNetCore.Swagger";
    assert_eq!(
        rows(&a),
        [
            row(
                "Microsoft.Extensions.ApiDescription.Server",
                "3.0.0",
                &[],
                Some(false)
            ),
            row("Microsoft.OpenApi", "1.2.3", &[], Some(false)),
            row("Newtonsoft.Json", "12.0.3", &[], Some(false)),
            row(
                "Newtonsoft.Json.Bson",
                "1.0.2",
                &["Newtonsoft.Json"],
                Some(true)
            ),
            row(
                "Swashbuckle.AspNetCore",
                "6.2.3",
                &[
                    "Microsoft.Extensions.ApiDescription.Server",
                    swagger,
                    "Swashbuckle.AspNetCore.SwaggerGen",
                    "Swashbuckle.AspNetCore.SwaggerUI"
                ],
                Some(true)
            ),
            row(swagger, "6.2.3", &["Microsoft.OpenApi"], Some(false)),
            row(
                "Swashbuckle.AspNetCore.SwaggerGen",
                "6.2.3",
                &[swagger],
                Some(false)
            ),
            row(
                "Swashbuckle.AspNetCore.SwaggerUI",
                "6.2.3",
                &[],
                Some(false)
            ),
        ]
    );
    assert!(a
        .packages
        .iter()
        .all(|p| p.db_path == path && p.found_by.is_none() && p.purl.is_empty() && !p.dev));
}

/// A self-contained publish: the runtime target is RID-specific and differs from the
/// portable one; its `runtimepack` and `reference` libraries are not packages; names in
/// `dependencies` match ids case-insensitively.
const SELF_CONTAINED: &str = r#"{
  "runtimeTarget": {"name": ".NETCoreApp,Version=v8.0/linux-x64", "signature": ""},
  "compilationOptions": {},
  "targets": {
    ".NETCoreApp,Version=v8.0": {
      "Worker/1.0.0": {"dependencies": {"Serilog": "2.12.0"}, "runtime": {"Worker.dll": {}}},
      "Serilog/2.12.0": {"runtime": {"lib/net6.0/Serilog.dll": {}}}
    },
    ".NETCoreApp,Version=v8.0/linux-x64": {
      "Worker/1.0.0": {
        "dependencies": {"Serilog.Sinks.Console": "4.1.0", "runtimepack.Microsoft.NETCore.App.Runtime.linux-x64": "8.0.0"},
        "runtime": {"Worker.dll": {}}
      },
      "runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.0": {"runtime": {"System.Private.CoreLib.dll": {}}},
      "Serilog/2.12.0": {"runtime": {"lib/net6.0/Serilog.dll": {}}},
      "Serilog.Sinks.Console/4.1.0": {"dependencies": {"serilog": "2.12.0"}},
      "Legacy.Interop/1.0.0.0": {}
    }
  },
  "libraries": {
    "Worker/1.0.0": {"type": "project", "serviceable": false, "sha512": ""},
    "runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.0": {"type": "runtimepack", "serviceable": false, "sha512": ""},
    "Serilog/2.12.0": {"type": "package", "serviceable": true, "sha512": "sha512-AAAA", "path": "serilog/2.12.0", "hashPath": "serilog.2.12.0.nupkg.sha512"},
    "Serilog.Sinks.Console/4.1.0": {"type": "package", "serviceable": true, "sha512": "sha512-BBBB", "path": "serilog.sinks.console/4.1.0", "hashPath": "serilog.sinks.console.4.1.0.nupkg.sha512"},
    "Legacy.Interop/1.0.0.0": {"type": "reference", "serviceable": false, "sha512": ""}
  }
}"#;

/// Validates the runtime target's edges win over the portable target's, and that only
/// `package` libraries are packages.
#[test]
fn runtime_specific_target() {
    let a = DotNet
        .analyze(&files(&[(
            "srv/worker/Worker.deps.json",
            SELF_CONTAINED.as_bytes(),
        )]))
        .unwrap();
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(
        rows(&a),
        [
            row("Serilog", "2.12.0", &[], Some(false)),
            row("Serilog.Sinks.Console", "4.1.0", &["Serilog"], Some(true)),
        ]
    );
}

/// Validates that a file without `runtimeTarget` takes the edges of every target, and
/// without projects marks nothing as top-level.
#[test]
fn no_runtime_target_no_projects() {
    let doc = r#"{"targets": {"a": {"A/1.0.0": {"dependencies": {"B": "2.0.0"}}},
                               "b": {"B/2.0.0": {"dependencies": {"C": "3.0.0"}}}},
                  "libraries": {"A/1.0.0": {"type": "package"}, "B/2.0.0": {"type": "Package"},
                                "C/3.0.0": {"type": "package"}}}"#;
    let a = DotNet
        .analyze(&files(&[("x.deps.json", doc.as_bytes())]))
        .unwrap();
    assert_eq!(
        rows(&a),
        [
            row("A", "1.0.0", &["B"], None),
            row("B", "2.0.0", &["C"], None),
            row("C", "3.0.0", &[], None),
        ]
    );
}

/// Validates the file names read, and near misses.
#[test]
fn wants_deps_json() {
    for p in [
        "app/ShopApi.deps.json",
        "ShopApi.deps.json",
        "usr/share/dotnet/shared/Microsoft.NETCore.App/6.0.25/Microsoft.NETCore.App.deps.json",
        "var/lib/dpkg/info/dotnet-runtime-6.0.list",
    ] {
        assert!(DotNet.wants(p), "{p}");
    }
    for p in [
        ".deps.json",
        "app/.deps.json",
        "app/ShopApi.runtimeconfig.json",
        "app/ShopApi.deps.json.bak",
        "app/deps.json",
    ] {
        assert!(!DotNet.wants(p), "{p}");
    }
    assert_eq!(DotNet.max_size_of("app/x.deps.json"), MAX_DEPS_JSON_SIZE);
    assert_eq!(
        DotNet.max_size_of("var/lib/dpkg/info/x.list"),
        super::owned::max_size_of("var/lib/dpkg/info/x.list")
    );
}

/// Validates that a deps.json an OS package owns (a distribution's runtime) is skipped.
#[test]
fn owned_deps_json_is_the_os_packages() {
    let runtime =
        "usr/lib/dotnet/shared/Microsoft.NETCore.App/6.0.25/Microsoft.NETCore.App.deps.json";
    let doc = r#"{"libraries": {"System.Thing/1.0.0": {"type": "package"}}}"#;
    let list = format!("/usr/lib/dotnet\n/{runtime}\n");
    let a = DotNet
        .analyze(&files(&[
            (runtime, doc.as_bytes()),
            ("app/App.deps.json", doc.as_bytes()),
            ("var/lib/dpkg/info/dotnet-runtime-6.0.list", list.as_bytes()),
        ]))
        .unwrap();
    let paths: Vec<&str> = a.packages.iter().map(|p| p.db_path.as_str()).collect();
    assert_eq!(paths, ["app/App.deps.json"]);
}

/// Validates that bad input is a warning naming the file, never a panic: not JSON, not a
/// deps.json, bad library keys, deep nesting, wrong value types.
#[test]
fn bad_input_is_a_warning() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let cases: Vec<(&str, String, usize)> = vec![
        ("a/bad.deps.json", "{not json".into(), 1),
        ("a/array.deps.json", "[1, 2]".into(), 1),
        ("a/deep.deps.json", deep, 1),
        (
            "a/keys.deps.json",
            r#"{"libraries": {"NoVersion": {"type": "package"}, "/1.0": {"type": "package"},
                "A/1.0/x": {"type": "package"}, "Ok/1.0.0": {"type": "package"}},
                "targets": {"t": [], "u": {"Ok/1.0.0": {"dependencies": ["x"]}}},
                "runtimeTarget": {"name": 7}}"#
                .into(),
            3,
        ),
    ];
    for (path, doc, warnings) in cases {
        let a = DotNet.analyze(&files(&[(path, doc.as_bytes())])).unwrap();
        assert_eq!(a.warnings.len(), warnings, "{path}: {:?}", a.warnings);
        assert!(
            a.warnings
                .iter()
                .all(|w| w.starts_with(&format!("/{path}: "))),
            "{:?}",
            a.warnings
        );
        if path == "a/keys.deps.json" {
            assert_eq!(rows(&a), [row("Ok", "1.0.0", &[], None)]);
        } else {
            assert!(a.packages.is_empty());
        }
    }
}

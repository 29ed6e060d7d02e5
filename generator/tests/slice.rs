//! Slices every operation of the real Friendli spec (and of each version under `history/`)
//! and checks the invariants an API reference page relies on. The checks here are written
//! independently of the slicer's own walk, as a second opinion.
//!
//! The spec is found as every real-spec test finds it (`common::real_spec`), the history
//! specs from `FRIENDLI_OPENAPI_HISTORY` or the shared checkout beside the repository.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use friendli_codegen::slice::{SliceCache, Slices, slice_operation};
use serde_json::Value;

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Keys whose values are data, not OpenAPI structure: nothing under them is checked.
const LITERAL_KEYS: [&str; 5] = ["example", "default", "const", "enum", "value"];

/// The real spec must be there: a missing spec fails the tests rather than skipping them.
fn require(path: &std::path::Path) {
    assert!(
        path.exists(),
        "no spec at {} (set FRIENDLI_OPENAPI)",
        path.display()
    );
}

fn spec_path() -> PathBuf {
    common::real_spec()
}

/// The current spec followed by every history spec, oldest first.
fn spec_files() -> Vec<PathBuf> {
    std::iter::once(spec_path())
        .chain(common::history_specs())
        .collect()
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    yaml_serde::from_str::<Value>(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in HTTP_METHODS {
            if item.get(method).is_some() {
                ops.push((path.clone(), method.to_owned()));
            }
        }
    }
    ops
}

/// Calls `visit(key, value)` for every object member outside literal values.
fn walk_structure(value: &Value, visit: &mut dyn FnMut(&str, &Value)) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| walk_structure(item, visit)),
        Value::Object(object) => {
            for (key, child) in object {
                visit(key, child);
                let literal =
                    LITERAL_KEYS.contains(&key.as_str()) || (key == "examples" && child.is_array());
                if !literal {
                    walk_structure(child, visit);
                }
            }
        }
        _ => {}
    }
}

/// Every `$ref` and every `discriminator.mapping` reference under `value`.
fn references(value: &Value) -> Vec<String> {
    let mut refs = Vec::new();
    walk_structure(value, &mut |key, child| match (key, child) {
        ("$ref", Value::String(r)) => refs.push(r.clone()),
        ("mapping", Value::Object(m)) => refs.extend(
            m.values()
                .filter_map(Value::as_str)
                .filter(|r| r.starts_with('#'))
                .map(str::to_owned),
        ),
        _ => {}
    });
    refs
}

/// Security scheme names used by every `security` list under `value`.
fn security_names(value: &Value) -> Vec<String> {
    let mut names = Vec::new();
    walk_structure(value, &mut |key, child| {
        if key == "security" {
            for requirement in child.as_array().into_iter().flatten() {
                names.extend(
                    requirement
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(k, _)| k.clone()),
                );
            }
        }
    });
    names
}

fn component_of(reference: &str) -> (String, String) {
    let mut tokens = reference.trim_start_matches("#/components/").split('/');
    let kind = tokens.next().unwrap_or_default().to_owned();
    let name = tokens
        .next()
        .unwrap_or_default()
        .replace("~1", "/")
        .replace("~0", "~");
    (kind, name)
}

/// (1) every reference resolves inside the slice.
fn check_references_resolve(slice: &Value, op: &str) {
    for reference in references(slice) {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{op}: external {reference}"));
        assert!(
            slice.pointer(pointer).is_some(),
            "{op}: {reference} does not resolve in the slice"
        );
    }
}

/// (2) every component is reachable from `paths` or from a `security` list.
fn check_no_unreferenced_components(slice: &Value, op: &str) {
    let mut reached: BTreeSet<(String, String)> = security_names(slice)
        .into_iter()
        .map(|name| ("securitySchemes".to_owned(), name))
        .collect();
    let mut frontier = references(&slice["paths"]);
    while let Some(reference) = frontier.pop() {
        let (kind, name) = component_of(&reference);
        if let Some(component) = slice["components"][&kind].get(&name)
            && reached.insert((kind, name))
        {
            frontier.extend(references(component));
        }
    }
    for (kind, entries) in slice
        .get("components")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for name in entries.as_object().expect("component map").keys() {
            let id = (kind.clone(), name.clone());
            assert!(
                reached.contains(&id),
                "{op}: components/{kind}/{name} is unreferenced"
            );
        }
    }
}

/// (4) no extension keys outside literal values.
fn check_no_extensions(slice: &Value, op: &str) {
    walk_structure(slice, &mut |key, _| {
        assert!(!key.starts_with("x-"), "{op}: `{key}` kept")
    });
}

/// (5) the top-level keys come in the order of the reference pages.
fn check_key_order(doc: &Value, slice: &Value, op: &str) {
    let keys: Vec<&str> = slice
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec!["openapi", "info", "servers"];
    if doc.get("security").is_some() {
        expected.push("security");
    }
    expected.extend(["tags", "paths"]);
    if slice.get("components").is_some() {
        expected.push("components");
    }
    assert_eq!(keys, expected, "{op}");
}

struct Summary {
    operations: usize,
    largest: (usize, String),
}

fn check_spec(file: &Path) -> Summary {
    let doc = load(file);
    let ops = operations(&doc);
    let mut largest = (0, String::new());
    // One cache for every operation, as the docs use it; backwards, so that components are
    // first cleaned for other operations than in the spec's order.
    let cache = SliceCache::default();
    let shared = Slices::new(&doc, &cache);
    for (path, method) in ops.iter().rev() {
        let op = format!("{}: {method} {path}", file.display());
        let cached = shared
            .slice_operation(path, method)
            .unwrap_or_else(|e| panic!("{op}: {e}"));
        let fresh = slice_operation(&doc, path, method).unwrap_or_else(|e| panic!("{op}: {e}"));
        assert_eq!(shared.check_operation(path, method), Ok(()), "{op}");
        assert_eq!(
            cached.to_string(),
            fresh.to_string(),
            "{op}: components reused from other operations changed the slice"
        );
    }
    for (path, method) in &ops {
        let op = format!("{}: {method} {path}", file.display());
        let slice = slice_operation(&doc, path, method).unwrap_or_else(|e| panic!("{op}: {e}"));
        assert_eq!(slice["paths"].as_object().unwrap().len(), 1, "{op}");
        let item = &slice["paths"][path.as_str()];
        let methods: Vec<&str> = HTTP_METHODS
            .into_iter()
            .filter(|m| item.get(*m).is_some())
            .collect();
        assert_eq!(methods, [method.as_str()], "{op}");
        check_references_resolve(&slice, &op);
        check_no_unreferenced_components(&slice, &op);
        let again = slice_operation(&slice, path, method).unwrap_or_else(|e| panic!("{op}: {e}"));
        assert_eq!(
            again.to_string(),
            slice.to_string(),
            "{op}: slicing the slice changed it"
        );
        check_no_extensions(&slice, &op);
        check_key_order(&doc, &slice, &op);

        let size = slice["components"].as_object().map_or(0, |c| {
            c.values()
                .filter_map(Value::as_object)
                .map(|m| m.len())
                .sum()
        });
        if size > largest.0 {
            largest = (size, format!("{method} {path}"));
        }
    }
    Summary {
        operations: ops.len(),
        largest,
    }
}

#[test]
fn every_operation_of_every_spec_version_slices_cleanly() {
    let files = spec_files();
    require(&files[0]);
    for file in &files {
        let summary = check_spec(file);
        assert!(summary.operations > 0, "{}: no operations", file.display());
        eprintln!(
            "{}: {} operations sliced; largest slice: {} components ({})",
            file.display(),
            summary.operations,
            summary.largest.0,
            summary.largest.1
        );
    }
}

/// The two operations the seed reference pages show keep what those pages keep.
#[test]
fn image_generation_slices_match_the_reference_pages() {
    let path = spec_path();
    require(&path);
    let doc = load(&path);
    let dedicated = slice_operation(&doc, "/dedicated/v1/images/generations", "post").unwrap();
    let operation = &dedicated["paths"]["/dedicated/v1/images/generations"]["post"];
    assert_eq!(operation["operationId"], "dedicatedImagesGenerate");
    assert_eq!(operation["security"], serde_json::json!([{"token": []}]));
    assert_eq!(operation["parameters"][0]["name"], "X-Friendli-Team");
    assert!(dedicated["components"]["securitySchemes"]["token"].is_object());
    assert_eq!(
        dedicated["tags"],
        serde_json::json!([{"name": "Dedicated.Image"}])
    );
    assert!(dedicated["components"]["schemas"]["DedicatedImageGenerationBody"].is_object());

    let container = slice_operation(&doc, "/v1/images/generations", "post").unwrap();
    assert_eq!(
        container["paths"]["/v1/images/generations"]["post"]["operationId"],
        "containerImagesGenerate"
    );
    assert!(container["components"].get("securitySchemes").is_none());
}

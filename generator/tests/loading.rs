//! Loading keeps everything: `const`, `examples`, `type: 'null'` members, `default`, `format`,
//! `discriminator.mapping`, `additionalProperties` and `x-` extensions survive into the
//! document, and the IR carries what it needs of them.

mod common;

use friendli_codegen::ir::{TypeKind, TypeRef};
use friendli_codegen::spec::SpecDocument;
use serde_json::json;

fn load(name: &str) -> SpecDocument {
    SpecDocument::from_path(&common::fixture(name)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_keyword_survives_loading() {
    let enums = load("enums.yaml");
    let nullable = load("nullable.yaml");
    let discriminator = load("discriminator.yaml");
    let additional = load("additional_properties.yaml");
    let formats = load("formats.yaml");
    let operations = load("operations.yaml");

    let find = |doc: &SpecDocument, key: &str| -> Vec<serde_json::Value> {
        fn walk(v: &serde_json::Value, key: &str, out: &mut Vec<serde_json::Value>) {
            match v {
                serde_json::Value::Object(m) => {
                    if let Some(found) = m.get(key) {
                        out.push(found.clone());
                    }
                    m.values().for_each(|c| walk(c, key, out));
                }
                serde_json::Value::Array(a) => a.iter().for_each(|c| walk(c, key, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&doc.root, key, &mut out);
        out
    };
    assert!(!find(&enums, "const").is_empty(), "const lost");
    assert!(
        find(&nullable, "examples").iter().any(|e| e.is_array()),
        "examples lost"
    );
    assert!(
        find(&nullable, "anyOf").iter().any(|members| members
            .as_array()
            .unwrap()
            .contains(&json!({"type": "null"}))),
        "null member lost"
    );
    assert!(!find(&nullable, "default").is_empty(), "default lost");
    assert!(
        find(&formats, "format").contains(&json!("binary"))
            && find(&formats, "format").contains(&json!("date-time"))
    );
    assert!(
        find(&discriminator, "mapping")
            .iter()
            .any(|m| m.as_object().is_some_and(|m| m.len() >= 2)),
        "mapping lost"
    );
    assert!(!find(&additional, "additionalProperties").is_empty());
    assert_eq!(
        find(&operations, "x-speakeasy-sse-sentinel"),
        vec![json!("[DONE]")]
    );
    assert!(
        !find(&operations, "x-mint").is_empty()
            && !find(&operations, "x-speakeasy-ignore").is_empty()
    );
}

#[test]
fn ir_keeps_examples_defaults_and_nullability() {
    let generator = friendli_codegen::Generator::from_path(&common::real_spec())
        .unwrap_or_else(|e| panic!("{e}"));
    let api = generator.api();
    let image_input = api
        .types
        .iter()
        .find(|t| t.name == "ImageInput")
        .expect("ImageInput");
    let TypeKind::Struct(s) = &image_input.kind else {
        panic!("ImageInput is a struct")
    };
    // The field openapiv3 silently loses.
    assert_eq!(s.fields[0].wire_name, "image");
    assert_eq!(
        s.fields[0].examples.len(),
        2,
        "ImageInput.image keeps its examples"
    );

    let body = api
        .types
        .iter()
        .find(|t| t.name == "DedicatedImageGenerationBody")
        .expect("body");
    let TypeKind::Struct(s) = &body.kind else {
        panic!()
    };
    let seed = s.fields.iter().find(|f| f.wire_name == "seed").unwrap();
    assert!(!seed.required && seed.nullable && seed.ty == TypeRef::Integer { bits: 64 });
    let model = s.fields.iter().find(|f| f.wire_name == "model").unwrap();
    assert!(model.required && !model.nullable);
}

#[test]
fn json_specs_load_too() {
    let yaml = std::fs::read_to_string(common::fixture("enums.yaml")).unwrap();
    let value: serde_json::Value = yaml_serde::from_str(&yaml).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("enums.json");
    std::fs::write(&path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    let from_json = friendli_codegen::Generator::from_path(&path).unwrap_or_else(|e| panic!("{e}"));
    let from_yaml = friendli_codegen::Generator::from_path(&common::fixture("enums.yaml")).unwrap();
    assert_eq!(from_json.api().types, from_yaml.api().types);
}

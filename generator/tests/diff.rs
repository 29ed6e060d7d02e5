//! The change report: targeted spec edits and the class each must get, and snapshots of the
//! reports between consecutive real specs (each history spec, then the pinned one).

mod common;

use std::path::Path;

use friendli_codegen::Generator;
use friendli_codegen::diff::{Class, Report, Semver, diff, render_markdown};

const BASE: &str = r#"
openapi: 3.1.0
info: {title: Diff fixture, version: 1.0.0}
servers: [{url: "https://api.example.com"}]
paths:
  /v1/things/{thing_id}:
    post:
      tags: [Shop.Thing]
      operationId: createThing
      x-speakeasy-name-override: create
      parameters:
        - {name: thing_id, in: path, required: true, schema: {type: string}}
        - {name: dry_run, in: query, required: false, schema: {type: boolean}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Thing'}
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    Thing:
      type: object
      required: [name]
      properties:
        name: {type: string}
        size: {type: integer}
        color: {$ref: '#/components/schemas/Color'}
    Color:
      type: string
      enum: [red, green]
"#;

fn api(source: &str) -> Generator {
    Generator::from_source(Path::new("fixture.yaml"), source.to_owned())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The report from the base spec to the base spec with `from` replaced by `to`.
fn report_for(from: &str, to: &str) -> Report {
    assert!(BASE.contains(from), "{from}");
    let changed = BASE.replacen(from, to, 1);
    diff(api(BASE).api(), api(&changed).api())
}

/// `(class, kind)` of every change that is not just documentation.
fn classes(report: &Report) -> Vec<(Class, &'static str)> {
    report
        .changes
        .iter()
        .filter(|c| c.kind != "docs-changed")
        .map(|c| (c.class, c.kind))
        .collect()
}

#[test]
fn identical_specs_have_no_changes() {
    let report = diff(api(BASE).api(), api(BASE).api());
    assert!(report.changes.is_empty(), "{:?}", report.changes);
    assert_eq!(report.semver, Semver::None);
}

#[test]
fn a_new_required_body_field_is_a_new_positional_argument() {
    let report = report_for(
        "required: [name]\n      properties:\n        name: {type: string}",
        "required: [name, owner]\n      properties:\n        name: {type: string}\n        owner: {type: string}",
    );
    assert_eq!(
        classes(&report),
        vec![
            (Class::Breaking, "argument-added"),
            (Class::Breaking, "field-added-required"),
        ]
    );
    assert_eq!(report.semver, Semver::Major);
    assert!(
        report.changes[0]
            .summary
            .plain()
            .contains("`client.shop().thing().create(thing_id, name, owner)`"),
        "{}",
        report.changes[0].summary.plain()
    );
}

#[test]
fn a_new_optional_field_is_a_setter_and_an_additive_field() {
    let report = report_for(
        "size: {type: integer}",
        "size: {type: integer}\n        note: {type: string}",
    );
    assert_eq!(
        classes(&report),
        vec![
            (Class::Additive, "setter-added"),
            (Class::Additive, "field-added"),
        ]
    );
    assert_eq!(report.semver, Semver::Minor);
    let note = report.changes[1].note.as_ref().unwrap().plain();
    assert!(note.contains("struct literal"), "{note}");
}

#[test]
fn optional_to_required_moves_a_setter_into_the_arguments() {
    let report = report_for("required: [name]", "required: [name, size]");
    assert_eq!(
        classes(&report),
        vec![
            (Class::Breaking, "argument-now-required"),
            (Class::Breaking, "field-type-changed"),
        ]
    );
    let field = report.changes[1].summary.plain();
    assert!(field.contains("`i64` instead of `Option<i64>`"), "{field}");
}

#[test]
fn nullable_changes_the_rust_type_of_an_optional_field() {
    let report = report_for(
        "size: {type: integer}",
        "size: {anyOf: [{type: integer}, {type: 'null'}]}",
    );
    let kinds = classes(&report);
    assert!(
        kinds.contains(&(Class::Breaking, "field-type-changed")),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(Class::Additive, "setter-added")),
        "{kinds:?}"
    );
}

#[test]
fn enum_values_added_are_additive_and_removed_are_breaking() {
    let added = report_for("enum: [red, green]", "enum: [red, green, blue]");
    assert_eq!(classes(&added), vec![(Class::Additive, "enum-value-added")]);
    let note = added.changes[0].note.as_ref().unwrap().plain();
    assert!(note.contains("`Color::Unknown(..)`"), "{note}");
    let removed = report_for("enum: [red, green]", "enum: [red]");
    assert_eq!(
        classes(&removed),
        vec![(Class::Breaking, "enum-value-removed")]
    );
}

#[test]
fn operations_added_removed_renamed_and_moved() {
    let renamed = report_for(
        "x-speakeasy-name-override: create",
        "x-speakeasy-name-override: make",
    );
    assert_eq!(
        classes(&renamed),
        vec![(Class::Breaking, "operation-renamed")]
    );
    let moved = report_for("/v1/things/{thing_id}:", "/v2/things/{thing_id}:");
    assert_eq!(classes(&moved), vec![(Class::DocsOnly, "route-changed")]);
    assert_eq!(moved.semver, Semver::Patch);
    let removed = report_for(
        "operationId: createThing",
        "operationId: createThing\n      x-speakeasy-ignore: true",
    );
    // The only operation of its family: the family's Cargo feature goes too.
    assert_eq!(
        classes(&removed),
        vec![
            (Class::Breaking, "operation-removed"),
            (Class::Breaking, "feature-removed")
        ]
    );
    let response = report_for(
        "application/json:\n              schema: {$ref: '#/components/schemas/Thing'}",
        "application/json:\n              schema: {type: string}",
    );
    assert_eq!(
        classes(&response),
        vec![(Class::Breaking, "response-type-changed")]
    );
}

#[test]
fn a_query_parameter_becoming_required_breaks_callers() {
    let report = report_for(
        "{name: dry_run, in: query, required: false",
        "{name: dry_run, in: query, required: true",
    );
    assert_eq!(
        classes(&report),
        vec![(Class::Breaking, "argument-now-required")]
    );
}

#[test]
fn spec_text_stays_inside_code_spans() {
    let report = report_for("enum: [red, green]", "enum: [red, green, '# x` [y](z) |']");
    let md = render_markdown(&report, 2);
    assert!(md.contains("``# x` [y](z) |``"), "{md}");
    assert!(!md.lines().any(|l| l.starts_with("# x")), "{md}");
}

/// Every consecutive pair of the history specs and the pinned spec.
#[test]
fn reports_between_consecutive_real_specs() {
    let mut specs = common::history_specs();
    specs.push(common::real_spec());
    let generators: Vec<Generator> = specs
        .iter()
        .map(|p| Generator::from_path(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect();
    let name = |p: &Path| -> String {
        if p == common::real_spec() {
            "pinned".into()
        } else {
            p.file_stem().unwrap().to_string_lossy().into_owned()
        }
    };
    for (i, pair) in generators.windows(2).enumerate() {
        let report = diff(pair[0].api(), pair[1].api());
        let title = format!("{} -> {}", name(&specs[i]), name(&specs[i + 1]));
        insta::assert_snapshot!(format!("report_{i}"), render_markdown(&report, 2), &title);
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(
            json["changes"].as_array().unwrap().len(),
            report.changes.len()
        );
    }
}

#[test]
fn probes_use_the_old_crate_as_its_docs_show() {
    let old = api(BASE);
    let changed = BASE.replacen(
        "required: [name]\n      properties:\n        name: {type: string}",
        "required: [name, owner]\n      properties:\n        name: {type: string}\n        owner: {type: string}",
        1,
    );
    let report = diff(old.api(), api(&changed).api());
    let (made, skipped) = friendli_codegen::diff::probes(old.api(), &report);
    assert!(skipped.is_empty());
    let call = &made[0];
    assert!(call.expect_failure);
    assert!(
        call.code
            .contains("let _ = client.shop().thing().create(v::<String>(), v::<String>());"),
        "{}",
        call.code
    );
    let constructor = &made[1];
    assert!(
        constructor.code.contains("Thing::new(v::<String>())"),
        "{}",
        constructor.code
    );
    // Nothing else changed: one program uses the old enum and the whole old call.
    let (items, unchanged) = friendli_codegen::diff::unchanged_probe(old.api(), &report);
    assert_eq!(items, 1, "{unchanged}");
    assert!(unchanged.contains("Color::Red => 1,"), "{unchanged}");
}

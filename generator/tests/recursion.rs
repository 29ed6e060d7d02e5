//! Recursive schemas: the ordinary ones generate (with every value builder ending), the ones no
//! finite JSON value satisfies are located errors, never a stack overflow or a hang.

use friendli_codegen::Generator;

/// A one-operation spec whose body is `Root`, with `schemas` as its components.
fn spec(schemas: &str) -> String {
    format!(
        r#"openapi: 3.1.0
info:
  title: Recursion
  version: 0.1.0
servers:
  - url: https://api.example.com
paths:
  /v1/things:
    post:
      tags:
        - Fixture.Thing
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Root'
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Root'
components:
  schemas:
{schemas}"#
    )
}

fn generate(schemas: &str) -> Result<usize, String> {
    let generator = Generator::from_source("recursion.yaml".as_ref(), spec(schemas))
        .map_err(|e| e.to_string())?;
    let files = generator.crate_files().map_err(|e| e.to_string())?;
    Ok(files.files.len())
}

fn error(schemas: &str) -> String {
    match generate(schemas) {
        Ok(_) => panic!("expected an error for:\n{schemas}"),
        Err(text) => text,
    }
}

#[test]
fn required_self_reference_through_a_property_is_a_located_error() {
    let text = error(
        r#"
    Root:
      type: object
      properties:
        name: {type: string}
        child: {$ref: '#/components/schemas/Root'}
      required: [name, child]
"#,
    );
    assert!(
        text.contains("recursion.yaml:29 (at #/components/schemas/Root)")
            && text.contains("`child`")
            && text.contains("1 error(s)"),
        "{text}"
    );
}

#[test]
fn only_the_cycle_is_reported_not_every_schema_that_holds_it() {
    let text = error(
        r#"
    Root:
      type: object
      properties:
        a: {$ref: '#/components/schemas/A'}
      required: [a]
    A:
      type: object
      properties:
        b: {$ref: '#/components/schemas/B'}
      required: [b]
    B:
      type: object
      properties:
        a: {$ref: '#/components/schemas/A'}
      required: [a]
"#,
    );
    assert!(
        text.contains("#/components/schemas/A)")
            && text.contains("#/components/schemas/B)")
            && !text.contains("#/components/schemas/Root)")
            && text.contains("2 error(s)"),
        "{text}"
    );
}

#[test]
fn a_union_that_lists_itself_is_a_located_error() {
    let text = error(
        r#"
    Root:
      oneOf:
        - $ref: '#/components/schemas/Root'
        - type: object
          properties:
            leaf: {type: string}
"#,
    );
    assert!(
        text.contains("(at #/components/schemas/Root)") && text.contains("lists itself"),
        "{text}"
    );
}

#[test]
fn unions_that_contain_each_other_are_a_located_error() {
    let text = error(
        r#"
    Root:
      anyOf:
        - $ref: '#/components/schemas/Other'
        - type: string
    Other:
      anyOf:
        - $ref: '#/components/schemas/Root'
        - type: integer
"#,
    );
    assert!(
        text.contains("(at #/components/schemas/Root)")
            && text.contains("(at #/components/schemas/Other)")
            && text.contains("contain each other"),
        "{text}"
    );
}

#[test]
fn a_required_chain_deeper_than_the_limit_is_one_located_error() {
    let mut schemas = String::from(
        "    Root:\n      type: object\n      properties:\n        next: {$ref: '#/components/schemas/S0'}\n      required: [next]\n",
    );
    for i in 0..100 {
        schemas.push_str(&format!(
            "    S{i}:\n      type: object\n      properties:\n        next: {{$ref: '#/components/schemas/S{}'}}\n      required: [next]\n",
            i + 1
        ));
    }
    schemas.push_str("    S100:\n      type: string\n");
    let text = error(&schemas);
    assert!(
        text.contains("nests more than 64 levels") && text.contains("1 error(s)"),
        "{text}"
    );
}

/// Recursion that can end, through properties, items, union members and `allOf`, with
/// examples: the crate, its docs and its tests are all built.
#[test]
fn recursion_that_can_end_generates() {
    let files = generate(
        r#"
    Root:
      type: object
      properties:
        name: {type: string}
        children:
          type: array
          items: {$ref: '#/components/schemas/Root'}
        parent: {$ref: '#/components/schemas/Root'}
        either:
          oneOf:
            - $ref: '#/components/schemas/Root'
            - type: string
        maybe:
          anyOf:
            - $ref: '#/components/schemas/Root'
            - type: 'null'
        linked:
          allOf:
            - $ref: '#/components/schemas/Root'
      required: [name, children, either, maybe]
      example:
        name: a
        children: [{name: b, children: [], either: x, maybe: null}]
        either: {name: c, children: [], either: y, maybe: null}
        maybe: null
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(files > 10);
}

/// Five required recursive fields that end only through a union member: value builders that
/// follow the first member at every level would build 5^12 values.
#[test]
fn wide_recursion_stays_small() {
    let mut properties = String::new();
    for i in 0..5 {
        properties.push_str(&format!(
            "        f{i}:\n          oneOf:\n            - $ref: '#/components/schemas/Root'\n            - type: integer\n"
        ));
    }
    let schemas = format!(
        "    Root:\n      type: object\n      properties:\n{properties}      required: [f0, f1, f2, f3, f4]\n"
    );
    generate(&schemas).unwrap_or_else(|e| panic!("{e}"));
}

/// `next: allOf: [Root, {…}]` merges the component it sits in: the inline type refers to
/// itself instead of being defined again at every level.
#[test]
fn an_inline_all_of_that_merges_its_own_component_generates() {
    generate(
        r#"
    Root:
      type: object
      properties:
        value: {type: integer}
        next:
          allOf:
            - $ref: '#/components/schemas/Root'
            - type: object
              properties:
                note: {type: string}
      required: [value]
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_ref_cycle_through_a_non_component_schema_is_a_located_error() {
    let text = error(
        r#"
    Root:
      type: object
      properties:
        x:
          type: array
          items: {$ref: '#/components/schemas/Root/properties/x'}
"#,
    );
    assert!(
        text.contains("(at #/components/schemas/Root/properties/x")
            && text.contains("nest more than 64"),
        "{text}"
    );
}

#[test]
fn components_that_are_references_to_each_other_are_one_error_each() {
    let text = error(
        r#"
    Root:
      $ref: '#/components/schemas/Other'
    Other:
      $ref: '#/components/schemas/Root'
"#,
    );
    assert!(
        text.contains("(at #/components/schemas/Root): this schema is only a reference to `Other`")
            && text.matches("(at #/components/schemas/Root)").count() == 1
            && text.matches("(at #/components/schemas/Other)").count() == 1,
        "{text}"
    );
}

/// `X: allOf: [X, {…}]` adds nothing by naming itself; merged once, even when the member is
/// listed 200 times (merging it again at every level never ended).
#[test]
fn a_self_referential_all_of_merges_once() {
    let mut members = String::new();
    for _ in 0..200 {
        members.push_str("        - $ref: '#/components/schemas/Root'\n");
    }
    let schemas = format!(
        "    Root:\n      allOf:\n{members}        - type: object\n          properties:\n            name: {{type: string}}\n          required: [name]\n"
    );
    let generator = Generator::from_source("recursion.yaml".as_ref(), spec(&schemas))
        .unwrap_or_else(|e| panic!("{e}"));
    let ir = friendli_codegen::dump::ir_text(generator.api());
    assert!(
        ir.contains("field name (wire \"name\"): string required"),
        "{ir}"
    );
    generator.crate_files().unwrap_or_else(|e| panic!("{e}"));
}

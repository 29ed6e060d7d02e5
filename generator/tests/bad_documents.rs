//! Documents that are wrong in ways a weekly spec change can be wrong: each is refused with an
//! error at the place to fix (line and JSON pointer) saying what was expected, or generated
//! with a located warning; never a panic, a hang or an "internal" error.

use std::path::Path;

use friendli_codegen::Generator;

/// A small valid document; each case replaces one marker.
const BASE: &str = "openapi: 3.1.0
info: {title: T, version: '1'}
servers: [{url: 'https://api.example.com'}]
paths:
  PATH:
    post:
      operationId: doIt
      tags: [A]
PARAMS
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Body'}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Body'}}}}
SECURITY
components:
  schemas:
    Body:
      type: object
      properties:
        x: {type: string}
EXTRA
";

struct Case {
    name: &'static str,
    path: &'static str,
    params: &'static str,
    security: &'static str,
    extra: &'static str,
}

const DEFAULT: Case = Case {
    name: "",
    path: "/v1/x",
    params: "",
    security: "",
    extra: "",
};

fn outcome(case: &Case) -> Result<String, String> {
    let source = BASE
        .replace("PATH", case.path)
        .replace("PARAMS", case.params)
        .replace("SECURITY", case.security)
        .replace("EXTRA", case.extra);
    let path = format!("{}.yaml", case.name);
    match Generator::from_source(Path::new(&path), source) {
        Ok(generator) => {
            generator.crate_files().map_err(|e| e.to_string())?;
            Ok(generator.warnings().to_string())
        }
        Err(err) => Err(err.to_string()),
    }
}

/// Refused, with this line, pointer and words in the message.
fn refused(case: Case, line: usize, pointer: &str, words: &str) {
    let text = outcome(&case).expect_err(case.name);
    let location = format!("{}.yaml:{line} (at #{pointer})", case.name);
    assert!(
        text.contains(&location),
        "{}: expected {location} in\n{text}",
        case.name
    );
    assert!(
        text.contains(words),
        "{}: expected `{words}` in\n{text}",
        case.name
    );
    assert!(!text.contains("internal"), "{text}");
}

#[test]
fn malformed_path_templates_are_refused() {
    let open = Case {
        name: "open",
        path: "/v1/{{id",
        ..DEFAULT
    };
    refused(open, 5, "/paths/~1v1~1{{id", "a `{` without its `}`");
    let empty = Case {
        name: "empty",
        path: "/v1/{}/y",
        ..DEFAULT
    };
    refused(empty, 5, "/paths/~1v1~1{}~1y", "an empty `{}`");
    let undeclared = Case {
        name: "undeclared",
        path: "/v1/{undeclared}",
        ..DEFAULT
    };
    refused(
        undeclared,
        6,
        "/paths/~1v1~1{undeclared}/post",
        "declares no path parameter `undeclared`",
    );
    let unused = Case {
        name: "unused",
        params: "      parameters: [{name: id, in: path, required: true, schema: {type: string}}]",
        ..DEFAULT
    };
    refused(
        unused,
        9,
        "/paths/~1v1~1x/post/parameters/0",
        "does not appear in the path",
    );
}

#[test]
fn references_later_stages_follow_are_checked_in_lowering() {
    let security = Case {
        name: "security",
        security: "      security: [{nope: []}]",
        ..DEFAULT
    };
    refused(
        security,
        16,
        "/paths/~1v1~1x/post/security/0",
        "is not defined in `components.securitySchemes`",
    );
    let mapping = Case {
        name: "mapping",
        extra: "    U:\n      oneOf: [{$ref: '#/components/schemas/Body'}]\n      discriminator: {propertyName: x, mapping: {a: '#/components/schemas/Missing'}}\n",
        ..DEFAULT
    };
    refused(
        mapping,
        25,
        "/components/schemas/U/discriminator/mapping/a",
        "does not resolve",
    );
    let server = Case {
        name: "server",
        extra: "    S: {$ref: '#/servers/0/url'}\n",
        ..DEFAULT
    };
    refused(server, 23, "/components/schemas/S/$ref", "not a schema");
    let parameter = Case {
        name: "parameter",
        params: "      parameters: [{$ref: '#/info'}]",
        ..DEFAULT
    };
    refused(
        parameter,
        9,
        "/paths/~1v1~1x/post/parameters/0/$ref",
        "not a parameter",
    );
}

#[test]
fn schemas_that_describe_no_value_are_refused() {
    let empty_one_of = Case {
        name: "one_of",
        extra: "    E: {oneOf: []}\n",
        ..DEFAULT
    };
    refused(
        empty_one_of,
        23,
        "/components/schemas/E/oneOf",
        "`oneOf` is empty",
    );
    let empty_type = Case {
        name: "type",
        extra: "    E: {type: []}\n",
        ..DEFAULT
    };
    refused(empty_type, 23, "/components/schemas/E/type", "empty array");
    let alias_loop = Case {
        name: "alias",
        extra: "    L1: {$ref: '#/components/schemas/L2'}\n    L2: {$ref: '#/components/schemas/L1'}\n",
        ..DEFAULT
    };
    refused(
        alias_loop,
        23,
        "/components/schemas/L1",
        "which leads back here",
    );
    let self_all_of = Case {
        name: "self_all_of",
        extra: "    A: {allOf: [{$ref: '#/components/schemas/A'}]}\n",
        ..DEFAULT
    };
    refused(
        self_all_of,
        23,
        "/components/schemas/A",
        "which leads back here",
    );
    let option_loop = Case {
        name: "option_loop",
        extra: "    N: {anyOf: [{$ref: '#/components/schemas/N'}, {type: 'null'}]}\n",
        ..DEFAULT
    };
    refused(
        option_loop,
        23,
        "/components/schemas/N",
        "which leads back here",
    );
}

#[test]
fn conflicting_all_of_parts_are_reported() {
    let conflict = Case {
        name: "conflict",
        extra: "    C:\n      allOf:\n        - {type: object, properties: {a: {type: string}}}\n        - {type: object, properties: {a: {type: integer}}}\n",
        ..DEFAULT
    };
    let warnings = outcome(&conflict).expect("generates");
    assert!(
        warnings.contains("conflict.yaml:26 (at #/components/schemas/C/allOf/1/properties/a)")
            && warnings.contains("`string` in an earlier `allOf` part and `integer` here"),
        "{warnings}"
    );
}

#[test]
fn hostile_documents_are_refused_quickly_and_located() {
    let deep = format!(
        "openapi: 3.1.0\nx: {}{}\n",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    let err = Generator::from_source(Path::new("deep.yaml"), deep)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("deep.yaml:2") && err.contains("nested deeper than 64"),
        "{err}"
    );
    let duplicate = "openapi: 3.1.0\ninfo:\n  title: a\n  title: b\npaths: {}\n".to_owned();
    let err = Generator::from_source(Path::new("dup.yaml"), duplicate)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("dup.yaml:3") && err.contains("duplicate key `title`"),
        "{err}"
    );
    let huge = format!(
        "openapi: 3.1.0\ninfo:\n  title: T\n  version: '1'\n  description: {}\npaths: {{}}\n",
        "x".repeat(300 * 1024)
    );
    let err = Generator::from_source(Path::new("huge.yaml"), huge)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("huge.yaml:5 (at #/info/description)") && err.contains("longer than 256 KiB"),
        "{err}"
    );
}

#[test]
fn a_long_chain_of_errors_is_listed_with_a_count() {
    let chain: String = (0..3000)
        .map(|i| format!("    C{i}: {{$ref: '#/components/schemas/Missing{i}'}}\n"))
        .collect();
    let case = Case {
        name: "chain",
        extra: Box::leak(chain.into_boxed_str()),
        ..DEFAULT
    };
    let text = outcome(&case).expect_err("chain");
    assert!(text.lines().count() < 110, "{} lines", text.lines().count());
    assert!(
        text.contains("more not listed") && text.contains("3000 error(s)"),
        "{}",
        &text[text.len() - 300..]
    );
}

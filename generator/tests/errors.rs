//! Bad input gives a clear error (file, line, JSON pointer, what was expected), several per
//! run, never a panic; and a failed run leaves the output directory untouched.

mod common;

use friendli_codegen::Generator;

fn error_text(name: &str) -> String {
    match Generator::from_path(&common::fixture(&format!("bad/{name}"))) {
        Ok(_) => panic!("{name} should not generate"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn wrong_version_is_caught_first() {
    let text = error_text("wrong_version.yaml");
    assert!(
        text.contains("wrong_version.yaml:2")
            && text.contains("#/swagger")
            && text.contains("expected OpenAPI 3.1"),
        "{text}"
    );
}

#[test]
fn dangling_ref_names_line_and_pointer() {
    let text = error_text("dangling_ref.yaml");
    assert!(text.contains("dangling_ref.yaml:36"), "{text}");
    assert!(
        text.contains("#/components/schemas/Thing/properties/owner/$ref"),
        "{text}"
    );
    assert!(text.contains("does not resolve"), "{text}");
}

#[test]
fn unknown_type_says_what_was_expected() {
    let text = error_text("bad_type.yaml");
    assert!(
        text.contains("bad_type.yaml:33")
            && text.contains("`strnig`")
            && text.contains("expected one of string"),
        "{text}"
    );
}

#[test]
fn yaml_syntax_error_has_a_line() {
    let text = error_text("not_yaml.yaml");
    assert!(
        text.contains("not_yaml.yaml:13") && text.contains("invalid YAML"),
        "{text}"
    );
}

#[test]
fn several_errors_are_reported_in_one_run() {
    let text = error_text("multiple_errors.yaml");
    assert!(text.contains("3 error(s)"), "{text}");
    for needle in [
        ":22 ",
        ":39 ",
        ":41 ",
        "#/components/schemas/Missing",
        "#/components/schemas/AlsoMissing",
        "`required`",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn json_without_paths_is_an_error() {
    let text = error_text("missing_paths.json");
    assert!(
        text.contains("missing_paths.json") && text.contains("no `paths`"),
        "{text}"
    );
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    let err = Generator::from_path("/nonexistent/openapi.yaml".as_ref())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("/nonexistent/openapi.yaml") && err.contains("cannot read"),
        "{err}"
    );
}

/// Cut the real spec at many points and damage it in others: every result is a value or an
/// error, never a panic.
#[test]
fn truncated_and_damaged_specs_never_panic() {
    let source = std::fs::read_to_string(common::real_spec()).unwrap();
    let path = std::path::Path::new("damaged.yaml");
    let len = source.len();
    for i in 1..40 {
        let mut cut = len * i / 40;
        while !source.is_char_boundary(cut) {
            cut -= 1;
        }
        let _ = Generator::from_source(path, source[..cut].to_owned());
    }
    for (from, to) in [
        ("type: string", "type: 7"),
        (
            "$ref: '#/components/schemas/",
            "$ref: '#/components/schemas/X",
        ),
        ("required:", "required: 3\n  x:"),
        ("properties:", "properties: []\n  y:"),
        ("anyOf:", "anyOf: 5\n  z:"),
        ("items:", "items: true\n  w:"),
    ] {
        let _ = Generator::from_source(path, source.replacen(from, to, 25));
    }
}

#[test]
fn failed_generation_leaves_the_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("crate");
    Generator::from_path(&common::fixture("enums.yaml"))
        .unwrap()
        .write_crate(&out)
        .unwrap();
    let before = std::fs::read_to_string(out.join("src/lib.rs")).unwrap();
    assert!(Generator::from_path(&common::fixture("bad/multiple_errors.yaml")).is_err());
    assert_eq!(
        std::fs::read_to_string(out.join("src/lib.rs")).unwrap(),
        before
    );
    let staging: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        staging.len(),
        1,
        "no staging directory left behind: {staging:?}"
    );
}

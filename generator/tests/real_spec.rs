//! The whole real spec: counts, determinism, naming decisions a peer got wrong, and the
//! freshness of the checked-in `generated/friendli` (the CI check as a test).

mod common;

use friendli_codegen::Generator;
use friendli_codegen::ir::{NameOrigin, TypeKind, TypeRef};

fn generator() -> Generator {
    Generator::from_path(&common::real_spec()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn whole_spec_is_lowered() {
    let g = generator();
    let api = g.api();
    let components = api
        .types
        .iter()
        .filter(|t| matches!(t.origin, NameOrigin::Component(_)))
        .count();
    assert_eq!(components, 333);
    assert_eq!(api.operations.len(), 84);
    assert_eq!(api.operations.iter().filter(|o| !o.ignored).count(), 79);
    assert!(!g.warnings().has_errors());
    let names: std::collections::HashSet<&str> =
        api.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names.len(),
        api.types.len(),
        "every Rust type name is unique"
    );
}

/// Files are made in parallel: one worker and four must give the same bytes, and warnings
/// (located by another thread) the same lines.
#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let g = generator();
                (g.crate_files().unwrap(), g.warnings().to_string())
            })
    };
    let (one, one_warnings) = run(1);
    let (four, four_warnings) = run(4);
    assert_eq!(one.files.len(), four.files.len());
    for (path, text) in &one.files {
        assert!(four.files.get(path) == Some(text), "{path} differs");
    }
    assert_eq!(one_warnings, four_warnings);
    let g = generator();
    assert!(!g.warnings().items.is_empty());
    for d in &g.warnings().items {
        assert!(d.line.is_some(), "a warning without its line: {d:?}");
    }
}

#[test]
fn generation_is_deterministic() {
    let a = generator().crate_files().unwrap();
    let b = generator().crate_files().unwrap();
    assert_eq!(a, b);
    let sha = generator().spec().sha256.clone();
    for (path, text) in &a.files {
        let first = text.lines().next().unwrap_or_default();
        assert!(
            first.contains("@generated") && first.contains(sha.as_str()),
            "{path} lacks the @generated header"
        );
    }
    let longest = a
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".rs"))
        .map(|(p, t)| (t.lines().count(), p))
        .max()
        .unwrap();
    assert!(
        longest.0 < 2000,
        "no generated module over 2k lines: {longest:?}"
    );
}

#[test]
fn inline_role_enums_are_not_merged() {
    let g = generator();
    let api = g.api();
    let role_of = |message: &str| {
        let def = api.types.iter().find(|t| t.name == message).unwrap();
        let TypeKind::Struct(s) = &def.kind else {
            panic!("{message} is a struct")
        };
        match s
            .fields
            .iter()
            .find(|f| f.wire_name == "role")
            .map(|f| f.ty.clone())
        {
            Some(TypeRef::Named(id)) => api.types[id.0].clone(),
            // The role is the union's tag, so the struct need not hold it.
            _ => return None,
        }
        .into()
    };
    let roles: Vec<_> = ["SystemMessage", "UserMessage", "ToolMessage"]
        .iter()
        .filter_map(|m| role_of(m))
        .collect();
    let names: std::collections::HashSet<_> = roles.iter().map(|r| r.name.clone()).collect();
    assert_eq!(
        names.len(),
        roles.len(),
        "each message keeps its own role type: {names:?}"
    );
}

#[test]
fn inline_response_format_does_not_clash_with_the_component() {
    let g = generator();
    let api = g.api();
    let component = api
        .types
        .iter()
        .find(|t| t.origin == NameOrigin::Component("ResponseFormat".into()))
        .unwrap();
    assert_eq!(component.name, "ResponseFormat");
    assert!(matches!(component.kind, TypeKind::TaggedUnion(_)));
    let inline = api
        .types
        .iter()
        .position(|t| t.name == "DedicatedImageGenerationBodyResponseFormat")
        .unwrap();
    // It may be an alias of the same inline enum of another image body, never of the component.
    let inline = match friendli_codegen::ir::through_aliases(
        &TypeRef::Named(friendli_codegen::ir::TypeId(inline)),
        &api.types,
    ) {
        TypeRef::Named(id) => &api.types[id.0],
        other => panic!("{other:?}"),
    };
    assert!(
        matches!(inline.kind, TypeKind::Enum(_)) && inline.origin == NameOrigin::Inline,
        "the image body's inline response_format is its own enum: {inline:?}"
    );
}

#[test]
fn multi_tag_discriminator_maps_several_tags_to_one_variant() {
    let g = generator();
    let def = g
        .api()
        .types
        .iter()
        .find(|t| t.name == "MessagesContentBlock")
        .unwrap();
    let TypeKind::TaggedUnion(u) = &def.kind else {
        panic!("MessagesContentBlock is tagged")
    };
    let compat = u
        .variants
        .iter()
        .find(|v| v.tags.len() > 1)
        .expect("a multi-tag variant");
    assert!(compat.tags.contains(&"document".to_owned()) && compat.tag_in_struct);
}

#[test]
fn untagged_unions_try_the_right_variant_first() {
    let g = generator();
    let api = g.api();
    let def = api
        .types
        .iter()
        .find(|t| t.name == "ImageGenerationDedicatedResultData")
        .unwrap();
    let TypeKind::UntaggedUnion(u) = &def.kind else {
        panic!()
    };
    assert_eq!(u.variants.len(), 2);
}

#[test]
fn history_specs_all_lower() {
    for spec in common::history_specs() {
        let g = Generator::from_path(&spec).unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
        assert!(g.api().operations.len() > 50, "{}", spec.display());
        g.crate_files()
            .unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
    }
}

/// The CI freshness check, as a test: `generated/friendli` is what the pinned spec produces.
#[test]
fn generated_crate_is_fresh() {
    let staleness = generator()
        .with_crate_version(&common::lock().crate_version)
        .check_crate(&common::workspace().join("generated/friendli"))
        .unwrap();
    assert!(
        staleness.is_fresh(),
        "generated/friendli is stale: run `cargo xtask regenerate` and commit.\n{staleness:?}"
    );
}

/// Every operation whose JSON body schema (or a variant of its union) declares a `stream`
/// property pins it to how the response is read: `true` for the `#stream` twins. Read from the
/// spec itself, not from the plan that decides the pinning.
#[test]
fn stream_twins_send_stream_true() {
    let doc = friendli_codegen::spec::SpecDocument::from_path(&common::real_spec()).unwrap();
    let g = generator();
    let files = g.crate_files().expect("the crate emits");
    let squeeze = |text: &str| text.split_whitespace().collect::<String>();
    let mut checked = 0;
    for op in g.api().operations.iter().filter(|o| !o.ignored) {
        let pointer = format!(
            "/paths/{}/{}/requestBody/content/application~1json/schema",
            friendli_codegen::spec::escape_token(&op.path_key),
            op.method.as_str().to_ascii_lowercase()
        );
        let Some(schema) = doc.root.pointer(&pointer) else {
            continue;
        };
        if !declares_stream(&doc.root, schema, 0) {
            continue;
        }
        let streams = op.path_key.ends_with("#stream");
        let file = squeeze(&files.files[&format!("src/operations/{}.rs", op.module)]);
        let pinned = [
            format!("encode_with_stream_flag(body,{streams})"),
            format!("body.stream=Some({streams});"),
            format!("body.stream=crate::OptionalNullable::Value({streams});"),
        ];
        assert!(
            pinned.iter().any(|p| file.contains(p)),
            "{} must send `stream: {streams}`: {file}",
            op.operation_id
        );
        checked += usize::from(streams);
    }
    assert!(checked >= 12, "only {checked} streaming operations checked");
}

fn declares_stream(root: &serde_json::Value, schema: &serde_json::Value, depth: usize) -> bool {
    if depth > 8 {
        return false;
    }
    if let Some(reference) = schema.get("$ref").and_then(|r| r.as_str()) {
        return root
            .pointer(reference.trim_start_matches('#'))
            .is_some_and(|target| declares_stream(root, target, depth + 1));
    }
    schema.pointer("/properties/stream").is_some()
        || ["anyOf", "oneOf", "allOf"].iter().any(|key| {
            schema
                .get(key)
                .and_then(|v| v.as_array())
                .is_some_and(|variants| {
                    variants.iter().any(|v| declares_stream(root, v, depth + 1))
                })
        })
}

/// The body each generated end-to-end test sends (the spec's example, else the sample, with the
/// `stream` flag pinned as the client pins it) is valid against the operation's request schema
/// in the spec, checked by a JSON Schema validator rather than by our own types.
#[test]
fn every_end_to_end_request_body_is_valid_against_the_spec() {
    let doc = friendli_codegen::spec::SpecDocument::from_path(&common::real_spec()).unwrap();
    let g = generator();
    let api = g.api();
    let base = "urn:spec";
    let registry = jsonschema::Registry::new()
        .draft(jsonschema::Draft::Draft202012)
        .add(base, &doc.root)
        .and_then(|builder| builder.prepare())
        .expect("the spec is a schema registry");
    let mut checked = 0;
    let mut failures = Vec::new();
    for op in api.operations.iter().filter(|o| !o.ignored) {
        let Some(body) = op.body.as_ref() else {
            continue;
        };
        if body.content_type != friendli_codegen::ir::BodyKind::Json {
            continue;
        }
        let mut sent = body
            .example
            .clone()
            .unwrap_or_else(|| friendli_codegen::plan::sample::sample(&body.ty, &api.types, 0));
        friendli_codegen::plan::inputs::pin_stream_flag(op, &api.types, &mut sent);
        let pointer = format!(
            "/paths/{}/{}/requestBody/content/application~1json/schema",
            friendli_codegen::spec::escape_token(&op.path_key),
            op.method.as_str().to_ascii_lowercase()
        );
        let fragment: String = pointer
            .chars()
            .map(|c| match c {
                '{' => "%7B".to_owned(),
                '}' => "%7D".to_owned(),
                '#' => "%23".to_owned(),
                c => c.to_string(),
            })
            .collect();
        let schema = serde_json::json!({ "$ref": format!("{base}#{fragment}") });
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .with_registry(&registry)
            .build(&schema)
            .unwrap_or_else(|e| panic!("{}: {e}", op.operation_id));
        if let Err(err) = validator.validate(&sent) {
            failures.push(format!(
                "{}: {err} at `{}` in {sent}",
                op.operation_id,
                err.instance_path()
            ));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 40, "only {checked} JSON bodies checked");
}

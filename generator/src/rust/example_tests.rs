//! A unit-test module for the generated crate: every example the spec gives (schema, property,
//! request body and response examples) must decode into its generated type and encode back to
//! an equal JSON value. Emitted from the spec, so a spec bump re-checks every new example.

use proc_macro2::TokenStream;
use quote::quote;

use super::models::ModelContext;
use crate::ir::*;
use crate::rust_syntax::{field_type_in, type_tokens_in};

struct Case {
    pointer: String,
    ty: TypeRef,
    field: Option<TokenStream>,
    example: serde_json::Value,
}

fn contains_file(ty: &TypeRef, types: &[TypeDef]) -> bool {
    match ty {
        TypeRef::File => true,
        TypeRef::Array(t) | TypeRef::Map(t) | TypeRef::Nullable(t) => contains_file(t, types),
        TypeRef::Named(id) => match &types[id.0].kind {
            TypeKind::Struct(s) => s.fields.iter().any(|f| f.ty == TypeRef::File),
            // A streaming twin's body is an alias of the JSON body (bounded: aliases of
            // aliases end, lowering refuses reference-only cycles).
            TypeKind::Alias(target @ TypeRef::Named(_)) => contains_file(target, types),
            _ => false,
        },
        _ => false,
    }
}

/// The tag of the tagged union that `id` is a variant of, when the union (not the struct)
/// writes it.
fn tag_written_by_union(api: &Api, id: TypeId) -> Option<&str> {
    api.types.iter().find_map(|def| match &def.kind {
        TypeKind::TaggedUnion(u) => u
            .variants
            .iter()
            .any(|v| v.ty == id && !v.tag_in_struct)
            .then_some(u.tag.as_str()),
        _ => None,
    })
}

/// `tests/spec_examples.rs`: a test of the public models, so it lives outside `src/`; `root` is
/// the crate's name in paths (`friendli`).
pub(crate) fn example_tests(api: &Api, cx: &ModelContext<'_>, root: &TokenStream) -> TokenStream {
    let mut cases: Vec<Case> = Vec::new();
    for (i, def) in api.types.iter().enumerate() {
        let tag = tag_written_by_union(api, TypeId(i));
        for example in &def.examples {
            let mut example = example.clone();
            // A variant struct's own example carries the tag, which only its union writes.
            if let (Some(tag), Some(object)) = (tag, example.as_object_mut()) {
                object.remove(tag);
            }
            cases.push(Case {
                pointer: def.pointer.clone(),
                ty: TypeRef::Named(TypeId(i)),
                field: None,
                example,
            });
        }
        if let TypeKind::Struct(s) = &def.kind {
            for f in &s.fields {
                for example in &f.examples {
                    cases.push(Case {
                        pointer: format!("{}/properties/{}", def.pointer, f.wire_name),
                        ty: f.ty.clone(),
                        field: Some(field_type_in(f, cx.types, root)),
                        example: example.clone(),
                    });
                }
            }
        }
    }
    for op in &api.operations {
        if let Some(body) = &op.body
            && let Some(example) = &body.example
        {
            cases.push(Case {
                pointer: format!("{}/requestBody", op.pointer),
                ty: body.ty.clone(),
                field: None,
                example: example.clone(),
            });
        }
        if let Response::Json {
            ty,
            example: Some(example),
            ..
        } = &op.response
        {
            cases.push(Case {
                pointer: format!("{}/responses", op.pointer),
                ty: ty.clone(),
                field: None,
                example: example.clone(),
            });
        }
    }
    cases.retain(|c| !contains_file(&c.ty, &api.types));
    let count = cases.len();
    if count == 0 {
        return quote! {
            //! Every example in the spec decodes into its generated type and encodes back unchanged.
            #[test]
            fn spec_examples_round_trip() {
                ::std::println!("0 spec examples checked: the spec gives none");
            }
        };
    }
    let checks = cases.iter().map(|case| {
        let ty = case
            .field
            .clone()
            .unwrap_or_else(|| type_tokens_in(&case.ty, &api.types, root));
        let pointer = &case.pointer;
        let json = case.example.to_string();
        quote!(check::<#ty>(&mut failures, #pointer, #json);)
    });
    quote! {
        //! Every example in the spec decodes into its generated type and encodes back unchanged.
        #![allow(clippy::too_many_lines)]

        fn check<T: ::serde::de::DeserializeOwned + ::serde::Serialize>(failures: &mut Vec<String>, pointer: &str, json: &str) {
            let original: ::serde_json::Value = ::serde_json::from_str(json).expect("examples are emitted as valid JSON");
            let decoded: T = match ::serde_path_to_error::deserialize(&original) {
                Ok(decoded) => decoded,
                Err(err) => {
                    failures.push(::std::format!("{pointer}: does not decode at `{}`: {}", err.path(), err.inner()));
                    return;
                }
            };
            match ::serde_json::to_value(&decoded) {
                Ok(encoded) if #root::runtime::testing::json_equivalent(&encoded, &original) => {}
                Ok(encoded) => failures.push(::std::format!("{pointer}: round trip changed the value:\n  spec:    {original}\n  encoded: {encoded}")),
                Err(err) => failures.push(::std::format!("{pointer}: does not encode: {err}")),
            }
        }

        #[test]
        fn spec_examples_round_trip() {
            let mut failures = Vec::new();
            #(#checks)*
            ::std::println!("{} spec examples checked, {} failed", #count, failures.len());
            assert!(failures.is_empty(), "{}", failures.join("\n"));
        }
    }
}

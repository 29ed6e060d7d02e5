//! An `ir::Api` as a user of the generated crate sees it: each operation's call
//! (`client.serverless().chat().complete(model, messages)`), its positional arguments and
//! setters with their Rust types, what `send()` returns; each model's fields as Rust fields,
//! its `::new(..)` arguments and whether it implements `Default`. Types are printed from the
//! emitter's own token streams, so the comparison sees exactly what the crate declares.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::config::Config;
use crate::ir::*;
use crate::plan::filled_by_default;
use crate::rust::client::{input_value_type_in, response_type_in};
use crate::rust_syntax::{field_type_in, type_tokens_in};

pub(crate) struct ApiView<'a> {
    pub api: &'a Api,
    pub operations: Vec<OperationView<'a>>,
    pub types: Vec<TypeView<'a>>,
    /// API families (top-level resources), which are the crate's Cargo features.
    pub families: Vec<String>,
    /// `ErrorBody` variants.
    pub error_variants: Vec<String>,
}

pub(crate) struct OperationView<'a> {
    pub op: &'a Operation,
    /// `client.serverless().chat().complete`.
    pub call: String,
    pub family: String,
    /// `docs/sdks/.../README.md#anchor`.
    pub link: Option<String>,
    pub positional: Vec<Arg>,
    /// Setter name → its argument type; `_null` setters appear as their own entries.
    pub setters: BTreeMap<String, String>,
    /// What `send()` returns.
    pub response: String,
    /// Status → typed error body.
    pub errors: BTreeMap<String, String>,
    pub server: String,
    /// A `#stream` twin of another operation (same URL, streaming response).
    pub streaming_twin: bool,
}

#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Arg {
    pub name: String,
    pub ty: String,
}

pub(crate) struct TypeView<'a> {
    pub def: &'a TypeDef,
    pub link: String,
    pub default_impl: bool,
    pub fields: Vec<FieldView<'a>>,
    /// Arguments of `::new(..)` (structs only).
    pub constructor: Vec<Arg>,
    /// Families whose operations reach this type.
    pub families: BTreeSet<String>,
}

pub(crate) struct FieldView<'a> {
    /// `None` for the flattened `additional_properties` map.
    pub field: Option<&'a Field>,
    pub name: String,
    pub ty: String,
}

/// Rust type tokens as a user writes them: `Option<Vec<ChatMessage>>`, not
/// `::std::option::Option<::std::vec::Vec<crate::models::ChatMessage>>`.
pub(crate) fn rust_text(tokens: TokenStream) -> String {
    let text = match syn::parse2::<syn::File>(quote!(type T = #tokens;)) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    };
    let text = text
        .trim()
        .trim_start_matches("type T = ")
        .trim_end_matches(';')
        .to_owned();
    // Longest prefixes first: `crate::models::Foo` → `Foo` before `crate::X` → `X`.
    [
        ("::std::option::", ""),
        ("::std::string::", ""),
        ("::std::vec::", ""),
        ("::std::boxed::", ""),
        ("::std::collections::", ""),
        ("::serde_json::", "serde_json::"),
        ("::chrono::", "chrono::"),
        ("crate::models::", ""),
        ("crate::", ""),
    ]
    .iter()
    .fold(text, |text, (long, short)| text.replace(long, short))
}

impl<'a> ApiView<'a> {
    pub(crate) fn new(api: &'a Api) -> Self {
        // What the view reads from the plan (defaults, the resource tree) does not depend on
        // the crate's names, and its types are printed from the crate root (`crate::`) and
        // shortened, so the report reads the same whatever the package is called.
        let plan = crate::plan::plan(api, &Config::default());
        let defaultable = &plan.defaultable;
        let root = quote!(crate);
        let ty_text = |ty: &TypeRef| rust_text(type_tokens_in(ty, &api.types, &root));
        let links: BTreeMap<String, String> = crate::docs::sdk_pages::operation_links(&plan.tree)
            .into_iter()
            .collect();
        let generated: Vec<&'a Operation> = api.operations.iter().filter(|o| !o.ignored).collect();
        let operations: Vec<OperationView<'a>> = generated
            .iter()
            .map(|op| {
                let op: &'a Operation = op;
                let op_plan = plan.operation(op);
                let arg = |i: &crate::plan::Input<'_>| Arg {
                    name: i.setter.trim_start_matches("r#").to_owned(),
                    ty: rust_text(input_value_type_in(api, i, &root)),
                };
                let positional = op_plan.required_inputs().map(arg).collect();
                let mut setters = BTreeMap::new();
                for input in op_plan.setters() {
                    let Arg { name, ty } = arg(input);
                    if let Some(null_setter) = input.null_setter() {
                        setters.insert(null_setter, String::new());
                    }
                    setters.insert(name, ty);
                }
                if let crate::plan::BodyPlan::Model { id, .. } = op_plan.body {
                    setters.insert("body".into(), ty_text(&TypeRef::Named(id)));
                }
                let errors = op
                    .errors
                    .iter()
                    .filter_map(|e| Some((e.status.clone(), ty_text(e.ty.as_ref()?))))
                    .collect();
                let streaming_twin = op.path_key.contains('#')
                    && generated.iter().any(|o| {
                        o.path == op.path && o.method == op.method && !o.path_key.contains('#')
                    });
                OperationView {
                    op,
                    call: format!(
                        "{}.{}",
                        crate::docs::sdk_pages::namespace(&op.resource),
                        op.method_name.trim_start_matches("r#")
                    ),
                    family: op.resource[0].clone(),
                    link: links.get(&op.operation_id).cloned(),
                    positional,
                    setters,
                    response: rust_text(response_type_in(api, op, &root)),
                    errors,
                    server: op.server.clone().unwrap_or_else(|| api.server_url.clone()),
                    streaming_twin,
                }
            })
            .collect();
        let reach = &plan.type_families;
        let model_paths = crate::docs::model_paths(api);
        let types = api
            .types
            .iter()
            .enumerate()
            .map(|(i, def)| {
                let (fields, constructor) = match &def.kind {
                    TypeKind::Struct(s) => {
                        let mut fields: Vec<FieldView<'a>> = s
                            .fields
                            .iter()
                            .map(|f| FieldView {
                                field: Some(f),
                                name: f.rust_name.trim_start_matches("r#").to_owned(),
                                ty: rust_text(field_type_in(f, &api.types, &root)),
                            })
                            .collect();
                        let constructor = s
                            .fields
                            .iter()
                            .zip(&fields)
                            .filter(|(f, _)| !filled_by_default(&api.types, f))
                            .map(|(_, v)| Arg {
                                name: v.name.clone(),
                                ty: v.ty.clone(),
                            })
                            .collect();
                        if let Some(extra) = &s.additional {
                            fields.push(FieldView {
                                field: None,
                                name: "additional_properties".into(),
                                ty: format!("BTreeMap<String, {}>", ty_text(extra)),
                            });
                        }
                        (fields, constructor)
                    }
                    _ => (Vec::new(), Vec::new()),
                };
                TypeView {
                    def,
                    link: model_paths[i].clone(),
                    default_impl: match &def.kind {
                        TypeKind::Enum(e) => e.default.is_some(),
                        TypeKind::Struct(_) => defaultable[i],
                        _ => false,
                    },
                    fields,
                    constructor,
                    families: reach[i].clone(),
                }
            })
            .collect();
        Self {
            api,
            operations,
            types,
            families: plan.families.clone(),
            error_variants: plan
                .error_variants
                .iter()
                .map(|(_, name)| name.clone())
                .collect(),
        }
    }

    pub(crate) fn type_named(&self, name: &str) -> Option<&TypeView<'a>> {
        self.types.iter().find(|t| t.def.name == name)
    }

    /// A union's variants with the Rust type each holds (`Box<..>` when boxed); empty for
    /// other kinds.
    pub(crate) fn union_variants(&self, def: &TypeDef) -> Vec<(String, String)> {
        let boxed = |text: String, boxed: bool| if boxed { format!("Box<{text}>") } else { text };
        match &def.kind {
            TypeKind::TaggedUnion(u) => u
                .variants
                .iter()
                .map(|v| {
                    let text = self.type_text(&TypeRef::Named(v.ty));
                    (v.rust_name.clone(), boxed(text, v.boxed))
                })
                .collect(),
            TypeKind::UntaggedUnion(u) => u
                .variants
                .iter()
                .map(|v| (v.rust_name.clone(), boxed(self.type_text(&v.ty), v.boxed)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// `Foo` for a type reference, as the crate spells it.
    pub(crate) fn type_text(&self, ty: &TypeRef) -> String {
        rust_text(type_tokens_in(ty, &self.api.types, &quote!(crate)))
    }
}

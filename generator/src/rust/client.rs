//! The client's Rust types as the plan decides them (what a setter takes, what a builder
//! stores, what `send` returns), the resource handles (`client.dedicated().image()`), whose
//! methods make the request builders, and the typed error enum.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::doc_attrs;
use crate::ir::*;
use crate::lower::field_ident;
use crate::neutralise::inline_code;
use crate::plan::{
    BodyPlan, ClientPlan, Input, InputKind, OperationPlan, Presence, ResourceNode,
    filled_by_default, handle_name,
};
use crate::rust_syntax::{field_type as field_type_of, ident, type_tokens, type_tokens_in};

/// `value` in the field's own wrapper (`bool`, `Option` or `OptionalNullable`).
pub(crate) fn forced_value(f: &Field, value: bool) -> TokenStream {
    match Presence::of_field(f) {
        Presence::Required => quote!(#value),
        Presence::OptionalNullable => quote!(crate::OptionalNullable::Value(#value)),
        Presence::Optional | Presence::RequiredNullable => {
            quote!(Some(#value))
        }
    }
}

/// `#[allow(clippy::too_many_arguments)]` where a function takes more than clippy's seven.
pub(crate) fn too_many_arguments(count: usize) -> Option<TokenStream> {
    (count > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]))
}

/// The value type a setter or positional argument takes, before `.into()`.
pub(crate) fn input_value_type(plan: &ClientPlan<'_>, input: &Input<'_>) -> TokenStream {
    input_value_type_in(plan.api, input, &quote!(crate))
}

/// [`input_value_type`] for code outside the crate (`root` is the crate's name there).
pub(crate) fn input_value_type_in(api: &Api, input: &Input<'_>, root: &TokenStream) -> TokenStream {
    let types = &api.types;
    let ty = match &input.kind {
        InputKind::Param(p) => &p.ty,
        InputKind::Field(f) => &f.ty,
        InputKind::Body(b) => &b.ty,
    };
    let base = type_tokens_in(ty, types, root);
    if input.presence == Presence::RequiredNullable {
        quote!(Option<#base>)
    } else {
        base
    }
}

/// What the builder keeps as its body: the model, the whole body (`Option` when it is
/// optional), or `()`.
pub(crate) fn body_storage_type(plan: &ClientPlan<'_>, op: &OperationPlan<'_>) -> TokenStream {
    let types = &plan.api.types;
    match &op.body {
        BodyPlan::None => quote!(()),
        BodyPlan::Model { id, .. } => type_tokens(&TypeRef::Named(*id), types),
        BodyPlan::Whole { body, .. } => {
            let ty = type_tokens(&body.ty, types);
            if body.required {
                ty
            } else {
                quote!(Option<#ty>)
            }
        }
    }
}

/// The runtime's marker for how the response is read: `Json<T>`, `Events<T>`, `NoContent`.
pub(crate) fn response_kind(plan: &ClientPlan<'_>, op: &Operation) -> TokenStream {
    match &op.response {
        Response::Json { ty, .. } => {
            let ty = type_tokens(ty, &plan.api.types);
            quote!(crate::runtime::Json<#ty>)
        }
        Response::EventStream { ty, .. } => {
            let ty = type_tokens(ty, &plan.api.types);
            quote!(crate::runtime::Events<#ty>)
        }
        Response::Empty { .. } => quote!(crate::runtime::NoContent),
    }
}

/// What `send()` returns, for code outside the crate.
pub(crate) fn response_type_in(api: &Api, op: &Operation, root: &TokenStream) -> TokenStream {
    match &op.response {
        Response::Json { ty, .. } => type_tokens_in(ty, &api.types, root),
        Response::EventStream { ty, .. } => {
            let ty = type_tokens_in(ty, &api.types, root);
            quote!(#root::EventStream<#ty>)
        }
        Response::Empty { .. } => quote!(()),
    }
}

pub(crate) fn error_body_enum(plan: &ClientPlan<'_>) -> TokenStream {
    let variants = plan.error_variants.iter().map(|(ty, name)| {
        let variant = format_ident!("{}", name);
        let cfg = match ty {
            TypeRef::Named(id) => super::models::type_cfg(plan, *id),
            _ => None,
        };
        let ty = type_tokens(ty, &plan.api.types);
        quote!(#cfg #variant(#ty),)
    });
    quote! {
        /// Typed error bodies the spec declares for error responses; `ApiError::typed` holds
        /// one when the status and body match the declaration.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum ErrorBody {
            #(#variants)*
        }
    }
}

/// One top-level resource's module: its handle and the handles beneath it.
pub(crate) fn resource_file(
    plan: &ClientPlan<'_>,
    path: &[String],
    node: &ResourceNode<'_>,
) -> TokenStream {
    let mut items = Vec::new();
    collect_handles(plan, path.to_vec(), node, &mut items);
    quote!(#(#items)*)
}

fn collect_handles(
    plan: &ClientPlan<'_>,
    path: Vec<String>,
    node: &ResourceNode<'_>,
    items: &mut Vec<TokenStream>,
) {
    let name = format_ident!("{}", handle_name(&path));
    let doc = format!(" Operations of the `{}` resource.", path.join("."));
    let children = node.child_order.iter().map(|child| {
        let mut child_path = path.clone();
        child_path.push(child.clone());
        let child_type = format_ident!("{}", handle_name(&child_path));
        let method = ident(&field_ident(child));
        let doc = format!(" The `{}` operations.", child_path.join("."));
        quote! {
            #[doc = #doc]
            pub fn #method(&self) -> #child_type {
                #child_type { client: self.client.clone() }
            }
        }
    });
    let methods = node
        .operations
        .iter()
        .map(|op| operation_method(plan, plan.operation(op)));
    items.push(quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        pub struct #name {
            pub(crate) client: crate::Client,
        }
        impl #name {
            #(#children)*
            #(#methods)*
        }
    });
    for child in &node.child_order {
        let mut child_path = path.clone();
        child_path.push(child.clone());
        collect_handles(plan, child_path, &node.children[child], items);
    }
}

/// The resource method that starts a call: required inputs positional, the rest unset.
fn operation_method(plan: &ClientPlan<'_>, op: &OperationPlan<'_>) -> TokenStream {
    let o = op.op;
    let method = ident(&o.method_name);
    let module = format_ident!("{}", op.module);
    let builder = format_ident!("{}", op.builder);
    let params_type = format_ident!("{}", op.params_type);
    let required: Vec<&Input<'_>> = op.required_inputs().collect();
    let args = required.iter().map(|i| {
        let name = ident(&i.setter);
        let ty = input_value_type(plan, i);
        quote!(#name: impl Into<#ty>)
    });
    let param_inits = op.inputs.iter().filter_map(|i| {
        let InputKind::Param(_) = i.kind else {
            return None;
        };
        let name = ident(&i.setter);
        Some(if i.required() {
            quote!(#name: #name.into(),)
        } else {
            quote!(#name: None,)
        })
    });
    let body = body_init(plan, op);
    let mut doc_text = o.summary.clone().unwrap_or_default();
    if let Some(description) = &o.description {
        doc_text = format!("{doc_text}\n\n{description}");
    }
    let docs = doc_attrs(Some(doc_text.trim()).filter(|d| !d.is_empty()));
    let route = format!(
        " {} ({})",
        inline_code(&format!("{} {}", o.method.as_str(), o.path)),
        inline_code(&o.operation_id)
    );
    let allow = too_many_arguments(required.len() + 1);
    quote! {
        #docs
        ///
        #[doc = #route]
        #allow
        pub fn #method(&self, #(#args),*) -> crate::operations::#module::#builder {
            crate::runtime::Request::new(
                self.client.clone(),
                crate::operations::#module::#params_type { #(#param_inits)* },
                #body,
            )
        }
    }
}

/// The body a new builder starts with: required fields from the positional arguments, the
/// rest unset (or `Default`); the runtime then pins what the operation pins.
fn body_init(plan: &ClientPlan<'_>, op: &OperationPlan<'_>) -> TokenStream {
    let types = &plan.api.types;
    match &op.body {
        BodyPlan::None => quote!(()),
        BodyPlan::Whole { body, .. } => {
            if body.required {
                let arg = op
                    .inputs
                    .iter()
                    .find(|i| matches!(i.kind, InputKind::Body(_)))
                    .map(|i| ident(&i.setter))
                    .unwrap_or_else(|| format_ident!("body"));
                quote!(#arg.into())
            } else {
                quote!(None)
            }
        }
        BodyPlan::Model { id, model, .. } => {
            let body_ty = type_tokens(&TypeRef::Named(*id), types);
            let positional = |f: &Field| {
                op.inputs.iter().find(|i| {
                    i.required() && matches!(i.kind, InputKind::Field(g) if std::ptr::eq(g, f))
                })
            };
            let given: Vec<TokenStream> = model
                .fields
                .iter()
                .filter_map(|f| {
                    let input = positional(f)?;
                    let field = ident(&f.rust_name);
                    let arg = ident(&input.setter);
                    Some(if f.boxed {
                        quote!(#field: Box::new(#arg.into()),)
                    } else {
                        quote!(#field: #arg.into(),)
                    })
                })
                .collect();
            // The model's own `new` takes the same arguments in the same order when its
            // parameters (the fields it does not fill itself) are exactly the positional
            // arguments, each of the same type.
            let constructor: Vec<&Field> = model
                .fields
                .iter()
                .filter(|f| !filled_by_default(types, f))
                .collect();
            let new_args: Option<Vec<syn::Ident>> = (constructor.len() == given.len())
                .then(|| {
                    constructor
                        .iter()
                        .map(|f| {
                            let input = positional(f)?;
                            let same_type = !f.boxed
                                && input_value_type(plan, input).to_string()
                                    == field_type_of(f, types).to_string();
                            same_type.then(|| ident(&input.setter))
                        })
                        .collect()
                })
                .flatten();
            let all_given = given.len() == model.fields.len() && model.additional.is_none();
            if let Some(args) = new_args {
                quote!(#body_ty::new(#(#args),*))
            } else if all_given {
                quote!(#body_ty { #(#given)* })
            } else if plan.defaultable[id.0] {
                quote!(#body_ty { #(#given)* ..Default::default() })
            } else {
                let rest = model
                    .fields
                    .iter()
                    .filter(|f| positional(f).is_none())
                    .map(|f| {
                        let field = ident(&f.rust_name);
                        quote!(#field: Default::default(),)
                    });
                let additional = model
                    .additional
                    .as_ref()
                    .map(|_| quote!(additional_properties: Default::default(),));
                quote!(#body_ty { #(#given)* #(#rest)* #additional })
            }
        }
    }
}

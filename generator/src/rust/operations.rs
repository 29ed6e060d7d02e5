//! One module per operation: its parameter struct, the `runtime::Operation` impl (static
//! description, how parameters and body become a request) and the setters that are its own.
//! Everything calls share (options, `send*`, `body(..)`) is the runtime's `Request`; body
//! field setters are emitted once per model (`bodies.rs`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::client::{body_storage_type, forced_value, input_value_type, response_kind};
use super::docs::doc_attrs;
use crate::ir::*;
use crate::neutralise::{inline_code, one_line};
use crate::plan::{BodyPlan, ClientPlan, Input, InputKind, OperationPlan, StatusMatch};
use crate::rust_syntax::{ident, type_tokens};

/// The distinct security requirement lists, in order of first use; each operation's
/// description names one of them (`SECURITY_<n>` in `operations/mod.rs`).
pub(crate) fn security_lists<'p>(plan: &'p ClientPlan<'_>) -> Vec<&'p [SecurityRequirement]> {
    let mut lists: Vec<&[SecurityRequirement]> = Vec::new();
    for op in &plan.operations {
        let security = op.op.security.as_slice();
        if !security.is_empty() && !lists.contains(&security) {
            lists.push(security);
        }
    }
    lists
}

/// The `SECURITY_<n>` constants.
pub(crate) fn security_consts(plan: &ClientPlan<'_>) -> TokenStream {
    let consts = security_lists(plan)
        .into_iter()
        .enumerate()
        .map(|(n, list)| {
            let name = format_ident!("SECURITY_{}", n);
            let tokens = security_tokens(list);
            // Compiled with the families whose operations use it: no build has an unused one.
            let families = plan
                .operations
                .iter()
                .filter(|op| op.op.security.as_slice() == list)
                .map(|op| op.family.clone())
                .collect();
            let cfg = super::bodies::families_cfg(plan, &families);
            quote! {
                #cfg
                pub(crate) const #name: &[&[crate::runtime::SecurityScheme]] = #tokens;
            }
        });
    quote!(#(#consts)*)
}

pub(crate) fn operation_file(plan: &ClientPlan<'_>, op: &OperationPlan<'_>) -> TokenStream {
    let params_type = format_ident!("{}", op.params_type);
    let builder = format_ident!("{}", op.builder);
    let body_type = body_storage_type(plan, op);
    let kind = response_kind(plan, op.op);
    let builder_doc = format!(
        " Request builder for {}: {}",
        inline_code(&op.op.operation_id),
        one_line(op.op.summary.as_deref().unwrap_or(&op.op.operation_id))
    );
    let route_doc = format!(
        " {}",
        inline_code(&format!("{} {}", op.op.method.as_str(), op.op.path))
    );
    let params_doc = format!(
        " The parameters of {} (set them through [`{}`]).",
        inline_code(&op.op.operation_id),
        op.builder
    );
    let fields = op
        .inputs
        .iter()
        .filter(|i| matches!(i.kind, InputKind::Param(_)))
        .map(|i| {
            let name = ident(&i.setter);
            let ty = param_storage_type(plan, i);
            quote!(pub(crate) #name: #ty,)
        });
    let spec = operation_spec(plan, op);
    let parts = parts_fn(plan, op);
    let pin = pin_body_fn(op);
    let json_body = matches!(
        op.body,
        BodyPlan::Model {
            multipart: false,
            ..
        } | BodyPlan::Whole { .. }
    )
    .then(|| quote!(impl crate::runtime::JsonBody for #params_type {}));
    let setters: Vec<TokenStream> = op.own_setters().map(|i| own_setter(plan, i)).collect();
    let setters = (!setters.is_empty()).then(|| quote!(impl #builder { #(#setters)* }));
    let decode_error = decode_error_fn(plan, op);
    quote! {
        //! The request builder of one operation.

        #[doc = #builder_doc]
        ///
        #[doc = #route_doc]
        ///
        /// Required values were given when the builder was made; set optional ones with its
        /// setters, then call `send`.
        pub type #builder = crate::runtime::Request<#params_type, #body_type, #kind>;

        #[doc = #params_doc]
        #[derive(Debug, Clone)]
        pub struct #params_type {
            #(#fields)*
        }

        impl crate::runtime::Operation for #params_type {
            type Body = #body_type;
            const SPEC: &'static crate::runtime::OperationSpec = &#spec;
            #parts
            #pin
        }

        #json_body
        #setters
        #decode_error
    }
}

/// How the parameter struct stores a parameter.
fn param_storage_type(plan: &ClientPlan<'_>, input: &Input<'_>) -> TokenStream {
    let value = input_value_type(plan, input);
    if input.required() {
        value
    } else {
        quote!(Option<#value>)
    }
}

fn operation_spec(plan: &ClientPlan<'_>, op: &OperationPlan<'_>) -> TokenStream {
    let o = op.op;
    let op_id = &o.operation_id;
    let method = format_ident!(
        "{}",
        match o.method {
            HttpMethod::Get => "Get",
            HttpMethod::Post => "Post",
            HttpMethod::Put => "Put",
            HttpMethod::Patch => "Patch",
            HttpMethod::Delete => "Delete",
        }
    );
    let (server, global) = match &o.server {
        Some(server) => (server.clone(), false),
        None => (plan.api.server_url.clone(), true),
    };
    let sentinel = match &o.response {
        Response::EventStream {
            sentinel: Some(s), ..
        } => quote!(Some(#s)),
        _ => quote!(None),
    };
    let envelope = matches!(o.response, Response::EventStream { envelope: true, .. });
    let decode_error = if op.typed_errors.is_empty() {
        quote!(decode_error: crate::runtime::no_typed_error)
    } else {
        quote!(decode_error)
    };
    let path_template = &o.path;
    let security = match security_lists(plan)
        .iter()
        .position(|list| *list == o.security.as_slice())
    {
        Some(n) => {
            let name = format_ident!("SECURITY_{}", n);
            quote!(super::#name)
        }
        None => quote!(&[]),
    };
    let header_params = o
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Header)
        .map(|p| &p.wire_name);
    quote! {
        crate::runtime::OperationSpec {
            operation_id: #op_id,
            method: crate::runtime::HttpMethod::#method,
            default_server: #server,
            uses_global_server: #global,
            sse_sentinel: #sentinel,
            sse_envelope: #envelope,
            #decode_error,
            path_template: #path_template,
            security: #security,
            header_params: &[#(#header_params),*],
        }
    }
}

fn parts_fn(plan: &ClientPlan<'_>, op: &OperationPlan<'_>) -> TokenStream {
    let body_type = body_storage_type(plan, op);
    let path = path_expression(op.op, &op.inputs);
    let params = op.inputs.iter().filter_map(|i| match &i.kind {
        InputKind::Param(p) if p.location != ParamLocation::Path => {
            let name = ident(&i.setter);
            let wire = &p.wire_name;
            let value = param_value(plan, &p.ty, quote!(&self.#name));
            let target = match p.location {
                ParamLocation::Query => quote!(parts.query),
                _ => quote!(parts.headers),
            };
            Some(quote!(crate::runtime::ParamValue::append_to(#value, #wire, &mut #target);))
        }
        _ => None,
    });
    let body_expr = match &op.body {
        BodyPlan::None => quote!(),
        BodyPlan::Model {
            multipart: true,
            model,
            ..
        } => {
            let fields = model.fields.iter().map(|f| {
                let field = ident(&f.rust_name);
                let wire = &f.wire_name;
                match (f.ty == TypeRef::File, f.required) {
                    (true, true) => quote!(form = form.file(#wire, body.#field.clone());),
                    (true, false) => quote! {
                        if let Some(file) = &body.#field {
                            form = form.file(#wire, file.clone());
                        }
                    },
                    (false, _) => quote! {
                        form = crate::runtime::params::multipart_field(form, #wire, &body.#field)?;
                    },
                }
            });
            quote! {
                let mut form = crate::runtime::Multipart::new();
                #(#fields)*
                parts.body = crate::runtime::RequestBody::Multipart(form);
            }
        }
        BodyPlan::Whole {
            stream_flag: Some(flag),
            ..
        } => {
            quote!(parts.body = crate::runtime::RequestBody::encode_with_stream_flag(body, #flag)?;)
        }
        BodyPlan::Model { .. } | BodyPlan::Whole { .. } => {
            quote!(parts.body = crate::runtime::RequestBody::encode(body)?;)
        }
    };
    let has_more = op
        .op
        .parameters
        .iter()
        .any(|p| p.location != ParamLocation::Path)
        || !matches!(op.body, BodyPlan::None);
    let body_arg = if matches!(op.body, BodyPlan::None) {
        quote!(_body)
    } else {
        quote!(body)
    };
    let build = if has_more {
        quote! {
            let mut parts = crate::runtime::RequestParts::new(#path);
            #(#params)*
            #body_expr
            Ok(parts)
        }
    } else {
        quote!(Ok(crate::runtime::RequestParts::new(#path)))
    };
    quote! {
        fn parts(&self, #body_arg: &#body_type) -> Result<crate::runtime::RequestParts, crate::Error> {
            #build
        }
    }
}

fn pin_body_fn(op: &OperationPlan<'_>) -> Option<TokenStream> {
    let BodyPlan::Model {
        pinned: Some((field, flag)),
        ..
    } = &op.body
    else {
        return None;
    };
    let name = ident(&field.rust_name);
    let value = forced_value(field, *flag);
    Some(quote! {
        fn pin_body(body: &mut Self::Body) {
            body.#name = #value;
        }
    })
}

/// A setter of an optional parameter or of an optional whole body.
fn own_setter(plan: &ClientPlan<'_>, input: &Input<'_>) -> TokenStream {
    let name = ident(&input.setter);
    let ty = input_value_type(plan, input);
    match &input.kind {
        InputKind::Param(p) => {
            let docs = doc_attrs(p.docs.as_deref());
            quote! {
                #docs
                pub fn #name(mut self, value: impl Into<#ty>) -> Self {
                    self.params.#name = Some(value.into());
                    self
                }
            }
        }
        _ => quote! {
            /// The request body.
            pub fn #name(mut self, value: impl Into<#ty>) -> Self {
                self.body = Some(value.into());
                self
            }
        },
    }
}

fn decode_error_fn(plan: &ClientPlan<'_>, op: &OperationPlan<'_>) -> Option<TokenStream> {
    if op.typed_errors.is_empty() {
        return None;
    }
    let arms = op.typed_errors.iter().map(|e| {
        let pattern = match e.status {
            StatusMatch::Default => quote!(_),
            StatusMatch::Range(lo, hi) => quote!(#lo..=#hi),
            StatusMatch::Code(code) => quote!(#code),
        };
        let variant = format_ident!("{}", e.variant);
        let ty = type_tokens(&e.ty, &plan.api.types);
        quote!(#pattern => ::serde_json::from_slice::<#ty>(body).ok().map(crate::ErrorBody::#variant),)
    });
    let catch_all = (!op
        .typed_errors
        .iter()
        .any(|e| e.status == StatusMatch::Default))
    .then(|| quote!(_ => None,));
    let allow = (op.typed_errors.len() == 1 && catch_all.is_none())
        .then(|| quote!(#[allow(clippy::match_single_binding)]));
    Some(quote! {
        fn decode_error(status: u16, body: &[u8]) -> Option<crate::ErrorBody> {
            #allow
            match status {
                #(#arms)*
                #catch_all
            }
        }
    })
}

/// The operation's effective security as runtime data: alternatives of schemes applied together.
fn security_tokens(security: &[SecurityRequirement]) -> TokenStream {
    let requirements = security.iter().map(|requirement| {
        let schemes = requirement.iter().map(|scheme| {
            let name = &scheme.name;
            let kind = match &scheme.kind {
                SecurityKind::Http { scheme } => {
                    quote!(crate::runtime::SchemeKind::Http { scheme: #scheme })
                }
                SecurityKind::ApiKey { location, name } => match location {
                    ParamLocation::Query => {
                        quote!(crate::runtime::SchemeKind::ApiKeyQuery { name: #name })
                    }
                    _ => quote!(crate::runtime::SchemeKind::ApiKeyHeader { name: #name }),
                },
            };
            quote!(crate::runtime::SecurityScheme { name: #name, kind: #kind })
        });
        quote!(&[#(#schemes),*])
    });
    quote!(&[#(#requirements),*])
}

/// A parameter value as something implementing `ParamValue`.
fn param_value(plan: &ClientPlan<'_>, ty: &TypeRef, access: TokenStream) -> TokenStream {
    let scalar = |t: &TypeRef| match through_aliases(t, &plan.api.types) {
        TypeRef::Named(id) => matches!(plan.api.types[id.0].kind, TypeKind::Enum(_)),
        TypeRef::Array(inner) => !matches!(
            **inner,
            TypeRef::Named(_) | TypeRef::Array(_) | TypeRef::Map(_) | TypeRef::Tuple(_)
        ),
        TypeRef::Map(_) | TypeRef::Tuple(_) => false,
        _ => true,
    };
    if scalar(ty) {
        access
    } else {
        quote!(&crate::runtime::params::Json(#access))
    }
}

/// The path with `{param}`s replaced by percent-encoded values.
fn path_expression(op: &Operation, inputs: &[Input<'_>]) -> TokenStream {
    let mut format_string = String::new();
    let mut args = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        format_string.push_str(&rest[..start].replace('{', "{{").replace('}', "}}"));
        let name = &rest[start + 1..start + len];
        match inputs.iter().find(|i| matches!(&i.kind, InputKind::Param(p) if p.location == ParamLocation::Path && p.wire_name == name)) {
            Some(i) => {
                let field = ident(&i.setter);
                format_string.push_str("{}");
                args.push(quote!(crate::runtime::params::path_segment(&self.#field)));
            }
            None => format_string.push_str(&rest[start..start + len + 1].replace('{', "{{").replace('}', "}}")),
        }
        rest = &rest[start + len + 1..];
    }
    format_string.push_str(&rest.replace('{', "{{").replace('}', "}}"));
    if args.is_empty() {
        quote!(#format_string)
    } else {
        quote!(::std::format!(#format_string, #(#args),*))
    }
}

//! The client: resource handles from tags (`client.dedicated().image()`), one request builder
//! per operation (required parameters positional, optional ones chained), `send()` through the
//! runtime, typed error bodies, and the spec's defaults (server, retries).

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::doc_attrs;
use super::models::{ModelContext, field_type};
use super::types::{ident, type_tokens};
use crate::ir::*;
use crate::lower::{NameScope, field_ident};
use crate::neutralise::{inline_code, one_line};

/// Builder methods a field or parameter setter must not shadow.
const RESERVED: &[&str] = &[
    "send",
    "send_as",
    "send_with_body",
    "send_raw",
    "body",
    "options",
    "retries",
    "server_url",
    "timeout",
    "deadline",
    "header",
    "new",
    "parts",
];

pub(crate) fn builder_name(op: &Operation) -> String {
    format!("{}Request", op.module.to_upper_camel_case())
}

pub(crate) fn operation_module(op: &Operation) -> String {
    op.module.clone()
}

/// The struct a JSON or multipart body is made of, when its fields can be set one by one.
pub(crate) fn body_struct<'a>(
    op: &Operation,
    types: &'a [TypeDef],
) -> Option<(TypeId, &'a Struct)> {
    let body = op.body.as_ref()?;
    if !body.required {
        return None;
    }
    match &body.ty {
        TypeRef::Named(id) => match &types[id.0].kind {
            TypeKind::Struct(s) => Some((*id, s)),
            _ => None,
        },
        _ => None,
    }
}

/// A builder input: a parameter or a body field.
pub(crate) struct Input<'a> {
    pub setter: String,
    pub wire: &'a str,
    pub kind: InputKind<'a>,
}

pub(crate) enum InputKind<'a> {
    Param(&'a Parameter),
    Field(&'a Field),
    /// The whole body, positional (unions, arrays, optional bodies).
    Body(&'a RequestBody),
}

impl Input<'_> {
    pub fn required(&self) -> bool {
        match &self.kind {
            InputKind::Param(p) => p.required,
            InputKind::Field(f) => f.required,
            InputKind::Body(b) => b.required,
        }
    }
}

/// The value of a body's `stream` flag the builder pins, so it can never disagree with how the
/// operation reads its response: `true` for an event-stream twin, `false` for a JSON (or empty)
/// answer, where `stream: true` would make the server answer SSE that cannot be decoded. Such a
/// flag gets no setter, and replacing the whole body pins it again.
pub(crate) fn forced_stream_flag(op: &Operation, f: &Field) -> Option<bool> {
    (f.wire_name == "stream" && f.ty == TypeRef::Boolean)
        .then_some(matches!(op.response, Response::EventStream { .. }))
}

/// The `stream` flag pinned in a JSON body the caller passes whole (a union whose structs carry
/// the flag): set to `true` for an event-stream twin; for a JSON answer, set to `false` where
/// the caller's body has it (absent means not streaming).
fn whole_body_stream_flag(op: &Operation, types: &[TypeDef]) -> Option<bool> {
    let body = op.body.as_ref()?;
    if body.content_type != BodyKind::Json || body_struct(op, types).is_some() {
        return None;
    }
    let has_flag = |ty: &TypeRef| {
        matches!(ty, TypeRef::Named(id) if matches!(&types[id.0].kind, TypeKind::Struct(s)
            if s.fields.iter().any(|f| forced_stream_flag(op, f).is_some())))
    };
    let carries = match &body.ty {
        TypeRef::Named(id) => match &types[id.0].kind {
            TypeKind::UntaggedUnion(u) => u.variants.iter().any(|v| has_flag(&v.ty)),
            TypeKind::TaggedUnion(u) => u.variants.iter().any(|v| has_flag(&TypeRef::Named(v.ty))),
            TypeKind::Struct(_) => has_flag(&body.ty),
            _ => false,
        },
        _ => false,
    };
    carries.then_some(matches!(op.response, Response::EventStream { .. }))
}

/// Applies the builder's pinning of the `stream` flag to a JSON body the tests and docs expect
/// on the wire.
pub(crate) fn pin_stream_flag(op: &Operation, types: &[TypeDef], body: &mut serde_json::Value) {
    let serde_json::Value::Object(object) = body else {
        return;
    };
    if let Some((_, s)) = body_struct(op, types) {
        if let Some((f, flag)) = s
            .fields
            .iter()
            .find_map(|f| Some((f, forced_stream_flag(op, f)?)))
        {
            object.insert(f.wire_name.clone(), serde_json::Value::Bool(flag));
        }
    } else if let Some(flag) = whole_body_stream_flag(op, types)
        && (flag || object.contains_key("stream"))
    {
        object.insert("stream".to_owned(), serde_json::Value::Bool(flag));
    }
}

/// `value` in the field's own wrapper (`bool`, `Option` or `OptionalNullable`).
fn forced_value(f: &Field, value: bool) -> TokenStream {
    match (f.required, f.nullable) {
        (true, false) => quote!(#value),
        (false, true) => quote!(crate::OptionalNullable::Value(#value)),
        _ => quote!(::std::option::Option::Some(#value)),
    }
}

/// All inputs of an operation in positional order: path, then required query and header
/// parameters, then required body fields; optional ones follow (setters).
pub(crate) fn inputs<'a>(op: &'a Operation, types: &'a [TypeDef]) -> Vec<Input<'a>> {
    let mut scope = NameScope::default();
    let whole_body = body_struct(op, types).is_none() && op.body.is_some();
    // A positional whole body takes the name `body`; there is then no `body()` replacement.
    for r in RESERVED.iter().filter(|r| !(whole_body && **r == "body")) {
        scope.reserve(r, "");
    }
    let mut out = Vec::new();
    let params = op
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .chain(
            op.parameters
                .iter()
                .filter(|p| p.location != ParamLocation::Path),
        );
    for p in params {
        out.push(Input {
            setter: scope.claim(&p.rust_name, "").0,
            wire: &p.wire_name,
            kind: InputKind::Param(p),
        });
    }
    match (body_struct(op, types), &op.body) {
        (Some((_, s)), _) => {
            for f in s
                .fields
                .iter()
                .filter(|f| forced_stream_flag(op, f).is_none())
            {
                out.push(Input {
                    setter: scope.claim(&f.rust_name, "").0,
                    wire: &f.wire_name,
                    kind: InputKind::Field(f),
                });
            }
        }
        (None, Some(body)) => out.push(Input {
            setter: scope.claim("body", "").0,
            wire: "body",
            kind: InputKind::Body(body),
        }),
        (None, None) => {}
    }
    out.sort_by_key(|i| !i.required());
    out
}

fn options_tokens() -> TokenStream {
    quote! {
        /// Retry policy for this call only (the SDK's `retries`).
        pub fn retries(mut self, policy: crate::RetryPolicy) -> Self {
            self.options.retries = ::std::option::Option::Some(policy);
            self
        }
        /// Sends this call to another server (the SDK's `server_url`).
        pub fn server_url(mut self, url: impl ::std::convert::Into<::std::string::String>) -> Self {
            self.options.server_url = ::std::option::Option::Some(url.into());
            self
        }
        /// Time limit for each attempt of this call (for streams: also the longest wait for the
        /// next chunk). Retries start a new attempt; see [`deadline`](Self::deadline) for a bound
        /// on the whole call.
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.options.timeout = ::std::option::Option::Some(timeout);
            self
        }
        /// Time limit for the whole call: every attempt, retry and backoff wait (for streams: until
        /// the response starts). When it passes, the call fails with `Error::DeadlineExceeded`.
        pub fn deadline(mut self, deadline: ::std::time::Duration) -> Self {
            self.options.deadline = ::std::option::Option::Some(deadline);
            self
        }
        /// An extra header for this call.
        pub fn header(mut self, name: impl ::std::convert::Into<::std::string::String>, value: impl ::std::convert::Into<::std::string::String>) -> Self {
            self.options.headers.push((name.into(), value.into()));
            self
        }
    }
}

pub(crate) struct ClientContext<'a> {
    pub api: &'a Api,
    pub models: &'a ModelContext<'a>,
    /// Error schema → `ErrorBody` variant name.
    pub error_variants: Vec<(TypeRef, String)>,
}

/// The distinct typed error bodies of all generated operations.
pub(crate) fn error_variants(api: &Api) -> Vec<(TypeRef, String)> {
    let mut variants: Vec<(TypeRef, String)> = Vec::new();
    for op in api.operations.iter().filter(|o| !o.ignored) {
        for e in &op.errors {
            if let Some(TypeRef::Named(id)) = &e.ty
                && !variants.iter().any(|(t, _)| t == &TypeRef::Named(*id))
            {
                variants.push((TypeRef::Named(*id), api.types[id.0].name.clone()));
            }
        }
    }
    variants
}

pub(crate) fn error_body_enum(cx: &ClientContext<'_>) -> TokenStream {
    let variants = cx.error_variants.iter().map(|(ty, name)| {
        let variant = format_ident!("{}", name);
        let ty = type_tokens(ty, &cx.api.types);
        quote!(#variant(#ty),)
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

fn decode_error_fn(cx: &ClientContext<'_>, op: &Operation) -> TokenStream {
    let arms: Vec<TokenStream> = op
        .errors
        .iter()
        .filter_map(|e| {
            let ty = e.ty.as_ref()?;
            let (_, name) = cx.error_variants.iter().find(|(t, _)| t == ty)?;
            let variant = format_ident!("{}", name);
            let pattern = match e.status.as_str() {
                "default" => quote!(_),
                s if s.len() == 3 && s.ends_with("XX") => {
                    let first: u16 = s[..1].parse().ok()?;
                    let (lo, hi) = (first * 100, first * 100 + 99);
                    quote!(#lo..=#hi)
                }
                s => {
                    let code: u16 = s.parse().ok()?;
                    quote!(#code)
                }
            };
            let ty = type_tokens(ty, &cx.api.types);
            Some(quote!(#pattern => ::serde_json::from_slice::<#ty>(body).ok().map(crate::ErrorBody::#variant),))
        })
        .collect();
    if arms.is_empty() {
        return quote! {
            fn decode_error(status: u16, body: &[u8]) -> ::std::option::Option<crate::ErrorBody> {
                crate::runtime::no_typed_error(status, body)
            }
        };
    }
    let catch_all = (!op.errors.iter().any(|e| e.status == "default"))
        .then(|| quote!(_ => ::std::option::Option::None,));
    quote! {
        fn decode_error(status: u16, body: &[u8]) -> ::std::option::Option<crate::ErrorBody> {
            #[allow(clippy::match_single_binding)]
            match status {
                #(#arms)*
                #catch_all
            }
        }
    }
}

fn method_tokens(method: HttpMethod) -> TokenStream {
    match method {
        HttpMethod::Get => quote!(Get),
        HttpMethod::Post => quote!(Post),
        HttpMethod::Put => quote!(Put),
        HttpMethod::Patch => quote!(Patch),
        HttpMethod::Delete => quote!(Delete),
    }
}

/// The value type a setter or positional argument takes, before `.into()`.
fn input_value_type(cx: &ClientContext<'_>, input: &Input<'_>) -> TokenStream {
    input_value_type_in(cx, input, &quote!(crate))
}

pub(crate) fn input_value_type_in(
    cx: &ClientContext<'_>,
    input: &Input<'_>,
    root: &TokenStream,
) -> TokenStream {
    let types = &cx.api.types;
    let type_tokens =
        |ty: &TypeRef, types: &[TypeDef]| super::types::type_tokens_in(ty, types, root);
    match &input.kind {
        InputKind::Param(p) => {
            let base = type_tokens(&p.ty, types);
            if p.required && p.nullable {
                quote!(::std::option::Option<#base>)
            } else {
                base
            }
        }
        InputKind::Field(f) => {
            let base = type_tokens(&f.ty, types);
            if f.required && f.nullable && f.ty != TypeRef::Any {
                quote!(::std::option::Option<#base>)
            } else {
                base
            }
        }
        InputKind::Body(b) => type_tokens(&b.ty, types),
    }
}

/// How the builder stores an input (the field's own type for body fields).
fn storage_type(cx: &ClientContext<'_>, input: &Input<'_>) -> TokenStream {
    let value = input_value_type(cx, input);
    match &input.kind {
        InputKind::Field(f) => field_type(cx.models, f),
        _ if input.required() => value,
        _ => quote!(::std::option::Option<#value>),
    }
}

pub(crate) fn response_type(cx: &ClientContext<'_>, op: &Operation) -> TokenStream {
    match &op.response {
        Response::Json { ty, .. } => type_tokens(ty, &cx.api.types),
        Response::EventStream { ty, .. } => {
            let ty = type_tokens(ty, &cx.api.types);
            quote!(crate::EventStream<#ty>)
        }
        Response::Empty { .. } => quote!(()),
    }
}

/// One operation's module: its static description, error decoding and request builder.
pub(crate) fn operation_file(cx: &ClientContext<'_>, op: &Operation) -> TokenStream {
    let types = &cx.api.types;
    let builder = format_ident!("{}", builder_name(op));
    let inputs = inputs(op, types);
    let body_struct = body_struct(op, types);
    let op_id = &op.operation_id;
    let method = method_tokens(op.method);
    let (server, global) = match &op.server {
        Some(server) => (server.clone(), false),
        None => (cx.api.server_url.clone(), true),
    };
    let sentinel = match &op.response {
        Response::EventStream {
            sentinel: Some(s), ..
        } => quote!(::std::option::Option::Some(#s)),
        _ => quote!(::std::option::Option::None),
    };
    let envelope = matches!(op.response, Response::EventStream { envelope: true, .. });
    let decode_error = decode_error_fn(cx, op);
    let path_template = &op.path;
    let security = security_tokens(op);
    let header_params = op
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Header)
        .map(|p| &p.wire_name);

    // Builder fields: parameters one by one; a struct body whole.
    let param_fields = inputs
        .iter()
        .filter(|i| matches!(i.kind, InputKind::Param(_) | InputKind::Body(_)))
        .map(|i| {
            let name = ident(&i.setter);
            let ty = storage_type(cx, i);
            quote!(#name: #ty,)
        });
    let body_field = body_struct.map(|(id, _)| {
        let ty = type_tokens(&TypeRef::Named(id), types);
        quote!(body: #ty,)
    });

    // Constructor: required inputs positional.
    let required: Vec<&Input<'_>> = inputs.iter().filter(|i| i.required()).collect();
    let ctor_params = required.iter().map(|i| {
        let name = ident(&i.setter);
        let ty = input_value_type(cx, i);
        quote!(#name: impl ::std::convert::Into<#ty>)
    });
    let param_inits = inputs
        .iter()
        .filter(|i| matches!(i.kind, InputKind::Param(_) | InputKind::Body(_)))
        .map(|i| {
            let name = ident(&i.setter);
            if i.required() {
                quote!(#name: #name.into(),)
            } else {
                quote!(#name: ::std::option::Option::None,)
            }
        });
    let body_init = body_struct.map(|(id, s)| {
        let body_ty = type_tokens(&TypeRef::Named(id), types);
        let field_inits = s.fields.iter().map(|f| {
            let field = ident(&f.rust_name);
            if let Some(flag) = forced_stream_flag(op, f) {
                let value = forced_value(f, flag);
                return quote!(#field: #value,);
            }
            match inputs
                .iter()
                .find(|i| matches!(i.kind, InputKind::Field(g) if std::ptr::eq(g, f)))
            {
                Some(i) if i.required() => {
                    let arg = ident(&i.setter);
                    if f.boxed {
                        quote!(#field: ::std::boxed::Box::new(#arg.into()),)
                    } else {
                        quote!(#field: #arg.into(),)
                    }
                }
                _ => quote!(#field: ::std::default::Default::default(),),
            }
        });
        let additional = s
            .additional
            .as_ref()
            .map(|_| quote!(additional_properties: ::std::default::Default::default(),));
        quote!(body: #body_ty { #(#field_inits)* #additional },)
    });
    let body_setter = body_struct.map(|(id, s)| {
        let ty = type_tokens(&TypeRef::Named(id), types);
        let pin_stream_flag = s.fields.iter().find_map(|f| {
            let flag = forced_stream_flag(op, f)?;
            let field = ident(&f.rust_name);
            let value = forced_value(f, flag);
            Some(quote!(self.body.#field = #value;))
        });
        let doc = match s.fields.iter().find_map(|f| forced_stream_flag(op, f)) {
            Some(flag) => {
                format!(" Replaces the whole request body (its `stream` flag stays `{flag}`).")
            }
            None => " Replaces the whole request body.".to_owned(),
        };
        quote! {
            #[doc = #doc]
            pub fn body(mut self, body: #ty) -> Self {
                self.body = body;
                #pin_stream_flag
                self
            }
        }
    });

    // Setters for optional inputs.
    let setters = inputs.iter().filter(|i| !i.required()).map(|i| {
        let name = ident(&i.setter);
        let ty = input_value_type(cx, i);
        match &i.kind {
            InputKind::Param(p) => {
                let docs = doc_attrs(p.docs.as_deref());
                quote! {
                    #docs
                    pub fn #name(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                        self.#name = ::std::option::Option::Some(value.into());
                        self
                    }
                }
            }
            InputKind::Body(_) => quote! {
                /// The request body.
                pub fn #name(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                    self.#name = ::std::option::Option::Some(value.into());
                    self
                }
            },
            InputKind::Field(f) => {
                let docs = doc_attrs(f.docs.as_deref());
                let field = ident(&f.rust_name);
                let value = if f.boxed {
                    quote!(::std::boxed::Box::new(value.into()))
                } else {
                    quote!(value.into())
                };
                let nullable = f.nullable && f.ty != TypeRef::Any;
                let store = if nullable {
                    quote!(crate::OptionalNullable::Value(#value))
                } else {
                    quote!(::std::option::Option::Some(#value))
                };
                let null_setter = nullable.then(|| {
                    let null_name = format_ident!("{}_null", i.setter.trim_start_matches("r#"));
                    let doc = format!(
                        " Sends {} explicitly (for example to clear a setting).",
                        inline_code(&format!("{}: null", i.wire))
                    );
                    quote! {
                        #[doc = #doc]
                        pub fn #null_name(mut self) -> Self {
                            self.body.#field = crate::OptionalNullable::Null;
                            self
                        }
                    }
                });
                quote! {
                    #docs
                    pub fn #name(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                        self.body.#field = #store;
                        self
                    }
                    #null_setter
                }
            }
        }
    });

    // Request parts.
    let path = path_expression(op, &inputs);
    let query = inputs.iter().filter_map(|i| match &i.kind {
        InputKind::Param(p) if p.location == ParamLocation::Query => {
            let name = ident(&i.setter);
            let wire = &p.wire_name;
            let value = param_value(cx, &p.ty, quote!(&self.#name));
            Some(quote!(crate::runtime::ParamValue::append_to(#value, #wire, &mut parts.query);))
        }
        _ => None,
    });
    let headers = inputs.iter().filter_map(|i| match &i.kind {
        InputKind::Param(p) if p.location == ParamLocation::Header => {
            let name = ident(&i.setter);
            let wire = &p.wire_name;
            let value = param_value(cx, &p.ty, quote!(&self.#name));
            Some(quote!(crate::runtime::ParamValue::append_to(#value, #wire, &mut parts.headers);))
        }
        _ => None,
    });
    let body_expr = match (&op.body, body_struct) {
        (None, _) => quote!(),
        (Some(b), Some((_, s))) if b.content_type == BodyKind::Multipart => {
            let parts = s.fields.iter().map(|f| {
                let field = ident(&f.rust_name);
                let wire = &f.wire_name;
                if f.ty == TypeRef::File {
                    if f.required {
                        quote!(form = form.file(#wire, self.body.#field.clone());)
                    } else {
                        quote!(if let ::std::option::Option::Some(file) = &self.body.#field { form = form.file(#wire, file.clone()); })
                    }
                } else {
                    quote!(form = crate::runtime::params::multipart_field(form, #wire, &self.body.#field).map_err(|err| crate::Error::Config(::std::format!("cannot encode field `{}`: {err}", #wire)))?;)
                }
            });
            quote! {
                let mut form = crate::runtime::Multipart::new();
                #(#parts)*
                parts.body = crate::runtime::RequestBody::Multipart(form);
            }
        }
        (Some(_), Some(_)) => quote! {
            parts.body = crate::runtime::RequestBody::json(&self.body).map_err(|err| crate::Error::Config(::std::format!("cannot encode the request body: {err}")))?;
        },
        (Some(_), None) => {
            let body = inputs
                .iter()
                .find(|i| matches!(i.kind, InputKind::Body(_)))
                .map(|i| ident(&i.setter))
                .unwrap_or_else(|| format_ident!("body"));
            let encode = match whole_body_stream_flag(op, types) {
                Some(flag) => {
                    quote!(crate::runtime::RequestBody::json_with_stream_flag(&self.#body, #flag))
                }
                None => quote!(crate::runtime::RequestBody::json(&self.#body)),
            };
            quote! {
                parts.body = #encode.map_err(|err| crate::Error::Config(::std::format!("cannot encode the request body: {err}")))?;
            }
        }
    };
    let parts_mut = if op
        .parameters
        .iter()
        .any(|p| p.location != ParamLocation::Path)
        || op.body.is_some()
    {
        quote!(mut)
    } else {
        quote!()
    };

    let response = response_type(cx, op);
    let sends = match &op.response {
        Response::Json { .. } => quote! {
            /// Sends the request and decodes the response.
            pub async fn send(self) -> ::std::result::Result<#response, crate::Error> {
                self.send_as().await
            }
            /// Sends the request and decodes the response into a type of your own.
            pub async fn send_as<R: ::serde::de::DeserializeOwned>(self) -> ::std::result::Result<R, crate::Error> {
                let parts = self.parts()?;
                self.client.execute(&OPERATION, parts, &self.options).await
            }
        },
        Response::EventStream { .. } => quote! {
            /// Sends the request and returns the stream of events.
            pub async fn send(self) -> ::std::result::Result<#response, crate::Error> {
                self.send_as().await
            }
            /// Sends the request and decodes each event into a type of your own.
            pub async fn send_as<R: ::serde::de::DeserializeOwned + ::std::marker::Send + 'static>(self) -> ::std::result::Result<crate::EventStream<R>, crate::Error> {
                let parts = self.parts()?;
                self.client.execute_stream(&OPERATION, parts, &self.options).await
            }
        },
        Response::Empty { .. } => quote! {
            /// Sends the request.
            pub async fn send(self) -> ::std::result::Result<(), crate::Error> {
                self.send_raw().await.map(|_| ())
            }
        },
    };
    let send_with_body = op.body.as_ref().filter(|b| b.content_type == BodyKind::Json).map(|_| {
        let execute = match &op.response {
            Response::EventStream { .. } => quote!(execute_stream),
            _ => quote!(execute),
        };
        let bound = match &op.response {
            Response::EventStream { .. } => quote!(::serde::de::DeserializeOwned + ::std::marker::Send + 'static),
            _ => quote!(::serde::de::DeserializeOwned),
        };
        let output = match &op.response {
            Response::EventStream { .. } => quote!(crate::EventStream<R>),
            _ => quote!(R),
        };
        quote! {
            /// Sends a body of your own (any `Serialize`) with this call's parameters and options,
            /// and decodes the response into a type of your own.
            pub async fn send_with_body<B: ::serde::Serialize + ?::std::marker::Sized, R: #bound>(self, body: &B) -> ::std::result::Result<#output, crate::Error> {
                let mut parts = self.parts()?;
                parts.body = crate::runtime::RequestBody::json(body).map_err(|err| crate::Error::Config(::std::format!("cannot encode the request body: {err}")))?;
                self.client.#execute(&OPERATION, parts, &self.options).await
            }
        }
    });

    let summary = op
        .summary
        .clone()
        .unwrap_or_else(|| op.operation_id.clone());
    let builder_doc = format!(
        " Request builder for {}: {}",
        inline_code(op_id),
        one_line(&summary)
    );
    let route_doc = format!(
        " {}",
        inline_code(&format!("{} {}", op.method.as_str(), op.path))
    );
    let opts = options_tokens();
    quote! {
        //! The request builder of one operation.
        static OPERATION: crate::runtime::OperationSpec = crate::runtime::OperationSpec {
            operation_id: #op_id,
            method: crate::runtime::HttpMethod::#method,
            default_server: #server,
            uses_global_server: #global,
            sse_sentinel: #sentinel,
            sse_envelope: #envelope,
            decode_error,
            path_template: #path_template,
            security: #security,
            header_params: &[#(#header_params),*],
        };

        #decode_error

        #[doc = #builder_doc]
        ///
        #[doc = #route_doc]
        ///
        /// Required values were given when the builder was made; set optional ones with the
        /// methods below, then call [`send`](Self::send).
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent with `.send().await`"]
        pub struct #builder {
            client: crate::Client,
            #(#param_fields)*
            #body_field
            options: crate::RequestOptions,
        }

        impl #builder {
            #[allow(clippy::too_many_arguments)]
            pub(crate) fn new(client: crate::Client, #(#ctor_params),*) -> Self {
                Self {
                    client,
                    #(#param_inits)*
                    #body_init
                    options: ::std::default::Default::default(),
                }
            }

            #(#setters)*
            #body_setter
            #opts

            fn parts(&self) -> ::std::result::Result<crate::runtime::RequestParts, crate::Error> {
                #[allow(unused_mut)]
                let #parts_mut parts = crate::runtime::RequestParts::new(#path);
                #(#query)*
                #(#headers)*
                #body_expr
                ::std::result::Result::Ok(parts)
            }

            #sends
            #send_with_body

            /// Sends the request and returns the raw HTTP response (status already checked).
            pub async fn send_raw(self) -> ::std::result::Result<::reqwest::Response, crate::Error> {
                let parts = self.parts()?;
                self.client.execute_raw(&OPERATION, parts, &self.options).await
            }
        }
    }
}

/// The operation's effective security as runtime data: alternatives of schemes applied together.
fn security_tokens(op: &Operation) -> TokenStream {
    let requirements = op.security.iter().map(|requirement| {
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
fn param_value(cx: &ClientContext<'_>, ty: &TypeRef, access: TokenStream) -> TokenStream {
    let scalar = |t: &TypeRef| match t {
        TypeRef::Named(id) => matches!(cx.api.types[id.0].kind, TypeKind::Enum(_)),
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

/// A node of the resource tree: handles for tags, methods for operations.
#[derive(Default)]
pub(crate) struct ResourceNode<'a> {
    pub children: BTreeMap<String, ResourceNode<'a>>,
    pub child_order: Vec<String>,
    pub operations: Vec<&'a Operation>,
}

pub(crate) fn resource_tree(api: &Api) -> ResourceNode<'_> {
    let mut root = ResourceNode::default();
    for op in api.operations.iter().filter(|o| !o.ignored) {
        let mut node = &mut root;
        for segment in &op.resource {
            if !node.children.contains_key(segment) {
                node.child_order.push(segment.clone());
            }
            node = node.children.entry(segment.clone()).or_default();
        }
        node.operations.push(op);
    }
    root
}

/// The handle type of a resource path: through the one type-name sanitiser, so a tag such
/// as `Self` names `SelfType`, never the keyword.
pub(crate) fn handle_name(path: &[String]) -> String {
    crate::lower::type_ident(&path.join(" "))
}

/// One top-level resource's module: its handle and the handles beneath it.
pub(crate) fn resource_file(
    cx: &ClientContext<'_>,
    path: &[String],
    node: &ResourceNode<'_>,
) -> TokenStream {
    let mut items = Vec::new();
    collect_handles(cx, path.to_vec(), node, &mut items);
    quote!(#(#items)*)
}

fn collect_handles(
    cx: &ClientContext<'_>,
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
    let methods = node.operations.iter().map(|op| operation_method(cx, op));
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
        collect_handles(cx, child_path, &node.children[child], items);
    }
}

fn operation_method(cx: &ClientContext<'_>, op: &Operation) -> TokenStream {
    let types = &cx.api.types;
    let inputs = inputs(op, types);
    let method = ident(&op.method_name);
    let module = format_ident!("{}", operation_module(op));
    let builder = format_ident!("{}", builder_name(op));
    let required: Vec<&Input<'_>> = inputs.iter().filter(|i| i.required()).collect();
    let params = required.iter().map(|i| {
        let name = ident(&i.setter);
        let ty = input_value_type(cx, i);
        quote!(#name: impl ::std::convert::Into<#ty>)
    });
    let args = required.iter().map(|i| ident(&i.setter));
    let mut doc_text = op.summary.clone().unwrap_or_default();
    if let Some(description) = &op.description {
        doc_text = format!("{doc_text}\n\n{description}");
    }
    let docs = doc_attrs(Some(doc_text.trim()).filter(|d| !d.is_empty()));
    let route = format!(
        " {} ({})",
        inline_code(&format!("{} {}", op.method.as_str(), op.path)),
        inline_code(&op.operation_id)
    );
    quote! {
        #docs
        ///
        #[doc = #route]
        #[allow(clippy::too_many_arguments)]
        pub fn #method(&self, #(#params),*) -> crate::operations::#module::#builder {
            crate::operations::#module::#builder::new(self.client.clone(), #(#args),*)
        }
    }
}

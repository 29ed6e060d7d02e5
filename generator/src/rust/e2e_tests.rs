//! End-to-end tests for the generated crate (`tests/operations.rs`): every operation is called
//! through the client against a local wiremock server with the spec's example request (or a
//! minimal valid one), and the request that arrives is checked: method, path, query, headers
//! and body; the spec's example response (or a minimal one) must decode into the typed result.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::client::input_value_type_in;
use crate::ir::*;
use crate::lower::field_ident;
use crate::plan::inputs::{body_struct, pin_stream_flag};
use crate::plan::mock::mock_response;
use crate::plan::sample::{constrained, sample};
use crate::plan::{ClientPlan, InputKind};
use crate::rust_syntax::{ident, type_tokens_in};

fn encode_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn param_text(value: &Value) -> Vec<String> {
    match value {
        Value::Null => Vec::new(),
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(param_text).collect(),
        other => vec![other.to_string()],
    }
}

fn test_body(plan: &ClientPlan<'_>, op: &Operation) -> TokenStream {
    let types = &plan.api.types;
    let root = crate_root(plan);
    let inputs = &plan.operation(op).inputs;
    let method = ident(&op.method_name);
    let segments = op.resource.iter().map(|s| ident(&field_ident(s)));

    let body_example: Option<Value> = op
        .body
        .as_ref()
        .map(|b| b.example.clone().unwrap_or_else(|| sample(&b.ty, types, 0)));
    let multipart = op
        .body
        .as_ref()
        .is_some_and(|b| b.content_type == BodyKind::Multipart);
    let body_fields = body_struct(op, types);

    // Positional arguments, with the JSON value each stands for.
    let mut path = op.path.clone();
    let mut expected_query: Vec<(String, String)> = Vec::new();
    let mut multipart_texts: Vec<String> = Vec::new();
    let mut args = Vec::new();
    for input in inputs.iter().filter(|i| i.required()) {
        let ty = input_value_type_in(plan.api, input, &root);
        let value = match &input.kind {
            InputKind::Param(p) => {
                p.examples
                    .first()
                    .cloned()
                    .unwrap_or_else(|| match (&p.ty, p.location) {
                        (TypeRef::String, ParamLocation::Path) => {
                            Value::String(format!("{}-1 /x", p.wire_name))
                        }
                        (ty, _) => constrained(sample(ty, types, 0), &p.constraints),
                    })
            }
            InputKind::Field(f) => body_example
                .as_ref()
                .and_then(|b| b.get(&f.wire_name))
                .cloned()
                .unwrap_or_else(|| constrained(sample(&f.ty, types, 0), &f.constraints)),
            InputKind::Body(_) => body_example.clone().unwrap_or(Value::Null),
        };
        if let InputKind::Param(p) = &input.kind {
            match p.location {
                ParamLocation::Path => {
                    path = path.replace(
                        &format!("{{{}}}", p.wire_name),
                        &encode_segment(&param_text(&value).join(",")),
                    )
                }
                ParamLocation::Query => expected_query.extend(
                    param_text(&value)
                        .into_iter()
                        .map(|v| (p.wire_name.clone(), v)),
                ),
                ParamLocation::Header => {}
            }
        }
        if let InputKind::Field(f) = &input.kind
            && f.ty == TypeRef::File
        {
            args.push(quote!(#root::FilePart::from_bytes(
                "sample.wav",
                &b"RIFF sample bytes"[..]
            )));
            continue;
        }
        if multipart && let InputKind::Field(_) = &input.kind {
            multipart_texts.extend(param_text(&value));
        }
        let json = value.to_string();
        args.push(quote!(::serde_json::from_str::<#ty>(#json).expect("sample value decodes")));
    }

    // JSON struct bodies: send the whole example, not just the required fields.
    let mut expected_body = body_example.clone();
    if let Some(expected) = &mut expected_body {
        pin_stream_flag(op, types, expected);
    }
    let whole_body = match (&op.body, body_fields) {
        (Some(b), Some((id, _))) if b.content_type == BodyKind::Json => {
            let ty = type_tokens_in(&TypeRef::Named(id), types, &root);
            let json = body_example.clone().unwrap_or(Value::Null).to_string();
            quote!(.body(::serde_json::from_str::<#ty>(#json).expect("example body decodes")))
        }
        _ => quote!(),
    };

    // Credentials as the operation's first usable security requirement asks for them.
    let mut auth_headers: Vec<(String, String)> = Vec::new();
    if let Some(requirement) = op.security.iter().find(|r| !r.is_empty()) {
        for scheme in requirement {
            match &scheme.kind {
                SecurityKind::Http { scheme } => {
                    auth_headers.push(("authorization".into(), format!("{scheme} test-token")))
                }
                SecurityKind::ApiKey {
                    location: ParamLocation::Query,
                    name,
                } => expected_query.push((name.clone(), "test-token".into())),
                SecurityKind::ApiKey { name, .. } => {
                    auth_headers.push((name.to_ascii_lowercase(), "test-token".into()))
                }
            }
        }
    }
    let auth_pairs = auth_headers.iter().map(|(k, v)| quote!((#k, #v)));
    let team = op.parameters.iter().any(|p| {
        p.location == ParamLocation::Header
            && p.wire_name.eq_ignore_ascii_case(&plan.config.team_header)
    });

    let route_path = path.clone();
    let http_method = op.method.as_str();
    let expected_query_pairs = expected_query.iter().map(|(k, v)| quote!((#k, #v)));
    let body_check = match (&op.body, &expected_body) {
        (Some(b), _) if b.content_type == BodyKind::Multipart => {
            let texts = multipart_texts.iter();
            quote!(support::assert_multipart(request, &[#(#texts),*]);)
        }
        (Some(_), Some(expected)) => {
            let json = expected.to_string();
            quote!(support::assert_json_body(request, #json);)
        }
        _ => quote!(),
    };
    let call = quote!(client #(.#segments())* .#method(#(#args),*) #whole_body .send().await);

    let (respond, check_result) = match &op.response {
        Response::Json { status, .. } => {
            let json = mock_response(op, types)
                .1
                .map(|(body, _)| body)
                .unwrap_or_default();
            (
                quote!(::wiremock::ResponseTemplate::new(#status).set_body_raw(#json, "application/json")),
                quote! {
                    let result = #call.expect("the call succeeds");
                    support::assert_same_json(&::serde_json::to_value(&result).expect("result encodes"), #json);
                },
            )
        }
        Response::EventStream { .. } => {
            let text = mock_response(op, types)
                .1
                .map(|(body, _)| body)
                .unwrap_or_default();
            (
                quote!(::wiremock::ResponseTemplate::new(200).set_body_raw(#text, "text/event-stream")),
                quote! {
                    let stream = #call.expect("the call succeeds");
                    let events = support::collect(stream).await;
                    assert!(!events.is_empty(), "the example stream has events");
                },
            )
        }
        Response::Empty { status } => (
            quote!(::wiremock::ResponseTemplate::new(#status)),
            quote!(#call.expect("the call succeeds");),
        ),
    };
    let accept = match op.response {
        Response::EventStream { .. } => "text/event-stream",
        Response::Json { .. } => "application/json",
        Response::Empty { .. } => "*/*",
    };
    quote! {
        let server = ::wiremock::MockServer::start().await;
        ::wiremock::Mock::given(::wiremock::matchers::method(#http_method))
            .and(::wiremock::matchers::path(#route_path))
            .respond_with(#respond)
            .expect(1)
            .mount(&server)
            .await;
        let client = support::client(&server);
        #check_result
        let requests = server.received_requests().await.expect("recording is on");
        let request = &requests[0];
        support::assert_common_headers(request, #accept, &[#(#auth_pairs),*], #team);
        support::assert_query(request, &[#(#expected_query_pairs),*]);
        #body_check
    }
}

/// The end-to-end test binary `tests/operations/` is `main.rs`, the shared `support.rs`, and
/// one module per API family (keeps every file small).
///
/// The end-to-end test file of one family: one `#[tokio::test]` per operation.
pub(crate) fn family_test_file(plan: &ClientPlan<'_>, family: &str) -> TokenStream {
    let tests = plan
        .operations
        .iter()
        .filter(|o| o.family == family)
        .map(|o| o.op)
        .map(|op| {
            let name = format_ident!("{}", op.module);
            let body = test_body(plan, op);
            let doc = format!(
                " {} ({})",
                crate::neutralise::inline_code(&format!("{} {}", op.method.as_str(), op.path_key)),
                crate::neutralise::inline_code(&op.operation_id)
            );
            quote! {
                #[doc = #doc]
                #[tokio::test]
                async fn #name() {
                    #body
                }
            }
        });
    let doc = format!(" End-to-end tests of the `{family}` operations.");
    quote! {
        #![doc = #doc]
        use super::support;
        #(#tests)*
    }
}

/// `tests/operations/main.rs`: the support module and one module per family.
pub(crate) fn operations_test_main(plan: &ClientPlan<'_>) -> TokenStream {
    let mods = plan.families.iter().map(|f| {
        let m = format_ident!("{}", f);
        quote!(#[cfg(feature = #f)] mod #m;)
    });
    quote! {
        //! Every operation, end to end against a local mock server.
        mod support;
        #(#mods)*
    }
}

/// The generated crate's name in Rust paths (`friendli`).
fn crate_root(plan: &ClientPlan<'_>) -> TokenStream {
    let name = format_ident!("{}", plan.config.crate_ident());
    quote!(#name)
}

pub(crate) fn support_module(plan: &ClientPlan<'_>) -> TokenStream {
    let root = crate_root(plan);
    let team_header = plan.config.team_header.to_ascii_lowercase();
    let user_agent = format!("{}/", plan.config.user_agent);
    let container_servers: Vec<String> = {
        let mut servers: Vec<String> = plan
            .api
            .operations
            .iter()
            .filter_map(|o| o.server.clone())
            .collect();
        servers.sort();
        servers.dedup();
        servers
    };
    quote! {
        //! Helpers shared by the operation tests; which ones a spec needs depends on its
        //! operations (streams, uploads), so unused ones are allowed.
        #![allow(dead_code)]

            use ::futures_util::StreamExt as _;

            pub const TOKEN: &str = "test-token";
            pub const TEAM: &str = "team-e2e";

            pub fn client(server: &::wiremock::MockServer) -> #root::Client {
                #root::Client::builder()
                    .token(TOKEN)
                    .team(TEAM)
                    .base_url(server.uri())
                    #(.server_url_for(#container_servers, server.uri()))*
                    .retry_policy(#root::RetryPolicy::none())
                    .build()
                    .expect("a client with a token builds")
            }

            pub fn assert_same_json(actual: &::serde_json::Value, expected: &str) {
                let expected: ::serde_json::Value = ::serde_json::from_str(expected).expect("expected JSON is valid");
                assert!(#root::runtime::testing::json_equivalent(actual, &expected), "JSON differs:\n  actual:   {actual}\n  expected: {expected}");
            }

            fn header<'r>(request: &'r ::wiremock::Request, name: &str) -> Option<&'r str> {
                request.headers.get(name).and_then(|v| v.to_str().ok())
            }

            /// `auth`: the credential headers the operation's security asks for (none: no
            /// `Authorization` at all); `team`: whether it declares the team header.
            pub fn assert_common_headers(request: &::wiremock::Request, accept: &str, auth: &[(&str, &str)], team: bool) {
                for (name, value) in auth {
                    assert_eq!(header(request, name), Some(*value), "credential header {name}");
                }
                if !auth.iter().any(|(name, _)| *name == "authorization") {
                    assert_eq!(header(request, "authorization"), None, "no credentials for an operation without security");
                }
                assert_eq!(header(request, #team_header), team.then_some(TEAM), "the team header only where declared");
                assert!(header(request, "user-agent").is_some_and(|ua| ua.starts_with(#user_agent)), "user agent");
                assert_eq!(header(request, "accept"), Some(accept));
            }

            pub fn assert_query(request: &::wiremock::Request, expected: &[(&str, &str)]) {
                let mut actual: Vec<(String, String)> = request.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
                let mut expected: Vec<(String, String)> = expected.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
                actual.sort();
                expected.sort();
                assert_eq!(actual, expected, "query parameters");
            }

            pub fn assert_json_body(request: &::wiremock::Request, expected: &str) {
                assert_eq!(header(request, "content-type"), Some("application/json"));
                let actual: ::serde_json::Value = ::serde_json::from_slice(&request.body).expect("the body is JSON");
                assert_same_json(&actual, expected);
            }

            pub fn assert_multipart(request: &::wiremock::Request, texts: &[&str]) {
                assert!(header(request, "content-type").is_some_and(|c| c.starts_with("multipart/form-data; boundary=")));
                let body = String::from_utf8_lossy(&request.body);
                assert!(body.contains("RIFF sample bytes"), "the file bytes arrive");
                for text in texts {
                    assert!(body.contains(text), "field value {text:?} arrives");
                }
            }

            pub async fn collect<T>(mut stream: #root::EventStream<T>) -> Vec<T>
            where
                T: ::serde::de::DeserializeOwned + Send + 'static,
            {
                let mut events = Vec::new();
                while let Some(event) = stream.next().await {
                    events.push(event.expect("every example event decodes"));
                }
                events
            }

    }
}

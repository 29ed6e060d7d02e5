//! `tests/doc_examples.rs` of the generated crate: every Rust code block of the docs compiled
//! (not run), and a sample of them run against a local wiremock server: the seed operations'
//! examples and one stream.
//!
//! A complete program (the SDK pages' examples) becomes `mod example_N { <the page's text> }`;
//! a fragment becomes `async fn example_N(client) -> Result<(), friendli::Error>`, the client
//! coming in as a parameter where pages show `let client = friendli::Client::from_env()?;`.
//! Either is the very text the page shows, so a page cannot show code the test did not
//! compile. A run sends a program's statements with the mock's client in place of its own.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::*;
use crate::plan::inputs::pin_stream_flag;
use crate::plan::mock::mock_response;

use super::usage::Snippet;
use super::{DocsContext, Output};

/// The operations of the seed pages: their examples run against the mock when the spec has them.
const SEED_OPERATIONS: &[&str] = &["containerImagesGenerate", "dedicatedImagesGenerate"];

/// Examples per file: keeps each generated test module well under 2,000 lines.
const EXAMPLES_PER_FILE: usize = 60;

pub(crate) const TEST_FILE: &str = "tests/doc_examples.rs";

pub(crate) fn emit(cx: &DocsContext<'_>, out: &mut Output) -> Result<(), String> {
    let krate = cx.krate();
    let header = crate::rust_syntax::header(cx.api, "//");
    let mut parts = Vec::new();
    for (n, chunk) in out.snippets.chunks(EXAMPLES_PER_FILE).enumerate() {
        let module = format!("part{}", n + 1);
        let path = format!("tests/doc_examples/{module}.rs");
        let mut text =
            format!("{header}//! Docs code blocks, compiled (see `tests/doc_examples.rs`).\n");
        for (i, snippet) in chunk.iter().enumerate() {
            example_fn(&mut text, n * EXAMPLES_PER_FILE + i + 1, snippet);
        }
        out.files.insert(&path, text);
        let file = format!("doc_examples/{module}.rs");
        let module = format_ident!("{}", module);
        parts.push(quote!(#[path = #file] mod #module;));
    }
    let runs = mock_runs(cx, &out.snippets);
    let servers = path_servers(cx.api);
    let text = crate::rust_syntax::format_file(
        TEST_FILE,
        quote! {
            //! Every Rust code block of the docs (`README.md`, `docs/**`), compiled as its own function
            //! in `tests/doc_examples/`; a sample of them runs against a local mock server.

            #(#parts)*

            // Which helpers a spec needs depends on which examples run.
            #[allow(dead_code)]
            mod support {
                pub fn client(server: &::wiremock::MockServer) -> #krate::Client {
                    #krate::Client::builder()
                        .token("test-token")
                        .base_url(server.uri())
                        #(.server_url_for(#servers, server.uri()))*
                        .retry_policy(#krate::RetryPolicy::none())
                        .build()
                        .expect("a client with a token builds")
                }

                /// The example sent the JSON body the docs say it sends.
                pub fn assert_json_body(request: &::wiremock::Request, expected: &str) {
                    let actual: ::serde_json::Value = ::serde_json::from_slice(&request.body).expect("the body is JSON");
                    let expected: ::serde_json::Value = ::serde_json::from_str(expected).expect("expected JSON is valid");
                    assert!(#krate::runtime::testing::json_equivalent(&actual, &expected), "JSON body differs:\n  actual:   {actual}\n  expected: {expected}");
                }
            }

            #(#runs)*
        },
    )?;
    out.files.insert(TEST_FILE, format!("{header}{text}"));
    Ok(())
}

fn example_name(n: usize) -> syn::Ident {
    format_ident!("example_{}", n)
}

/// One code block as a function, or as a module when the page shows a complete program. The
/// page's text goes in verbatim (indented), so what compiles is byte for byte what the page
/// shows; it came out of prettyplease, so it is valid Rust and has no raw newline inside a
/// literal. (Parsing and re-formatting these thousands of lines would cost more than making all
/// the pages.)
fn example_fn(text: &mut String, n: usize, snippet: &Snippet) {
    text.push_str(&format!("\n/// {}\n", snippet.origin.replace('\n', " ")));
    if let Some(feature) = &snippet.feature {
        text.push_str(&format!("#[cfg(feature = {feature:?})]\n"));
    }
    let (open, body) = match &snippet.program {
        // `main` is never called: the module only proves the program compiles.
        Some(program) => (
            format!("#[allow(dead_code)]\nmod {} {{\n", example_name(n)),
            program.as_str(),
        ),
        None => (
            format!(
                "#[allow(unused)]\npub(crate) async fn {}(client: {krate}::Client) -> ::std::result::Result<(), {krate}::Error> {{\n",
                example_name(n),
                krate = snippet.krate,
            ),
            snippet.code.as_str(),
        ),
    };
    text.push_str(&open);
    for line in body.lines() {
        if !line.is_empty() {
            text.push_str("    ");
            text.push_str(line);
        }
        text.push('\n');
    }
    if snippet.program.is_none() {
        text.push_str("    Ok(())\n");
    }
    text.push_str("}\n");
}

/// Servers given per path in the spec; the mock stands in for them too.
fn path_servers(api: &Api) -> Vec<String> {
    let mut servers: Vec<String> = api
        .operations
        .iter()
        .filter_map(|o| o.server.clone())
        .collect();
    servers.sort();
    servers.dedup();
    servers
}

/// Which examples run: the SDK pages' examples of the seed operations, else of the first
/// operation; plus the first streaming one. Multipart uploads read files, so they only compile.
fn chosen(cx: &DocsContext<'_>, snippets: &[Snippet]) -> Vec<(usize, String)> {
    let sdk: Vec<(usize, &Snippet, &Operation)> = snippets
        .iter()
        .enumerate()
        .filter(|(_, s)| s.origin.starts_with("docs/sdks/"))
        .filter_map(|(i, s)| {
            let id = &s.call.as_ref()?.operation_id;
            let op = cx.api.operations.iter().find(|o| &o.operation_id == id)?;
            let multipart = op
                .body
                .as_ref()
                .is_some_and(|b| b.content_type == BodyKind::Multipart);
            (!multipart).then_some((i, s, op))
        })
        .collect();
    let mut chosen: Vec<(usize, String)> = sdk
        .iter()
        .filter(|(_, _, op)| SEED_OPERATIONS.contains(&op.operation_id.as_str()))
        .map(|(i, _, op)| (*i, op.operation_id.clone()))
        .collect();
    if chosen.is_empty()
        && let Some((i, _, op)) = sdk
            .iter()
            .find(|(_, _, op)| matches!(op.response, Response::Json { .. }))
    {
        chosen.push((*i, op.operation_id.clone()));
    }
    if let Some((i, _, op)) = sdk
        .iter()
        .find(|(_, _, op)| matches!(op.response, Response::EventStream { .. }))
    {
        chosen.push((*i, op.operation_id.clone()));
    }
    chosen
}

fn mock_runs(cx: &DocsContext<'_>, snippets: &[Snippet]) -> Vec<TokenStream> {
    let krate = cx.krate();
    chosen(cx, snippets)
        .into_iter()
        .filter_map(|(index, operation_id)| {
            let op = cx.api.operations.iter().find(|o| o.operation_id == operation_id)?;
            let snippet = &snippets[index];
            let example = example_name(index + 1);
            let module = format_ident!("part{}", index / EXAMPLES_PER_FILE + 1);
            // A complete program makes its own client: the run sends the same statements
            // with the mock's client instead.
            let run = match &snippet.program {
                Some(_) => {
                    let body: TokenStream = snippet.code.parse().ok()?;
                    quote! {
                        async fn run(client: #krate::Client) -> ::std::result::Result<(), #krate::Error> {
                            #body
                            Ok(())
                        }
                        run(support::client(&server)).await.expect("the documented example runs");
                    }
                }
                None => quote!(#module::#example(support::client(&server)).await.expect("the documented example runs");),
            };
            let name = format_ident!("{}_example_runs", op.module);
            let family = &op.resource[0];
            let http_method = op.method.as_str();
            let path_match = (!op.path.contains('{')).then(|| {
                let path = &op.path;
                quote!(.and(::wiremock::matchers::path(#path)))
            });
            let respond = match mock_response(op, &cx.api.types) {
                (status, Some((body, content_type))) => quote!(::wiremock::ResponseTemplate::new(#status).set_body_raw(#body, #content_type)),
                (status, None) => quote!(::wiremock::ResponseTemplate::new(#status)),
            };
            let check_body = snippet.call.as_ref().and_then(|c| c.body.clone()).filter(|_| op.body.as_ref().is_some_and(|b| b.content_type == BodyKind::Json)).map(|mut body| {
                pin_stream_flag(op, &cx.api.types, &mut body);
                let json = body.to_string();
                quote! {
                    let requests = server.received_requests().await.expect("recording is on");
                    support::assert_json_body(&requests[0], #json);
                }
            });
            Some(quote! {
                #[cfg(feature = #family)]
                #[tokio::test]
                async fn #name() {
                    let server = ::wiremock::MockServer::start().await;
                    ::wiremock::Mock::given(::wiremock::matchers::method(#http_method))
                        #path_match
                        .respond_with(#respond)
                        .expect(1)
                        .mount(&server)
                        .await;
                    #run
                    #check_body
                }
            })
        })
        .collect()
}

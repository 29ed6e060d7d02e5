//! The crate's `README.md`, in the spirit of the Python SDK's: installation, authentication, a
//! first call, the resources and operations (linked to their pages), streaming, uploads,
//! retries, timeouts, errors, servers and a custom HTTP client. Its code blocks are snippets
//! like the pages' (built from the spec's operations and examples), so they compile too; and
//! the page `docs/models/utils/retry_policy.md` the `retries` rows link to.

use askama::Template;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::*;

use super::markdown::{cell, code_span, one_line};
use super::sdk_pages::{
    RETRY_POLICY_PAGE, namespace, operation_links, operation_summary, sdk_page_path, walk,
};
use super::usage::{CallInfo, Snippet, call_chain, handle_response, snippet};
use super::{DocsContext, IndexEntry, IndexSection, Output, render};

/// The package name the generated crate is used under (also in every snippet).
const README: &str = "README.md";

#[derive(Template)]
#[template(path = "readme.md", escape = "none")]
struct Readme<'c> {
    package: &'c str,
    title: String,
    version: String,
    crate_path: &'c str,
    features: String,
    first_feature: String,
    token_env: &'c str,
    team_env: &'c str,
    auth_env: String,
    auth_builder: String,
    first_call: String,
    resources: Vec<ResourceItem>,
    stream: Option<String>,
    upload: Option<String>,
    retry_defaults: String,
    retry_call: String,
    retry_client: String,
    timeout_call: String,
    errors: String,
    server_url: String,
    path_servers: String,
    has_path_server: bool,
    servers: String,
    http_client: String,
}

struct ResourceItem {
    namespace: String,
    link: String,
    operations: Vec<OperationItem>,
}

struct OperationItem {
    method: String,
    link: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "retry_policy.md", escape = "none")]
struct RetryPolicyPage {
    defaults: String,
    example: String,
}

/// The operation the README's general examples call: the first JSON operation with a struct
/// body (a typical request), else any JSON operation, else any operation.
fn showcase(api: &Api) -> Option<&Operation> {
    let live = || api.operations.iter().filter(|o| !o.ignored);
    let json = |o: &&Operation| matches!(o.response, Response::Json { .. });
    live()
        .filter(json)
        .find(|o| {
            o.body.as_ref().is_some_and(|b| {
                b.content_type == BodyKind::Json && b.required && matches!(b.ty, TypeRef::Named(_))
            })
        })
        .or_else(|| live().find(json))
        .or_else(|| live().next())
}

pub(crate) fn emit(cx: &DocsContext<'_>, out: &mut Output) -> Result<(), String> {
    let api = cx.api;
    let config = &cx.plan.config;
    let krate = cx.krate();
    let token_env = &config.token_env;
    let crate_path = format!("generated/{}", config.package);
    let Some(op) = showcase(api) else {
        return Ok(());
    };
    let feature = Some(op.resource[0].clone());
    let mut blocks = Blocks {
        cx,
        snippets: Vec::new(),
    };
    let token_line = quote!(let token = std::env::var(#token_env).unwrap_or_default(););

    let auth_env = blocks.add(
        "Authentication",
        quote!(let client = #krate::Client::from_env()?;),
        false,
        None,
        None,
    )?;
    let auth_builder = blocks.add(
        "Authentication",
        quote! { #token_line let client = #krate::Client::builder().token(token).build()?; },
        false,
        None,
        None,
    )?;

    let (chain, call) = call_chain(cx, op);
    let first_call = blocks.add(
        "First Call",
        handle_response(op, chain.clone()),
        true,
        feature.clone(),
        Some(call),
    )?;

    let stream_op = api.operations.iter().find(|o| {
        !o.ignored
            && matches!(o.response, Response::EventStream { .. })
            && o.body
                .as_ref()
                .is_none_or(|b| b.content_type == BodyKind::Json)
    });
    let stream = match stream_op {
        Some(op) => {
            let (chain, call) = call_chain(cx, op);
            Some(blocks.add(
                "Server-Sent Event Streaming",
                handle_response(op, chain),
                true,
                Some(op.resource[0].clone()),
                Some(call),
            )?)
        }
        None => None,
    };
    let upload_op = api.operations.iter().find(|o| {
        !o.ignored
            && o.body
                .as_ref()
                .is_some_and(|b| b.content_type == BodyKind::Multipart)
    });
    let upload = match upload_op {
        Some(op) => {
            let (chain, _) = call_chain(cx, op);
            Some(blocks.add(
                "File Uploads",
                handle_response(op, chain),
                true,
                Some(op.resource[0].clone()),
                None,
            )?)
        }
        None => None,
    };

    let backoff = quote! {
        #krate::RetryPolicy::backoff(
            std::time::Duration::from_millis(500),
            std::time::Duration::from_secs(30),
            std::time::Duration::from_secs(300),
            2.0,
        )
        .max_attempts(5)
    };
    let retry_call = blocks.add(
        "Retries",
        handle_response(op, quote!(#chain.retries(#backoff))),
        true,
        feature.clone(),
        None,
    )?;
    let retry_client = blocks.add("Retries", quote! {
        #token_line
        let client = #krate::Client::builder().token(token).retry_policy(#krate::RetryPolicy::none()).build()?;
    }, false, None, None)?;
    let timeout_call = blocks.add(
        "Timeouts",
        handle_response(
            op,
            quote!(#chain
                .timeout(std::time::Duration::from_secs(30))
                .deadline(std::time::Duration::from_secs(120))),
        ),
        true,
        feature.clone(),
        None,
    )?;

    let typed = cx.plan.error_variants.first().map(|(_, name)| {
        let variant = format_ident!("{}", name);
        quote! {
            if let Some(#krate::ErrorBody::#variant(details)) = &api_error.typed {
                eprintln!("details: {details:?}");
            }
        }
    });
    let errors = blocks.add(
        "Error Handling",
        quote! {
            match #chain.send().await {
                Ok(res) => println!("{res:?}"),
                Err(err) => match err.api_error() {
                    Some(api_error) => {
                        eprintln!("HTTP {}: {}", api_error.status, api_error.body_text());
                        #typed
                    }
                    None => eprintln!("{err}"),
                },
            }
        },
        true,
        feature.clone(),
        None,
    )?;

    let path_server = api.operations.iter().find_map(|o| o.server.clone());
    let remap = path_server
        .as_ref()
        .map(|s| quote!(.server_url_for(#s, "http://127.0.0.1:8080")));
    let default_server = &api.server_url;
    let send = handle_response(op, quote!(#chain.server_url(#default_server)));
    let servers = blocks.add("Server Selection", quote! {
        #token_line
        let client = #krate::Client::builder().token(token).base_url(#default_server) #remap .build()?;
        #send
    }, false, feature.clone(), None)?;
    let http_client = blocks.add(
        "Custom HTTP Client",
        quote! {
            #token_line
            // With the default `rustls-ring` TLS, before building a reqwest client of your own.
            #krate::runtime::tls::ensure_crypto_provider();
            let http = reqwest::Client::builder()
                .connect_timeout(std::time::Duration::from_secs(5))
                .pool_idle_timeout(std::time::Duration::from_secs(90))
                .build()
                .map_err(|err| #krate::Error::Config(err.to_string()))?;
            let client = #krate::Client::builder().token(token).http_client(http).build()?;
        },
        false,
        None,
        None,
    )?;

    let links = operation_links(&cx.plan.tree);
    let mut resources = Vec::new();
    walk(&cx.plan.tree, &mut Vec::new(), &mut |path, node| {
        let page = sdk_page_path(path);
        resources.push(ResourceItem {
            namespace: namespace(path),
            link: page.clone(),
            operations: node
                .operations
                .iter()
                .map(|o| OperationItem {
                    method: o.method_name.trim_start_matches("r#").to_owned(),
                    link: links
                        .iter()
                        .find(|(id, _)| *id == o.operation_id)
                        .map(|(_, l)| l.clone())
                        .unwrap_or_else(|| page.clone()),
                    summary: cell(&operation_summary(o)),
                })
                .collect(),
        });
    });
    let families = cx.plan.families.clone();
    let path_servers = path_server
        .as_ref()
        .map(|s| {
            format!(
                " (operations with a server of their own in the spec, such as {}, go there)",
                code_span(s)
            )
        })
        .unwrap_or_default();
    let retry_defaults = retry_defaults(api);

    let readme = Readme {
        package: &config.package,
        title: one_line(&api.title),
        version: one_line(&api.version),
        crate_path: &crate_path,
        features: families
            .iter()
            .map(|f| code_span(f))
            .collect::<Vec<_>>()
            .join(", "),
        first_feature: families.first().cloned().unwrap_or_default(),
        token_env: &config.token_env,
        team_env: &config.team_env,
        auth_env,
        auth_builder,
        first_call,
        resources,
        stream,
        upload,
        retry_defaults: retry_defaults.clone(),
        retry_call,
        retry_client,
        timeout_call,
        errors,
        server_url: code_span(&api.server_url),
        path_servers,
        has_path_server: path_server.is_some(),
        servers,
        http_client,
    };
    let text = render(&readme, README)?;
    out.page(cx, README, text);
    out.snippets.extend(blocks.snippets);
    out.index.push(IndexEntry { section: IndexSection::Sdk, title: "README".into(), path: README.into(), summary: "Installation, authentication, a first call, streaming, uploads, retries, errors, servers".into() });

    let example = snippet(
        cx,
        quote! {
            let policy = #krate::RetryPolicy::backoff(
                std::time::Duration::from_millis(500),
                std::time::Duration::from_secs(30),
                std::time::Duration::from_secs(300),
                2.0,
            )
            .status_codes([429, 503])
            .retry_connection_errors(true)
            .max_attempts(5);
            let never = #krate::RetryPolicy::none();
        },
        false,
        None,
        format!("{RETRY_POLICY_PAGE}: Example"),
        None,
    )?;
    let page = RetryPolicyPage {
        defaults: retry_defaults,
        example: example.page_text(),
    };
    out.snippets.push(example);
    let text = render(&page, RETRY_POLICY_PAGE)?;
    out.page(cx, RETRY_POLICY_PAGE, text);
    out.index.push(IndexEntry {
        section: IndexSection::Models,
        title: "RetryPolicy".into(),
        path: RETRY_POLICY_PAGE.into(),
        summary: "When and how often a failed request is sent again".into(),
    });
    Ok(())
}

/// The README's code blocks, in page order.
struct Blocks<'c, 'a> {
    cx: &'c DocsContext<'a>,
    snippets: Vec<Snippet>,
}

impl Blocks<'_, '_> {
    /// Adds a block of the given section; returns its page text.
    fn add(
        &mut self,
        section: &str,
        stmts: TokenStream,
        needs_client: bool,
        feature: Option<String>,
        call: Option<CallInfo>,
    ) -> Result<String, String> {
        let s = snippet(
            self.cx,
            stmts,
            needs_client,
            feature,
            format!("{README}: {section}"),
            call,
        )?;
        let text = s.page_text();
        self.snippets.push(s);
        Ok(text)
    }
}

/// The default retry behaviour in words, from the spec's retry settings.
fn retry_defaults(api: &Api) -> String {
    match &api.retry {
        Some(r) => format!(
            "By default the client retries {}the statuses {} with exponential backoff (first wait {} ms, growing {}× up to {} ms, giving up after {} ms), honouring `Retry-After`.",
            if r.retry_connection_errors == Some(false) {
                ""
            } else {
                "connection errors (also a connection that breaks before the response arrives), timeouts and "
            },
            r.status_codes.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "),
            r.initial_interval_ms,
            r.exponent,
            r.max_interval_ms,
            r.max_elapsed_ms
        ),
        None => "By default the client retries connection errors, timeouts and the statuses 429, 500, 502, 503 and 504 with exponential backoff and jitter, honouring `Retry-After`.".into(),
    }
}

//! Rust usage snippets: one call per operation in the client's shape (required inputs
//! positional, optional ones chained), valued from the spec's examples, then formatted by
//! prettyplease. A [`Snippet`] is the single source of a code block: the page shows it and the
//! generated `tests/doc_examples.rs` compiles the very same text.

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;
use serde_json::Value;

use crate::ir::*;
use crate::lower::field_ident;
use crate::plan::{Input, InputKind, Presence};
use crate::rust_syntax::ident;

use super::DocsContext;
use super::rust_values::Position;

/// What pages show before a snippet that calls the API; the test passes `client` in instead.
pub(crate) fn client_line(krate: &str) -> String {
    format!("let client = {krate}::Client::from_env()?;")
}

/// One Rust code block of the docs.
#[derive(Debug, Clone)]
pub(crate) struct Snippet {
    /// The code: `use` lines first, then statements, as prettyplease formats them.
    pub code: String,
    /// Pages show [`client_line`] after the `use` lines.
    pub needs_client: bool,
    /// The crate's name in Rust paths.
    pub krate: String,
    /// The Cargo feature (API family) the code needs.
    pub feature: Option<String>,
    /// Where the block appears (page and section), for the test's doc comment.
    pub origin: String,
    /// The operation the code calls, with the JSON body it sends.
    pub call: Option<CallInfo>,
    /// What the page shows when it shows a complete program (SDK pages): `code` inside
    /// `#[tokio::main] async fn main()`, creating its own client. The test compiles this text
    /// as it is, and runs `code` with a mock's client.
    pub program: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct CallInfo {
    pub operation_id: String,
    pub body: Option<Value>,
}

impl Snippet {
    /// The text of the code block on a page.
    pub(crate) fn page_text(&self) -> String {
        if let Some(program) = &self.program {
            return program.clone();
        }
        let lines: Vec<&str> = self.code.lines().collect();
        let uses = lines.iter().take_while(|l| l.starts_with("use ")).count();
        let mut out: Vec<&str> = lines[..uses].to_vec();
        if uses > 0 {
            out.push("");
        }
        let client = client_line(&self.krate);
        if self.needs_client {
            out.push(&client);
        }
        out.extend(&lines[uses..]);
        out.join("\n")
    }
}

/// Formats statements as a function body, without the function around them.
pub(crate) fn format_statements(stmts: TokenStream) -> Result<String, String> {
    let text = crate::rust_syntax::format_file(
        "a docs example",
        quote! { async fn __doc_example() { #stmts } },
    )?;
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() < 3 {
        return Ok(String::new());
    }
    let body = &lines[1..lines.len() - 1];
    Ok(body
        .iter()
        .map(|l| l.strip_prefix("    ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// A snippet from statements; `use friendli::models;` is added when they name models.
pub(crate) fn snippet(
    cx: &DocsContext<'_>,
    stmts: TokenStream,
    needs_client: bool,
    feature: Option<String>,
    origin: String,
    call: Option<CallInfo>,
) -> Result<Snippet, String> {
    let krate = cx.krate();
    let uses_models = names_models(stmts.clone()).then(|| {
        quote!(
            use #krate::models;
        )
    });
    let code = format_statements(quote!(#uses_models #stmts))?;
    Ok(Snippet {
        code,
        needs_client,
        krate: krate.to_string(),
        feature,
        origin,
        call,
        program: None,
    })
}

/// Whether tokens contain a path starting `models::` (string literals are single tokens, so
/// text inside them does not count).
fn names_models(tokens: TokenStream) -> bool {
    let mut after_models = false;
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) => after_models = ident == "models",
            TokenTree::Punct(punct) if after_models && punct.as_char() == ':' => return true,
            TokenTree::Group(group) => {
                if names_models(group.stream()) {
                    return true;
                }
                after_models = false;
            }
            _ => after_models = false,
        }
    }
    false
}

/// The call of an operation up to (not including) `.send()`:
/// `client.dedicated().image().generate("(endpoint-id)", "An orange…").num_inference_steps(10)`,
/// plus the JSON body it sends.
pub(crate) fn call_chain(cx: &DocsContext<'_>, op: &Operation) -> (TokenStream, CallInfo) {
    let body = cx.examples.body(op);
    let mut args = Vec::new();
    let mut setters = Vec::new();
    for input in &cx.plan.operation(op).inputs {
        let value = match &input.kind {
            InputKind::Param(p) => cx.examples.param(op, p),
            InputKind::Field(f) => body.as_ref().and_then(|b| b.get(&f.wire_name)).cloned(),
            InputKind::Body(_) => body.clone(),
        };
        if input.required() {
            args.push(required_arg(cx, input, &value.unwrap_or(Value::Null)));
        } else if let Some(value) = value {
            setters.extend(setter_call(cx, input, &value));
        }
    }
    let segments = op.resource.iter().map(|s| ident(&field_ident(s)));
    let method = ident(&op.method_name);
    let chain = quote!(client #(.#segments())* .#method(#(#args),*) #(#setters)*);
    (
        chain,
        CallInfo {
            operation_id: op.operation_id.clone(),
            body,
        },
    )
}

/// A positional argument (`impl Into<T>`, or `impl Into<Option<T>>` when required but nullable).
fn required_arg(cx: &DocsContext<'_>, input: &Input<'_>, value: &Value) -> TokenStream {
    let ty = match &input.kind {
        InputKind::Param(p) => &p.ty,
        InputKind::Field(f) => &f.ty,
        InputKind::Body(b) => &b.ty,
    };
    let nullable = input.presence == Presence::RequiredNullable;
    match (nullable, value.is_null()) {
        (true, true) => quote!(None),
        // `Option<T>: From<T>` only for `T` itself.
        (true, false) => cx.values.expr(ty, value, Position::Exact),
        (false, _) => cx.values.expr(ty, value, Position::Into),
    }
}

/// `.name(value)`, or `.name_null()` for an explicit `null`; nothing for a `null` that cannot be sent.
fn setter_call(cx: &DocsContext<'_>, input: &Input<'_>, value: &Value) -> Option<TokenStream> {
    let name = ident(&input.setter);
    let ty = match &input.kind {
        InputKind::Param(p) => &p.ty,
        InputKind::Field(f) => {
            if value.is_null() {
                return input.null_setter().map(|null_setter| {
                    let null_setter = quote::format_ident!("{}", null_setter);
                    quote!(.#null_setter())
                });
            }
            &f.ty
        }
        InputKind::Body(b) => &b.ty,
    };
    if value.is_null() {
        return None;
    }
    let expr = cx.values.expr(ty, value, Position::Into);
    Some(quote!(.#name(#expr)))
}

/// What a snippet does with the result of `.send().await?`.
pub(crate) fn handle_response(op: &Operation, call: TokenStream) -> TokenStream {
    let (uses, stmts) = response_handling(op, call);
    quote!(#uses #stmts)
}

/// The `use` lines and the statements that send the call and use its result.
fn response_handling(op: &Operation, call: TokenStream) -> (TokenStream, TokenStream) {
    match &op.response {
        Response::Json { .. } => (
            TokenStream::new(),
            quote! {
                let res = #call.send().await?;
                println!("{res:?}");
            },
        ),
        Response::EventStream { .. } => (
            quote!(
                use futures_util::StreamExt as _;
            ),
            quote! {
                let mut stream = #call.send().await?;
                while let Some(event) = stream.next().await {
                    let event = event?;
                    println!("{event:?}");
                }
            },
        ),
        Response::Empty { .. } => (
            TokenStream::new(),
            quote! {
                #call.send().await?;
            },
        ),
    }
}

/// How a complete program makes its client: from the environment when the operation needs the
/// API token, else without one (a local Friendli Container needs none).
pub(crate) fn client_setup(cx: &DocsContext<'_>, op: &Operation) -> TokenStream {
    let krate = cx.krate();
    if !op.security.is_empty() {
        quote!(#krate::Client::from_env()?)
    } else {
        quote!(#krate::Client::builder().build()?)
    }
}

/// A type with the named aliases around it taken off.
fn unaliased<'t>(mut ty: &'t TypeRef, types: &'t [TypeDef]) -> &'t TypeRef {
    while let TypeRef::Named(id) = ty
        && let TypeKind::Alias(inner) = &types[id.0].kind
    {
        ty = inner;
    }
    ty
}

/// Statements that use a JSON result `res` the way its type invites: the bytes of a base64
/// field, the length of a list, else a field (the Response section quotes the first line).
/// `None` when there is nothing better than printing the whole value.
pub(crate) fn result_use(cx: &DocsContext<'_>, op: &Operation) -> Option<TokenStream> {
    let Response::Json { ty, .. } = &op.response else {
        return None;
    };
    let types = &cx.api.types;
    let TypeRef::Named(id) = unaliased(ty, types) else {
        return None;
    };
    let TypeKind::Struct(s) = &types[id.0].kind else {
        return None;
    };
    let required = || s.fields.iter().filter(|f| f.required && !f.nullable);
    if let Some(f) = required().find(|f| f.ty == TypeRef::Base64) {
        let name = ident(&f.rust_name);
        return Some(quote! {
            let bytes = res.#name.decode()?;
            println!("{} bytes", bytes.len());
        });
    }
    if let Some(f) = required().find(|f| matches!(unaliased(&f.ty, types), TypeRef::Array(_))) {
        let name = ident(&f.rust_name);
        let label = format!("{{}} {}", f.wire_name.replace(['{', '}'], ""));
        return Some(quote!(println!(#label, res.#name.len());));
    }
    let f = required().next()?;
    let name = ident(&f.rust_name);
    Some(quote!(println!("{:?}", res.#name);))
}

/// The Example Usage block of an operation: a complete program, as the seed pages' snippets
/// are complete scripts.
pub(crate) fn operation_snippet(
    cx: &DocsContext<'_>,
    op: &Operation,
    origin: String,
) -> Result<Snippet, String> {
    let (chain, call) = call_chain(cx, op);
    let (uses, stmts) = response_handling(op, chain.clone());
    let mut snippet = snippet(
        cx,
        quote!(#uses #stmts),
        true,
        Some(op.resource[0].clone()),
        origin,
        Some(call),
    )?;
    let krate = cx.krate();
    let uses_models = names_models(stmts.clone()).then(|| {
        quote!(
            use #krate::models;
        )
    });
    // The program uses the result as the Response section says; a run against a mock sends the
    // call only (mock bodies are schema-shaped, not real images).
    let stmts = match result_use(cx, op) {
        Some(used) => quote! {
            let res = #chain.send().await?;
            #used
        },
        None => stmts,
    };
    let client = client_setup(cx, op);
    let program = crate::rust_syntax::format_file(
        "a docs example",
        quote! {
            #uses_models
            #uses
            #[tokio::main]
            async fn main() -> Result<(), #krate::Error> {
                let client = #client;
                #stmts
                Ok(())
            }
        },
    )?;
    // prettyplease keeps `use` lines and the item after them together; a script separates them.
    let program = program.replacen("\n#[tokio::main]", "\n\n#[tokio::main]", 1);
    snippet.program = Some(program.trim_end().to_owned());
    Ok(snippet)
}

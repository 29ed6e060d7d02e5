//! SDK resource pages, `docs/sdks/<resource>/README.md`: one per resource handle with
//! operations, in the seeds' layout (`# Name`, namespace, Overview, Available Operations, then
//! per operation: description, Example Usage, Parameters, Response, Errors).

use askama::Template;
use serde_json::Value;

use crate::ir::*;
use crate::plan::{InputKind, Presence, ResourceNode, handle_name};

use super::markdown::{
    Anchors, cell, code_cell, code_span, fence_for, first_paragraph, prose, relative,
};
use super::type_text::{Holder, linked, type_cell};
use super::usage::operation_snippet;
use super::{DocsContext, IndexEntry, IndexSection, Output, render};

/// Where the per-call `retries` option's type is described.
pub(crate) const RETRY_POLICY_PAGE: &str = "docs/models/utils/retry_policy.md";

/// Where the SDK's own types (`Base64`, `OptionalNullable`, `FilePart`, `EventStream`,
/// `RetryPolicy`) are described; each has a section whose anchor is its name in lower case.
pub(crate) const RUNTIME_TYPES_PAGE: &str = "docs/models/utils/runtime_types.md";

/// The runtime types that have a section on [`RUNTIME_TYPES_PAGE`].
pub(crate) const RUNTIME_TYPES: &[&str] = &[
    "Base64",
    "OptionalNullable",
    "FilePart",
    "EventStream",
    "RetryPolicy",
];

/// `[`Name`](…/runtime_types.md#name)` from `page`.
pub(crate) fn runtime_type_link(page: &str, name: &str) -> String {
    format!(
        "[{}]({}#{})",
        code_span(name),
        relative(page, RUNTIME_TYPES_PAGE),
        name.to_lowercase()
    )
}

#[derive(Template)]
#[template(path = "runtime_types.md", escape = "none")]
struct RuntimeTypesPage {
    retry_policy: String,
}

/// The page of the runtime types, and its index entry.
pub(crate) fn emit_runtime_types(cx: &DocsContext<'_>, out: &mut Output) -> Result<(), String> {
    let text = render(
        &RuntimeTypesPage {
            retry_policy: relative(RUNTIME_TYPES_PAGE, RETRY_POLICY_PAGE),
        },
        RUNTIME_TYPES_PAGE,
    )?;
    out.page(cx, RUNTIME_TYPES_PAGE, text);
    out.index.push(IndexEntry {
        section: IndexSection::Models,
        title: "Runtime types".into(),
        path: RUNTIME_TYPES_PAGE.into(),
        summary: "Base64, OptionalNullable, FilePart, EventStream and RetryPolicy".into(),
    });
    Ok(())
}

const REQUIRED: &str = ":heavy_check_mark:";
const OPTIONAL: &str = ":heavy_minus_sign:";

#[derive(Template)]
#[template(path = "sdk_page.md", escape = "none")]
struct SdkPage {
    name: String,
    namespace: String,
    overview: Option<String>,
    operations: Vec<OperationSection>,
}

struct OperationSection {
    method: String,
    anchor: String,
    summary: String,
    description: String,
    operation_id: String,
    /// Lower case, as the seeds' `UsageSnippet` comments write it.
    http_method: String,
    path: String,
    example: String,
    parameters: Vec<ParameterRow>,
    builder_note: String,
    response: String,
    /// The spec's response example: fence, info string and text.
    response_example: Option<(String, &'static str, String)>,
    /// A sentence on using the result, with the Rust the example runs.
    response_use: Option<String>,
    errors: Vec<ErrorRow>,
}

struct ParameterRow {
    name: String,
    ty: String,
    required: &'static str,
    description: String,
    example: String,
}

struct ErrorRow {
    error_type: String,
    status: String,
    content_type: String,
}

/// The page of a resource handle (`["container", "image"]` → `docs/sdks/container/image/README.md`).
pub(crate) fn sdk_page_path(resource: &[String]) -> String {
    format!("docs/sdks/{}/README.md", resource.join("/"))
}

/// The anchors of a page's headings, in page order (see `sdk_page.md`); one per operation.
fn operation_anchors(name: &str, ops: &[&Operation]) -> Vec<String> {
    let mut anchors = Anchors::default();
    for heading in [name, "Overview", "Available Operations"] {
        anchors.next(heading);
    }
    ops.iter()
        .map(|op| {
            let anchor = anchors.next(method_heading(op));
            for heading in ["Example Usage", "Parameters", "Response", "Errors"] {
                anchors.next(heading);
            }
            anchor
        })
        .collect()
}

fn method_heading(op: &Operation) -> &str {
    op.method_name.trim_start_matches("r#")
}

/// `client.dedicated().image()`.
pub(crate) fn namespace(resource: &[String]) -> String {
    let calls: String = resource
        .iter()
        .map(|s| format!(".{}()", crate::lower::field_ident(s)))
        .collect();
    format!("client{calls}")
}

/// The anchor of each operation's section on its resource page, for links from elsewhere.
pub(crate) fn operation_links(tree: &ResourceNode<'_>) -> Vec<(String, String)> {
    let mut links = Vec::new();
    walk(tree, &mut Vec::new(), &mut |path, node| {
        let name = handle_name(path);
        for (op, anchor) in node
            .operations
            .iter()
            .zip(operation_anchors(&name, &node.operations))
        {
            links.push((
                op.operation_id.clone(),
                format!("{}#{anchor}", sdk_page_path(path)),
            ));
        }
    });
    links
}

/// Visits the resource tree in client order, parents before children.
pub(crate) fn walk<'a>(
    node: &ResourceNode<'a>,
    path: &mut Vec<String>,
    visit: &mut impl FnMut(&[String], &ResourceNode<'a>),
) {
    if !node.operations.is_empty() {
        visit(path, node);
    }
    for child in &node.child_order {
        path.push(child.clone());
        walk(&node.children[child], path, visit);
        path.pop();
    }
}

pub(crate) fn emit(cx: &DocsContext<'_>, out: &mut Output) -> Result<(), String> {
    let mut result = Ok(());
    walk(&cx.plan.tree, &mut Vec::new(), &mut |path, node| {
        if result.is_ok() {
            result = emit_page(cx, out, path, node);
        }
    });
    result
}

fn emit_page(
    cx: &DocsContext<'_>,
    out: &mut Output,
    resource: &[String],
    node: &ResourceNode<'_>,
) -> Result<(), String> {
    let page = sdk_page_path(resource);
    let name = handle_name(resource);
    let anchors = operation_anchors(&name, &node.operations);
    let mut operations = Vec::new();
    for (op, anchor) in node.operations.iter().zip(anchors) {
        operations.push(operation_section(cx, out, &page, op, anchor)?);
    }
    let namespace = namespace(resource);
    let overview = cx
        .api
        .tags
        .iter()
        .find(|t| t.name == node.operations[0].tag)
        .map(|t| prose(&t.description));
    let summary = format!(
        "{}: {}",
        code_span(&namespace),
        node.operations
            .iter()
            .map(|op| method_heading(op))
            .collect::<Vec<_>>()
            .join(", ")
    );
    out.index.push(IndexEntry {
        section: IndexSection::Sdk,
        title: name.clone(),
        path: page.clone(),
        summary,
    });
    let text = render(
        &SdkPage {
            name,
            namespace,
            overview,
            operations,
        },
        &page,
    )?;
    out.page(cx, &page, text);
    Ok(())
}

/// An operation's one-line summary: its `summary`, else the first paragraph of its description.
pub(crate) fn operation_summary(op: &Operation) -> String {
    op.summary
        .clone()
        .or_else(|| op.description.as_deref().map(first_paragraph))
        .unwrap_or_else(|| op.operation_id.clone())
}

fn operation_section(
    cx: &DocsContext<'_>,
    out: &mut Output,
    page: &str,
    op: &Operation,
    anchor: String,
) -> Result<OperationSection, String> {
    let method = method_heading(op).to_owned();
    let snippet = operation_snippet(cx, op, format!("{page}: {method}"))?;
    let example = snippet.page_text();
    out.snippets.push(snippet);
    let description = op
        .description
        .as_deref()
        .or(op.summary.as_deref())
        .map(prose)
        .unwrap_or_default();
    let op_plan = cx.plan.operation(op);
    let op_inputs = &op_plan.inputs;
    let has_null_setters = op_inputs.iter().any(|i| i.null_setter().is_some());
    let builder = code_span(&op_plan.builder);
    let send = code_span(".send().await");
    let mut builder_note = if op_inputs.iter().any(|i| i.required()) {
        format!(
            "Required parameters are arguments of {}; the other rows are methods of the {builder} it returns, which {send} sends.",
            code_span(&format!("{method}(..)"))
        )
    } else {
        format!(
            "The rows are methods of the {builder} that {} returns, which {send} sends.",
            code_span(&format!("{method}()"))
        )
    };
    if has_null_setters {
        builder_note.push_str(&format!(
            " An {} parameter also has a {} method that sends an explicit {}.",
            runtime_type_link(page, "OptionalNullable"),
            code_span("<name>_null()"),
            code_span("null")
        ));
    }
    Ok(OperationSection {
        summary: cell(&operation_summary(op)),
        description,
        operation_id: crate::neutralise::html_attribute(&op.operation_id),
        http_method: op.method.as_str().to_ascii_lowercase(),
        path: crate::neutralise::html_attribute(&op.path),
        example,
        parameters: parameter_rows(cx, page, op),
        builder_note,
        response: response_text(cx, page, op),
        response_example: response_example(op),
        response_use: response_use(cx, page, op)?,
        errors: error_rows(cx, page, op),
        method,
        anchor,
    })
}

fn example_cell(value: Option<&Value>) -> String {
    match value {
        None => String::new(),
        Some(Value::String(s)) => code_cell(s),
        Some(other) => code_cell(&other.to_string()),
    }
}

fn parameter_rows(cx: &DocsContext<'_>, page: &str, op: &Operation) -> Vec<ParameterRow> {
    let types = &cx.api.types;
    let mut rows: Vec<ParameterRow> = cx
        .plan
        .operation(op)
        .inputs
        .iter()
        .map(|input| {
            let required = input.required();
            let (default, constraints, wire_label) = match &input.kind {
                InputKind::Param(p) => (
                    p.default.as_ref(),
                    Some(&p.constraints),
                    match p.location {
                        ParamLocation::Path => "path",
                        ParamLocation::Query => "query",
                        ParamLocation::Header => "header",
                    },
                ),
                InputKind::Field(f) => (f.default.as_ref(), Some(&f.constraints), "JSON"),
                InputKind::Body(_) => (None, None, "JSON"),
            };
            let (ty, description, example) = match &input.kind {
                InputKind::Param(p) => {
                    let holder = if !required || p.nullable {
                        Holder::Option
                    } else {
                        Holder::Plain
                    };
                    (
                        type_cell(cx, page, &p.ty, holder, false),
                        p.docs.clone(),
                        example_cell(p.examples.first()),
                    )
                }
                InputKind::Field(f) => {
                    let holder = match input.presence {
                        Presence::Required => Holder::Plain,
                        Presence::OptionalNullable => Holder::OptionalNullable,
                        Presence::Optional | Presence::RequiredNullable => Holder::Option,
                    };
                    (
                        type_cell(cx, page, &f.ty, holder, f.boxed),
                        f.docs.clone(),
                        example_cell(f.examples.first()),
                    )
                }
                InputKind::Body(b) => {
                    let holder = if required {
                        Holder::Plain
                    } else {
                        Holder::Option
                    };
                    let docs = super::type_text::first_named(&b.ty)
                        .and_then(|id| types[id.0].docs.clone())
                        .or_else(|| Some("The request body.".to_owned()));
                    (
                        type_cell(cx, page, &b.ty, holder, false),
                        docs,
                        String::new(),
                    )
                }
            };
            let description = described(description.as_deref(), default, constraints);
            // `r#type` sends `type`, `project_id` sends `projectId`: the row says so.
            let setter = input.setter.trim_start_matches("r#");
            let name = if setter == input.wire || matches!(input.kind, InputKind::Body(_)) {
                code_cell(&input.setter)
            } else {
                format!(
                    "{} ({wire_label} {})",
                    code_cell(&input.setter),
                    code_cell(input.wire)
                )
            };
            ParameterRow {
                name,
                ty,
                required: if required { REQUIRED } else { OPTIONAL },
                description,
                example,
            }
        })
        .collect();
    let server = op
        .server
        .clone()
        .unwrap_or_else(|| cx.api.server_url.clone());
    rows.push(ParameterRow {
        name: code_cell("retries"),
        ty: format!(
            "[{}]({})",
            code_cell("Option<RetryPolicy>"),
            relative(page, RETRY_POLICY_PAGE)
        ),
        required: OPTIONAL,
        description: "Configuration to override the default retry behavior of the client.".into(),
        example: String::new(),
    });
    rows.push(ParameterRow {
        name: code_cell("server_url"),
        ty: code_cell("Option<String>"),
        required: OPTIONAL,
        description: format!(
            "An optional server URL to use instead of {}.",
            code_cell(&server)
        ),
        example: code_cell(&server),
    });
    rows.push(ParameterRow {
        name: code_cell("timeout"),
        ty: code_cell("Option<Duration>"),
        required: OPTIONAL,
        description: "Time limit for each attempt of this call.".into(),
        example: String::new(),
    });
    rows
}

/// A description cell: the spec's text, then what the schema says that the text does not.
pub(crate) fn described(
    docs: Option<&str>,
    default: Option<&Value>,
    constraints: Option<&Constraints>,
) -> String {
    let mut description = docs.map(cell).unwrap_or_default();
    let facts = schema_facts(&description, default, constraints);
    if !facts.is_empty() {
        if !description.is_empty() {
            description.push_str("<br>");
        }
        description.push_str(&facts);
    }
    description
}

/// `Default: 20. Range: 1–100.` from the schema, leaving out what the description already
/// says (it often spells out the default or the range in its own words).
fn schema_facts(
    description: &str,
    default: Option<&Value>,
    constraints: Option<&Constraints>,
) -> String {
    let said = description.to_lowercase();
    let mentions = |words: &[&str]| words.iter().any(|w| said.contains(w));
    let mut facts = Vec::new();
    if let Some(default) = default.filter(|_| !mentions(&["default"])) {
        let text = match default {
            Value::Number(n) => n.to_string(),
            other => code_cell(&other.to_string()),
        };
        facts.push(format!("Default: {text}."));
    }
    let Some(c) = constraints else {
        return facts.join(" ");
    };
    let bound = |b: &Bound| {
        if b.exclusive {
            format!("{} (exclusive)", b.value)
        } else {
            b.value.to_string()
        }
    };
    if !mentions(&[
        "range", "between", "minimum", "maximum", "at least", "at most", "must be",
    ]) {
        match (&c.minimum, &c.maximum) {
            (Some(lo), Some(hi)) => facts.push(format!("Range: {}–{}.", bound(lo), bound(hi))),
            (Some(lo), None) => facts.push(format!("Minimum: {}.", bound(lo))),
            (None, Some(hi)) => facts.push(format!("Maximum: {}.", bound(hi))),
            (None, None) => {}
        }
    }
    for (what, min, max) in [
        ("Length", c.min_length, c.max_length),
        ("Items", c.min_items, c.max_items),
    ] {
        match (min, max) {
            (Some(lo), Some(hi)) => facts.push(format!("{what}: {lo}–{hi}.")),
            (Some(lo), None) => facts.push(format!("{what}: at least {lo}.")),
            (None, Some(hi)) => facts.push(format!("{what}: at most {hi}.")),
            (None, None) => {}
        }
    }
    if let Some(pattern) = &c.pattern {
        facts.push(format!("Pattern: {}.", code_cell(pattern)));
    }
    if let Some(format) = &c.format {
        facts.push(format!("Format: {}.", code_cell(format)));
    }
    facts.join(" ")
}

/// The spec's example of the success response (only examples valid against their schema reach
/// the IR): JSON pretty-printed, an event stream as the events.
fn response_example(op: &Operation) -> Option<(String, &'static str, String)> {
    let (info, text) = match &op.response {
        Response::Json {
            example: Some(example),
            ..
        } => ("json", serde_json::to_string_pretty(example).ok()?),
        Response::EventStream {
            example: Some(example),
            ..
        } => ("text", example.trim_end().to_owned()),
        _ => return None,
    };
    Some((fence_for(&text, 3), info, text))
}

/// How the Example Usage program uses the result, in words and its own Rust.
fn response_use(
    cx: &DocsContext<'_>,
    page: &str,
    op: &Operation,
) -> Result<Option<String>, String> {
    Ok(match &op.response {
        Response::Json { .. } => match super::usage::result_use(cx, op) {
            Some(used) => {
                let code = super::usage::format_statements(used)?;
                let first = code.lines().next().unwrap_or_default();
                Some(format!("The example above uses it: {}", code_span(first)))
            }
            None => None,
        },
        Response::EventStream { .. } => Some(format!(
            "An {} of events: {} (with {}) gives each event or the error that ended the stream.",
            runtime_type_link(page, "EventStream"),
            code_span("while let Some(event) = stream.next().await"),
            code_span("futures_util::StreamExt")
        )),
        Response::Empty { .. } => None,
    })
}

pub(crate) fn response_text(cx: &DocsContext<'_>, page: &str, op: &Operation) -> String {
    let types = &cx.api.types;
    match &op.response {
        Response::Json { ty, .. } => type_cell(cx, page, ty, Holder::Plain, false),
        Response::EventStream { ty, .. } => linked(
            cx,
            page,
            &format!("EventStream<{}>", super::type_text::type_name(ty, types)),
            super::type_text::first_named(ty),
        ),
        Response::Empty { .. } => code_span("()"),
    }
}

fn error_rows(cx: &DocsContext<'_>, page: &str, op: &Operation) -> Vec<ErrorRow> {
    // An error response without content says nothing the catch-all row does not: the seeds
    // list only that row for a bare `422`.
    let mut rows: Vec<ErrorRow> = op
        .errors
        .iter()
        .filter(|e| e.ty.is_some() || e.content_type.is_some())
        .map(|e| {
            let typed =
                e.ty.as_ref()
                    .map(|ty| format!(" with {}", type_cell(cx, page, ty, Holder::Plain, false)))
                    .unwrap_or_default();
            ErrorRow {
                error_type: format!("{}{typed}", code_span("Error::Api")),
                status: cell(&e.status),
                content_type: code_cell(e.content_type.as_deref().unwrap_or("*/*")),
            }
        })
        .collect();
    rows.push(ErrorRow {
        error_type: code_span("Error::Api"),
        status: "4XX, 5XX".into(),
        content_type: code_cell("*/*"),
    });
    rows
}

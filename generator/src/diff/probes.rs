//! Reality check of a report: for each change, a small program written against the *old*
//! crate that uses the changed item the way the old docs show. Built against the new crate, the
//! program of a breaking change must fail to compile and that of an additive or docs-only change
//! must compile (`cargo xtask verify-diff` builds them). Each program must compile against the
//! old crate, or the probe itself is wrong.
//!
//! Values come from `v::<T>()` (a diverging function), so every probe is checked, never run,
//! and an argument has exactly the type the old crate declared.
//!
//! Programs name the SDK crate `sdk`, whatever its package is called: the probe crate's
//! manifest maps the name to the package (`sdk = { package = "…", path = "…" }`).

use std::collections::BTreeSet;

use super::crate_view::{ApiView, OperationView, TypeView};
use super::{Change, Class, Report, Subject};
use crate::ir::*;

/// One program: `code` is the whole `main.rs` of a binary.
pub struct Probe {
    /// Index into `Report::changes`.
    pub change: usize,
    /// Breaking changes must make the program fail against the new crate.
    pub expect_failure: bool,
    pub code: String,
}

/// Changes without a program, and why.
pub struct Unprobed {
    pub change: usize,
    pub reason: &'static str,
}

const PRELUDE: &str = "#![allow(unused, unreachable_code, unreachable_patterns, clippy::all)]
use sdk::models::*;
use sdk::{Base64, EventStream, FilePart, OptionalNullable};
use std::collections::BTreeMap;

fn v<T>() -> T {
    loop {}
}

fn main() {}
";

/// An identifier as Rust source: keywords raw (`r#type`).
fn raw(name: &str) -> String {
    let name = name.trim_start_matches("r#");
    if syn::parse_str::<syn::Ident>(name).is_ok() {
        name.to_owned()
    } else {
        format!("r#{name}")
    }
}

fn value(ty: &str) -> String {
    format!("v::<{ty}>()")
}

/// `client.a().b().method(v::<T1>(), ...)` as the old crate declared it.
fn call(op: &OperationView<'_>) -> String {
    let (namespace, method) = op.call.rsplit_once('.').unwrap_or(("client", &op.call));
    let args: Vec<String> = op.positional.iter().map(|a| value(&a.ty)).collect();
    format!("{namespace}.{}({})", raw(method), args.join(", "))
}

fn setter_call(name: &str, ty: &str) -> String {
    if ty.is_empty() {
        format!(".{}()", raw(name))
    } else {
        format!(".{}({})", raw(name), value(ty))
    }
}

fn program(body: &str) -> String {
    format!("{PRELUDE}\n{body}\n")
}

fn async_probe(statements: &str) -> String {
    program(&async_fn(statements))
}

fn async_fn(statements: &str) -> String {
    format!(
        "async fn probe(client: sdk::Client) -> Result<(), sdk::Error> {{\n{statements}\n    Ok(())\n}}"
    )
}

/// The documented use of an operation: positional arguments, every setter, typed response.
fn full_call(op: &OperationView<'_>) -> String {
    program(&full_call_body(op))
}

fn full_call_body(op: &OperationView<'_>) -> String {
    let setters: String = op
        .setters
        .iter()
        .map(|(name, ty)| setter_call(name, ty))
        .collect();
    async_fn(&format!(
        "    let _response: {} = {}{setters}.send().await?;",
        op.response,
        call(op)
    ))
}

/// The documented use of a model: build it, read every field, match every variant.
fn full_type(view: &ApiView<'_>, t: &TypeView<'_>) -> String {
    program(&full_type_body(view, t))
}

fn full_type_body(view: &ApiView<'_>, t: &TypeView<'_>) -> String {
    let name = &t.def.name;
    let mut body = String::new();
    if t.default_impl {
        body.push_str(&format!(
            "fn default() -> {name} {{\n    {name}::default()\n}}\n"
        ));
    }
    match &t.def.kind {
        TypeKind::Struct(_) => {
            let args: Vec<String> = t.constructor.iter().map(|a| value(&a.ty)).collect();
            let fields: Vec<String> = t
                .fields
                .iter()
                .map(|f| format!("    let _: {} = value.{};", f.ty, raw(&f.name)))
                .collect();
            body.push_str(&format!(
                "fn build() -> {name} {{\n    {name}::new({})\n}}\nfn read(value: {name}) {{\n{}\n}}\n",
                args.join(", "),
                fields.join("\n")
            ));
        }
        TypeKind::Enum(e) => {
            let arms: Vec<String> = e
                .values
                .iter()
                .map(|v| format!("        {name}::{} => 1,", v.rust_name))
                .collect();
            body.push_str(&format!(
                "fn read(value: {name}) -> u8 {{\n    match value {{\n{}\n        {name}::{}(_) => 2,\n        _ => 0,\n    }}\n}}\n",
                arms.join("\n"),
                e.unknown_variant
            ));
        }
        TypeKind::TaggedUnion(_) | TypeKind::UntaggedUnion(_) => {
            body.push_str(&union_use(name, &view.union_variants(t.def)));
        }
        TypeKind::Alias(target) => body.push_str(&format!(
            "fn read(value: {name}) -> {} {{\n    value\n}}\n",
            view.type_text(target)
        )),
    }
    body
}

fn union_use(name: &str, variants: &[(String, String)]) -> String {
    let mut body = String::new();
    for (i, (variant, ty)) in variants.iter().enumerate() {
        body.push_str(&format!(
            "fn make{i}(value: {ty}) -> {name} {{\n    {name}::{variant}(value)\n}}\n"
        ));
    }
    let arms: Vec<String> = variants
        .iter()
        .map(|(variant, _)| format!("        {name}::{variant}(_) => 1,"))
        .collect();
    body.push_str(&format!(
        "fn read(value: {name}) -> u8 {{\n    match value {{\n{}\n        _ => 0,\n    }}\n}}\n",
        arms.join("\n")
    ));
    body
}

fn subject_key(change: &Change) -> Option<String> {
    match &change.subject {
        Subject::Operation { operation_id, .. } => Some(format!("op:{operation_id}")),
        Subject::Model { name } => Some(format!("type:{name}")),
        Subject::Crate => None,
    }
}

/// One program using every operation and model of `old` that `report` does not mention, the
/// way the old docs show: it must compile against the new crate, or the report missed a change.
pub fn unchanged_probe(old: &Api, report: &Report) -> (usize, String) {
    let view = ApiView::new(old);
    // Keys as the old crate spells them: renamed operations and types under their old names.
    let mentioned: BTreeSet<String> = report
        .changes
        .iter()
        .flat_map(|c| {
            let old_key = match (&c.subject, c.kind) {
                (
                    Subject::Operation {
                        renamed_from: Some(id),
                        ..
                    },
                    _,
                ) => Some(format!("op:{id}")),
                (Subject::Model { .. }, "type-renamed") => {
                    c.member.as_ref().map(|name| format!("type:{name}"))
                }
                _ => None,
            };
            subject_key(c).into_iter().chain(old_key)
        })
        .collect();
    let mut items = Vec::new();
    for op in &view.operations {
        if !mentioned.contains(&format!("op:{}", op.op.operation_id)) {
            items.push(full_call_body(op));
        }
    }
    for t in &view.types {
        if !mentioned.contains(&format!("type:{}", t.def.name)) {
            items.push(full_type_body(&view, t));
        }
    }
    let modules: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(i, body)| format!("mod item{i} {{\nuse super::*;\n{body}\n}}"))
        .collect();
    (items.len(), program(&modules.join("\n")))
}

/// A program per change of `report` (computed from `old` to some new API).
pub fn probes(old: &Api, report: &Report) -> (Vec<Probe>, Vec<Unprobed>) {
    let view = ApiView::new(old);
    let broken: BTreeSet<String> = report
        .changes
        .iter()
        .filter(|c| c.class == Class::Breaking)
        .filter_map(subject_key)
        .collect();
    let mut made = Vec::new();
    let mut skipped = Vec::new();
    for (i, change) in report.changes.iter().enumerate() {
        let expect_failure = change.class == Class::Breaking;
        let also_broken =
            !expect_failure && subject_key(change).is_some_and(|key| broken.contains(&key));
        match probe_code(&view, change) {
            Ok(_) if also_broken => skipped.push(Unprobed {
                change: i,
                reason: "the same item has breaking changes, which its program would hit",
            }),
            Ok(code) => made.push(Probe {
                change: i,
                expect_failure,
                code,
            }),
            Err(reason) => skipped.push(Unprobed { change: i, reason }),
        }
    }
    (made, skipped)
}

fn probe_code(view: &ApiView<'_>, change: &Change) -> Result<String, &'static str> {
    const NEW_ITEM: &str = "a new item: no code written against the old crate can use it";
    const NO_API: &str = "no Rust item to use (spec metadata)";
    let member = change.member.as_deref().unwrap_or_default();
    match &change.subject {
        Subject::Operation {
            operation_id,
            renamed_from,
            ..
        } => {
            let old_id = renamed_from.as_ref().unwrap_or(operation_id);
            let Some(op) = view
                .operations
                .iter()
                .find(|o| &o.op.operation_id == old_id)
            else {
                return Err(NEW_ITEM);
            };
            Ok(match change.kind {
                "setter-removed" | "setter-type-changed" => {
                    let ty = op
                        .setters
                        .get(member)
                        .map(String::as_str)
                        .unwrap_or_default();
                    async_probe(&format!(
                        "    let _ = {}{};",
                        call(op),
                        setter_call(member, ty)
                    ))
                }
                "response-type-changed" => async_probe(&format!(
                    "    let _response: {} = {}.send().await?;",
                    op.response,
                    call(op)
                )),
                "builder-renamed" => program(&format!(
                    "type Builder = sdk::operations::{}::{};",
                    op.op.module,
                    crate::plan::builder_name(op.op)
                )),
                _ if change.class == Class::Breaking => {
                    async_probe(&format!("    let _ = {};", call(op)))
                }
                _ => full_call(op),
            })
        }
        Subject::Model { name } => {
            let old_name = if change.kind == "type-renamed" {
                member
            } else {
                name.as_str()
            };
            let Some(t) = view.type_named(old_name) else {
                return Err(NEW_ITEM);
            };
            let field = t.fields.iter().find(|f| f.name == member);
            Ok(match change.kind {
                "type-removed" | "type-renamed" => {
                    program(&format!("type Probe = Option<{old_name}>;"))
                }
                "field-removed" | "field-renamed" | "field-type-changed" => {
                    let f = field.ok_or("the field is not in the old crate")?;
                    program(&format!(
                        "fn read(value: {old_name}) -> {} {{\n    value.{}\n}}",
                        f.ty,
                        raw(&f.name)
                    ))
                }
                "field-added-required" | "constructor-changed" => {
                    let args: Vec<String> = t.constructor.iter().map(|a| value(&a.ty)).collect();
                    program(&format!(
                        "fn build() -> {old_name} {{\n    {old_name}::new({})\n}}",
                        args.join(", ")
                    ))
                }
                "default-removed" => program(&format!(
                    "fn build() -> {old_name} {{\n    {old_name}::default()\n}}"
                )),
                "enum-value-removed" | "enum-variant-renamed" => {
                    let unknown =
                        matches!(&t.def.kind, TypeKind::Enum(e) if e.unknown_variant == member);
                    let expr = if unknown {
                        format!("{old_name}::{member}(v::<String>())")
                    } else {
                        format!("{old_name}::{member}")
                    };
                    program(&format!("fn build() -> {old_name} {{\n    {expr}\n}}"))
                }
                "union-variant-removed" | "union-variant-type-changed" => {
                    let payload = view
                        .union_variants(t.def)
                        .into_iter()
                        .find(|(variant, _)| variant == member)
                        .map(|(_, payload)| payload)
                        .ok_or("the variant is not in the old crate")?;
                    program(&format!(
                        "fn build(value: {payload}) -> {old_name} {{\n    {old_name}::{member}(value)\n}}"
                    ))
                }
                // Kind and alias changes, and every additive or docs-only change: the whole
                // documented use of the old type.
                _ => full_type(view, t),
            })
        }
        Subject::Crate => match change.kind {
            "feature-removed" => Ok(async_probe(&format!(
                "    let _ = client.{}();",
                raw(member)
            ))),
            "error-body-variant-removed" => Ok(program(&format!(
                "fn read(error: sdk::ErrorBody) -> u8 {{\n    match error {{\n        sdk::ErrorBody::{}(_) => 1,\n        _ => 0,\n    }}\n}}",
                member
            ))),
            "feature-added" | "error-body-variant-added" => Err(NEW_ITEM),
            _ => Err(NO_API),
        },
    }
}

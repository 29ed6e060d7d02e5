//! Model pages, `docs/models/<type>.md`: one per named type. Structs get a `## Fields` table,
//! enums their values, unions the supported variants, each with a short Rust snippet that
//! builds one (compiled by the docs test like every other block).

use askama::Template;
use serde_json::Value;

use crate::ir::*;

use super::markdown::{code_cell, code_span, first_paragraph, prose};
use super::type_text::{Holder, linked, type_cell, type_name};
use super::usage::snippet;
use super::{DocsContext, IndexEntry, IndexSection, Output, render};

const REQUIRED: &str = ":heavy_check_mark:";
const OPTIONAL: &str = ":heavy_minus_sign:";

#[derive(Template)]
#[template(path = "model_page.md", escape = "none")]
struct ModelPage {
    name: String,
    description: Option<String>,
    alias: Option<String>,
    fields: Option<Vec<FieldRow>>,
    values: Option<Vec<ValueRow>>,
    unknown_note: String,
    tag_note: Option<String>,
    variants: Option<Vec<VariantSection>>,
}

struct FieldRow {
    name: String,
    ty: String,
    required: &'static str,
    description: String,
    example: String,
}

struct ValueRow {
    name: String,
    value: String,
}

struct VariantSection {
    heading: String,
    note: String,
    example: String,
}

pub(crate) fn emit(cx: &DocsContext<'_>, out: &mut Output) -> Result<(), String> {
    for (i, def) in cx.api.types.iter().enumerate() {
        let id = TypeId(i);
        let page = cx.model_path(id);
        let mut model = ModelPage {
            name: def.name.clone(),
            description: def.docs.as_deref().map(prose).filter(|d| !d.is_empty()),
            alias: None,
            fields: None,
            values: None,
            unknown_note: String::new(),
            tag_note: None,
            variants: None,
        };
        match &def.kind {
            TypeKind::Struct(s) => model.fields = Some(field_rows(cx, &page, s)),
            TypeKind::Enum(e) => set_values(&mut model, &def.name, e),
            TypeKind::TaggedUnion(u) => {
                model.tag_note = Some(format!(
                    "Told apart by the {} property; an object with a tag this SDK does not know yet is kept as {}.",
                    code_span(&u.tag),
                    code_span(&format!(
                        "{}::{}(serde_json::Value)",
                        def.name, u.unknown_variant
                    ))
                ));
                model.variants = Some(tagged_variants(cx, out, &page, id, u)?);
            }
            TypeKind::UntaggedUnion(u) => {
                model.variants = Some(untagged_variants(cx, out, &page, id, u)?)
            }
            TypeKind::Alias(target) => {
                model.alias = Some(format!(
                    "Same as {}.",
                    type_cell(cx, &page, target, Holder::Plain, false)
                ));
                // Show what the alias stands for, so the response link of an operation lands on
                // the fields the user gets.
                match resolve_alias(cx, target) {
                    Some(TypeKind::Struct(s)) => model.fields = Some(field_rows(cx, &page, s)),
                    Some(TypeKind::Enum(e)) => {
                        set_values(&mut model, &type_name(target, &cx.api.types), e)
                    }
                    _ => {}
                }
            }
        }
        out.index.push(IndexEntry {
            section: IndexSection::Models,
            title: def.name.clone(),
            path: page.clone(),
            summary: summary(cx, def),
        });
        let text = render(&model, &page)?;
        out.page(cx, &page, text);
    }
    Ok(())
}

/// The kind behind a chain of aliases, when it ends in a named type.
fn resolve_alias<'a>(cx: &DocsContext<'a>, ty: &TypeRef) -> Option<&'a TypeKind> {
    let mut ty = ty.clone();
    for _ in 0..16 {
        let TypeRef::Named(id) = ty else { return None };
        match &cx.api.types[id.0].kind {
            TypeKind::Alias(inner) => ty = inner.clone(),
            kind => return Some(kind),
        }
    }
    None
}

/// A one-line summary for the index: the docs' first paragraph, else what the type is.
fn summary(cx: &DocsContext<'_>, def: &TypeDef) -> String {
    if let Some(docs) = def
        .docs
        .as_deref()
        .map(first_paragraph)
        .filter(|d| !d.is_empty())
    {
        return docs;
    }
    let list = |names: Vec<&str>| {
        names
            .iter()
            .map(|n| code_span(n))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &def.kind {
        TypeKind::Struct(s) => format!(
            "Object with fields {}",
            list(s.fields.iter().map(|f| f.wire_name.as_str()).collect())
        ),
        TypeKind::Enum(e) => format!(
            "One of {}",
            list(e.values.iter().map(|v| v.wire.as_str()).collect())
        ),
        TypeKind::TaggedUnion(u) => format!(
            "One of {}",
            list(u.variants.iter().map(|v| v.rust_name.as_str()).collect())
        ),
        TypeKind::UntaggedUnion(u) => format!(
            "One of {}",
            list(u.variants.iter().map(|v| v.rust_name.as_str()).collect())
        ),
        TypeKind::Alias(ty) => format!("Same as {}", code_span(&type_name(ty, &cx.api.types))),
    }
}

fn field_rows(cx: &DocsContext<'_>, page: &str, s: &Struct) -> Vec<FieldRow> {
    let mut rows: Vec<FieldRow> = s
        .fields
        .iter()
        .map(|f| {
            let nullable = f.nullable && f.ty != TypeRef::Any;
            let holder = match (f.required, nullable) {
                (true, false) => Holder::Plain,
                (false, true) => Holder::OptionalNullable,
                _ => Holder::Option,
            };
            let rust = f.rust_name.trim_start_matches("r#");
            let mut name = code_cell(&f.rust_name);
            if rust != f.wire_name {
                name.push_str(&format!(" (JSON {})", code_cell(&f.wire_name)));
            }
            FieldRow {
                name,
                ty: type_cell(cx, page, &f.ty, holder, f.boxed),
                required: if f.required { REQUIRED } else { OPTIONAL },
                description: super::sdk_pages::described(
                    f.docs.as_deref(),
                    f.default.as_ref(),
                    Some(&f.constraints),
                ),
                example: match f.examples.first() {
                    None => String::new(),
                    Some(Value::String(s)) => code_cell(s),
                    Some(other) => code_cell(&other.to_string()),
                },
            }
        })
        .collect();
    if let Some(ty) = &s.additional {
        rows.push(FieldRow {
            name: code_cell("additional_properties"),
            ty: linked(
                cx,
                page,
                &format!("BTreeMap<String, {}>", type_name(ty, &cx.api.types)),
                super::type_text::first_named(ty),
            ),
            required: OPTIONAL,
            description: "Properties beyond the ones named above.".into(),
            example: String::new(),
        });
    }
    rows
}

fn set_values(model: &mut ModelPage, name: &str, e: &Enum) {
    model.values = Some(
        e.values
            .iter()
            .map(|v| ValueRow {
                name: code_cell(&v.rust_name),
                value: code_cell(&v.wire),
            })
            .collect(),
    );
    let mut note = format!(
        "A value this SDK does not know yet is kept as {}.",
        code_span(&format!("{name}::{}(String)", e.unknown_variant))
    );
    if let Some(default) = &e.default {
        note.push_str(&format!(" The default is {}.", code_span(default)));
    }
    model.unknown_note = note;
}

fn tagged_variants(
    cx: &DocsContext<'_>,
    out: &mut Output,
    page: &str,
    id: TypeId,
    u: &TaggedUnion,
) -> Result<Vec<VariantSection>, String> {
    let mut sections = Vec::new();
    for (index, v) in u.variants.iter().enumerate() {
        let holds = TypeRef::Named(v.ty);
        let has_tag = |e: &&Value| {
            e.get(&u.tag)
                .and_then(Value::as_str)
                .is_some_and(|t| v.tags.iter().any(|x| x == t))
        };
        let mut value = cx
            .examples
            .of_type(id)
            .into_iter()
            .find(|e| has_tag(&e))
            .unwrap_or_else(|| cx.examples.variant(id, &holds));
        if let Value::Object(object) = &mut value {
            object
                .entry(u.tag.clone())
                .or_insert_with(|| Value::String(v.tags[0].clone()));
        }
        let tags = v
            .tags
            .iter()
            .map(|t| code_span(t))
            .collect::<Vec<_>>()
            .join(", ");
        let note = format!(
            "{} {tags}: holds {}.",
            code_span(&u.tag),
            type_cell(cx, page, &holds, Holder::Plain, false)
        );
        sections.push(variant_section(
            cx,
            out,
            page,
            id,
            index,
            &v.rust_name,
            &value,
            note,
        )?);
    }
    Ok(sections)
}

fn untagged_variants(
    cx: &DocsContext<'_>,
    out: &mut Output,
    page: &str,
    id: TypeId,
    u: &UntaggedUnion,
) -> Result<Vec<VariantSection>, String> {
    let mut sections = Vec::new();
    for (index, v) in u.variants.iter().enumerate() {
        let value = cx.examples.variant(id, &v.ty);
        let note = format!(
            "Holds {}.",
            type_cell(cx, page, &v.ty, Holder::Plain, v.boxed)
        );
        sections.push(variant_section(
            cx,
            out,
            page,
            id,
            index,
            &v.rust_name,
            &value,
            note,
        )?);
    }
    Ok(sections)
}

#[allow(clippy::too_many_arguments)]
fn variant_section(
    cx: &DocsContext<'_>,
    out: &mut Output,
    page: &str,
    id: TypeId,
    index: usize,
    variant: &str,
    value: &Value,
    note: String,
) -> Result<VariantSection, String> {
    let expr = cx.values.union_variant(id, index, value);
    let snippet = snippet(
        cx,
        quote::quote!(let value = #expr;),
        false,
        None,
        format!("{page}: {variant}"),
        None,
    )?;
    let example = snippet.page_text();
    out.snippets.push(snippet);
    Ok(VariantSection {
        heading: code_span(variant),
        note,
        example,
    })
}

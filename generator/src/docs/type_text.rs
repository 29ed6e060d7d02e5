//! Rust types as the docs show them: short names (`Vec<ImageInput>`, not the fully qualified
//! paths the emitter writes), in a code span, linked to the model page of the named type inside.
//! Like the seeds' `[OptionalNullable[models.X]](link)`, the whole type is the link.

use crate::ir::*;

use super::DocsContext;
use super::markdown::{code_cell, relative};

/// How a value is held where it appears (struct field, builder input, response).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Holder {
    /// As is: `T`.
    Plain,
    /// `Option<T>`.
    Option,
    /// `OptionalNullable<T>`: absent, `null` or a value.
    OptionalNullable,
}

pub(crate) fn type_name(ty: &TypeRef, types: &[TypeDef]) -> String {
    match ty {
        TypeRef::String => "String".into(),
        TypeRef::Integer { bits: 32 } => "i32".into(),
        TypeRef::Integer { .. } => "i64".into(),
        TypeRef::Number => "f64".into(),
        TypeRef::Boolean => "bool".into(),
        TypeRef::DateTime => "DateTime<Utc>".into(),
        TypeRef::Base64 => "Base64".into(),
        TypeRef::File => "FilePart".into(),
        TypeRef::Any => "serde_json::Value".into(),
        TypeRef::Array(item) => format!("Vec<{}>", type_name(item, types)),
        TypeRef::Tuple(items) => format!(
            "({})",
            items
                .iter()
                .map(|t| type_name(t, types))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        TypeRef::Map(value) => format!("BTreeMap<String, {}>", type_name(value, types)),
        TypeRef::Nullable(inner) => format!("Option<{}>", type_name(inner, types)),
        TypeRef::Named(id) => types[id.0].name.clone(),
    }
}

/// The first named type inside a type, the one its link points to.
pub(crate) fn first_named(ty: &TypeRef) -> Option<TypeId> {
    match ty {
        TypeRef::Named(id) => Some(*id),
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
            first_named(inner)
        }
        TypeRef::Tuple(items) => items.iter().find_map(first_named),
        _ => None,
    }
}

/// A table cell for a type held as `holder`, linked from `page` to the model page of the type.
pub(crate) fn type_cell(
    cx: &DocsContext<'_>,
    page: &str,
    ty: &TypeRef,
    holder: Holder,
    boxed: bool,
) -> String {
    let mut text = type_name(ty, &cx.api.types);
    if boxed {
        text = format!("Box<{text}>");
    }
    text = match holder {
        Holder::Plain => text,
        Holder::Option => format!("Option<{text}>"),
        Holder::OptionalNullable => format!("OptionalNullable<{text}>"),
    };
    match first_named(ty) {
        Some(id) => linked(cx, page, &text, Some(id)),
        // With no model to link, the cell links the SDK type it names (`Base64`, …).
        None => match super::sdk_pages::RUNTIME_TYPES
            .iter()
            .find(|name| text.contains(*name))
        {
            Some(name) => format!(
                "[{}]({}#{})",
                code_cell(&text),
                relative(page, super::sdk_pages::RUNTIME_TYPES_PAGE),
                name.to_lowercase()
            ),
            None => code_cell(&text),
        },
    }
}

/// A code span, linked to a model page when there is a named type to link to.
pub(crate) fn linked(
    cx: &DocsContext<'_>,
    page: &str,
    text: &str,
    target: Option<TypeId>,
) -> String {
    let code = code_cell(text);
    match target {
        Some(id) => format!("[{code}]({})", relative(page, &cx.model_path(id))),
        None => code,
    }
}

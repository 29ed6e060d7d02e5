//! `TypeRef` → Rust type tokens. Std and crate paths are fully qualified, so a schema named
//! `String`, `Option` or `Result` still compiles.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::*;

pub(crate) fn type_tokens(ty: &TypeRef, types: &[TypeDef]) -> TokenStream {
    type_tokens_in(ty, types, &quote!(crate))
}

/// Like [`type_tokens`], for code outside the crate (`root` is `friendli` in its tests).
pub(crate) fn type_tokens_in(ty: &TypeRef, types: &[TypeDef], root: &TokenStream) -> TokenStream {
    let type_tokens = |ty: &TypeRef, types: &[TypeDef]| type_tokens_in(ty, types, root);
    match ty {
        TypeRef::String => quote!(::std::string::String),
        TypeRef::Integer { bits: 32 } => quote!(i32),
        TypeRef::Integer { .. } => quote!(i64),
        TypeRef::Number => quote!(f64),
        TypeRef::Boolean => quote!(bool),
        TypeRef::DateTime => quote!(::chrono::DateTime<::chrono::Utc>),
        TypeRef::Base64 => quote!(#root::Base64),
        TypeRef::File => quote!(#root::FilePart),
        TypeRef::Any => quote!(::serde_json::Value),
        TypeRef::Array(item) => {
            let item = type_tokens(item, types);
            quote!(::std::vec::Vec<#item>)
        }
        TypeRef::Tuple(items) => {
            let items = items.iter().map(|t| type_tokens(t, types));
            quote!((#(#items),*))
        }
        TypeRef::Map(value) => {
            let value = type_tokens(value, types);
            quote!(::std::collections::BTreeMap<::std::string::String, #value>)
        }
        TypeRef::Nullable(inner) => {
            let inner = type_tokens(inner, types);
            quote!(::std::option::Option<#inner>)
        }
        TypeRef::Named(id) => {
            let name = format_ident!("{}", types[id.0].name);
            quote!(#root::models::#name)
        }
    }
}

/// Identifier tokens for a name that may be raw (`r#type`).
pub(crate) fn ident(name: &str) -> syn::Ident {
    match name.strip_prefix("r#") {
        Some(raw) => syn::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => syn::Ident::new(name, proc_macro2::Span::call_site()),
    }
}

/// Whether a value of this type can be made by `Default::default()`.
pub(crate) fn has_default(ty: &TypeRef, defaultable: &[bool]) -> bool {
    match ty {
        TypeRef::File => false,
        TypeRef::Named(id) => defaultable[id.0],
        TypeRef::Tuple(items) => items.iter().all(|t| has_default(t, defaultable)),
        _ => true,
    }
}

/// Fixpoint over the named types: a struct is `Default` when all its fields are; an enum when
/// the spec gives it a default value.
pub(crate) fn defaultable_types(types: &[TypeDef]) -> Vec<bool> {
    let mut defaultable: Vec<bool> = types
        .iter()
        .map(|def| match &def.kind {
            TypeKind::Struct(_) => true,
            TypeKind::Enum(e) => e.default.is_some(),
            TypeKind::Alias(_) => true,
            TypeKind::TaggedUnion(_) | TypeKind::UntaggedUnion(_) => false,
        })
        .collect();
    loop {
        let mut changed = false;
        for (i, def) in types.iter().enumerate() {
            if !defaultable[i] {
                continue;
            }
            let ok = match &def.kind {
                TypeKind::Struct(s) => s.fields.iter().all(|f| {
                    !f.required
                        || f.nullable
                        || matches!(f.ty, TypeRef::Any)
                        || has_default(&f.ty, &defaultable)
                }),
                TypeKind::Alias(ty) => has_default(ty, &defaultable),
                _ => true,
            };
            if !ok {
                defaultable[i] = false;
                changed = true;
            }
        }
        if !changed {
            return defaultable;
        }
    }
}

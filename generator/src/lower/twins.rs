//! Types of one shape become one type, and the other names stay as aliases of it:
//!
//! - Streaming twins of request bodies: the spec gives most `#stream` operations a body schema
//!   of their own (`ServerlessChatCompletionStreamBody`) that is the JSON body's schema
//!   (`ServerlessChatCompletionBody`) but for the `stream` flag, which the client pins anyway.
//!   Such a twin becomes an alias of the first body of its shape, so the crate has one struct,
//!   one set of setters and one constructor for both operations.
//! - Inline types: a schema written out in several places (the `seed` union of every
//!   completions body, a message's content parts) is lowered once per place and named after
//!   each; those with the same shape, docs and examples become aliases of the first.

use crate::ir::*;

/// How deep inline types are compared; deeper ones are taken as different (never merged).
const MAX_DEPTH: usize = 32;

pub(crate) fn alias_stream_twins(types: &mut [TypeDef]) {
    let candidates: Vec<usize> = (0..types.len())
        .filter(|i| {
            matches!(types[*i].origin, NameOrigin::Component(_))
                && matches!(&types[*i].kind, TypeKind::Struct(s) if s.fields.iter().any(is_stream_flag))
        })
        .collect();
    let mut aliases: Vec<(usize, usize)> = Vec::new();
    for (n, &twin) in candidates.iter().enumerate() {
        let original = candidates[..n].iter().copied().find(|&first| {
            !aliases.iter().any(|(t, _)| *t == first)
                && twins(types, &types[first].kind, &types[twin].kind)
        });
        if let Some(original) = original {
            aliases.push((twin, original));
        }
    }
    for (twin, original) in aliases {
        types[twin].kind = TypeKind::Alias(TypeRef::Named(TypeId(original)));
    }
}

/// Aliases each inline type to the first inline type of the same shape, docs and examples (a
/// shape holds its variant and field names, so the Rust API through either name is the same).
pub(crate) fn alias_same_shape_inline_types(types: &mut [TypeDef]) {
    // Buckets by a cheap key, so that only plausible pairs are compared in full.
    let mut firsts: std::collections::HashMap<(u8, usize, Option<&str>), Vec<usize>> =
        std::collections::HashMap::new();
    let mut aliases: Vec<(usize, usize)> = Vec::new();
    for (index, def) in types.iter().enumerate() {
        let Some(key) = shape_key(def) else { continue };
        let bucket = firsts.entry(key).or_default();
        let first = bucket.iter().copied().find(|&first| {
            types[first].examples == def.examples
                && same_kind(types, &types[first].kind, &def.kind, 0)
        });
        match first {
            Some(first) => aliases.push((index, first)),
            None => bucket.push(index),
        }
    }
    for (alias, original) in aliases {
        types[alias].kind = TypeKind::Alias(TypeRef::Named(TypeId(original)));
    }
}

/// Kind, member count and docs of an inline type that can be merged; `None` for the rest.
fn shape_key(def: &TypeDef) -> Option<(u8, usize, Option<&str>)> {
    if def.origin != NameOrigin::Inline {
        return None;
    }
    let (kind, members) = match &def.kind {
        TypeKind::Struct(s) => (0, s.fields.len()),
        TypeKind::Enum(e) => (1, e.values.len()),
        TypeKind::TaggedUnion(u) => (2, u.variants.len()),
        TypeKind::UntaggedUnion(u) => (3, u.variants.len()),
        TypeKind::Alias(_) => return None,
    };
    Some((kind, members, def.docs.as_deref()))
}

fn is_stream_flag(f: &Field) -> bool {
    f.wire_name == "stream" && f.ty == TypeRef::Boolean
}

/// Two structs that differ at most in their `stream` flag (its presence, default and docs).
fn twins(types: &[TypeDef], a: &TypeKind, b: &TypeKind) -> bool {
    let (TypeKind::Struct(a), TypeKind::Struct(b)) = (a, b) else {
        return false;
    };
    a.fields.len() == b.fields.len()
        && same_ref_opt(types, a.additional.as_ref(), b.additional.as_ref(), 0)
        && a.fields.iter().zip(&b.fields).all(|(x, y)| {
            if is_stream_flag(x) && is_stream_flag(y) {
                x.rust_name == y.rust_name
            } else {
                same_field(types, x, y, 0)
            }
        })
}

fn same_field(types: &[TypeDef], x: &Field, y: &Field, depth: usize) -> bool {
    x.rust_name == y.rust_name
        && x.wire_name == y.wire_name
        && x.required == y.required
        && x.nullable == y.nullable
        && x.boxed == y.boxed
        && x.docs == y.docs
        && x.default == y.default
        && x.constraints == y.constraints
        && same_ref(types, &x.ty, &y.ty, depth)
}

fn same_ref_opt(types: &[TypeDef], a: Option<&TypeRef>, b: Option<&TypeRef>, depth: usize) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => same_ref(types, a, b, depth),
        _ => false,
    }
}

/// The same type, or inline types of the same shape (their names differ: they are named after
/// the body that holds them).
fn same_ref(types: &[TypeDef], a: &TypeRef, b: &TypeRef, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match (a, b) {
        (TypeRef::Named(x), TypeRef::Named(y)) => {
            x == y
                || (types[x.0].origin == NameOrigin::Inline
                    && types[y.0].origin == NameOrigin::Inline
                    && types[x.0].docs == types[y.0].docs
                    && same_kind(types, &types[x.0].kind, &types[y.0].kind, depth + 1))
        }
        (TypeRef::Array(x), TypeRef::Array(y))
        | (TypeRef::Map(x), TypeRef::Map(y))
        | (TypeRef::Nullable(x), TypeRef::Nullable(y)) => same_ref(types, x, y, depth + 1),
        (TypeRef::Tuple(x), TypeRef::Tuple(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(x, y)| same_ref(types, x, y, depth + 1))
        }
        _ => a == b,
    }
}

fn same_kind(types: &[TypeDef], a: &TypeKind, b: &TypeKind, depth: usize) -> bool {
    match (a, b) {
        (TypeKind::Struct(a), TypeKind::Struct(b)) => {
            a.fields.len() == b.fields.len()
                && same_ref_opt(types, a.additional.as_ref(), b.additional.as_ref(), depth)
                && a.fields
                    .iter()
                    .zip(&b.fields)
                    .all(|(x, y)| same_field(types, x, y, depth))
        }
        (TypeKind::Enum(a), TypeKind::Enum(b)) => a == b,
        (TypeKind::TaggedUnion(a), TypeKind::TaggedUnion(b)) => {
            a.tag == b.tag
                && a.unknown_variant == b.unknown_variant
                && a.variants.len() == b.variants.len()
                && a.variants.iter().zip(&b.variants).all(|(x, y)| {
                    x.rust_name == y.rust_name
                        && x.tags == y.tags
                        && x.tag_in_struct == y.tag_in_struct
                        && x.boxed == y.boxed
                        && same_ref(types, &TypeRef::Named(x.ty), &TypeRef::Named(y.ty), depth)
                })
        }
        (TypeKind::UntaggedUnion(a), TypeKind::UntaggedUnion(b)) => {
            a.variants.len() == b.variants.len()
                && a.variants.iter().zip(&b.variants).all(|(x, y)| {
                    x.rust_name == y.rust_name
                        && x.boxed == y.boxed
                        && same_ref(types, &x.ty, &y.ty, depth)
                })
        }
        (TypeKind::Alias(a), TypeKind::Alias(b)) => same_ref(types, a, b, depth),
        _ => false,
    }
}

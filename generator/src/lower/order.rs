//! Untagged unions decode by trying variants in order, so the most specific go first. This
//! runs after every type is lowered, when each variant's required fields are known.

use crate::ir::*;

pub(crate) fn order_untagged_variants(types: &mut [TypeDef]) {
    for i in 0..types.len() {
        let TypeKind::UntaggedUnion(union) = &types[i].kind else {
            continue;
        };
        let mut keyed: Vec<(u32, usize, UntaggedVariant)> = union
            .variants
            .iter()
            .enumerate()
            .map(|(position, v)| (specificity(&v.ty, types, 0), position, v.clone()))
            .collect();
        keyed.sort_by_key(|(score, position, _)| (std::cmp::Reverse(*score), *position));
        if let TypeKind::UntaggedUnion(union) = &mut types[i].kind {
            union.variants = keyed.into_iter().map(|(_, _, v)| v).collect();
        }
    }
}

/// How sure a successful decode into this type is. A struct that requires more fields accepts
/// fewer values, so it is tried before one that requires a subset of them.
fn specificity(ty: &TypeRef, types: &[TypeDef], depth: usize) -> u32 {
    if depth > 8 {
        return 0;
    }
    match ty {
        TypeRef::Named(id) => match &types[id.0].kind {
            TypeKind::Struct(s) => {
                let required = s.fields.iter().filter(|f| f.required).count() as u32;
                if required == 0 {
                    200
                } else {
                    1000 + 10 * required
                }
            }
            TypeKind::TaggedUnion(_) => 900,
            TypeKind::UntaggedUnion(_) => 150,
            TypeKind::Enum(_) => 70,
            TypeKind::Alias(inner) => specificity(inner, types, depth + 1),
        },
        TypeRef::Tuple(_) => 600,
        TypeRef::Array(item) => 500 + specificity(item, types, depth + 1) / 10,
        TypeRef::Map(_) => 100,
        TypeRef::Integer { .. } => 80,
        TypeRef::Number | TypeRef::Boolean => 75,
        TypeRef::DateTime => 72,
        TypeRef::String | TypeRef::Base64 | TypeRef::File => 60,
        TypeRef::Nullable(inner) => specificity(inner, types, depth + 1).saturating_sub(1),
        TypeRef::Any => 0,
    }
}

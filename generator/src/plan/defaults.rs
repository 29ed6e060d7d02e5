//! Which types have `Default`, and which fields a constructor fills itself.

use crate::ir::*;

/// Whether a value of this type can be made by `Default::default()`.
pub fn has_default(ty: &TypeRef, defaultable: &[bool]) -> bool {
    match ty {
        TypeRef::File => false,
        TypeRef::Named(id) => defaultable[id.0],
        TypeRef::Tuple(items) => items.iter().all(|t| has_default(t, defaultable)),
        _ => true,
    }
}

/// Fixpoint over the named types: a struct is `Default` when all its fields are; an enum when
/// the spec gives it a default value.
pub fn defaultable_types(types: &[TypeDef]) -> Vec<bool> {
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

/// A field the constructor fills itself: optional, or a constant with a default value.
pub fn filled_by_default(types: &[TypeDef], f: &Field) -> bool {
    if !f.required {
        return true;
    }
    matches!(through_aliases(&f.ty, types), TypeRef::Named(id) if matches!(&types[id.0].kind, TypeKind::Enum(e) if e.values.len() == 1 && e.default.is_some()))
}

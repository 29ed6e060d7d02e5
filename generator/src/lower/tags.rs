//! Where a tagged union's tag lives: the union writes it when the variant struct is used only
//! as that single-tag variant (so the struct drops the field, as serde's internally tagged
//! enums do); otherwise the struct keeps its own tag field, so it stays correct when used
//! directly or when several tags select it.

use crate::ir::*;

pub(crate) fn place_tags(types: &mut [TypeDef], operations: &[Operation]) {
    let mut used_directly = vec![false; types.len()];
    let mut tag_uses: Vec<Vec<(String, bool)>> = vec![Vec::new(); types.len()];
    for def in types.iter() {
        match &def.kind {
            TypeKind::Struct(s) => {
                for field in &s.fields {
                    mark(&field.ty, &mut used_directly);
                }
                if let Some(additional) = &s.additional {
                    mark(additional, &mut used_directly);
                }
            }
            TypeKind::Alias(ty) => mark(ty, &mut used_directly),
            TypeKind::UntaggedUnion(u) => u
                .variants
                .iter()
                .for_each(|v| mark(&v.ty, &mut used_directly)),
            TypeKind::TaggedUnion(u) => {
                for v in &u.variants {
                    tag_uses[v.ty.0].push((u.tag.clone(), v.tags.len() == 1));
                }
            }
            TypeKind::Enum(_) => {}
        }
    }
    for op in operations {
        op.parameters
            .iter()
            .for_each(|p| mark(&p.ty, &mut used_directly));
        if let Some(body) = &op.body {
            mark(&body.ty, &mut used_directly);
        }
        match &op.response {
            Response::Json { ty, .. } | Response::EventStream { ty, .. } => {
                mark(ty, &mut used_directly)
            }
            Response::Empty { .. } => {}
        }
        op.errors
            .iter()
            .filter_map(|e| e.ty.as_ref())
            .for_each(|ty| mark(ty, &mut used_directly));
    }

    let mut strip: Vec<Option<String>> = vec![None; types.len()];
    for u in 0..types.len() {
        let TypeKind::TaggedUnion(union) = &types[u].kind else {
            continue;
        };
        let tag = union.tag.clone();
        let mut decisions = Vec::new();
        for v in &union.variants {
            let id = v.ty.0;
            let has_field = matches!(&types[id].kind, TypeKind::Struct(s) if s.fields.iter().any(|f| f.wire_name == tag));
            let only_here =
                !used_directly[id] && tag_uses[id].iter().all(|(p, single)| *p == tag && *single);
            let keep = has_field && !only_here;
            if has_field && !keep {
                strip[id] = Some(tag.clone());
            }
            decisions.push(keep);
        }
        if let TypeKind::TaggedUnion(union) = &mut types[u].kind {
            for (v, keep) in union.variants.iter_mut().zip(decisions) {
                v.tag_in_struct = keep;
            }
        }
    }
    for (def, tag) in types.iter_mut().zip(strip) {
        if let (TypeKind::Struct(s), Some(tag)) = (&mut def.kind, tag) {
            s.fields.retain(|f| f.wire_name != tag);
        }
    }
}

fn mark(ty: &TypeRef, used: &mut [bool]) {
    match ty {
        TypeRef::Named(id) => used[id.0] = true,
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => mark(inner, used),
        TypeRef::Tuple(items) => items.iter().for_each(|t| mark(t, used)),
        _ => {}
    }
}

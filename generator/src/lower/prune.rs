//! Drops inline types nothing refers to any more (a variant's tag enum once the union writes
//! the tag), renumbering the survivors. Component types always stay: they are the spec's API.

use crate::ir::*;

pub(crate) fn prune_unreferenced(types: &mut Vec<TypeDef>, operations: &mut [Operation]) {
    let mut reachable = vec![false; types.len()];
    let mut stack: Vec<usize> = types
        .iter()
        .enumerate()
        .filter(|(_, d)| matches!(d.origin, NameOrigin::Component(_)))
        .map(|(i, _)| i)
        .collect();
    for op in operations.iter_mut() {
        visit_operation(op, &mut |id| stack.push(id.0));
    }
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut reachable[i], true) {
            continue;
        }
        let mut targets = Vec::new();
        visit_kind(&mut types[i].kind, &mut |id| targets.push(id.0));
        stack.extend(targets.into_iter().filter(|t| !reachable[*t]));
    }
    if reachable.iter().all(|r| *r) {
        return;
    }
    let mut new_index = vec![usize::MAX; types.len()];
    let mut next = 0;
    for (i, keep) in reachable.iter().enumerate() {
        if *keep {
            new_index[i] = next;
            next += 1;
        }
    }
    let mut kept: Vec<TypeDef> = std::mem::take(types)
        .into_iter()
        .zip(&reachable)
        .filter(|(_, keep)| **keep)
        .map(|(d, _)| d)
        .collect();
    for def in &mut kept {
        visit_kind(&mut def.kind, &mut |id| id.0 = new_index[id.0]);
    }
    for op in operations.iter_mut() {
        visit_operation(op, &mut |id| id.0 = new_index[id.0]);
    }
    *types = kept;
}

fn visit_ref(ty: &mut TypeRef, f: &mut impl FnMut(&mut TypeId)) {
    match ty {
        TypeRef::Named(id) => f(id),
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
            visit_ref(inner, f)
        }
        TypeRef::Tuple(items) => items.iter_mut().for_each(|t| visit_ref(t, f)),
        _ => {}
    }
}

fn visit_kind(kind: &mut TypeKind, f: &mut impl FnMut(&mut TypeId)) {
    match kind {
        TypeKind::Struct(s) => {
            s.fields
                .iter_mut()
                .for_each(|field| visit_ref(&mut field.ty, f));
            if let Some(additional) = &mut s.additional {
                visit_ref(additional, f);
            }
        }
        TypeKind::TaggedUnion(u) => u.variants.iter_mut().for_each(|v| f(&mut v.ty)),
        TypeKind::UntaggedUnion(u) => u.variants.iter_mut().for_each(|v| visit_ref(&mut v.ty, f)),
        TypeKind::Alias(ty) => visit_ref(ty, f),
        TypeKind::Enum(_) => {}
    }
}

fn visit_operation(op: &mut Operation, f: &mut impl FnMut(&mut TypeId)) {
    op.parameters
        .iter_mut()
        .for_each(|p| visit_ref(&mut p.ty, f));
    if let Some(body) = &mut op.body {
        visit_ref(&mut body.ty, f);
    }
    match &mut op.response {
        Response::Json { ty, .. } | Response::EventStream { ty, .. } => visit_ref(ty, f),
        Response::Empty { .. } => {}
    }
    op.errors
        .iter_mut()
        .filter_map(|e| e.ty.as_mut())
        .for_each(|ty| visit_ref(ty, f));
}

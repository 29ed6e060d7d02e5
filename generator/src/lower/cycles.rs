//! Boxing: a field or variant that holds, by value, a type of its own strongly connected
//! component would make the type infinitely large; box exactly those edges.

use crate::ir::*;

pub(crate) fn box_cycles(types: &mut [TypeDef]) {
    let edges: Vec<Vec<usize>> = types
        .iter()
        .map(|def| by_value_targets(&def.kind))
        .collect();
    let component = strongly_connected(&edges);
    let mut size = vec![0usize; types.len()];
    for c in &component {
        size[*c] += 1;
    }
    let cyclic = |from: usize, to: usize| {
        component[from] == component[to] && (size[component[from]] > 1 || from == to)
    };
    for (from, def) in types.iter_mut().enumerate() {
        let hits = |ty: &TypeRef| by_value(ty).into_iter().any(|to| cyclic(from, to));
        match &mut def.kind {
            TypeKind::Struct(s) => {
                for field in &mut s.fields {
                    field.boxed = hits(&field.ty);
                }
            }
            TypeKind::TaggedUnion(u) => {
                for v in &mut u.variants {
                    v.boxed = cyclic(from, v.ty.0);
                }
            }
            TypeKind::UntaggedUnion(u) => {
                for v in &mut u.variants {
                    v.boxed = hits(&v.ty);
                }
            }
            TypeKind::Enum(_) | TypeKind::Alias(_) => {}
        }
    }
}

fn by_value_targets(kind: &TypeKind) -> Vec<usize> {
    match kind {
        TypeKind::Struct(s) => s.fields.iter().flat_map(|f| by_value(&f.ty)).collect(),
        TypeKind::TaggedUnion(u) => u.variants.iter().map(|v| v.ty.0).collect(),
        TypeKind::UntaggedUnion(u) => u.variants.iter().flat_map(|v| by_value(&v.ty)).collect(),
        TypeKind::Alias(ty) => by_value(ty),
        TypeKind::Enum(_) => Vec::new(),
    }
}

/// Named types held without indirection (`Vec` and maps already allocate).
fn by_value(ty: &TypeRef) -> Vec<usize> {
    match ty {
        TypeRef::Named(id) => vec![id.0],
        TypeRef::Nullable(inner) => by_value(inner),
        TypeRef::Tuple(items) => items.iter().flat_map(by_value).collect(),
        _ => Vec::new(),
    }
}

/// Unions (and aliases) that contain themselves as a member, directly or through other
/// unions: `oneOf: [Self, …]`. No object or array lies between a value and itself, so nothing
/// decides which member a value is, and the Rust enum would try itself forever. Each comes
/// back as (union, the member that leads back to it).
pub(crate) fn member_cycles(types: &[TypeDef]) -> Vec<(TypeId, TypeId)> {
    let edges: Vec<Vec<usize>> = types
        .iter()
        .map(|def| match &def.kind {
            TypeKind::TaggedUnion(u) => u.variants.iter().map(|v| v.ty.0).collect(),
            TypeKind::UntaggedUnion(u) => u.variants.iter().flat_map(|v| by_value(&v.ty)).collect(),
            TypeKind::Alias(ty) => by_value(ty),
            TypeKind::Struct(_) | TypeKind::Enum(_) => Vec::new(),
        })
        .collect();
    let component = strongly_connected(&edges);
    let mut size = vec![0usize; types.len()];
    for c in &component {
        size[*c] += 1;
    }
    edges
        .iter()
        .enumerate()
        .filter_map(|(from, targets)| {
            targets
                .iter()
                .find(|&&to| {
                    component[from] == component[to] && (size[component[to]] > 1 || from == to)
                })
                .map(|&to| (TypeId(from), TypeId(to)))
        })
        .collect()
}

/// Tarjan's algorithm, iterative so deep schemas cannot overflow the stack.
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let (mut index, mut low, mut component) = (vec![UNSEEN; n], vec![0; n], vec![UNSEEN; n]);
    let (mut on_stack, mut stack) = (vec![false; n], Vec::new());
    let (mut next_index, mut next_component) = (0, 0);
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        while let Some((v, edge)) = work.pop() {
            if edge == 0 {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(edge) {
                work.push((v, edge + 1));
                if index[w] == UNSEEN {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = next_component;
                    if w == v {
                        break;
                    }
                }
                next_component += 1;
            }
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
        }
    }
    component
}

#[cfg(test)]
mod tests {
    use super::strongly_connected;

    #[test]
    fn finds_cycles() {
        let c = strongly_connected(&[vec![1], vec![0], vec![2], vec![]]);
        assert_eq!(c[0], c[1]);
        assert_ne!(c[0], c[2]);
        assert_ne!(c[2], c[3]);
    }
}

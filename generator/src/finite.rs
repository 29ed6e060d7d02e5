//! Which types have a finite value, and how deep the smallest one is.
//!
//! A recursive schema is fine as long as the recursion can stop: `children: [Tree]` ends with
//! an empty list, `parent: Tree | null` with `null`, `oneOf: [Expr, string]` with a string.
//! A type whose every value must contain another value of itself (a required, non-nullable
//! `child: Tree`) has no finite value at all. Lowering reports those; value builders (samples,
//! docs examples) follow the heights computed here so that they always end, with a valid value.

use crate::ir::*;

/// Above this height lowering reports the type: a value would have to nest deeper than anyone
/// can read, and every value builder stays far from the thread's stack limit.
pub(crate) const MAX_HEIGHT: usize = 64;

/// The height of the smallest value of each type (`None`: no finite value, or not computed).
pub(crate) struct Heights {
    of: Vec<Option<usize>>,
}

impl Heights {
    /// Heights of every type.
    pub(crate) fn all(types: &[TypeDef]) -> Self {
        Self::compute(types, (0..types.len()).collect())
    }

    /// Heights of the types `ty` can reach (cheap enough to compute per value built).
    pub(crate) fn reachable(ty: &TypeRef, types: &[TypeDef]) -> Self {
        let mut seen = vec![false; types.len()];
        let mut order = Vec::new();
        let mut stack = Vec::new();
        named_in(ty, &mut stack);
        while let Some(id) = stack.pop() {
            if id >= types.len() || std::mem::replace(&mut seen[id], true) {
                continue;
            }
            order.push(id);
            match &types[id].kind {
                TypeKind::Struct(s) => {
                    for ty in s.fields.iter().map(|f| &f.ty).chain(&s.additional) {
                        named_in(ty, &mut stack);
                    }
                }
                TypeKind::UntaggedUnion(u) => {
                    u.variants.iter().for_each(|v| named_in(&v.ty, &mut stack))
                }
                TypeKind::TaggedUnion(u) => stack.extend(u.variants.iter().map(|v| v.ty.0)),
                TypeKind::Alias(ty) => named_in(ty, &mut stack),
                TypeKind::Enum(_) => {}
            }
        }
        // Leaves first: most types then settle in the first pass.
        order.reverse();
        Self::compute(types, order)
    }

    fn compute(types: &[TypeDef], order: Vec<usize>) -> Self {
        let mut heights = Self {
            of: vec![None; types.len()],
        };
        // Heights only ever go down from "infinite", and each pass settles at least one more
        // type, so this ends after at most `order.len()` passes.
        loop {
            let mut changed = false;
            for &id in &order {
                let height = heights.of_kind(&types[id].kind);
                if height.is_some_and(|h| heights.of[id].is_none_or(|old| h < old)) {
                    heights.of[id] = height;
                    changed = true;
                }
            }
            if !changed {
                return heights;
            }
        }
    }

    pub(crate) fn of_type(&self, id: TypeId) -> Option<usize> {
        self.of.get(id.0).copied().flatten()
    }

    /// Empty lists and maps, `null` and scalars end every recursion.
    pub(crate) fn of_ref(&self, ty: &TypeRef) -> Option<usize> {
        match ty {
            TypeRef::Named(id) => self.of_type(*id),
            TypeRef::Tuple(items) => items
                .iter()
                .try_fold(0, |max, t| Some(max.max(self.of_ref(t)?)))
                .map(|h| h + 1),
            _ => Some(0),
        }
    }

    pub(crate) fn of_field(&self, f: &Field) -> Option<usize> {
        if !f.required || f.nullable {
            Some(0)
        } else {
            self.of_ref(&f.ty)
        }
    }

    fn of_kind(&self, kind: &TypeKind) -> Option<usize> {
        let deepest = |mut hs: Box<dyn Iterator<Item = Option<usize>> + '_>| {
            hs.try_fold(0, |max, h| Some(max.max(h?)))
        };
        let shallowest = |hs: Box<dyn Iterator<Item = Option<usize>> + '_>, empty: bool| {
            if empty { Some(0) } else { hs.flatten().min() }
        };
        let height = match kind {
            TypeKind::Enum(_) => Some(0),
            TypeKind::Alias(ty) => self.of_ref(ty),
            TypeKind::Struct(s) => deepest(Box::new(s.fields.iter().map(|f| self.of_field(f)))),
            TypeKind::TaggedUnion(u) => shallowest(
                Box::new(u.variants.iter().map(|v| self.of_type(v.ty))),
                u.variants.is_empty(),
            ),
            TypeKind::UntaggedUnion(u) => shallowest(
                Box::new(u.variants.iter().map(|v| self.of_ref(&v.ty))),
                u.variants.is_empty(),
            ),
        };
        height.map(|h| h + 1)
    }
}

fn named_in(ty: &TypeRef, out: &mut Vec<usize>) {
    match ty {
        TypeRef::Named(id) => out.push(id.0),
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
            named_in(inner, out)
        }
        TypeRef::Tuple(items) => items.iter().for_each(|t| named_in(t, out)),
        _ => {}
    }
}

/// The types without a finite value that are the cause rather than a consequence: those on a
/// cycle of "cannot stop" edges. A type that merely requires one of them is not reported.
pub(crate) fn unbounded_roots(types: &[TypeDef], heights: &Heights) -> Vec<TypeId> {
    let next = |id: usize| -> Option<usize> {
        let blocking = |ty: &TypeRef| {
            let mut named = Vec::new();
            named_in(ty, &mut named);
            named
                .into_iter()
                .find(|&n| heights.of_type(TypeId(n)).is_none())
        };
        match &types[id].kind {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .filter(|f| heights.of_field(f).is_none())
                .find_map(|f| blocking(&f.ty)),
            TypeKind::UntaggedUnion(u) => u.variants.iter().find_map(|v| blocking(&v.ty)),
            TypeKind::TaggedUnion(u) => u.variants.first().map(|v| v.ty.0),
            TypeKind::Alias(ty) => blocking(ty),
            TypeKind::Enum(_) => None,
        }
    };
    (0..types.len())
        .filter(|&id| heights.of_type(TypeId(id)).is_none())
        .filter(|&start| {
            let mut at = start;
            for _ in 0..types.len() {
                match next(at) {
                    Some(n) if n == start => return true,
                    Some(n) => at = n,
                    None => return false,
                }
            }
            false
        })
        .map(TypeId)
        .collect()
}

/// Why a type has no finite value: the first required field (or the union) that cannot end.
pub(crate) fn unbounded_reason(def: &TypeDef, heights: &Heights) -> String {
    match &def.kind {
        TypeKind::Struct(s) => match s.fields.iter().find(|f| heights.of_field(f).is_none()) {
            Some(f) => format!(
                "every value of this schema would have to contain another one without end: the required property `{}` leads back to it with no way to stop (make it optional or nullable, or a list)",
                f.wire_name
            ),
            None => "every value of this schema would have to contain another one without end".to_owned(),
        },
        TypeKind::TaggedUnion(_) | TypeKind::UntaggedUnion(_) => {
            "every member of this union leads back to it with no way to stop: add a member that ends the recursion".to_owned()
        }
        _ => "this schema is defined as itself, with no way to stop".to_owned(),
    }
}

/// Small IR builders for unit tests of value builders.
#[cfg(test)]
pub(crate) mod test_types {
    use crate::ir::*;

    pub(crate) fn def(name: &str, kind: TypeKind) -> TypeDef {
        TypeDef {
            name: name.to_owned(),
            origin: NameOrigin::Inline,
            pointer: format!("/components/schemas/{name}"),
            module: name.to_lowercase(),
            docs: None,
            examples: Vec::new(),
            kind,
        }
    }

    pub(crate) fn field(name: &str, ty: TypeRef, required: bool, nullable: bool) -> Field {
        Field {
            rust_name: name.to_owned(),
            wire_name: name.to_owned(),
            ty,
            required,
            nullable,
            default: None,
            examples: Vec::new(),
            docs: None,
            boxed: false,
            constraints: Constraints::default(),
        }
    }

    pub(crate) fn object(fields: Vec<Field>) -> TypeKind {
        TypeKind::Struct(Struct {
            fields,
            additional: None,
        })
    }

    /// `oneOf: [first, string]`.
    pub(crate) fn or_string(first: TypeRef) -> TypeKind {
        TypeKind::UntaggedUnion(UntaggedUnion {
            variants: vec![
                UntaggedVariant {
                    rust_name: "First".into(),
                    ty: first,
                    boxed: true,
                },
                UntaggedVariant {
                    rust_name: "Text".into(),
                    ty: TypeRef::String,
                    boxed: false,
                },
            ],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::test_types::*;
    use super::*;

    #[test]
    fn recursion_ends_through_lists_null_optional_fields_and_union_members() {
        let me = || TypeRef::Named(TypeId(0));
        let ending = [
            object(vec![field(
                "children",
                TypeRef::Array(Box::new(me())),
                true,
                false,
            )]),
            object(vec![field("parent", me(), false, false)]),
            object(vec![field("next", me(), true, true)]),
            or_string(me()),
        ];
        for kind in ending {
            let types = [def("T", kind)];
            assert_eq!(Heights::all(&types).of_type(TypeId(0)), Some(1));
        }
        let endless = [def("T", object(vec![field("child", me(), true, false)]))];
        let heights = Heights::all(&endless);
        assert_eq!(heights.of_type(TypeId(0)), None);
        assert_eq!(unbounded_roots(&endless, &heights), vec![TypeId(0)]);
    }

    #[test]
    fn height_is_the_shallowest_way_out() {
        // A -> B (required) -> C (required, a string field): the smallest A is 3 levels deep.
        let types = [
            def(
                "A",
                object(vec![field("b", TypeRef::Named(TypeId(1)), true, false)]),
            ),
            def(
                "B",
                object(vec![field("c", TypeRef::Named(TypeId(2)), true, false)]),
            ),
            def("C", object(vec![field("s", TypeRef::String, true, false)])),
        ];
        let all = Heights::all(&types);
        assert_eq!(
            (0..3).map(|i| all.of_type(TypeId(i))).collect::<Vec<_>>(),
            [Some(3), Some(2), Some(1)]
        );
        let from_b = Heights::reachable(&TypeRef::Named(TypeId(1)), &types);
        assert_eq!(from_b.of_type(TypeId(0)), None, "A is not reachable from B");
        assert_eq!(from_b.of_type(TypeId(1)), Some(2));
    }
}

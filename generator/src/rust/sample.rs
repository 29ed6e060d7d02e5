//! Minimal values that are valid for a type: what tests send and answer with when the spec
//! gives no example. Required fields only, first enum value, first union variant.
//!
//! Recursive types end: near the top a value shows the shape (one list item, the first
//! variant); past [`SHAPE_DEPTH`], or once [`NODE_BUDGET`] values are built, every choice
//! follows [`Heights`] to the smallest value (empty lists and maps, `null`, the union member
//! that ends soonest), which lowering guarantees exists and nests at most `MAX_HEIGHT` deep.

use std::cell::Cell;

use serde_json::{Map, Value, json};

use crate::finite::{Heights, MAX_HEIGHT};
use crate::ir::*;

/// Nesting that shows a type's shape before the value turns to the smallest one.
const SHAPE_DEPTH: usize = 12;

/// Values built before the rest turns to the smallest one (wide recursive types grow fast).
const NODE_BUDGET: usize = 2_000;

pub(crate) fn sample(ty: &TypeRef, types: &[TypeDef], depth: usize) -> Value {
    let sampler = Sampler {
        types,
        heights: Heights::reachable(ty, types),
        built: Cell::new(0),
    };
    sampler.value(ty, depth)
}

/// The smallest valid value of a type.
pub(crate) fn smallest(ty: &TypeRef, types: &[TypeDef]) -> Value {
    sample(ty, types, SHAPE_DEPTH + 1)
}

struct Sampler<'a> {
    types: &'a [TypeDef],
    heights: Heights,
    built: Cell<usize>,
}

impl Sampler<'_> {
    fn value(&self, ty: &TypeRef, depth: usize) -> Value {
        // Unreachable for lowered types (their smallest values are shallower); a guard.
        if depth > SHAPE_DEPTH + MAX_HEIGHT + 1 {
            return Value::Null;
        }
        self.built.set(self.built.get() + 1);
        let smallest = depth > SHAPE_DEPTH || self.built.get() > NODE_BUDGET;
        let types = self.types;
        match ty {
            TypeRef::String => json!("sample"),
            TypeRef::Integer { .. } => json!(1),
            TypeRef::Number => json!(0.5),
            TypeRef::Boolean => json!(true),
            TypeRef::DateTime => json!("2026-01-02T03:04:05Z"),
            TypeRef::Base64 => json!("c2FtcGxl"),
            TypeRef::File | TypeRef::Any => json!({}),
            // Past the top levels an empty array ends recursive shapes (`children: [Node]`).
            TypeRef::Array(_) if depth > 3 || smallest => json!([]),
            TypeRef::Array(item) => json!([self.value(item, depth + 1)]),
            TypeRef::Tuple(items) => {
                Value::Array(items.iter().map(|t| self.value(t, depth + 1)).collect())
            }
            TypeRef::Map(_) if smallest => json!({}),
            TypeRef::Map(value) => json!({ "key": self.value(value, depth + 1) }),
            TypeRef::Nullable(_) if smallest => Value::Null,
            TypeRef::Nullable(inner) => self.value(inner, depth + 1),
            TypeRef::Named(id) => match &types[id.0].kind {
                TypeKind::Struct(s) => {
                    let mut object = Map::new();
                    for f in s.fields.iter().filter(|f| f.required) {
                        let value = if f.nullable && (depth > 4 || smallest) {
                            Value::Null
                        } else {
                            self.value(&f.ty, depth + 1)
                        };
                        object.insert(f.wire_name.clone(), value);
                    }
                    Value::Object(object)
                }
                TypeKind::Enum(e) => e
                    .values
                    .first()
                    .map(|v| json!(v.wire))
                    .unwrap_or(json!("sample")),
                TypeKind::TaggedUnion(u) => {
                    match self.choose(&u.variants, smallest, |v| TypeRef::Named(v.ty)) {
                        Some(v) => {
                            let mut value = self.value(&TypeRef::Named(v.ty), depth + 1);
                            if let Value::Object(object) = &mut value {
                                object.insert(u.tag.clone(), json!(v.tags[0]));
                            }
                            value
                        }
                        None => json!({}),
                    }
                }
                TypeKind::UntaggedUnion(u) => self
                    .choose(&u.variants, smallest, |v| v.ty.clone())
                    .map(|v| self.value(&v.ty, depth + 1))
                    .unwrap_or(Value::Null),
                TypeKind::Alias(inner) => self.value(inner, depth + 1),
            },
        }
    }

    /// The first variant that has a finite value, or when `smallest`, the one that ends soonest.
    fn choose<'v, V>(
        &self,
        variants: &'v [V],
        smallest: bool,
        ty: impl Fn(&V) -> TypeRef,
    ) -> Option<&'v V> {
        let height = |v: &&V| self.heights.of_ref(&ty(v));
        if smallest {
            variants
                .iter()
                .filter(|v| height(v).is_some())
                .min_by_key(|v| height(v))
                .or(variants.first())
        } else {
            variants
                .iter()
                .find(|v| height(v).is_some())
                .or(variants.first())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finite::test_types::*;

    /// `Tree { children: [Tree], next: Tree | string }`, both required.
    fn tree() -> Vec<TypeDef> {
        let me = || TypeRef::Named(TypeId(0));
        vec![
            def(
                "Tree",
                object(vec![
                    field("children", TypeRef::Array(Box::new(me())), true, false),
                    field("next", TypeRef::Named(TypeId(1)), true, false),
                ]),
            ),
            def("Next", or_string(me())),
        ]
    }

    fn depth(value: &Value) -> usize {
        match value {
            Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
            Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
            _ => 0,
        }
    }

    #[test]
    fn recursive_samples_end_with_the_shortest_way_out() {
        let types = tree();
        let value = sample(&TypeRef::Named(TypeId(0)), &types, 0);
        // The first member (`Tree`) shows the shape near the top; deeper down the string ends it.
        assert!(value["next"].is_object(), "{value}");
        assert!(depth(&value) <= SHAPE_DEPTH + 2, "{value}");
        let mut innermost = &value;
        while innermost["next"].is_object() {
            innermost = &innermost["next"];
        }
        assert_eq!(innermost["next"], json!("sample"), "{value}");
        assert_eq!(
            smallest(&TypeRef::Named(TypeId(0)), &types),
            json!({"children": [], "next": "sample"})
        );
    }
}

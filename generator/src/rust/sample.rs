//! Minimal values that are valid for a type: what tests send and answer with when the spec
//! gives no example. Required fields only, first enum value, first union variant.

use serde_json::{Map, Value, json};

use crate::ir::*;

pub(crate) fn sample(ty: &TypeRef, types: &[TypeDef], depth: usize) -> Value {
    if depth > 12 {
        return Value::Null;
    }
    match ty {
        TypeRef::String => json!("sample"),
        TypeRef::Integer { .. } => json!(1),
        TypeRef::Number => json!(0.5),
        TypeRef::Boolean => json!(true),
        TypeRef::DateTime => json!("2026-01-02T03:04:05Z"),
        TypeRef::Base64 => json!("c2FtcGxl"),
        TypeRef::File | TypeRef::Any => json!({}),
        // Past the top levels an empty array ends recursive shapes (`children: [Node]`).
        TypeRef::Array(_) if depth > 3 => json!([]),
        TypeRef::Array(item) => json!([sample(item, types, depth + 1)]),
        TypeRef::Tuple(items) => {
            Value::Array(items.iter().map(|t| sample(t, types, depth + 1)).collect())
        }
        TypeRef::Map(value) => json!({ "key": sample(value, types, depth + 1) }),
        TypeRef::Nullable(inner) => sample(inner, types, depth + 1),
        TypeRef::Named(id) => match &types[id.0].kind {
            TypeKind::Struct(s) => {
                let mut object = Map::new();
                for f in s.fields.iter().filter(|f| f.required) {
                    let value = if f.nullable && depth > 4 {
                        Value::Null
                    } else {
                        sample(&f.ty, types, depth + 1)
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
            TypeKind::TaggedUnion(u) => match u.variants.first() {
                Some(v) => {
                    let mut value = sample(&TypeRef::Named(v.ty), types, depth + 1);
                    if let Value::Object(object) = &mut value {
                        object.insert(u.tag.clone(), json!(v.tags[0]));
                    }
                    value
                }
                None => json!({}),
            },
            TypeKind::UntaggedUnion(u) => u
                .variants
                .first()
                .map(|v| sample(&v.ty, types, depth + 1))
                .unwrap_or(Value::Null),
            TypeKind::Alias(inner) => sample(inner, types, depth + 1),
        },
    }
}

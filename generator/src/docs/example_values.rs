//! Which JSON values the usage examples show. Like the SDK pages in the seeds, a call is built
//! from the spec's request example, completed by the `examples` of the properties it leaves out
//! (also inside nested objects and arrays, e.g. `control_images: [{image: <example>}]`).
//!
//! A required value the spec gives no example for takes, in this order: its default, a value
//! the spec shows for a property of the same name elsewhere (request and response examples,
//! property and parameter examples: `prompt`, `model`, `endpoint_id`, …), one built from
//! nested property examples, and only then the minimal valid sample the end-to-end tests use.
//! Every candidate is checked against the type first.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::ir::*;
use crate::plan::sample::{constrained, sample, smallest};

/// Nesting followed when building an example out of property examples.
const MAX_DEPTH: usize = 4;

/// Nesting of a minimal value beyond which [`sample`] takes over (it stops recursion itself).
const MAX_MINIMAL_DEPTH: usize = 10;

/// Nesting beyond which values are not inspected when matching them to a type.
const MAX_FIT_DEPTH: usize = 8;

pub(crate) struct Examples<'a> {
    types: &'a [TypeDef],
    /// Property (or parameter) name → the example values the spec shows for it, in spec order,
    /// each with the resource (last tag segment, e.g. `Image`) of the operation it comes from.
    by_name: BTreeMap<String, Vec<(Value, Option<String>)>>,
    /// Type → names of the struct fields holding it, in spec order.
    holders: BTreeMap<TypeId, Vec<String>>,
}

impl<'a> Examples<'a> {
    pub(crate) fn new(api: &'a Api) -> Self {
        let mut by_name: BTreeMap<String, Vec<(Value, Option<String>)>> = BTreeMap::new();
        let mut holders: BTreeMap<TypeId, Vec<String>> = BTreeMap::new();
        let mut add = |scope: Option<&str>, name: &str, value: &Value| {
            let values = by_name.entry(name.to_owned()).or_default();
            if !values
                .iter()
                .any(|(v, s)| v == value && s.as_deref() == scope)
            {
                values.push((value.clone(), scope.map(str::to_owned)));
            }
        };
        for op in &api.operations {
            let scope = Some(scope_of(op));
            for p in &op.parameters {
                p.examples.iter().for_each(|v| add(scope, &p.wire_name, v));
            }
            if let Some(example) = op.body.as_ref().and_then(|b| b.example.as_ref()) {
                walk_properties(example, 0, &mut |k, v| add(scope, k, v));
            }
            if let Response::Json {
                example: Some(example),
                ..
            } = &op.response
            {
                walk_properties(example, 0, &mut |k, v| add(scope, k, v));
            }
        }
        for def in &api.types {
            def.examples
                .iter()
                .for_each(|v| walk_properties(v, 0, &mut |k, v| add(None, k, v)));
            if let TypeKind::Struct(s) = &def.kind {
                for f in &s.fields {
                    f.examples.iter().for_each(|v| add(None, &f.wire_name, v));
                    if let Some(id) = held_type(&f.ty) {
                        let names = holders.entry(id).or_default();
                        if !names.contains(&f.wire_name) {
                            names.push(f.wire_name.clone());
                        }
                    }
                }
            }
        }
        Self {
            types: &api.types,
            by_name,
            holders,
        }
    }

    /// An example for a type, built from the examples its schema or the schemas inside it give;
    /// `None` when the spec has nothing to offer.
    pub(crate) fn derived(&self, ty: &TypeRef, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        match ty {
            TypeRef::Array(item) => self.derived(item, depth + 1).map(|v| Value::Array(vec![v])),
            TypeRef::Nullable(inner) => self.derived(inner, depth),
            TypeRef::Named(id) => {
                let def = &self.types[id.0];
                if let Some(example) = def.examples.first() {
                    return Some(example.clone());
                }
                match &def.kind {
                    TypeKind::Alias(inner) => self.derived(inner, depth),
                    TypeKind::Struct(s) => {
                        let mut object = Map::new();
                        for f in &s.fields {
                            if let Some(v) = f
                                .examples
                                .first()
                                .cloned()
                                .or_else(|| self.derived(&f.ty, depth + 1))
                            {
                                object.insert(f.wire_name.clone(), v);
                            }
                        }
                        if object.is_empty() {
                            return None;
                        }
                        self.complete_required(s, &mut object, None, depth + 1);
                        Some(Value::Object(object))
                    }
                    TypeKind::UntaggedUnion(u) => u
                        .variants
                        .iter()
                        .find_map(|v| self.derived(&v.ty, depth + 1)),
                    TypeKind::TaggedUnion(u) => u.variants.iter().find_map(|v| {
                        let mut value = self.derived(&TypeRef::Named(v.ty), depth + 1)?;
                        value
                            .as_object_mut()?
                            .insert(u.tag.clone(), Value::String(v.tags[0].clone()));
                        Some(value)
                    }),
                    TypeKind::Enum(_) => None,
                }
            }
            _ => None,
        }
    }

    /// Fills the required fields an example leaves out, so the value is valid. `depth` goes on
    /// from the caller's, so a recursive type's derived example ends.
    fn complete_required(
        &self,
        s: &Struct,
        object: &mut Map<String, Value>,
        scope: Option<&str>,
        depth: usize,
    ) {
        for f in s.fields.iter().filter(|f| f.required) {
            if !object.contains_key(&f.wire_name) {
                let value = if f.ty == TypeRef::File {
                    file_name(f)
                } else {
                    // A placeholder (`"(digest)"`) may break the field's pattern or format.
                    constrained(
                        self.fallback(
                            &f.ty,
                            f.examples.first(),
                            f.default.as_ref(),
                            Some(&f.wire_name),
                            scope,
                            depth,
                        ),
                        &f.constraints,
                    )
                };
                object.insert(f.wire_name.clone(), value);
            }
        }
    }

    /// A value for a required place: the spec's example, its default, a value shown for the
    /// same name elsewhere, one built from nested examples, else a minimal valid sample.
    /// `depth`: how deep the place is inside a value being derived (so that recursion ends).
    pub(crate) fn fallback(
        &self,
        ty: &TypeRef,
        example: Option<&Value>,
        default: Option<&Value>,
        name: Option<&str>,
        scope: Option<&str>,
        depth: usize,
    ) -> Value {
        example
            .or(default)
            .cloned()
            .or_else(|| self.named(ty, name?, scope))
            .or_else(|| self.derived(ty, depth))
            .unwrap_or_else(|| self.minimal(ty, name, scope, 0, &[]))
    }

    /// A minimal valid value (required fields only) like [`sample`]'s, whose strings are
    /// named after their property (`"(tool-call-id)"`) or borrowed from same-named examples.
    /// `inside`: the structs this value is nested in, outermost first.
    fn minimal(
        &self,
        ty: &TypeRef,
        name: Option<&str>,
        scope: Option<&str>,
        depth: usize,
        inside: &[TypeId],
    ) -> Value {
        if depth > MAX_MINIMAL_DEPTH {
            return sample(ty, self.types, 0);
        }
        if let Some(value) = name.and_then(|n| name_shaped(ty, n)) {
            return value;
        }
        match ty {
            // One item shows the shape; deeper down an empty list keeps recursive types
            // (`children: Node[]`) finite and the example short.
            TypeRef::Array(item) if depth == 0 => {
                Value::Array(vec![self.minimal(item, name, scope, depth + 1, inside)])
            }
            TypeRef::Array(_) => Value::Array(Vec::new()),
            TypeRef::Nullable(inner) => self.minimal(inner, name, scope, depth, inside),
            TypeRef::Named(id) => match &self.types[id.0].kind {
                TypeKind::Alias(inner) => self.minimal(inner, name, scope, depth, inside),
                // A type met again inside itself: its smallest value ends the recursion at once
                // (each level below would otherwise repeat every required field's search).
                TypeKind::Struct(_) if inside.contains(id) => smallest(ty, self.types),
                TypeKind::Struct(s) => {
                    let inside = &[inside, &[*id]].concat();
                    let mut object = Map::new();
                    for f in s.fields.iter().filter(|f| f.required) {
                        let value = match f.examples.first().or(f.default.as_ref()) {
                            Some(v) => v.clone(),
                            None if f.ty == TypeRef::File => file_name(f),
                            None => constrained(
                                self.named(&f.ty, &f.wire_name, scope).unwrap_or_else(|| {
                                    self.minimal(
                                        &f.ty,
                                        Some(&f.wire_name),
                                        scope,
                                        depth + 1,
                                        inside,
                                    )
                                }),
                                &f.constraints,
                            ),
                        };
                        object.insert(f.wire_name.clone(), value);
                    }
                    Value::Object(object)
                }
                TypeKind::TaggedUnion(u) => match u.variants.first() {
                    Some(v) => {
                        let mut value =
                            self.minimal(&TypeRef::Named(v.ty), name, scope, depth + 1, inside);
                        if let Value::Object(object) = &mut value {
                            object.insert(u.tag.clone(), Value::String(v.tags[0].clone()));
                        }
                        value
                    }
                    None => sample(ty, self.types, 0),
                },
                TypeKind::UntaggedUnion(u) => match u.variants.first() {
                    Some(v) => self.minimal(&v.ty, name, scope, depth + 1, inside),
                    None => sample(ty, self.types, 0),
                },
                TypeKind::Enum(_) => sample(ty, self.types, 0),
            },
            _ => sample(ty, self.types, 0),
        }
    }

    /// The first value the spec shows for a property called `name` that is a valid `ty`,
    /// preferring values from operations on the same resource (`scope`: an image edit borrows
    /// the image generation's `prompt`, not the tokenizer's). Generic names (`name`, `id`, …)
    /// mean different things in different schemas, so they borrow nothing.
    fn named(&self, ty: &TypeRef, name: &str, scope: Option<&str>) -> Option<Value> {
        if GENERIC_NAMES.contains(&name) {
            return None;
        }
        let values = self.by_name.get(name)?;
        let fitting = || values.iter().filter(|(v, _)| fits(self.types, ty, v, 0));
        fitting()
            .find(|(_, s)| scope.is_some() && s.as_deref() == scope)
            .or_else(|| fitting().next())
            .map(|(v, _)| v.clone())
    }

    /// Values the spec shows for a type: its own examples, then those of the fields that hold it.
    pub(crate) fn of_type(&self, id: TypeId) -> Vec<Value> {
        let mut values: Vec<Value> = self.types[id.0].examples.clone();
        for name in self.holders.get(&id).into_iter().flatten() {
            for (value, _) in self.by_name.get(name).into_iter().flatten() {
                values.push(value.clone());
                // Fields often hold a list of the type (`messages: Message[]`).
                if let Value::Array(items) = value {
                    values.extend(items.iter().cloned());
                }
            }
        }
        values
    }

    /// A value for variant type `ty` of union `id`: a fitting example of the union, else one
    /// built for the variant, else a minimal sample.
    pub(crate) fn variant(&self, id: TypeId, ty: &TypeRef) -> Value {
        let candidates = self.of_type(id);
        if let Some(v) = candidates.iter().find(|v| fits(self.types, ty, v, 0)) {
            return v.clone();
        }
        if let Some(v) = self.derived(ty, 0) {
            return v;
        }
        // An array variant (`string | string[]`) from a single example of its item.
        if let TypeRef::Array(item) = ty
            && let Some(v) = candidates.iter().find(|v| fits(self.types, item, v, 0))
        {
            return Value::Array(vec![v.clone()]);
        }
        // Strings are named after a field holding the union, else after the union.
        let name = self
            .holders
            .get(&id)
            .and_then(|names| names.first())
            .map(String::as_str)
            .unwrap_or(&self.types[id.0].name);
        self.minimal(ty, Some(name), None, 0, &[])
    }

    /// The request body a usage example sends: the spec's request example, plus the examples of
    /// the properties it does not set. `None` for operations without a body.
    pub(crate) fn body(&self, op: &Operation) -> Option<Value> {
        let body = op.body.as_ref()?;
        let struct_def = match &body.ty {
            TypeRef::Named(id) => match &self.types[id.0].kind {
                TypeKind::Struct(s) => Some(s),
                _ => None,
            },
            _ => None,
        };
        let Some(s) = struct_def else {
            return Some(self.fallback(
                &body.ty,
                body.example.as_ref(),
                None,
                Some("body"),
                Some(scope_of(op)),
                0,
            ));
        };
        let mut object = match &body.example {
            Some(Value::Object(object)) => object.clone(),
            _ => Map::new(),
        };
        for f in &s.fields {
            if object.contains_key(&f.wire_name) {
                continue;
            }
            if let Some(v) = f
                .examples
                .first()
                .cloned()
                .or_else(|| self.derived(&f.ty, 1))
            {
                object.insert(f.wire_name.clone(), v);
            }
        }
        self.complete_required(s, &mut object, Some(scope_of(op)), 0);
        Some(Value::Object(object))
    }

    /// A parameter's value in a usage example: its example; for a required one without an
    /// example, a fallback. Optional parameters without examples are left out.
    pub(crate) fn param(&self, op: &Operation, p: &Parameter) -> Option<Value> {
        match p.examples.first() {
            Some(example) => Some(example.clone()),
            None if p.required => Some(self.fallback(
                &p.ty,
                None,
                p.default.as_ref(),
                Some(&p.wire_name),
                Some(scope_of(op)),
                0,
            )),
            None => None,
        }
    }
}

/// Property names too generic to borrow an example from another schema.
const GENERIC_NAMES: &[&str] = &[
    "id",
    "name",
    "type",
    "object",
    "title",
    "description",
    "value",
    "data",
    "text",
    "content",
    "status",
    "version",
    "key",
    "url",
    "file",
];

/// A string named after its property in the spec's own style for values the reader fills in,
/// like its `(endpoint-id)` and `(adapter-route)`: `dataset_id` → `"(dataset-id)"`.
fn name_shaped(ty: &TypeRef, name: &str) -> Option<Value> {
    let text = || Value::String(format!("({})", heck::ToKebabCase::to_kebab_case(name)));
    match ty {
        TypeRef::String => Some(text()),
        TypeRef::Nullable(inner) => name_shaped(inner, name),
        TypeRef::Array(item) if **item == TypeRef::String => Some(Value::Array(vec![text()])),
        _ => None,
    }
}

/// The resource an operation works on: the last segment of its tag (`Dedicated.Image` → `Image`).
fn scope_of(op: &Operation) -> &str {
    op.tag.rsplit('.').next().unwrap_or(&op.tag)
}

/// The named type a field holds, through arrays and nullability.
fn held_type(ty: &TypeRef) -> Option<TypeId> {
    match ty {
        TypeRef::Named(id) => Some(*id),
        TypeRef::Array(inner) | TypeRef::Nullable(inner) => held_type(inner),
        _ => None,
    }
}

/// Every `name: value` pair inside an example, outer ones first.
fn walk_properties(value: &Value, depth: usize, add: &mut impl FnMut(&str, &Value)) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(object) => {
            for (k, v) in object {
                add(k, v);
            }
            for v in object.values() {
                walk_properties(v, depth + 1, add);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|v| walk_properties(v, depth + 1, add)),
        _ => {}
    }
}

/// A file to upload for a multipart file field: the examples read it from this path.
fn file_name(f: &Field) -> Value {
    let docs = f.docs.as_deref().unwrap_or_default().to_ascii_lowercase();
    let name = if docs.contains("audio") {
        "audio.mp3".to_owned()
    } else if docs.contains("image") {
        "image.png".to_owned()
    } else {
        format!("{}.bin", f.wire_name)
    };
    Value::String(name)
}

/// Whether `value` is plausibly a value of `ty`: used to pick examples for a type and to choose
/// the variant of an untagged union a value belongs to.
pub(crate) fn fits(types: &[TypeDef], ty: &TypeRef, value: &Value, depth: usize) -> bool {
    if depth > MAX_FIT_DEPTH {
        return true;
    }
    let fits = |ty: &TypeRef, value: &Value| fits(types, ty, value, depth + 1);
    match ty {
        TypeRef::String | TypeRef::Base64 => value.is_string(),
        TypeRef::DateTime => value
            .as_str()
            .is_some_and(|s| s.len() >= 20 && s.as_bytes()[4] == b'-' && s.as_bytes()[10] == b'T'),
        TypeRef::Integer { .. } => value.is_i64() || value.is_u64(),
        TypeRef::Number => value.is_number(),
        TypeRef::Boolean => value.is_boolean(),
        TypeRef::File => false,
        TypeRef::Any => true,
        TypeRef::Array(item) => value
            .as_array()
            .is_some_and(|a| a.iter().all(|v| fits(item, v))),
        TypeRef::Tuple(items) => value.as_array().is_some_and(|a| {
            a.len() == items.len() && a.iter().zip(items).all(|(v, t)| fits(t, v))
        }),
        TypeRef::Map(inner) => value
            .as_object()
            .is_some_and(|o| o.values().all(|v| fits(inner, v))),
        TypeRef::Nullable(inner) => value.is_null() || fits(inner, value),
        TypeRef::Named(id) => match &types[id.0].kind {
            TypeKind::Alias(inner) => fits(inner, value),
            TypeKind::Enum(e) => value
                .as_str()
                .is_some_and(|s| e.values.iter().any(|v| v.wire == s)),
            TypeKind::Struct(s) => {
                let Some(object) = value.as_object() else {
                    return false;
                };
                let known = |k: &String| s.fields.iter().any(|f| &f.wire_name == k);
                s.fields
                    .iter()
                    .filter(|f| f.required)
                    .all(|f| object.contains_key(&f.wire_name))
                    && (s.additional.is_some() || object.keys().all(known))
                    && s.fields.iter().all(|f| match object.get(&f.wire_name) {
                        None => true,
                        Some(Value::Null) => f.nullable || f.ty == TypeRef::Any,
                        Some(v) => fits(&f.ty, v),
                    })
            }
            TypeKind::TaggedUnion(u) => {
                let tag = value.get(&u.tag).and_then(Value::as_str);
                u.variants.iter().any(|v| {
                    tag.is_some_and(|t| v.tags.iter().any(|x| x == t))
                        && fits(
                            &TypeRef::Named(v.ty),
                            &without_tag(value, &u.tag, v.tag_in_struct),
                        )
                })
            }
            TypeKind::UntaggedUnion(u) => u.variants.iter().any(|v| fits(&v.ty, value)),
        },
    }
}

/// A tagged union's value as its variant's struct sees it.
fn without_tag(value: &Value, tag: &str, tag_in_struct: bool) -> Value {
    let mut value = value.clone();
    if !tag_in_struct && let Value::Object(object) = &mut value {
        object.remove(tag);
    }
    value
}

//! Schema → IR type. Components get their ids first (so forward and circular `$ref`s resolve),
//! then every schema is lowered; inline schemas that need a name are defined on the way,
//! named from their path (`Parent` + `Field`).

use serde_json::{Map, Value};

use super::Lowerer;
use super::naming::{NameScope, field_ident, type_ident, type_name_ident};
use crate::diagnostics::Diagnostic;
use crate::ir::*;
use crate::spec::escape_token;

/// Schema nesting lowering follows; far beyond any real spec, far below the stack's limit.
const MAX_LOWERING_DEPTH: usize = 64;

/// A schema node with its JSON pointer.
#[derive(Clone, Copy)]
pub(crate) struct Node<'v> {
    pub value: &'v Value,
    pub pointer: &'v str,
}

fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_token(token))
}

pub(crate) fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
        || schema.get("const").is_some_and(Value::is_null)
        || schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.len() == 1 && e[0].is_null())
}

fn union_members(schema: &Value) -> Option<(&'static str, &Vec<Value>)> {
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = schema.get(key) {
            return Some((key, items));
        }
    }
    None
}

/// The examples a schema or property carries: `examples` (array) or `example`.
pub(crate) fn examples_of(schema: &Value) -> Vec<Value> {
    match (schema.get("examples"), schema.get("example")) {
        (Some(Value::Array(items)), _) => items.clone(),
        (_, Some(example)) => vec![example.clone()],
        _ => Vec::new(),
    }
}

/// The `value`s of a parameter's or media type's `examples` map (of Example Objects), when it
/// has one.
pub(crate) fn named_examples(object: &Value) -> Option<Vec<Value>> {
    let Some(Value::Object(named)) = object.get("examples") else {
        return None;
    };
    Some(
        named
            .values()
            .filter_map(|e| e.get("value").cloned())
            .collect(),
    )
}

pub(crate) fn docs_of(schema: &Value) -> Option<String> {
    schema
        .get("description")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(String::from)
}

fn string_values(values: &[Value]) -> Option<Vec<String>> {
    values
        .iter()
        .filter(|v| !v.is_null())
        .map(|v| v.as_str().map(String::from))
        .collect()
}

impl<'a> Lowerer<'a> {
    /// Follows `$ref`s to the schema they name (bounded, so a `$ref` loop is an error, not a hang).
    pub(crate) fn deref(&mut self, node: Node<'a>) -> Option<(Node<'a>, Option<TypeId>)> {
        let mut current = node;
        let mut component = None;
        for _ in 0..32 {
            let Some(reference) = current.value.get("$ref").and_then(Value::as_str) else {
                return Some((current, component));
            };
            let (target, pointer) = self.resolve(reference, current.pointer)?;
            component = self.components.get(pointer).copied();
            current = Node {
                value: target,
                pointer,
            };
        }
        self.error(
            node.pointer,
            "`$ref` chain is longer than 32 steps (a reference loop?)",
        );
        None
    }

    /// Resolves a local reference; reports dangling and external ones.
    pub(crate) fn resolve(&mut self, reference: &str, at: &str) -> Option<(&'a Value, &'a str)> {
        if !reference.starts_with("#/") {
            self.error(&child(at, "$ref"), format!("unsupported `$ref` `{reference}`: only local references (`#/...`) are supported"));
            return None;
        }
        match self.doc.resolve_ref(reference) {
            Some(value) => Some((value, self.intern(&reference[1..]))),
            None => {
                self.error(&child(at, "$ref"), format!("`$ref` `{reference}` does not resolve: expected a schema at that JSON pointer"));
                None
            }
        }
    }

    /// Every `discriminator.mapping` target names a schema that exists (whatever the union
    /// lowers to: the slicer and the docs follow these targets).
    fn check_mapping(&mut self, node: Node<'a>) {
        let Some(mapping) = node
            .value
            .pointer("/discriminator/mapping")
            .and_then(Value::as_object)
        else {
            return;
        };
        let mapping_pointer = child(&child(node.pointer, "discriminator"), "mapping");
        for (tag, target) in mapping {
            let at = child(&mapping_pointer, tag);
            match target.as_str() {
                // A bare name is a component schema's name.
                Some(name) if !name.contains('/') => {
                    let reference = format!("#/components/schemas/{}", escape_token(name));
                    if self.doc.resolve_ref(&reference).is_none() {
                        self.error(&at, format!("mapping target `{name}` is not a component schema: expected the name of one, or a `$ref` string"));
                    }
                }
                Some(reference) => {
                    if self.doc.resolve_ref(reference).is_none() {
                        self.error(&at, format!("mapping target `{reference}` does not resolve: expected a reference to a schema"));
                    }
                }
                None => self.error(
                    &at,
                    "expected a mapping target (a schema name or reference string)",
                ),
            }
        }
    }

    /// Lowers a schema in a position that needs a type. Returns the type and whether it is
    /// nullable (`anyOf [T, null]`, `type: [T, null]`, 3.0 `nullable: true`).
    pub(crate) fn lower_type(
        &mut self,
        node: Node<'a>,
        hint: &str,
        module: &str,
    ) -> (TypeRef, bool) {
        // Nesting, and `$ref` cycles through schemas that are not components (which no type id
        // stands for), end here rather than at the thread's stack limit.
        if self.lowering_depth >= MAX_LOWERING_DEPTH {
            self.error(
                node.pointer,
                format!("schemas nest more than {MAX_LOWERING_DEPTH} levels deep here (or a `$ref` leads back into a schema that is not a component)"),
            );
            return (TypeRef::Any, false);
        }
        self.lowering_depth += 1;
        let lowered = self.lower_type_at(node, hint, module);
        self.lowering_depth -= 1;
        lowered
    }

    fn lower_type_at(&mut self, node: Node<'a>, hint: &str, module: &str) -> (TypeRef, bool) {
        let schema = node.value;
        let Some(object) = schema.as_object() else {
            return match schema {
                Value::Bool(_) => (TypeRef::Any, false),
                _ => {
                    self.error(
                        node.pointer,
                        format!("expected a schema object, found {}", short(schema)),
                    );
                    (TypeRef::Any, false)
                }
            };
        };
        let nullable_30 = object.get("nullable").and_then(Value::as_bool) == Some(true);
        if object.contains_key("discriminator") {
            self.check_mapping(node);
        }
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            let Some((target, pointer)) = self.resolve(reference, node.pointer) else {
                return (TypeRef::Any, nullable_30);
            };
            if !target.is_object() && !target.is_boolean() {
                self.error(
                    &child(node.pointer, "$ref"),
                    format!("`$ref` `{reference}` points to {}, not a schema: expected a reference to a schema object", short(target)),
                );
                return (TypeRef::Any, nullable_30);
            }
            if let Some(id) = self.components.get(pointer) {
                return (TypeRef::Named(*id), nullable_30);
            }
            let hint = type_ident(pointer.rsplit('/').next().unwrap_or(hint));
            let (ty, nullable) = self.lower_type(
                Node {
                    value: target,
                    pointer,
                },
                &hint,
                module,
            );
            return (ty, nullable || nullable_30);
        }
        if let Some((key, members)) = union_members(schema) {
            let non_null: Vec<Node<'a>> = members
                .iter()
                .enumerate()
                .filter(|(_, m)| !is_null_schema(m))
                .map(|(i, m)| Node {
                    value: m,
                    pointer: self.intern(&child(&child(node.pointer, key), &i.to_string())),
                })
                .collect();
            let nullable = non_null.len() != members.len() || nullable_30;
            if members.is_empty() {
                // An empty `oneOf` admits no value at all; no Rust type says that.
                self.error(
                    &child(node.pointer, key),
                    format!("`{key}` is empty: expected at least one schema"),
                );
                return (TypeRef::Any, nullable);
            }
            return match non_null.as_slice() {
                [] => (TypeRef::Any, true),
                [only] => {
                    let (ty, inner_nullable) = self.lower_type(*only, hint, module);
                    (ty, nullable || inner_nullable)
                }
                _ => {
                    let id = self.define(hint, node, module, |this, name| {
                        this.union_kind(node, &non_null, name, module)
                    });
                    (TypeRef::Named(id), nullable)
                }
            };
        }
        let (type_name, nullable) = match object.get("type") {
            Some(Value::String(t)) => (Some(t.as_str()), nullable_30),
            Some(Value::Array(types)) => {
                let names: Vec<&str> = types
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|t| *t != "null")
                    .collect();
                let nullable = names.len() != types.len() || nullable_30;
                if types.is_empty() {
                    self.error(
                        &child(node.pointer, "type"),
                        "`type` is an empty array: expected at least one type name",
                    );
                }
                match names.as_slice() {
                    [one] => (Some(*one), nullable),
                    [] => (Some("null"), true),
                    _ => return (TypeRef::Any, nullable),
                }
            }
            Some(other) => {
                self.error(
                    &child(node.pointer, "type"),
                    format!(
                        "expected `type` to be a string or an array of strings, found {}",
                        short(other)
                    ),
                );
                (None, nullable_30)
            }
            None => (None, nullable_30),
        };
        if let Some(Value::Array(values)) = object.get("enum") {
            let enum_nullable = values.iter().any(Value::is_null);
            if let Some(strings) = string_values(values).filter(|s| !s.is_empty()) {
                let id = self.define(hint, node, module, |this, name| {
                    this.enum_kind(node, strings, name)
                });
                return (TypeRef::Named(id), nullable || enum_nullable);
            }
        }
        if let Some(Value::String(constant)) = object.get("const") {
            let strings = vec![constant.clone()];
            let id = self.define(hint, node, module, |this, name| {
                this.enum_kind(node, strings, name)
            });
            return (TypeRef::Named(id), nullable);
        }
        if let Some(Value::Array(parts)) = object.get("allOf") {
            if parts.len() == 1 && !object.contains_key("properties") {
                let part = Node {
                    value: &parts[0],
                    pointer: self.intern(&child(&child(node.pointer, "allOf"), "0")),
                };
                let (ty, inner) = self.lower_type(part, hint, module);
                return (ty, nullable || inner);
            }
            let id = self.define(hint, node, module, |this, name| {
                this.struct_kind(node, name, module)
            });
            return (TypeRef::Named(id), nullable);
        }
        let ty = match type_name {
            Some("string") => match object.get("format").and_then(Value::as_str) {
                Some("date-time") => TypeRef::DateTime,
                Some("binary") if self.multipart_depth > 0 => TypeRef::File,
                Some("binary") | Some("byte") => TypeRef::Base64,
                _ => TypeRef::String,
            },
            Some("integer") => match object.get("format").and_then(Value::as_str) {
                Some("int32") => TypeRef::Integer { bits: 32 },
                _ => TypeRef::Integer { bits: 64 },
            },
            Some("number") => TypeRef::Number,
            Some("boolean") => TypeRef::Boolean,
            Some("null") => return (TypeRef::Any, true),
            Some("array") => self.array_type(node, hint, module),
            Some("object") | None if object.contains_key("properties") => {
                let id = self.define(hint, node, module, |this, name| {
                    this.struct_kind(node, name, module)
                });
                TypeRef::Named(id)
            }
            Some("object") | None if object.contains_key("additionalProperties") => {
                self.map_type(node, hint, module)
            }
            Some("object") => TypeRef::Map(Box::new(TypeRef::Any)),
            None => TypeRef::Any,
            Some(other) => {
                self.error(&child(node.pointer, "type"), format!("unknown type `{other}`: expected one of string, integer, number, boolean, array, object, null"));
                TypeRef::Any
            }
        };
        (ty, nullable)
    }

    fn array_type(&mut self, node: Node<'a>, hint: &str, module: &str) -> TypeRef {
        if let Some(Value::Array(prefix)) = node.value.get("prefixItems") {
            let base = child(node.pointer, "prefixItems");
            let items = prefix
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let item_node = Node {
                        value: item,
                        pointer: self.intern(&child(&base, &i.to_string())),
                    };
                    let (ty, nullable) =
                        self.lower_type(item_node, &format!("{hint}Item{i}"), module);
                    wrap_nullable(ty, nullable)
                })
                .collect();
            return TypeRef::Tuple(items);
        }
        match node.value.get("items") {
            Some(items) => {
                let item_node = Node {
                    value: items,
                    pointer: self.intern(&child(node.pointer, "items")),
                };
                let (ty, nullable) = self.lower_type(item_node, &format!("{hint}Item"), module);
                TypeRef::Array(Box::new(wrap_nullable(ty, nullable)))
            }
            None => TypeRef::Array(Box::new(TypeRef::Any)),
        }
    }

    fn map_type(&mut self, node: Node<'a>, hint: &str, module: &str) -> TypeRef {
        match node.value.get("additionalProperties") {
            Some(Value::Object(_)) => {
                let value_node = Node {
                    value: &node.value["additionalProperties"],
                    pointer: self.intern(&child(node.pointer, "additionalProperties")),
                };
                let (ty, nullable) = self.lower_type(value_node, &format!("{hint}Value"), module);
                TypeRef::Map(Box::new(wrap_nullable(ty, nullable)))
            }
            _ => TypeRef::Map(Box::new(TypeRef::Any)),
        }
    }

    /// Reserves a uniquely named type for an inline schema, then builds its kind.
    pub(crate) fn define(
        &mut self,
        hint: &str,
        node: Node<'a>,
        module: &str,
        build: impl FnOnce(&mut Self, &str) -> TypeKind,
    ) -> TypeId {
        // An inline schema met again while it is being defined (an `allOf` that merges the
        // component it sits in) is that same type: recursion, boxed later like any other.
        if let Some(&(_, id)) = self.defining.iter().find(|(p, _)| *p == node.pointer) {
            return id;
        }
        let wanted = type_name_ident(hint);
        let (name, collision) = self.type_names.claim(&wanted, node.pointer);
        if let Some(collision) = collision {
            self.diagnostics.push(
                Diagnostic::warning(
                    node.pointer,
                    format!("the name `{}` derived for this inline schema is already taken; it is named `{name}` instead", collision.wanted),
                )
                .with_related(collision.previous_owner),
            );
        }
        let id = TypeId(self.types.len());
        self.types.push(Some(TypeDef {
            name: name.clone(),
            origin: NameOrigin::Inline,
            pointer: node.pointer.to_owned(),
            module: module.to_owned(),
            docs: docs_of(node.value),
            examples: Vec::new(),
            kind: TypeKind::Alias(TypeRef::Any),
        }));
        self.defining.push((node.pointer, id));
        let kind = build(self, &name);
        self.defining.pop();
        let examples = self.valid_examples(node.pointer, examples_of(node.value));
        if let Some(def) = self.types[id.0].as_mut() {
            def.kind = kind;
            def.examples = examples;
        }
        id
    }

    /// The kind of a named (component) schema: a struct, enum or union when the schema is one,
    /// else an alias of whatever type it lowers to.
    pub(crate) fn component_kind(&mut self, node: Node<'a>, name: &str, module: &str) -> TypeKind {
        if node.value.get("discriminator").is_some() {
            self.check_mapping(node);
        }
        let schema = node.value;
        let has_null_member =
            union_members(schema).is_some_and(|(_, m)| m.iter().any(is_null_schema));
        let is_union = union_members(schema)
            .is_some_and(|(_, m)| m.iter().filter(|s| !is_null_schema(s)).count() > 1);
        if is_union && !has_null_member {
            let (key, members) = union_members(schema).unwrap_or(("anyOf", &EMPTY));
            let nodes: Vec<Node<'a>> = members
                .iter()
                .enumerate()
                .map(|(i, m)| Node {
                    value: m,
                    pointer: self.intern(&child(&child(node.pointer, key), &i.to_string())),
                })
                .collect();
            return self.union_kind(node, &nodes, name, module);
        }
        let is_object = schema.get("properties").is_some()
            || (schema
                .get("allOf")
                .and_then(Value::as_array)
                .is_some_and(|p| p.len() > 1));
        if is_object && union_members(schema).is_none() {
            return self.struct_kind(node, name, module);
        }
        if let Some(Value::Array(values)) = schema.get("enum")
            && let Some(strings) = string_values(values).filter(|s| !s.is_empty())
            && !values.iter().any(Value::is_null)
            && union_members(schema).is_none()
        {
            return self.enum_kind(node, strings, name);
        }
        if let Some(Value::String(constant)) = schema.get("const") {
            return self.enum_kind(node, vec![constant.clone()], name);
        }
        let (ty, nullable) = self.lower_type(node, &format!("{name}Value"), module);
        TypeKind::Alias(wrap_nullable(ty, nullable))
    }

    pub(crate) fn enum_kind(
        &mut self,
        node: Node<'a>,
        wire_values: Vec<String>,
        _name: &str,
    ) -> TypeKind {
        let mut scope = NameScope::default();
        let mut values: Vec<EnumValue> = Vec::new();
        for wire in wire_values {
            if values.iter().any(|v| v.wire == wire) {
                continue;
            }
            let (rust_name, _) = scope.claim(&type_ident(&wire), &wire);
            values.push(EnumValue { rust_name, wire });
        }
        let default = match node.value.get("default") {
            Some(Value::String(d)) if values.iter().any(|v| &v.wire == d) => Some(d.clone()),
            _ if values.len() == 1 && node.value.get("const").is_some() => {
                Some(values[0].wire.clone())
            }
            _ => None,
        };
        let unknown_variant = scope
            .claim(
                if scope.is_taken("Unknown") {
                    "UnknownValue"
                } else {
                    "Unknown"
                },
                "",
            )
            .0;
        TypeKind::Enum(Enum {
            values,
            default,
            unknown_variant,
        })
    }

    /// Struct from `properties` (merging `allOf` parts, outermost last so it wins).
    pub(crate) fn struct_kind(&mut self, node: Node<'a>, name: &str, module: &str) -> TypeKind {
        let mut properties: Vec<(String, Node<'a>)> = Vec::new();
        let mut required: Vec<String> = Vec::new();
        let mut additional: Option<Node<'a>> = None;
        self.collect_object(
            node,
            &mut properties,
            &mut required,
            &mut additional,
            0,
            &mut Vec::new(),
        );

        let mut scope = NameScope::default();
        let mut fields = Vec::with_capacity(properties.len());
        if additional.is_some() {
            scope.reserve("additional_properties", "");
        }
        for (wire_name, prop) in properties {
            let hint = format!("{name}{}", type_ident(&wire_name));
            let (ty, nullable) = self.lower_type(prop, &hint, module);
            let (rust_name, collision) = scope.claim(&field_ident(&wire_name), prop.pointer);
            if let Some(collision) = collision {
                self.diagnostics.push(
                    Diagnostic::warning(prop.pointer, format!("property `{wire_name}` maps to the Rust field `{}`, already taken; it is named `{rust_name}`", collision.wanted))
                        .with_related(collision.previous_owner),
                );
            }
            let examples = array_examples(&ty, member_examples(prop.value));
            let examples = self.valid_examples(prop.pointer, examples);
            fields.push(Field {
                rust_name,
                required: required.contains(&wire_name),
                wire_name,
                ty,
                nullable,
                default: prop.value.get("default").cloned(),
                examples,
                docs: docs_of(prop.value),
                boxed: false,
                constraints: constraints_of(prop.value),
            });
        }
        let additional = additional.map(|ap| {
            let (ty, nullable) = self.lower_type(ap, &format!("{name}AdditionalProperty"), module);
            wrap_nullable(ty, nullable)
        });
        TypeKind::Struct(Struct { fields, additional })
    }

    fn collect_object(
        &mut self,
        node: Node<'a>,
        properties: &mut Vec<(String, Node<'a>)>,
        required: &mut Vec<String>,
        additional: &mut Option<Node<'a>>,
        depth: usize,
        merged: &mut Vec<&'a str>,
    ) {
        if depth > 16 {
            self.error(node.pointer, "`allOf` nesting deeper than 16 levels");
            return;
        }
        let Some((node, _)) = self.deref(node) else {
            return;
        };
        // A schema merged once adds nothing the second time: an `allOf` member that refers
        // back to the schema being merged (`X: allOf: [X, …]`), or one listed twice.
        if merged.contains(&node.pointer) {
            return;
        }
        merged.push(node.pointer);
        if let Some(Value::Array(parts)) = node.value.get("allOf") {
            let base = child(node.pointer, "allOf");
            for (i, part) in parts.iter().enumerate() {
                let part = Node {
                    value: part,
                    pointer: self.intern(&child(&base, &i.to_string())),
                };
                self.collect_object(part, properties, required, additional, depth + 1, merged);
            }
        }
        match node.value.get("properties") {
            Some(Value::Object(props)) => {
                let base = child(node.pointer, "properties");
                for (name, prop) in props {
                    let prop = Node {
                        value: prop,
                        pointer: self.intern(&child(&base, name)),
                    };
                    match properties.iter_mut().find(|(n, _)| n == name) {
                        Some(existing) => {
                            let (before, after) = (shape(existing.1.value), shape(prop.value));
                            if before.is_some() && after.is_some() && before != after {
                                let previous = existing.1.pointer;
                                self.diagnostics.push(
                                    Diagnostic::warning(prop.pointer, format!("property `{name}` is {} in an earlier `allOf` part and {} here; no value can be both, so the later definition is used", before.unwrap_or_default(), after.unwrap_or_default()))
                                        .with_related(previous),
                                );
                            }
                            existing.1 = prop;
                        }
                        None => properties.push((name.clone(), prop)),
                    }
                }
            }
            Some(other) => self.error(
                &child(node.pointer, "properties"),
                format!(
                    "expected `properties` to be a mapping, found {}",
                    short(other)
                ),
            ),
            None => {}
        }
        match node.value.get("required") {
            Some(Value::Array(names)) => {
                for (i, n) in names.iter().enumerate() {
                    match n.as_str() {
                        Some(n) if !required.iter().any(|r| r == n) => required.push(n.to_owned()),
                        Some(_) => {}
                        None => self.error(
                            &child(&child(node.pointer, "required"), &i.to_string()),
                            format!("expected a property name (string), found {}", short(n)),
                        ),
                    }
                }
            }
            Some(other) => self.error(
                &child(node.pointer, "required"),
                format!(
                    "expected `required` to be an array of property names, found {}",
                    short(other)
                ),
            ),
            None => {}
        }
        if let Some(ap) = node.value.get("additionalProperties")
            && !matches!(ap, Value::Bool(false))
        {
            let value = if ap.is_object() { ap } else { &TRUE_SCHEMA };
            *additional = Some(Node {
                value,
                pointer: self.intern(&child(node.pointer, "additionalProperties")),
            });
        }
    }

    /// Tagged when a `discriminator` says so, or when every member is an object that requires
    /// one common property holding a distinct constant; untagged otherwise.
    pub(crate) fn union_kind(
        &mut self,
        node: Node<'a>,
        members: &[Node<'a>],
        name: &str,
        module: &str,
    ) -> TypeKind {
        if let Some(kind) = self.tagged_union(node, members, name, module) {
            return kind;
        }
        let mut variants: Vec<(TypeRef, usize)> = Vec::new();
        for (i, member) in members.iter().enumerate() {
            let hint = format!(
                "{name}{}",
                member
                    .value
                    .get("title")
                    .and_then(Value::as_str)
                    .map(type_ident)
                    .unwrap_or_else(|| format!("Variant{i}"))
            );
            let (ty, nullable) = self.lower_type(*member, &hint, module);
            variants.push((wrap_nullable(ty, nullable), i));
        }
        let mut scope = NameScope::default();
        let variants = variants
            .into_iter()
            .map(|(ty, _)| {
                let wanted = shorten_variant(name, &self.variant_name(&ty));
                let (rust_name, _) = scope.claim(&wanted, "");
                UntaggedVariant {
                    rust_name,
                    ty,
                    boxed: false,
                }
            })
            .collect();
        TypeKind::UntaggedUnion(UntaggedUnion { variants })
    }

    fn tagged_union(
        &mut self,
        node: Node<'a>,
        members: &[Node<'a>],
        name: &str,
        module: &str,
    ) -> Option<TypeKind> {
        let resolved: Vec<(Node<'a>, Node<'a>)> = members
            .iter()
            .map(|m| self.deref(*m).map(|(target, _)| (*m, target)))
            .collect::<Option<_>>()?;
        let discriminator = node.value.get("discriminator");
        let (tag, tags_per_member) = match discriminator
            .and_then(|d| d.get("propertyName"))
            .and_then(Value::as_str)
        {
            Some(property) => {
                let mapping = discriminator
                    .and_then(|d| d.get("mapping"))
                    .and_then(Value::as_object);
                let tags = resolved
                    .iter()
                    .map(|(member, target)| {
                        let mut tags: Vec<String> =
                            match (mapping, member.value.get("$ref").and_then(Value::as_str)) {
                                (Some(mapping), Some(reference)) => mapping
                                    .iter()
                                    .filter(|(_, target)| target.as_str() == Some(reference))
                                    .map(|(tag, _)| tag.clone())
                                    .collect(),
                                _ => Vec::new(),
                            };
                        if tags.is_empty() {
                            tags = constant_tags(target.value, property).unwrap_or_default();
                        }
                        if tags.is_empty()
                            && let Some(reference) =
                                member.value.get("$ref").and_then(Value::as_str)
                        {
                            tags.push(reference.rsplit('/').next().unwrap_or_default().to_owned());
                        }
                        tags
                    })
                    .collect::<Vec<_>>();
                (property.to_owned(), tags)
            }
            None => self.find_constant_tag(&resolved)?,
        };
        let mut seen = std::collections::HashSet::new();
        if tags_per_member
            .iter()
            .flatten()
            .any(|t| !seen.insert(t.clone()))
            || tags_per_member.iter().any(Vec::is_empty)
        {
            if discriminator.is_some() {
                self.warn(node.pointer, "discriminator tags are missing or repeated; decoding this union by trial (untagged) instead");
            }
            return None;
        }
        let mut scope = NameScope::default();
        let mut variants = Vec::new();
        for ((member, _), tags) in resolved.iter().zip(tags_per_member) {
            let hint = format!("{name}{}", type_ident(&tags[0]));
            let (ty, _) = self.lower_type(*member, &hint, module);
            let TypeRef::Named(id) = ty else {
                self.warn(member.pointer, "a tagged union member is not an object schema; decoding this union by trial (untagged) instead");
                return None;
            };
            let wanted = if tags.len() == 1 {
                type_ident(&tags[0])
            } else {
                shorten_variant(name, self.type_name(id))
            };
            let (rust_name, _) = scope.claim(&wanted, "");
            variants.push(TaggedVariant {
                rust_name,
                tag_in_struct: tags.len() > 1,
                tags,
                ty: id,
                boxed: false,
            });
        }
        let unknown_variant = scope
            .claim(
                if scope.is_taken("Unknown") {
                    "UnknownValue"
                } else {
                    "Unknown"
                },
                "",
            )
            .0;
        Some(TypeKind::TaggedUnion(TaggedUnion {
            tag,
            variants,
            unknown_variant,
        }))
    }

    /// Looks for a property every member requires and pins to a distinct constant.
    fn find_constant_tag(
        &mut self,
        resolved: &[(Node<'a>, Node<'a>)],
    ) -> Option<(String, Vec<Vec<String>>)> {
        let objects: Vec<Map<String, Value>> = resolved
            .iter()
            .map(|(_, t)| self.flatten_object(*t))
            .collect::<Option<_>>()?;
        let first = objects.first()?;
        let candidates: Vec<String> = first
            .get("properties")
            .and_then(Value::as_object)?
            .keys()
            .cloned()
            .collect();
        'candidates: for property in candidates {
            let mut tags = Vec::new();
            for object in &objects {
                let required = object.get("required").and_then(Value::as_array);
                if !required.is_some_and(|r| r.iter().any(|n| n.as_str() == Some(&property))) {
                    continue 'candidates;
                }
                match constant_tags(&Value::Object(object.clone()), &property) {
                    Some(t) if t.len() == 1 => tags.push(t),
                    _ => continue 'candidates,
                }
            }
            return Some((property, tags));
        }
        None
    }

    /// `properties` and `required` of an object schema with its `allOf` parts merged in.
    fn flatten_object(&mut self, node: Node<'a>) -> Option<Map<String, Value>> {
        let mut properties = Vec::new();
        let mut required = Vec::new();
        let mut additional = None;
        let before = self.diagnostics.len();
        self.collect_object(
            node,
            &mut properties,
            &mut required,
            &mut additional,
            0,
            &mut Vec::new(),
        );
        self.diagnostics.truncate(before);
        if properties.is_empty() {
            return None;
        }
        let mut props = Map::new();
        for (name, prop) in properties {
            let value = self
                .deref(prop)
                .map(|(n, _)| n.value.clone())
                .unwrap_or(Value::Null);
            props.insert(name, value);
        }
        let mut object = Map::new();
        object.insert("properties".into(), Value::Object(props));
        object.insert(
            "required".into(),
            Value::Array(required.into_iter().map(Value::String).collect()),
        );
        Some(object)
    }

    fn variant_name(&self, ty: &TypeRef) -> String {
        match ty {
            TypeRef::Named(id) => self.type_name(*id).to_owned(),
            TypeRef::String => "String".into(),
            TypeRef::Integer { .. } => "Integer".into(),
            TypeRef::Number => "Number".into(),
            TypeRef::Boolean => "Boolean".into(),
            TypeRef::DateTime => "DateTime".into(),
            TypeRef::Base64 => "Base64".into(),
            TypeRef::File => "File".into(),
            TypeRef::Any => "Value".into(),
            TypeRef::Array(item) => format!("{}Array", self.variant_name(item)),
            TypeRef::Tuple(_) => "Tuple".into(),
            TypeRef::Map(value) => format!("{}Map", self.variant_name(value)),
            TypeRef::Nullable(inner) => format!("Nullable{}", self.variant_name(inner)),
        }
    }

    pub(crate) fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::warning(pointer, message));
    }

    pub(crate) fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(pointer, message));
    }
}

static EMPTY: Vec<Value> = Vec::new();
static TRUE_SCHEMA: Value = Value::Bool(true);

/// The constant(s) a member pins its tag property to: `const`, or an `enum` of strings.
/// What a property schema says it is, when it says it plainly (`type` or `$ref`), for telling
/// conflicting `allOf` definitions apart from refinements.
fn shape(schema: &Value) -> Option<String> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return Some(format!("`{reference}`"));
    }
    match schema.get("type")? {
        Value::String(t) => Some(format!("`{t}`")),
        other => Some(format!("`{other}`")),
    }
}

fn constant_tags(schema: &Value, property: &str) -> Option<Vec<String>> {
    let prop = schema.get("properties")?.get(property)?;
    if let Some(Value::String(c)) = prop.get("const") {
        return Some(vec![c.clone()]);
    }
    let values = prop.get("enum")?.as_array()?;
    string_values(values).filter(|v| !v.is_empty())
}

pub(crate) fn wrap_nullable(ty: TypeRef, nullable: bool) -> TypeRef {
    if nullable && !matches!(ty, TypeRef::Any | TypeRef::Nullable(_)) {
        TypeRef::Nullable(Box::new(ty))
    } else {
        ty
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 60 {
        format!(
            "{}…",
            &text[..text.char_indices().nth(57).map_or(text.len(), |(i, _)| i)]
        )
    } else {
        text
    }
}

/// Drops the leading words a variant's type name shares with its union's name
/// (`MessagesContentBlock` + `MessagesCompatibilityBlock` → `CompatibilityBlock`).
fn shorten_variant(union: &str, variant: &str) -> String {
    fn words(s: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, c) in s.char_indices().skip(1) {
            if c.is_uppercase() {
                out.push(&s[start..i]);
                start = i;
            }
        }
        out.push(&s[start..]);
        out
    }
    let (u, v) = (words(union), words(variant));
    let common = u.iter().zip(&v).take_while(|(a, b)| a == b).count();
    let rest: String = v[common..].concat();
    if rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit()) {
        variant.to_owned()
    } else {
        rest
    }
}

/// Examples of a property, or of its non-null `anyOf` members when it has none itself.
pub(crate) fn member_examples(schema: &Value) -> Vec<Value> {
    let own = examples_of(schema);
    if !own.is_empty() {
        return own;
    }
    union_members(schema)
        .map(|(_, members)| {
            members
                .iter()
                .filter(|m| !is_null_schema(m))
                .flat_map(examples_of)
                .collect()
        })
        .unwrap_or_default()
}

/// Some specs list the items of one array example as separate `examples`; when a field is an
/// array and no example is, the list is one example.
fn array_examples(ty: &TypeRef, examples: Vec<Value>) -> Vec<Value> {
    let is_array = matches!(ty, TypeRef::Array(_))
        || matches!(ty, TypeRef::Nullable(inner) if matches!(**inner, TypeRef::Array(_)));
    if is_array && !examples.is_empty() && !examples.iter().any(Value::is_array) {
        vec![Value::Array(examples)]
    } else {
        examples
    }
}

/// The constraints of a schema, looking through `anyOf`/`oneOf` with `null` (the usual shape of
/// an optional value) to the one other member.
pub(crate) fn constraints_of(schema: &Value) -> Constraints {
    let members: Vec<&Value> = ["anyOf", "oneOf"]
        .iter()
        .filter_map(|k| schema.get(*k)?.as_array())
        .flatten()
        .filter(|m| m.get("type").and_then(Value::as_str) != Some("null"))
        .collect();
    let schema = match members.as_slice() {
        [only] => *only,
        _ => schema,
    };
    let number = |key: &str| match schema.get(key) {
        Some(Value::Number(n)) => Some(n.clone()),
        _ => None,
    };
    let count = |key: &str| schema.get(key).and_then(Value::as_u64);
    let bound = |inclusive: &str, exclusive: &str| {
        number(exclusive)
            .map(|value| Bound {
                value,
                exclusive: true,
            })
            .or_else(|| {
                number(inclusive).map(|value| Bound {
                    value,
                    exclusive: false,
                })
            })
    };
    let format = schema
        .get("format")
        .and_then(Value::as_str)
        .filter(|f| {
            !matches!(
                *f,
                "date-time" | "binary" | "int32" | "int64" | "float" | "double"
            )
        })
        .map(str::to_owned);
    Constraints {
        minimum: bound("minimum", "exclusiveMinimum"),
        maximum: bound("maximum", "exclusiveMaximum"),
        min_length: count("minLength"),
        max_length: count("maxLength"),
        min_items: count("minItems"),
        max_items: count("maxItems"),
        pattern: schema
            .get("pattern")
            .and_then(Value::as_str)
            .map(str::to_owned),
        format,
    }
}

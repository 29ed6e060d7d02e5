//! A compact, stable text form of the IR, for snapshot tests and for reading what lowering did.

use std::fmt::Write as _;

use crate::ir::*;

fn ty(t: &TypeRef, types: &[TypeDef]) -> String {
    match t {
        TypeRef::String => "string".into(),
        TypeRef::Integer { bits } => format!("i{bits}"),
        TypeRef::Number => "f64".into(),
        TypeRef::Boolean => "bool".into(),
        TypeRef::DateTime => "date-time".into(),
        TypeRef::Base64 => "base64".into(),
        TypeRef::File => "file".into(),
        TypeRef::Any => "any".into(),
        TypeRef::Array(i) => format!("[{}]", ty(i, types)),
        TypeRef::Tuple(items) => format!(
            "({})",
            items
                .iter()
                .map(|i| ty(i, types))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        TypeRef::Map(v) => format!("{{string: {}}}", ty(v, types)),
        TypeRef::Nullable(i) => format!("{}?", ty(i, types)),
        TypeRef::Named(id) => types[id.0].name.clone(),
    }
}

pub fn ir_text(api: &Api) -> String {
    let mut out = String::new();
    let types = &api.types;
    for def in types {
        let origin = match &def.origin {
            NameOrigin::Component(name) => format!("component {name:?}"),
            NameOrigin::Inline => "inline".to_owned(),
        };
        let _ = writeln!(
            out,
            "{} ({origin}, #{}, module {})",
            def.name, def.pointer, def.module
        );
        for example in &def.examples {
            let _ = writeln!(out, "  example {example}");
        }
        match &def.kind {
            TypeKind::Struct(s) => {
                for f in &s.fields {
                    let presence = match (f.required, f.nullable) {
                        (true, false) => "required",
                        (true, true) => "required nullable",
                        (false, false) => "optional",
                        (false, true) => "optional nullable",
                    };
                    let boxed = if f.boxed { " boxed" } else { "" };
                    let _ = write!(
                        out,
                        "  field {} (wire {:?}): {} {presence}{boxed}",
                        f.rust_name,
                        f.wire_name,
                        ty(&f.ty, types)
                    );
                    if let Some(default) = &f.default {
                        let _ = write!(out, " default {default}");
                    }
                    out.push_str(&constraints(&f.constraints));
                    if !f.examples.is_empty() {
                        let _ = write!(
                            out,
                            " examples {}",
                            serde_json::Value::Array(f.examples.clone())
                        );
                    }
                    out.push('\n');
                }
                if let Some(additional) = &s.additional {
                    let _ = writeln!(out, "  additional properties: {}", ty(additional, types));
                }
            }
            TypeKind::Enum(e) => {
                for v in &e.values {
                    let _ = writeln!(out, "  value {} = {:?}", v.rust_name, v.wire);
                }
                if let Some(default) = &e.default {
                    let _ = writeln!(out, "  default {default:?}");
                }
                let _ = writeln!(out, "  catch-all {}", e.unknown_variant);
            }
            TypeKind::TaggedUnion(u) => {
                let _ = writeln!(out, "  tagged by {:?}", u.tag);
                for v in &u.variants {
                    let place = if v.tag_in_struct {
                        "tag in struct"
                    } else {
                        "tag written by union"
                    };
                    let boxed = if v.boxed { ", boxed" } else { "" };
                    let _ = writeln!(
                        out,
                        "  variant {} {:?} => {} ({place}{boxed})",
                        v.rust_name, v.tags, types[v.ty.0].name
                    );
                }
                let _ = writeln!(out, "  catch-all {}", u.unknown_variant);
            }
            TypeKind::UntaggedUnion(u) => {
                let _ = writeln!(out, "  untagged, tried in order:");
                for v in &u.variants {
                    let boxed = if v.boxed { " (boxed)" } else { "" };
                    let _ = writeln!(
                        out,
                        "  variant {}: {}{boxed}",
                        v.rust_name,
                        ty(&v.ty, types)
                    );
                }
            }
            TypeKind::Alias(t) => {
                let _ = writeln!(out, "  alias of {}", ty(t, types));
            }
        }
    }
    for op in &api.operations {
        let ignored = if op.ignored { " (ignored)" } else { "" };
        let _ = writeln!(
            out,
            "operation {} {} {}{ignored} => {}.{}",
            op.operation_id,
            op.method.as_str(),
            op.path_key,
            op.resource.join("."),
            op.method_name
        );
        if let Some(server) = &op.server {
            let _ = writeln!(out, "  server {server}");
        }
        if !op.security.is_empty() {
            let alternatives: Vec<String> = op
                .security
                .iter()
                .map(|requirement| match &requirement[..] {
                    [] => "(none)".to_owned(),
                    schemes => schemes
                        .iter()
                        .map(|s| match &s.kind {
                            SecurityKind::Http { scheme } => format!("{} http {scheme}", s.name),
                            SecurityKind::ApiKey { location, name } => {
                                format!("{} apiKey {location:?} {name}", s.name)
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" + "),
                })
                .collect();
            let _ = writeln!(out, "  security {}", alternatives.join(" | "));
        }
        for p in &op.parameters {
            let _ = writeln!(
                out,
                "  {:?} param {} (wire {:?}): {}{}{}{}",
                p.location,
                p.rust_name,
                p.wire_name,
                ty(&p.ty, types),
                if p.required { " required" } else { "" },
                if p.nullable { " nullable" } else { "" },
                constraints(&p.constraints)
            );
        }
        if let Some(body) = &op.body {
            let _ = writeln!(
                out,
                "  {:?} body: {}{}",
                body.content_type,
                ty(&body.ty, types),
                if body.required { " required" } else { "" }
            );
        }
        match &op.response {
            Response::Json { status, ty: t, .. } => {
                let _ = writeln!(out, "  {status} json: {}", ty(t, types));
            }
            Response::EventStream {
                ty: t,
                sentinel,
                envelope,
                ..
            } => {
                let items = if *envelope {
                    "whole events"
                } else {
                    "event data"
                };
                let _ = writeln!(
                    out,
                    "  event stream of {} as {items} (sentinel {sentinel:?})",
                    ty(t, types)
                );
            }
            Response::Empty { status } => {
                let _ = writeln!(out, "  {status} empty");
            }
        }
        for e in &op.errors {
            let _ = writeln!(
                out,
                "  error {} {}",
                e.status,
                e.ty.as_ref()
                    .map(|t| ty(t, types))
                    .unwrap_or_else(|| "(no typed body)".into())
            );
        }
    }
    out
}

/// ` constraints {minimum 1, maxLength 10, ...}` in the spec's words, or nothing.
fn constraints(c: &Constraints) -> String {
    if c.is_empty() {
        return String::new();
    }
    let mut parts = Vec::new();
    for (name, exclusive_name, bound) in [
        ("minimum", "exclusiveMinimum", &c.minimum),
        ("maximum", "exclusiveMaximum", &c.maximum),
    ] {
        if let Some(b) = bound {
            let name = if b.exclusive { exclusive_name } else { name };
            parts.push(format!("{name} {}", b.value));
        }
    }
    for (name, count) in [
        ("minLength", c.min_length),
        ("maxLength", c.max_length),
        ("minItems", c.min_items),
        ("maxItems", c.max_items),
    ] {
        if let Some(n) = count {
            parts.push(format!("{name} {n}"));
        }
    }
    if let Some(p) = &c.pattern {
        parts.push(format!("pattern {p:?}"));
    }
    if let Some(f) = &c.format {
        parts.push(format!("format {f:?}"));
    }
    format!(" constraints {{{}}}", parts.join(", "))
}

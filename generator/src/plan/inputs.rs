//! What a call takes: each operation's inputs in positional order (path, then required query
//! and header parameters, then required body fields; optional ones become setters), their
//! presence, and the `stream` flag a body pins.

use crate::ir::*;
use crate::lower::NameScope;

/// Builder methods a field or parameter setter must not shadow.
const RESERVED: &[&str] = &[
    "send",
    "send_as",
    "send_with_body",
    "send_raw",
    "body",
    "options",
    "retries",
    "server_url",
    "timeout",
    "deadline",
    "header",
    "new",
    "parts",
];

/// The struct a JSON or multipart body is made of, when its fields can be set one by one
/// (through aliases: a streaming twin's body is an alias of the JSON body's struct).
pub fn body_struct<'a>(op: &Operation, types: &'a [TypeDef]) -> Option<(TypeId, &'a Struct)> {
    let body = op.body.as_ref()?;
    if !body.required {
        return None;
    }
    match through_aliases(&body.ty, types) {
        TypeRef::Named(id) => match &types[id.0].kind {
            TypeKind::Struct(s) => Some((*id, s)),
            _ => None,
        },
        _ => None,
    }
}

/// How a value may be present on the wire, decided once for every field and parameter
/// (DESIGN §4): the Rust type, the serde attributes, the setters and the docs all follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Always sent: `T`.
    Required,
    /// Always sent, may be `null`: `Option<T>` that is serialized as `null`.
    RequiredNullable,
    /// May be left out: `Option<T>`, skipped when `None`.
    Optional,
    /// May be left out or sent as `null`: `OptionalNullable<T>`, with a `_null()` setter.
    OptionalNullable,
}

impl Presence {
    pub fn of(required: bool, nullable: bool, ty: &TypeRef) -> Self {
        // `null` is already one of an untyped value's values: no wrapper says it again.
        let nullable = nullable && *ty != TypeRef::Any;
        match (required, nullable) {
            (true, false) => Presence::Required,
            (true, true) => Presence::RequiredNullable,
            (false, false) => Presence::Optional,
            (false, true) => Presence::OptionalNullable,
        }
    }

    pub fn of_field(f: &Field) -> Self {
        Self::of(f.required, f.nullable, &f.ty)
    }

    pub fn is_required(self) -> bool {
        matches!(self, Presence::Required | Presence::RequiredNullable)
    }

    /// Whether `null` can be sent on purpose (a `_null()` setter, `OptionalNullable::Null`).
    pub fn is_nullable(self) -> bool {
        matches!(
            self,
            Presence::RequiredNullable | Presence::OptionalNullable
        )
    }
}

/// A builder input: a parameter or a body field.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    pub setter: String,
    pub wire: &'a str,
    pub kind: InputKind<'a>,
    pub presence: Presence,
}

#[derive(Debug, Clone, Copy)]
pub enum InputKind<'a> {
    Param(&'a Parameter),
    Field(&'a Field),
    /// The whole body, positional (unions, arrays, optional bodies).
    Body(&'a RequestBody),
}

impl Input<'_> {
    pub fn required(&self) -> bool {
        self.presence.is_required()
    }

    /// The `_null()` setter of an optional nullable body field.
    pub fn null_setter(&self) -> Option<String> {
        (matches!(self.kind, InputKind::Field(_)) && self.presence == Presence::OptionalNullable)
            .then(|| format!("{}_null", self.setter.trim_start_matches("r#")))
    }
}

/// The value of a body's `stream` flag the builder pins, so it can never disagree with how the
/// operation reads its response: `true` for an event-stream twin, `false` for a JSON (or empty)
/// answer, where `stream: true` would make the server answer SSE that cannot be decoded. Such a
/// flag gets no setter, and replacing the whole body pins it again.
pub fn forced_stream_flag(op: &Operation, f: &Field) -> Option<bool> {
    is_forced_stream_flag(f).then_some(matches!(op.response, Response::EventStream { .. }))
}

/// Whether a body field is the `stream` flag every operation pins (so it has no setter).
pub fn is_forced_stream_flag(f: &Field) -> bool {
    f.wire_name == "stream" && f.ty == TypeRef::Boolean
}

/// The `stream` flag pinned in a JSON body the caller passes whole (a union whose structs carry
/// the flag): set to `true` for an event-stream twin; for a JSON answer, set to `false` where
/// the caller's body has it (absent means not streaming).
pub fn whole_body_stream_flag(op: &Operation, types: &[TypeDef]) -> Option<bool> {
    let body = op.body.as_ref()?;
    if body.content_type != BodyKind::Json || body_struct(op, types).is_some() {
        return None;
    }
    let has_flag = |ty: &TypeRef| {
        matches!(through_aliases(ty, types), TypeRef::Named(id) if matches!(&types[id.0].kind, TypeKind::Struct(s)
            if s.fields.iter().any(|f| forced_stream_flag(op, f).is_some())))
    };
    let carries = match through_aliases(&body.ty, types) {
        TypeRef::Named(id) => match &types[id.0].kind {
            TypeKind::UntaggedUnion(u) => u.variants.iter().any(|v| has_flag(&v.ty)),
            TypeKind::TaggedUnion(u) => u.variants.iter().any(|v| has_flag(&TypeRef::Named(v.ty))),
            TypeKind::Struct(_) => has_flag(&body.ty),
            _ => false,
        },
        _ => false,
    };
    carries.then_some(matches!(op.response, Response::EventStream { .. }))
}

/// Applies the builder's pinning of the `stream` flag to a JSON body the tests and docs expect
/// on the wire.
pub fn pin_stream_flag(op: &Operation, types: &[TypeDef], body: &mut serde_json::Value) {
    let serde_json::Value::Object(object) = body else {
        return;
    };
    if let Some((_, s)) = body_struct(op, types) {
        if let Some((f, flag)) = s
            .fields
            .iter()
            .find_map(|f| Some((f, forced_stream_flag(op, f)?)))
        {
            object.insert(f.wire_name.clone(), serde_json::Value::Bool(flag));
        }
    } else if let Some(flag) = whole_body_stream_flag(op, types)
        && (flag || object.contains_key("stream"))
    {
        object.insert("stream".to_owned(), serde_json::Value::Bool(flag));
    }
}

/// All inputs of an operation in positional order: path, then required query and header
/// parameters, then required body fields; optional ones follow (setters). Body fields claim
/// their names before parameters, so a body model's setters are named the same in every
/// operation that sends it (they are emitted once per model).
pub fn inputs<'a>(op: &'a Operation, types: &'a [TypeDef]) -> Vec<Input<'a>> {
    let mut scope = NameScope::default();
    let whole_body = body_struct(op, types).is_none() && op.body.is_some();
    // A positional whole body takes the name `body`; there is then no `body()` replacement.
    for r in RESERVED.iter().filter(|r| !(whole_body && **r == "body")) {
        scope.reserve(r, "");
    }
    let mut fields = Vec::new();
    match (body_struct(op, types), &op.body) {
        (Some((_, s)), _) => {
            for f in s.fields.iter().filter(|f| !is_forced_stream_flag(f)) {
                fields.push(Input {
                    setter: scope.claim(&f.rust_name, "").0,
                    wire: &f.wire_name,
                    kind: InputKind::Field(f),
                    presence: Presence::of_field(f),
                });
            }
        }
        (None, Some(body)) => fields.push(Input {
            setter: scope.claim("body", "").0,
            wire: "body",
            kind: InputKind::Body(body),
            presence: if body.required {
                Presence::Required
            } else {
                Presence::Optional
            },
        }),
        (None, None) => {}
    }
    let params = op
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .chain(
            op.parameters
                .iter()
                .filter(|p| p.location != ParamLocation::Path),
        );
    let mut out = Vec::new();
    for p in params {
        out.push(Input {
            setter: scope.claim(&p.rust_name, "").0,
            wire: &p.wire_name,
            kind: InputKind::Param(p),
            presence: match (p.required, p.nullable) {
                (true, true) => Presence::RequiredNullable,
                (true, false) => Presence::Required,
                // An optional parameter is left out or sent; there is no explicit `null`.
                (false, _) => Presence::Optional,
            },
        });
    }
    out.extend(fields);
    out.sort_by_key(|i| !i.required());
    out
}

//! Operations: path items and their methods become IR operations with typed parameters,
//! bodies, responses and errors.

use serde_json::Value;

use super::Lowerer;
use super::naming::{NameScope, field_ident, module_ident, type_ident};
use super::schema::{Node, docs_of, examples_of, named_examples, wrap_nullable};
use crate::ir::*;
use crate::spec::escape_token;

const METHODS: &[(&str, HttpMethod)] = &[
    ("get", HttpMethod::Get),
    ("put", HttpMethod::Put),
    ("post", HttpMethod::Post),
    ("delete", HttpMethod::Delete),
    ("patch", HttpMethod::Patch),
];

impl<'a> Lowerer<'a> {
    /// An event-stream schema may describe the SSE event itself (`{event?, id?, data}`, the
    /// convention Speakeasy specs follow). A plain `{data}` envelope streams its payload; an
    /// envelope with `event`, or a union of envelopes, streams whole events (`envelope`).
    fn event_payload(&self, ty: TypeRef) -> (TypeRef, bool) {
        let resolved = self.resolve_alias(&ty);
        let TypeRef::Named(id) = &resolved else {
            return (ty, false);
        };
        match &self.def(*id).kind {
            TypeKind::Struct(s) if self.is_envelope(s) => {
                match s.fields.iter().find(|f| f.wire_name == "data") {
                    Some(data) if !s.fields.iter().any(|f| f.wire_name == "event") => {
                        (data.ty.clone(), false)
                    }
                    _ => (ty, true),
                }
            }
            TypeKind::UntaggedUnion(u)
                if u.variants.iter().all(|v| self.is_envelope_type(&v.ty)) =>
            {
                (ty, true)
            }
            TypeKind::TaggedUnion(u)
                if u.tag == "event"
                    && u.variants
                        .iter()
                        .all(|v| self.is_envelope_type(&TypeRef::Named(v.ty))) =>
            {
                (ty, true)
            }
            _ => (ty, false),
        }
    }

    fn resolve_alias(&self, ty: &TypeRef) -> TypeRef {
        let mut current = ty.clone();
        for _ in 0..8 {
            match &current {
                TypeRef::Named(id) => match &self.def(*id).kind {
                    TypeKind::Alias(inner) => current = inner.clone(),
                    _ => return current,
                },
                _ => return current,
            }
        }
        current
    }

    fn is_envelope(&self, s: &Struct) -> bool {
        s.fields.iter().any(|f| f.wire_name == "data")
            && s.fields
                .iter()
                .all(|f| ["data", "event", "id", "retry"].contains(&f.wire_name.as_str()))
    }

    fn is_envelope_type(&self, ty: &TypeRef) -> bool {
        matches!(self.resolve_alias(ty), TypeRef::Named(id) if matches!(&self.def(id).kind, TypeKind::Struct(s) if self.is_envelope(s)))
    }

    pub(crate) fn lower_operations(&mut self) -> Vec<Operation> {
        let Some(Value::Object(paths)) = self.doc.root.get("paths") else {
            return Vec::new();
        };
        let mut operations = Vec::new();
        let mut method_names = NameScope::default();
        let mut operation_ids = std::collections::HashMap::new();
        let mut modules = NameScope::default();
        for (path_key, item) in paths {
            let item_pointer = format!("/paths/{}", escape_token(path_key));
            let Some(item_object) = item.as_object() else {
                self.error(
                    &item_pointer,
                    "expected a path item (a mapping of methods to operations)",
                );
                continue;
            };
            for key in item_object.keys() {
                let known = METHODS.iter().any(|(m, _)| m == key)
                    || ["parameters", "servers", "summary", "description", "$ref"]
                        .contains(&key.as_str())
                    || key.starts_with("x-");
                if !known {
                    self.warn(&format!("{item_pointer}/{}", escape_token(key)), format!("`{key}` is not generated (only get, put, post, delete and patch are supported)"));
                }
            }
            for (method_key, method) in METHODS {
                let Some(op) = item.get(*method_key) else {
                    continue;
                };
                let pointer = self.intern(&format!("{item_pointer}/{method_key}"));
                if !op.is_object() {
                    self.error(pointer, "expected an operation object");
                    continue;
                }
                let operation = self.lower_operation(
                    item,
                    op,
                    pointer,
                    path_key,
                    *method,
                    &mut method_names,
                    &mut operation_ids,
                    &mut modules,
                );
                operations.push(operation);
            }
        }
        operations
    }

    #[allow(clippy::too_many_arguments)]
    fn lower_operation(
        &mut self,
        item: &'a Value,
        op: &'a Value,
        pointer: &'a str,
        path_key: &str,
        method: HttpMethod,
        method_names: &mut NameScope,
        operation_ids: &mut std::collections::HashMap<String, &'a str>,
        modules: &mut NameScope,
    ) -> Operation {
        let path = path_key.split('#').next().unwrap_or(path_key).to_owned();
        let operation_id = match op.get("operationId").and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => {
                let derived = format!(
                    "{}{}",
                    method.as_str().to_lowercase(),
                    type_ident(&path_key.replace(['/', '{', '}', '#'], " "))
                );
                self.warn(
                    pointer,
                    format!("operation has no `operationId`; using `{derived}`"),
                );
                derived
            }
        };
        if let Some(previous) = operation_ids.insert(operation_id.clone(), pointer) {
            self.diagnostics.push(
                crate::diagnostics::Diagnostic::error(
                    pointer,
                    format!("duplicate operationId `{operation_id}`"),
                )
                .with_related(previous),
            );
        }
        // The module names the operation's file (`src/operations/<module>.rs`, and its docs
        // page), so it is unique without regard to case.
        let (module, collision) = modules.claim(&module_ident(&operation_id), pointer);
        if let Some(collision) = collision {
            self.diagnostics.push(
                crate::diagnostics::Diagnostic::warning(
                    pointer,
                    format!(
                        "operationId `{operation_id}` maps to the module `{}`, already taken; its module is `{module}`",
                        collision.wanted
                    ),
                )
                .with_related(collision.previous_owner),
            );
        }
        let tag = op
            .pointer("/tags/0")
            .and_then(Value::as_str)
            .unwrap_or("Default")
            .to_owned();
        let resource: Vec<String> = tag.split('.').map(module_ident).collect();
        let wanted_method = field_ident(
            op.get("x-speakeasy-name-override")
                .and_then(Value::as_str)
                .unwrap_or(&operation_id),
        );
        let (method_name, collision) = method_names.claim(
            &format!("{}::{wanted_method}", resource.join("::")),
            pointer,
        );
        if let Some(collision) = collision {
            self.diagnostics.push(
                crate::diagnostics::Diagnostic::warning(
                    pointer,
                    format!(
                        "method `{}` already exists on this resource; this one is `{}`",
                        collision.wanted,
                        method_name.rsplit("::").next().unwrap_or_default()
                    ),
                )
                .with_related(collision.previous_owner),
            );
        }
        let method_name = method_name
            .rsplit("::")
            .next()
            .unwrap_or_default()
            .to_owned();
        let server = op
            .pointer("/servers/0/url")
            .or_else(|| item.pointer("/servers/0/url"))
            .and_then(Value::as_str)
            .map(String::from);
        let type_prefix = type_ident(&operation_id);
        let parameters = self.lower_parameters(item, op, pointer, &type_prefix, &module);
        let body = self.lower_body(op, pointer, &type_prefix, &module);
        let (response, errors) = self.lower_responses(op, pointer, &type_prefix, &module);
        Operation {
            operation_id,
            module,
            pointer: pointer.to_owned(),
            method,
            path,
            path_key: path_key.to_owned(),
            resource,
            tag,
            method_name,
            summary: op.get("summary").and_then(Value::as_str).map(String::from),
            description: op
                .get("description")
                .and_then(Value::as_str)
                .map(String::from),
            server,
            page: op.get("x-mint").map(|mint| {
                let text = |v: Option<&Value>| {
                    v.and_then(Value::as_str)
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                };
                let metadata = mint.get("metadata");
                PageDoc {
                    title: text(metadata.and_then(|m| m.get("title"))),
                    description: text(metadata.and_then(|m| m.get("description"))),
                    content: text(mint.get("content")),
                }
            }),
            ignored: op.get("x-speakeasy-ignore").and_then(Value::as_bool) == Some(true),
            parameters,
            body,
            response,
            errors,
            security: self.lower_security(op, pointer),
        }
    }

    /// The operation's effective security: its own `security`, else the document's.
    fn lower_security(&mut self, op: &'a Value, pointer: &str) -> Vec<SecurityRequirement> {
        let (list, list_pointer) = match op.get("security") {
            Some(list) => (list, format!("{pointer}/security")),
            None => match self.doc.root.get("security") {
                Some(list) => (list, "/security".to_owned()),
                None => return Vec::new(),
            },
        };
        let Some(list) = list.as_array() else {
            self.error(&list_pointer, "expected `security` to be an array");
            return Vec::new();
        };
        let mut requirements = Vec::new();
        for (i, requirement) in list.iter().enumerate() {
            let requirement_pointer = format!("{list_pointer}/{i}");
            let Some(names) = requirement.as_object() else {
                self.error(
                    &requirement_pointer,
                    "expected a security requirement (a mapping of scheme names)",
                );
                continue;
            };
            let schemes: Option<Vec<SecurityScheme>> = names
                .keys()
                .map(|name| self.security_scheme(name, &requirement_pointer))
                .collect();
            // A requirement the client cannot meet is no way in; the others still are.
            if let Some(schemes) = schemes {
                requirements.push(schemes);
            }
        }
        requirements
    }

    fn security_scheme(&mut self, name: &str, requirement_pointer: &str) -> Option<SecurityScheme> {
        let scheme_pointer = format!("/components/securitySchemes/{}", escape_token(name));
        let Some(scheme) = self.doc.root.pointer(&scheme_pointer) else {
            self.error(
                requirement_pointer,
                format!("security scheme `{name}` is not defined in `components.securitySchemes`"),
            );
            return None;
        };
        let field = |key: &str| scheme.get(key).and_then(Value::as_str);
        let kind = match (field("type"), field("in")) {
            (Some("http"), _) => {
                let scheme_name = field("scheme").unwrap_or("bearer");
                // Auth schemes are case-insensitive; `Bearer` is how RFC 6750 writes it.
                let mut chars = scheme_name.chars();
                let canonical = chars
                    .next()
                    .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default();
                SecurityKind::Http { scheme: canonical }
            }
            (Some("oauth2" | "openIdConnect"), _) => SecurityKind::Http {
                scheme: "Bearer".to_owned(),
            },
            (Some("apiKey"), Some(location @ ("header" | "query"))) => SecurityKind::ApiKey {
                location: if location == "header" {
                    ParamLocation::Header
                } else {
                    ParamLocation::Query
                },
                name: field("name").unwrap_or(name).to_owned(),
            },
            (kind, location) => {
                self.warn(
                    &scheme_pointer,
                    format!(
                        "security scheme `{name}` ({}{}) is not supported; requirements naming it are skipped",
                        kind.unwrap_or("no type"),
                        location.map(|l| format!(" in {l}")).unwrap_or_default()
                    ),
                );
                return None;
            }
        };
        Some(SecurityScheme {
            name: name.to_owned(),
            kind,
        })
    }

    fn lower_parameters(
        &mut self,
        item: &'a Value,
        op: &'a Value,
        pointer: &'a str,
        prefix: &str,
        module: &str,
    ) -> Vec<Parameter> {
        let item_pointer = &pointer[..pointer.rfind('/').unwrap_or(0)];
        let mut raw: Vec<(Node<'a>, &'a Value)> = Vec::new();
        for (owner, owner_pointer) in [(item, item_pointer), (op, pointer)] {
            let Some(list) = owner.get("parameters") else {
                continue;
            };
            let Some(list) = list.as_array() else {
                self.error(
                    &format!("{owner_pointer}/parameters"),
                    "expected `parameters` to be an array",
                );
                continue;
            };
            for (i, param) in list.iter().enumerate() {
                let node = Node {
                    value: param,
                    pointer: self.intern(&format!("{owner_pointer}/parameters/{i}")),
                };
                let Some((resolved, _)) = self.deref(node) else {
                    continue;
                };
                if resolved.pointer != node.pointer
                    && (resolved.value.get("name").is_none() || resolved.value.get("in").is_none())
                {
                    self.error(
                        &format!("{}/$ref", node.pointer),
                        format!(
                            "`$ref` leads to `#{}`, which is not a parameter: expected a parameter object with `name` and `in`",
                            resolved.pointer
                        ),
                    );
                    continue;
                }
                let key = (resolved.value.get("name"), resolved.value.get("in"));
                raw.retain(|(_, existing)| (existing.get("name"), existing.get("in")) != key);
                raw.push((resolved, resolved.value));
            }
        }
        let mut scope = NameScope::default();
        let mut parameters = Vec::new();
        for (node, param) in raw {
            let (Some(name), Some(location)) = (
                param.get("name").and_then(Value::as_str),
                param.get("in").and_then(Value::as_str),
            ) else {
                self.error(node.pointer, "expected a parameter with `name` and `in`");
                continue;
            };
            let location = match location {
                "path" => ParamLocation::Path,
                "query" => ParamLocation::Query,
                "header" => ParamLocation::Header,
                other => {
                    self.warn(
                        node.pointer,
                        format!("`in: {other}` parameters are not supported; `{name}` is skipped"),
                    );
                    continue;
                }
            };
            let (ty, nullable) = match param.get("schema") {
                Some(schema) => {
                    let schema_node = Node {
                        value: schema,
                        pointer: self.intern(&format!("{}/schema", node.pointer)),
                    };
                    self.lower_type(
                        schema_node,
                        &format!("{prefix}{}", type_ident(name)),
                        module,
                    )
                }
                None => (TypeRef::String, false),
            };
            let (rust_name, _) = scope.claim(&field_ident(name), node.pointer);
            let mut examples = named_examples(param).unwrap_or_else(|| examples_of(param));
            if examples.is_empty() {
                examples = param.get("schema").map(examples_of).unwrap_or_default();
            }
            let examples = self.valid_examples(&format!("{}/schema", node.pointer), examples);
            parameters.push(Parameter {
                rust_name,
                wire_name: name.to_owned(),
                location,
                ty,
                required: location == ParamLocation::Path
                    || param.get("required").and_then(Value::as_bool) == Some(true),
                nullable,
                docs: docs_of(param).or_else(|| param.get("schema").and_then(docs_of)),
                examples,
                default: param.pointer("/schema/default").cloned(),
                constraints: param
                    .get("schema")
                    .map(super::schema::constraints_of)
                    .unwrap_or_default(),
            });
        }
        parameters
    }

    fn lower_body(
        &mut self,
        op: &'a Value,
        pointer: &'a str,
        prefix: &str,
        module: &str,
    ) -> Option<RequestBody> {
        let body = op.get("requestBody")?;
        let body_node = Node {
            value: body,
            pointer: self.intern(&format!("{pointer}/requestBody")),
        };
        let (body_node, _) = self.deref(body_node)?;
        let Some(content) = body_node.value.get("content").and_then(Value::as_object) else {
            // Where a `$ref` led here, the `$ref` is what to fix.
            let at = match body.get("$ref") {
                Some(_) => format!("{pointer}/requestBody/$ref"),
                None => body_node.pointer.to_owned(),
            };
            self.error(
                &at,
                "expected a request body object with a `content` mapping of media types",
            );
            return None;
        };
        let (media, kind) = if content.contains_key("application/json") {
            ("application/json", BodyKind::Json)
        } else if content.contains_key("multipart/form-data") {
            ("multipart/form-data", BodyKind::Multipart)
        } else {
            let first = content.keys().next().map(String::as_str).unwrap_or("");
            self.warn(body_node.pointer, format!("request bodies of type `{first}` are not supported; the operation is generated without a body"));
            return None;
        };
        let media_object = &content[media];
        let media_pointer = format!("{}/content/{}", body_node.pointer, escape_token(media));
        let schema = media_object.get("schema")?;
        let schema_node = Node {
            value: schema,
            pointer: self.intern(&format!("{media_pointer}/schema")),
        };
        let multipart = kind == BodyKind::Multipart;
        self.multipart_depth += usize::from(multipart);
        let (ty, nullable) = self.lower_type(schema_node, &format!("{prefix}Body"), module);
        self.multipart_depth -= usize::from(multipart);
        let example = media_example(media_object).or_else(|| {
            self.deref(schema_node)
                .and_then(|(n, _)| examples_of(n.value).into_iter().next())
        });
        let example = example.and_then(|e| self.valid_examples(schema_node.pointer, vec![e]).pop());
        Some(RequestBody {
            content_type: kind,
            ty: wrap_nullable(ty, nullable),
            required: body_node.value.get("required").and_then(Value::as_bool) == Some(true),
            example,
        })
    }

    fn lower_responses(
        &mut self,
        op: &'a Value,
        pointer: &'a str,
        prefix: &str,
        module: &str,
    ) -> (Response, Vec<ErrorResponse>) {
        let mut success: Option<Response> = None;
        let mut errors = Vec::new();
        let Some(Value::Object(responses)) = op.get("responses") else {
            self.error(pointer, "operation has no `responses`");
            return (Response::Empty { status: 200 }, errors);
        };
        for (status, response) in responses {
            let node = Node {
                value: response,
                pointer: self.intern(&format!("{pointer}/responses/{}", escape_token(status))),
            };
            let Some((node, _)) = self.deref(node) else {
                continue;
            };
            let content = node.value.get("content").and_then(Value::as_object);
            let first_media = content.and_then(|c| c.iter().next());
            let is_success = status.starts_with('2');
            if is_success && success.is_some() {
                continue;
            }
            let typed =
                |this: &mut Self, media: &str, hint: String| -> Option<(TypeRef, Option<Value>)> {
                    let media_object = content?.get(media)?;
                    let example = media_example(media_object);
                    let schema = media_object.get("schema")?;
                    let schema_node = Node {
                        value: schema,
                        pointer: this.intern(&format!(
                            "{}/content/{}/schema",
                            node.pointer,
                            escape_token(media)
                        )),
                    };
                    let (ty, nullable) = this.lower_type(schema_node, &hint, module);
                    let example = if media == "text/event-stream" {
                        example
                    } else {
                        example
                            .and_then(|e| this.valid_examples(schema_node.pointer, vec![e]).pop())
                    };
                    Some((wrap_nullable(ty, nullable), example))
                };
            if is_success {
                let code = status.parse().unwrap_or(200);
                success = Some(match first_media.map(|(m, _)| m.as_str()) {
                    Some("text/event-stream") => {
                        let media = &content
                            .and_then(|c| c.get("text/event-stream"))
                            .cloned()
                            .unwrap_or_default();
                        let (ty, example) =
                            typed(self, "text/event-stream", format!("{prefix}Event"))
                                .unwrap_or((TypeRef::Any, None));
                        let (ty, envelope) = self.event_payload(ty);
                        let sentinel = media
                            .get("x-speakeasy-sse-sentinel")
                            .and_then(Value::as_str)
                            .map(String::from);
                        let example = example.and_then(|e| e.as_str().map(String::from)).map(|text| {
                            let (kept, dropped) = valid_sse_events(&text, sentinel.as_deref());
                            if dropped > 0 {
                                self.warn(node.pointer, format!("{dropped} event(s) of the event-stream example carry data that is not JSON and are not used"));
                            }
                            kept
                        });
                        Response::EventStream {
                            ty,
                            envelope,
                            sentinel,
                            example,
                        }
                    }
                    Some(media) if media.contains("json") => {
                        let (ty, example) = typed(self, media, format!("{prefix}Response"))
                            .unwrap_or((TypeRef::Any, None));
                        Response::Json {
                            status: code,
                            ty,
                            example,
                        }
                    }
                    Some(media) => {
                        self.warn(
                            node.pointer,
                            format!("`{media}` responses are returned as raw JSON values"),
                        );
                        Response::Json {
                            status: code,
                            ty: TypeRef::Any,
                            example: None,
                        }
                    }
                    None => Response::Empty { status: code },
                });
            } else {
                let media = first_media.map(|(m, _)| m.clone());
                let ty = match &media {
                    Some(m) if m.contains("json") => {
                        typed(self, m, format!("{prefix}Error{}", type_ident(status)))
                            .map(|(t, _)| t)
                    }
                    _ => None,
                };
                errors.push(ErrorResponse {
                    status: status.clone(),
                    description: docs_of(node.value),
                    content_type: media,
                    ty,
                });
            }
        }
        (success.unwrap_or(Response::Empty { status: 200 }), errors)
    }
}

/// The events of an SSE example whose data is JSON (or the end marker), re-joined.
fn valid_sse_events(text: &str, sentinel: Option<&str>) -> (String, usize) {
    let mut kept = String::new();
    let mut dropped = 0;
    for event in text.replace("\r\n", "\n").split("\n\n") {
        let data: Vec<&str> = event
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .map(|d| d.strip_prefix(' ').unwrap_or(d))
            .collect();
        if data.is_empty() {
            continue;
        }
        let joined = data.join("\n");
        if Some(joined.trim()) == sentinel || serde_json::from_str::<Value>(&joined).is_ok() {
            kept.push_str(event.trim_end_matches('\n'));
            kept.push_str("\n\n");
        } else {
            dropped += 1;
        }
    }
    (kept, dropped)
}

/// A media type's example: its `example`, else the first of its `examples` map.
fn media_example(media_object: &Value) -> Option<Value> {
    media_object
        .get("example")
        .cloned()
        .or_else(|| named_examples(media_object)?.into_iter().next())
}

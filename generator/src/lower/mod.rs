//! Lowering: the spec document becomes the IR. Components are reserved first (typify's trick),
//! so forward and circular `$ref`s resolve to ids before any schema is converted.

mod cycles;
mod document_checks;
mod examples;
mod naming;
mod operations;
mod order;
mod prune;
mod schema;
mod tags;
mod twins;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;
use typed_arena::Arena;

pub use naming::{NameScope, field_ident, module_ident, type_ident, type_name_ident};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::*;
use crate::spec::{SpecDocument, escape_token};
use schema::Node;

pub(crate) struct Lowerer<'a> {
    doc: &'a SpecDocument,
    pointers: &'a Arena<String>,
    types: Vec<Option<TypeDef>>,
    /// Component schema pointer (`/components/schemas/Foo`) → its reserved id.
    components: HashMap<&'a str, TypeId>,
    type_names: NameScope,
    diagnostics: Vec<Diagnostic>,
    /// Above zero while lowering a multipart body: `format: binary` is then a file part.
    multipart_depth: usize,
    examples: &'a examples::ExampleChecks<'a>,
    /// Schema pointer → example text → valid, for the examples already reported on.
    reported_examples: HashMap<String, HashMap<String, bool>>,
    /// Inline schemas being defined (pointer, id), innermost last.
    defining: Vec<(&'a str, TypeId)>,
    /// How many schemas `lower_type` is inside of.
    lowering_depth: usize,
}

/// Lowers a loaded document. Errors abort; warnings come back with the IR.
pub fn lower(doc: &SpecDocument) -> Result<(Api, Diagnostics), Diagnostics> {
    let checks = examples::ExampleChecks::new(&doc.root);
    let stop = AtomicBool::new(false);
    let (api, mut diagnostics) = std::thread::scope(|scope| {
        scope.spawn(|| checks.check_ahead(&stop));
        let lowered = lower_unlocated(doc, &checks);
        stop.store(true, Ordering::Relaxed);
        lowered
    });
    doc.locate(&mut diagnostics);
    match api {
        Some(api) if !diagnostics.has_errors() => Ok((api, diagnostics)),
        _ => Err(diagnostics),
    }
}

fn lower_unlocated<'a>(
    doc: &'a SpecDocument,
    checks: &'a examples::ExampleChecks<'a>,
) -> (Option<Api>, Diagnostics) {
    let pointers = Arena::new();
    let mut lowerer = Lowerer {
        doc,
        pointers: &pointers,
        types: Vec::new(),
        components: HashMap::new(),
        type_names: NameScope::default(),
        diagnostics: Vec::new(),
        multipart_depth: 0,
        examples: checks,
        reported_examples: HashMap::new(),
        defining: Vec::new(),
        lowering_depth: 0,
    };
    let api = lowerer.run();
    let mut diagnostics = Diagnostics::new(&doc.path);
    // The same problem can be met twice (a `$ref` is followed for its type and its example).
    let mut seen = std::collections::HashSet::new();
    diagnostics.items = lowerer
        .diagnostics
        .into_iter()
        .filter(|d| seen.insert((d.pointer.clone(), d.message.clone())))
        .collect();
    (api, diagnostics)
}

impl<'a> Lowerer<'a> {
    fn run(&mut self) -> Option<Api> {
        let root = &self.doc.root;
        let schemas = match root.pointer("/components/schemas") {
            Some(Value::Object(schemas)) => Some(schemas),
            Some(_) => {
                self.error(
                    "/components/schemas",
                    "expected `components.schemas` to be a mapping of schema names to schemas",
                );
                None
            }
            None => None,
        };
        match root.get("paths") {
            Some(Value::Object(_)) => {}
            Some(_) => self.error("/paths", "expected `paths` to be a mapping of paths to path items"),
            None => self.error("", "the document has no `paths`: expected at least one operation to generate a client for"),
        }
        let multipart_bodies = self.multipart_body_components();

        let mut reserved = Vec::new();
        for (name, _) in schemas.into_iter().flatten() {
            let pointer = self.intern(&format!("/components/schemas/{}", escape_token(name)));
            let (rust_name, collision) = self.type_names.claim(&type_name_ident(name), pointer);
            if let Some(collision) = collision {
                self.diagnostics.push(
                    Diagnostic::warning(pointer, format!("component `{name}` maps to the Rust name `{}`, already taken; it is named `{rust_name}`", collision.wanted))
                        .with_related(collision.previous_owner),
                );
            }
            let id = TypeId(self.types.len());
            self.types.push(Some(TypeDef {
                module: module_ident(&rust_name),
                name: rust_name,
                origin: NameOrigin::Component(name.clone()),
                pointer: pointer.to_owned(),
                docs: None,
                examples: Vec::new(),
                kind: TypeKind::Alias(TypeRef::Any),
            }));
            self.components.insert(pointer, id);
            reserved.push((id, name));
        }
        for (id, name) in reserved {
            let Some(schema) = schemas.and_then(|s| s.get(name.as_str())) else {
                continue;
            };
            let pointer = self.intern(&self.def(id).pointer.clone());
            let (rust_name, module) = (self.def(id).name.clone(), self.def(id).module.clone());
            let node = Node {
                value: schema,
                pointer,
            };
            let multipart = multipart_bodies.iter().any(|p| p == pointer);
            self.multipart_depth += usize::from(multipart);
            let kind = self.component_kind(node, &rust_name, &module);
            self.multipart_depth -= usize::from(multipart);
            let def = self.def_mut(id);
            def.kind = kind;
            def.docs = schema::docs_of(schema);
            let examples = self.valid_examples(pointer, schema::examples_of(schema));
            let def = self.def_mut(id);
            def.examples = examples;
        }

        let mut operations = self.lower_operations();
        self.check_document();
        let mut types: Vec<TypeDef> = std::mem::take(&mut self.types)
            .into_iter()
            .flatten()
            .collect();
        tags::place_tags(&mut types, &operations);
        twins::alias_stream_twins(&mut types);
        twins::alias_same_shape_inline_types(&mut types);
        prune::prune_unreferenced(&mut types, &mut operations);
        order::order_untagged_variants(&mut types);
        cycles::box_cycles(&mut types);
        self.require_finite_values(&types);

        let tags = root
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|tag| {
                Some(TagDoc {
                    name: tag.get("name")?.as_str()?.to_owned(),
                    description: tag.get("description")?.as_str()?.to_owned(),
                })
            })
            .collect();
        Some(Api {
            tags,
            title: root
                .pointer("/info/title")
                .and_then(Value::as_str)
                .unwrap_or("API")
                .to_owned(),
            version: root
                .pointer("/info/version")
                .and_then(Value::as_str)
                .unwrap_or("0.0.0")
                .to_owned(),
            spec_sha256: self.doc.sha256.clone(),
            server_url: root
                .pointer("/servers/0/url")
                .and_then(Value::as_str)
                .unwrap_or("http://localhost")
                .to_owned(),
            retry: retry_defaults(root.get("x-speakeasy-retries")),
            types,
            operations,
        })
    }

    /// Components used as `multipart/form-data` bodies: their binary fields are file parts.
    fn multipart_body_components(&self) -> Vec<String> {
        let mut found = Vec::new();
        for item in self
            .doc
            .root
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|p| p.values())
        {
            for op in item.as_object().into_iter().flat_map(|o| o.values()) {
                if let Some(reference) = op
                    .pointer("/requestBody/content/multipart~1form-data/schema/$ref")
                    .and_then(Value::as_str)
                {
                    found.push(reference.trim_start_matches('#').to_owned());
                }
            }
        }
        found
    }

    /// Every type must have a finite value of bounded depth: value builders (samples, docs
    /// examples) rely on it to end, and a schema without one accepts no JSON document at all.
    fn require_finite_values(&mut self, types: &[TypeDef]) {
        let member_cycles = cycles::member_cycles(types);
        for &(id, member) in &member_cycles {
            let def = &types[id.0];
            let message = match (&def.kind, id == member) {
                (TypeKind::Alias(_), _) => format!(
                    "this schema is only a reference to `{}`, which leads back here: nothing lies between them",
                    types[member.0].name
                ),
                (_, true) => "this union lists itself as a member: no object or list lies between a value and itself, so nothing tells the members apart; remove that member".to_owned(),
                (_, false) => format!(
                    "this union and its member `{}` contain each other: no object or list lies between them, so nothing tells the members apart",
                    types[member.0].name
                ),
            };
            self.error(&def.pointer, message);
        }
        let heights = crate::finite::Heights::all(types);
        for id in crate::finite::unbounded_roots(types, &heights) {
            // Already reported: that cycle is the reason.
            if member_cycles.iter().any(|(on_cycle, _)| *on_cycle == id) {
                continue;
            }
            let def = &types[id.0];
            let message = crate::finite::unbounded_reason(def, &heights);
            self.error(&def.pointer, message);
        }
        // Only the shallowest types over the limit: the deeper ones contain them.
        let limit = crate::finite::MAX_HEIGHT;
        for (id, def) in types.iter().enumerate() {
            if heights.of_type(TypeId(id)) == Some(limit + 1) {
                self.error(
                    &def.pointer,
                    format!("the smallest value of this schema nests more than {limit} levels deep (required properties and union members); that is not supported"),
                );
            }
        }
    }

    pub(crate) fn intern(&self, pointer: &str) -> &'a str {
        self.pointers.alloc(pointer.to_owned()).as_str()
    }

    pub(crate) fn def(&self, id: TypeId) -> &TypeDef {
        self.types[id.0]
            .as_ref()
            .expect("type ids are only handed out for pushed types")
    }

    fn def_mut(&mut self, id: TypeId) -> &mut TypeDef {
        self.types[id.0]
            .as_mut()
            .expect("type ids are only handed out for pushed types")
    }

    pub(crate) fn type_name(&self, id: TypeId) -> &str {
        &self.def(id).name
    }
}

fn retry_defaults(value: Option<&Value>) -> Option<RetryDefaults> {
    let value = value?;
    let backoff = value.get("backoff")?;
    let ms = |key: &str| backoff.get(key).and_then(Value::as_u64);
    Some(RetryDefaults {
        initial_interval_ms: ms("initialInterval")?,
        max_interval_ms: ms("maxInterval")?,
        max_elapsed_ms: ms("maxElapsedTime")?,
        exponent: backoff.get("exponent").and_then(Value::as_f64)?,
        status_codes: value
            .get("statusCodes")?
            .as_array()?
            .iter()
            .filter_map(|c| c.as_u64().or_else(|| c.as_str()?.parse().ok()))
            .filter_map(|c| u16::try_from(c).ok())
            .collect(),
        retry_connection_errors: value.get("retryConnectionErrors").and_then(Value::as_bool),
    })
}

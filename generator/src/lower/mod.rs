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

use std::collections::HashMap;

use serde_json::Value;
use typed_arena::Arena;

pub use naming::{NameScope, field_ident, module_ident, type_ident};

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
    examples: examples::ExampleValidator,
}

/// Lowers a loaded document. Errors abort; warnings come back with the IR.
pub fn lower(doc: &SpecDocument) -> Result<(Api, Diagnostics), Diagnostics> {
    let pointers = Arena::new();
    let mut lowerer = Lowerer {
        doc,
        pointers: &pointers,
        types: Vec::new(),
        components: HashMap::new(),
        type_names: NameScope::default(),
        diagnostics: Vec::new(),
        multipart_depth: 0,
        examples: examples::ExampleValidator::new(&doc.root),
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
    doc.locate(&mut diagnostics);
    match api {
        Some(api) if !diagnostics.has_errors() => Ok((api, diagnostics)),
        _ => Err(diagnostics),
    }
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
            let (rust_name, collision) = self.type_names.claim(&type_ident(name), pointer);
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

        self.check_alias_cycles();
        let mut operations = self.lower_operations();
        self.check_document();
        let mut types: Vec<TypeDef> = std::mem::take(&mut self.types)
            .into_iter()
            .flatten()
            .collect();
        tags::place_tags(&mut types, &operations);
        prune::prune_unreferenced(&mut types, &mut operations);
        order::order_untagged_variants(&mut types);
        cycles::box_cycles(&mut types);

        Some(Api {
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

    /// A schema that is only another name for itself (`A: {$ref: B}`, `B: {$ref: A}`, or
    /// `A: {allOf: [{$ref: A}]}`) describes no value; every later stage would chase it forever.
    fn check_alias_cycles(&mut self) {
        for start in 0..self.types.len() {
            let mut seen = vec![start];
            let mut current = start;
            // `Option<A>` is still only `A` to a type alias: `type A = Option<A>` never ends.
            let aliased = |def: &Option<TypeDef>| {
                let TypeKind::Alias(ty) = &def.as_ref()?.kind else {
                    return None;
                };
                let mut ty = ty;
                while let TypeRef::Nullable(inner) = ty {
                    ty = inner.as_ref();
                }
                match ty {
                    TypeRef::Named(next) => Some(next.0),
                    _ => None,
                }
            };
            while let Some(next) = aliased(&self.types[current]) {
                current = next;
                if current == start {
                    let names: Vec<&str> = seen
                        .iter()
                        .filter_map(|i| self.types[*i].as_ref().map(|d| d.pointer.as_str()))
                        .collect();
                    let message = format!(
                        "this schema is only a reference to itself (through {}): expected a schema that describes a value",
                        names.join(" → ")
                    );
                    let pointer = self.types[start]
                        .as_ref()
                        .map(|d| d.pointer.clone())
                        .unwrap_or_default();
                    self.error(&pointer, message);
                    break;
                }
                if seen.contains(&current) {
                    break;
                }
                seen.push(current);
            }
        }
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

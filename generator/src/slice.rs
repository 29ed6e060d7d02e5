//! Slicing: one operation of a whole OpenAPI 3.1 document, as a standalone document.
//!
//! API reference pages embed, for each operation, a small OpenAPI document that holds only
//! that operation, the components it references (transitively) and the security schemes it
//! uses. [`slice_operation`] builds that document from the order-preserving JSON form of the
//! spec. It is pure and deterministic: every map in the output follows the order of the
//! source document, and no hash-map order reaches the output.
//!
//! The walk is position-aware rather than typed. Each JSON value is visited with a [`Pos`]
//! saying what the value *is* at that place: an OpenAPI / JSON Schema object (whose `x-*`
//! keys are extensions and whose `$ref` is a reference), a map of user-chosen names
//! (`properties`, `headers`, `content`, ...) whose keys must survive even when they start
//! with `x-`, or a literal (`example`, `default`, `enum`, ...) that is copied untouched.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};

/// Why an operation could not be sliced. Pointers are RFC 6901 JSON pointers into the
/// source document (for example `/paths/~1v1~1chat/post/responses/200/$ref`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SliceError {
    #[error("expected a JSON object at `{pointer}`")]
    NotAnObject { pointer: String },
    #[error("the document has no path `{path}`")]
    NoSuchPath { path: String },
    #[error("path `{path}` has no `{method}` operation")]
    NoSuchMethod { path: String, method: String },
    #[error("`$ref: {reference}` at `{location}` does not resolve in the document")]
    DanglingRef { reference: String, location: String },
    #[error(
        "`$ref: {reference}` at `{location}` is not a local reference into `#/components/<kind>/<name>`"
    )]
    UnsupportedRef { reference: String, location: String },
    #[error("the security requirement at `{location}` names an undefined security scheme `{name}`")]
    UnknownSecurityScheme { name: String, location: String },
}

impl SliceError {
    fn dangling(reference: &str, location: &str) -> Self {
        let (reference, location) = (reference.to_owned(), location.to_owned());
        SliceError::DanglingRef {
            reference,
            location,
        }
    }

    fn unsupported(reference: &str, location: &str) -> Self {
        let (reference, location) = (reference.to_owned(), location.to_owned());
        SliceError::UnsupportedRef {
            reference,
            location,
        }
    }
}

/// The fixed fields of a Path Item Object that hold operations (OpenAPI 3.1).
const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// How many `$ref` hops a path item may take before we call it a cycle.
const MAX_PATH_ITEM_REF_HOPS: usize = 16;

/// Builds the standalone document for `method` (case-insensitive) of the path key `path`.
///
/// The path key is taken literally, so Speakeasy-style keys such as
/// `/v1/chat/completions#stream` work as they are written in the spec.
pub fn slice_operation(doc: &Value, path: &str, method: &str) -> Result<Value, SliceError> {
    Slices::new(doc, &SliceCache::default()).slice_operation(path, method)
}

/// The cleaned components of one document, kept between [`Slices`] of it: lowering checks that
/// every operation slices, and the API pages slice them again from the same cleaned copies.
#[derive(Default)]
pub struct SliceCache {
    components: Mutex<HashMap<ComponentId, SharedComponent>>,
}

impl SliceCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ComponentId, SharedComponent>> {
        // A thread that panicked left no half-made entry: entries are inserted whole.
        self.components
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Clone for SliceCache {
    fn clone(&self) -> Self {
        Self {
            components: Mutex::new(self.lock().clone()),
        }
    }
}

impl std::fmt::Debug for SliceCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SliceCache")
            .field("components", &self.lock().len())
            .finish()
    }
}

type SharedComponent = Arc<Result<Cleaned, SliceError>>;

/// Slices many operations of one document. Each component is cleaned once and its copy
/// reused by every operation that reaches it (most operations share their schemas), so
/// slicing every operation costs about one walk of the document rather than one per
/// operation. Shared by threads.
pub struct Slices<'a> {
    doc: &'a Value,
    cache: &'a SliceCache,
}

/// A component's cleaned copy and what the walk met in it.
struct Cleaned {
    value: Value,
    /// The components it reaches directly, in the order the walk met them.
    reaches: Vec<ComponentId>,
    deep_references: Vec<(String, String)>,
}

/// One reached component of a slice: its kind, its name and its cleaned value.
pub struct SliceComponent {
    pub kind: String,
    pub name: String,
    cleaned: SharedComponent,
}

impl SliceComponent {
    pub fn value(&self) -> &Value {
        match &*self.cleaned {
            Ok(cleaned) => &cleaned.value,
            Err(_) => unreachable!("only cleanly reached components are listed"),
        }
    }
}

impl<'a> Slices<'a> {
    /// Slices of `doc` that reuse (and add to) the components cleaned in `cache`, which must
    /// only ever be used with this document.
    pub fn new(doc: &'a Value, cache: &'a SliceCache) -> Self {
        Self { doc, cache }
    }

    /// Builds the standalone document for `method` (case-insensitive) of the path key `path`.
    pub fn slice_operation(&self, path: &str, method: &str) -> Result<Value, SliceError> {
        let (mut out, components) = self.slice_operation_parts(path, method)?;
        if !components.is_empty() {
            let mut kinds = Map::new();
            for component in components {
                let entries = kinds
                    .entry(component.kind.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(entries) = entries {
                    entries.insert(component.name.clone(), component.value().clone());
                }
            }
            if let Value::Object(out) = &mut out {
                out.insert("components".to_owned(), Value::Object(kinds));
            }
        }
        Ok(out)
    }

    /// [`Self::slice_operation`] as the document without `components` and the components
    /// it would hold, in its order (kinds, then entries, as in the source), uncopied.
    pub fn slice_operation_parts(
        &self,
        path: &str,
        method: &str,
    ) -> Result<(Value, Vec<SliceComponent>), SliceError> {
        let (slicer, out) = walk(self, path, method)?;
        Ok((Value::Object(out), slicer.components_in_source_order()))
    }

    /// Whether [`Self::slice_operation`] succeeds, without copying the components out.
    pub fn check_operation(&self, path: &str, method: &str) -> Result<(), SliceError> {
        walk(self, path, method).map(drop)
    }

    /// The cleaned component, made on first use (two threads may both make one; the copies
    /// are equal, and either is kept).
    fn component(&self, id: &ComponentId, value: &'a Value) -> Result<SharedComponent, SliceError> {
        let cached = self.cache.lock().get(id).cloned();
        if let Some(cleaned) = cached {
            return Ok(cleaned);
        }
        let root = as_object(self.doc, "")?;
        let mut slicer = Slicer::new(self, root)?;
        slicer.location = format!("/components/{}", escape(&id.0));
        let value = slicer.clean_member(&id.1, value, component_pos(&id.0));
        let cleaned = Arc::new(value.map(|value| Cleaned {
            value,
            reaches: slicer.queue,
            deep_references: slicer.deep_references,
        }));
        self.cache.lock().insert(id.clone(), Arc::clone(&cleaned));
        Ok(cleaned)
    }
}

/// Walks one operation and every component it reaches; the document is the returned map plus
/// the reached components.
fn walk<'s, 'a>(
    slices: &'s Slices<'a>,
    path: &str,
    method: &str,
) -> Result<(Slicer<'s, 'a>, Map<String, Value>), SliceError> {
    let doc = slices.doc;
    let root = as_object(doc, "")?;
    let method = method.to_ascii_lowercase();
    let mut slicer = Slicer::new(slices, root)?;

    let path_item = slicer.path_item(path)?;
    let operation = match path_item.get(&method) {
        Some(op) if HTTP_METHODS.contains(&method.as_str()) => {
            as_object(op, &format!("/paths/{}/{method}", escape(path)))?
        }
        _ => {
            return Err(SliceError::NoSuchMethod {
                path: path.to_owned(),
                method,
            });
        }
    };

    // Walking the document-level `security` keeps the schemes it names even when the
    // operation overrides it: the slice carries that list, and must define what it names.
    let mut out = Map::new();
    for key in ["openapi", "info", "servers", "security"] {
        if let Some(value) = root.get(key) {
            let pos = Pos::Node.child(key, value);
            out.insert(key.to_owned(), slicer.clean_member(key, value, pos)?);
        }
    }
    let tags = used_tags(root, operation);
    if !tags.is_empty() {
        let tags = slicer.clean_member("tags", &Value::Array(tags), Pos::Node)?;
        out.insert("tags".to_owned(), tags);
    }
    let path_item = slicer.clean_path_item(path, &path_item, &method)?;
    out.insert(
        "paths".to_owned(),
        Value::Object(Map::from_iter([(path.to_owned(), path_item)])),
    );

    slicer.close_over_references()?;
    slicer.check_deep_references()?;
    Ok((slicer, out))
}

/// What a JSON value is at the place where the walk meets it; decides which keys are
/// extensions, which strings are references, and what the children are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pos {
    /// An OpenAPI or JSON Schema object: `x-*` keys are extensions, `$ref` is a reference.
    Node,
    /// A Link Object: like `Node`, but `parameters` and `requestBody` hold literal values.
    Link,
    /// A map from user-chosen names to nodes (`properties`, `content`, `headers`, ...).
    NamedNodes,
    /// A map from names to Link Objects.
    NamedLinks,
    /// A name map that also allows extensions (Responses, Callback): `x-*` keys are dropped.
    ExtensibleNamedNodes,
    /// The `callbacks` map: names to Callback Objects.
    Callbacks,
    /// `discriminator.mapping`: discriminator values to schema names or references.
    Mapping,
    /// A list of Security Requirement Objects: keys are security scheme names.
    SecurityRequirements,
    /// Data (`example`, `default`, `enum`, ...): copied verbatim, never interpreted.
    Literal,
}

impl Pos {
    /// The position of the value stored under `key` in a value at this position.
    fn child(self, key: &str, value: &Value) -> Pos {
        match self {
            Pos::Node | Pos::Link => node_member_pos(self, key, value),
            Pos::NamedNodes | Pos::ExtensibleNamedNodes => Pos::Node,
            Pos::NamedLinks => Pos::Link,
            Pos::Callbacks => Pos::ExtensibleNamedNodes,
            Pos::Mapping | Pos::SecurityRequirements | Pos::Literal => Pos::Literal,
        }
    }

    /// Whether `x-*` keys of an object at this position are extensions (and so dropped).
    fn has_extensions(self) -> bool {
        matches!(self, Pos::Node | Pos::Link | Pos::ExtensibleNamedNodes)
    }
}

/// The position of a member of an OpenAPI / JSON Schema object, chosen by its key.
fn node_member_pos(parent: Pos, key: &str, value: &Value) -> Pos {
    match key {
        "parameters" | "requestBody" if parent == Pos::Link => Pos::Literal,
        "example" | "default" | "const" | "enum" | "value" | "scopes" | "dependentRequired" => {
            Pos::Literal
        }
        // JSON Schema `examples` is a list of values; elsewhere it maps names to Example Objects.
        "examples" if value.is_array() => Pos::Literal,
        "examples" | "properties" | "patternProperties" | "$defs" | "definitions"
        | "dependentSchemas" | "content" | "encoding" | "headers" | "variables" => Pos::NamedNodes,
        "links" => Pos::NamedLinks,
        "responses" => Pos::ExtensibleNamedNodes,
        "callbacks" => Pos::Callbacks,
        "mapping" => Pos::Mapping,
        "security" => Pos::SecurityRequirements,
        _ => Pos::Node,
    }
}

/// The position of a component of the given kind (`#/components/<kind>/<name>`).
fn component_pos(kind: &str) -> Pos {
    match kind {
        "links" => Pos::Link,
        "callbacks" => Pos::ExtensibleNamedNodes,
        _ => Pos::Node,
    }
}

/// A `(kind, name)` pair naming one entry of `components`.
type ComponentId = (String, String);

/// The walk's state: the source, where we are in it, and the components reached so far.
struct Slicer<'s, 'a> {
    slices: &'s Slices<'a>,
    doc: &'a Value,
    root: &'a Map<String, Value>,
    components: Option<&'a Map<String, Value>>,
    /// JSON pointer (escaped) of the value being visited, for error messages.
    location: String,
    /// Every component reached so far; `None` until it has been visited.
    reached: BTreeMap<ComponentId, Option<Arc<Result<Cleaned, SliceError>>>>,
    /// Components reached but not yet visited.
    queue: Vec<ComponentId>,
    /// References that point below a component (`.../Foo/properties/bar`), with their
    /// location: they resolve in the source but must be checked again in the output.
    deep_references: Vec<(String, String)>,
}

impl<'s, 'a> Slicer<'s, 'a> {
    fn new(slices: &'s Slices<'a>, root: &'a Map<String, Value>) -> Result<Self, SliceError> {
        let doc = slices.doc;
        let components = root
            .get("components")
            .map(|c| as_object(c, "/components"))
            .transpose()?;
        Ok(Slicer {
            slices,
            doc,
            root,
            components,
            location: String::new(),
            reached: BTreeMap::new(),
            queue: Vec::new(),
            deep_references: Vec::new(),
        })
    }

    /// The path item under the literal key `path`, with a path-item `$ref` inlined (so
    /// that other methods can be dropped from it).
    fn path_item(&self, path: &str) -> Result<Map<String, Value>, SliceError> {
        let paths = self
            .root
            .get("paths")
            .map(|p| as_object(p, "/paths"))
            .transpose()?;
        let Some(item) = paths.and_then(|paths| paths.get(path)) else {
            return Err(SliceError::NoSuchPath {
                path: path.to_owned(),
            });
        };
        let mut pointer = format!("/paths/{}", escape(path));
        let mut item = as_object(item, &pointer)?.clone();
        for _ in 0..MAX_PATH_ITEM_REF_HOPS {
            let Some(reference) = item.remove("$ref") else {
                return Ok(item);
            };
            let location = format!("{pointer}/$ref");
            let Some(reference) = reference.as_str() else {
                return Err(SliceError::unsupported(&reference.to_string(), &location));
            };
            let target = self.resolve_local(reference, &location)?;
            pointer = reference.trim_start_matches('#').to_owned();
            // Fields of the referencing object win over those of the referenced one.
            let mut merged = as_object(target, &pointer)?.clone();
            merged.extend(std::mem::take(&mut item));
            item = merged;
        }
        let location = format!("/paths/{}/$ref", escape(path));
        Err(SliceError::unsupported(&format!("#{pointer}"), &location))
    }

    /// The cleaned path item: path-level fields kept, operations other than `method` dropped.
    fn clean_path_item(
        &mut self,
        path: &str,
        item: &Map<String, Value>,
        method: &str,
    ) -> Result<Value, SliceError> {
        let keep = |key: &str| key == method || !HTTP_METHODS.contains(&key);
        self.at("paths", |s| {
            s.at(path, |s| s.clean_object(item, Pos::Node, keep))
        })
    }

    /// Visits every component reached so far, and the ones they reach, until none is left.
    fn close_over_references(&mut self) -> Result<(), SliceError> {
        while let Some(id) = self.queue.pop() {
            let Some(value) = self
                .components
                .and_then(|c| c.get(&id.0))
                .and_then(|m| m.get(&id.1))
            else {
                continue; // `require_if_present` only queues components that exist
            };
            let shared = self.slices.component(&id, value)?;
            let cleaned = match &*shared {
                Ok(cleaned) => cleaned,
                Err(err) => return Err(err.clone()),
            };
            // Queued as the walk of the component itself would have queued them.
            for (kind, name) in &cleaned.reaches {
                self.require_if_present(kind, name);
            }
            self.deep_references
                .extend(cleaned.deep_references.iter().cloned());
            self.reached.insert(id, Some(Arc::clone(&shared)));
        }
        Ok(())
    }

    /// The reached components, each kind and each entry in the order of the source.
    fn components_in_source_order(&self) -> Vec<SliceComponent> {
        let mut out = Vec::new();
        let Some(components) = self.components else {
            return out;
        };
        for (kind, entries) in components {
            let Some(entries) = entries.as_object() else {
                continue;
            };
            for name in entries.keys() {
                let id = (kind.clone(), name.clone());
                if let Some(Some(cleaned)) = self.reached.get(&id)
                    && cleaned.is_ok()
                {
                    out.push(SliceComponent {
                        kind: kind.clone(),
                        name: name.clone(),
                        cleaned: Arc::clone(cleaned),
                    });
                }
            }
        }
        out
    }

    /// A reached component's cleaned copy.
    fn cleaned(&self, id: &ComponentId) -> Option<&Cleaned> {
        self.reached.get(id)?.as_deref()?.as_ref().ok()
    }

    /// A reference into a component can still fail in the output if it goes through a
    /// dropped extension key (`#/components/schemas/Foo/x-bar`); report it as unsupported.
    /// Such references point into reached components, whose cleaned copies the output holds
    /// as they are.
    fn check_deep_references(&self) -> Result<(), SliceError> {
        for (reference, location) in &self.deep_references {
            let fragment = reference.trim_start_matches('#');
            let resolves = percent_decode(fragment).is_some_and(|pointer| {
                let mut tokens = pointer.splitn(5, '/').skip(2);
                let (Some(kind), Some(name)) = (tokens.next(), tokens.next()) else {
                    return false;
                };
                let rest = tokens.next().map(|r| format!("/{r}")).unwrap_or_default();
                self.cleaned(&(unescape(kind), unescape(name)))
                    .is_some_and(|c| c.value.pointer(&rest).is_some())
            });
            if !resolves {
                return Err(SliceError::unsupported(reference, location));
            }
        }
        Ok(())
    }

    /// Cleans `value`, found under `key` of the current location, at position `pos`.
    fn clean_member(&mut self, key: &str, value: &Value, pos: Pos) -> Result<Value, SliceError> {
        self.at(key, |s| s.clean(value, pos))
    }

    /// Copies `value` without its extensions, following the references it holds.
    fn clean(&mut self, value: &Value, pos: Pos) -> Result<Value, SliceError> {
        match (value, pos) {
            (_, Pos::Literal) => Ok(value.clone()),
            (Value::Array(items), _) => {
                let mut out = Vec::with_capacity(items.len());
                let mut key = String::new();
                for (index, item) in items.iter().enumerate() {
                    key.clear();
                    let _ = write!(key, "{index}");
                    out.push(self.clean_member(&key, item, pos)?);
                }
                Ok(Value::Array(out))
            }
            (Value::Object(object), Pos::Mapping) => {
                self.follow_mapping(object)?;
                Ok(value.clone())
            }
            (Value::Object(object), Pos::SecurityRequirements) => {
                self.require_security_schemes(object)?;
                Ok(value.clone())
            }
            (Value::Object(object), _) => {
                if let (Pos::Node | Pos::Link, Some(Value::String(reference))) =
                    (pos, object.get("$ref"))
                {
                    self.at("$ref", |s| s.follow_reference(reference))?;
                }
                self.clean_object(object, pos, |_| true)
            }
            _ => Ok(value.clone()),
        }
    }

    /// Copies the members of `object` that `keep` accepts, dropping extensions if `pos` has them.
    fn clean_object(
        &mut self,
        object: &Map<String, Value>,
        pos: Pos,
        keep: impl Fn(&str) -> bool,
    ) -> Result<Value, SliceError> {
        let mut out = Map::new();
        for (key, child) in object {
            let is_extension = pos.has_extensions() && key.starts_with("x-");
            if keep(key) && !is_extension {
                out.insert(
                    key.clone(),
                    self.clean_member(key, child, pos.child(key, child))?,
                );
            }
        }
        Ok(Value::Object(out))
    }

    /// `discriminator.mapping` values are references, or bare names of schemas.
    fn follow_mapping(&mut self, mapping: &Map<String, Value>) -> Result<(), SliceError> {
        for (key, target) in mapping {
            let Some(target) = target.as_str() else {
                continue;
            };
            if target.starts_with('#') {
                self.at(key, |s| s.follow_reference(target))?;
            } else {
                // A bare schema name; anything else (a URL) is not ours to follow.
                self.require_if_present("schemas", target);
            }
        }
        Ok(())
    }

    /// Every scheme named by a Security Requirement must be kept, and must exist.
    fn require_security_schemes(
        &mut self,
        requirement: &Map<String, Value>,
    ) -> Result<(), SliceError> {
        for name in requirement.keys() {
            if !self.require_if_present("securitySchemes", name) {
                let location = self.location.clone();
                return Err(SliceError::UnknownSecurityScheme {
                    name: name.clone(),
                    location,
                });
            }
        }
        Ok(())
    }

    /// Resolves a `$ref` found at the current location and queues the component it names.
    fn follow_reference(&mut self, reference: &str) -> Result<(), SliceError> {
        let location = self.location.clone();
        self.resolve_local(reference, &location)?;
        let unsupported = || SliceError::unsupported(reference, &location);
        let fragment = reference.trim_start_matches('#');
        let pointer = percent_decode(fragment).ok_or_else(unsupported)?;
        let mut tokens = pointer.split('/').skip(1).map(unescape);
        let (Some(components), Some(kind), Some(name)) =
            (tokens.next(), tokens.next(), tokens.next())
        else {
            return Err(unsupported());
        };
        if components != "components" || kind.starts_with("x-") {
            return Err(unsupported());
        }
        if tokens.next().is_some() {
            self.deep_references
                .push((reference.to_owned(), location.clone()));
        }
        // The pointer resolved, but not to an entry of a components map (say, an array).
        if !self.require_if_present(&kind, &name) {
            return Err(unsupported());
        }
        Ok(())
    }

    /// The value a local reference (`#/...`) points to, or why there is none.
    fn resolve_local(&self, reference: &str, location: &str) -> Result<&'a Value, SliceError> {
        let Some(fragment) = reference.strip_prefix('#') else {
            return Err(SliceError::unsupported(reference, location));
        };
        let dangling = || SliceError::dangling(reference, location);
        let pointer = percent_decode(fragment).ok_or_else(dangling)?;
        // `#` alone, or a `#anchor`, is not a JSON pointer and so names no component.
        if !pointer.starts_with('/') {
            return Err(SliceError::unsupported(reference, location));
        }
        self.doc.pointer(&pointer).ok_or_else(dangling)
    }

    /// Queues `#/components/<kind>/<name>` unless already reached; false if it does not exist.
    fn require_if_present(&mut self, kind: &str, name: &str) -> bool {
        let exists = self
            .components
            .and_then(|c| c.get(kind))
            .and_then(Value::as_object)
            .is_some_and(|m| m.contains_key(name));
        let id = (kind.to_owned(), name.to_owned());
        if exists && !self.reached.contains_key(&id) {
            self.reached.insert(id.clone(), None);
            self.queue.push(id);
        }
        exists
    }

    /// Runs `f` with `token` appended to the current location (kept for error messages).
    fn at<T>(&mut self, token: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        let mark = self.location.len();
        self.location.push('/');
        push_escaped(&mut self.location, token);
        let result = f(self);
        self.location.truncate(mark);
        result
    }
}

/// The operation's tags as Tag Objects: those the document declares, in its order, then
/// `{name}` for each undeclared one, in the operation's order.
fn used_tags(root: &Map<String, Value>, operation: &Map<String, Value>) -> Vec<Value> {
    let list = |v: Option<&Value>| -> Vec<Value> {
        v.and_then(Value::as_array).cloned().unwrap_or_default()
    };
    let used: Vec<Value> = list(operation.get("tags"))
        .into_iter()
        .filter(Value::is_string)
        .collect();
    let mut seen = BTreeSet::new();
    let mut tags = Vec::new();
    for tag in list(root.get("tags")) {
        let Some(name) = tag.get("name").filter(|name| used.contains(name)).cloned() else {
            continue;
        };
        if seen.insert(name.to_string()) {
            tags.push(tag);
        }
    }
    for name in used {
        if seen.insert(name.to_string()) {
            tags.push(Value::Object(Map::from_iter([("name".to_owned(), name)])));
        }
    }
    tags
}

fn as_object<'v>(value: &'v Value, pointer: &str) -> Result<&'v Map<String, Value>, SliceError> {
    value.as_object().ok_or_else(|| SliceError::NotAnObject {
        pointer: pointer.to_owned(),
    })
}

/// Escapes one JSON pointer token (RFC 6901).
fn escape(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    push_escaped(&mut out, token);
    out
}

/// Appends one escaped JSON pointer token; the walk does this for every member it visits, so
/// the common token with nothing to escape is copied without a scan per character.
fn push_escaped(out: &mut String, token: &str) {
    if !token.contains(['~', '/']) {
        out.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// Unescapes one JSON pointer token (RFC 6901).
fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Decodes `%XX` escapes of a URI fragment; `None` if they are malformed or not UTF-8.
fn percent_decode(fragment: &str) -> Option<String> {
    if !fragment.contains('%') {
        return Some(fragment.to_owned());
    }
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))?;
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(value: &Value) -> Vec<&str> {
        value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect()
    }

    fn component_names<'v>(slice: &'v Value, kind: &str) -> Vec<&'v str> {
        slice["components"][kind]
            .as_object()
            .map_or_else(Vec::new, |m| m.keys().map(String::as_str).collect())
    }

    /// A document with one operation per test concern; components deliberately declared
    /// in an order different from the order the walk discovers them.
    fn doc() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1", "x-logo": {"url": "l"}},
            "servers": [{"url": "https://api.example.com"}],
            "paths": {
                "/pets": {
                    "summary": "Pets",
                    "servers": [{"url": "http://localhost:8000"}],
                    "parameters": [{"$ref": "#/components/parameters/Team"}],
                    "get": {
                        "tags": ["Pets", "Undeclared"],
                        "operationId": "listPets",
                        "responses": {"200": {"$ref": "#/components/responses/PetList"}}
                    },
                    "post": {
                        "operationId": "createPet",
                        "security": [{"token": []}],
                        "requestBody": {"$ref": "#/components/requestBodies/NewPet"},
                        "responses": {"204": {"description": "ok"}}
                    },
                    "x-path-extension": true
                },
                "/pets#stream": {
                    "post": {
                        "operationId": "streamPets",
                        "security": [],
                        "responses": {"200": {"description": "stream"}}
                    }
                }
            },
            "components": {
                "schemas": {
                    "Unused": {"type": "string"},
                    "Tag": {"type": "string"},
                    "Pet": {
                        "type": "object",
                        "properties": {"tags": {"items": {"$ref": "#/components/schemas/Tag"}}}
                    },
                    "PetList": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}
                },
                "responses": {
                    "PetList": {
                        "description": "pets",
                        "headers": {"x-rate-limit": {"$ref": "#/components/headers/RateLimit"}},
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/PetList"},
                            "examples": {"one": {"$ref": "#/components/examples/OnePet"}}
                        }}
                    }
                },
                "parameters": {
                    "Team": {"name": "X-Team", "in": "header", "schema": {"type": "string"}}
                },
                "examples": {"OnePet": {"value": [{"name": "rex"}]}},
                "requestBodies": {
                    "NewPet": {"content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Pet"}
                    }}}
                },
                "headers": {"RateLimit": {"schema": {"type": "integer"}}},
                "securitySchemes": {
                    "basic": {"type": "http", "scheme": "basic"},
                    "token": {"type": "http", "scheme": "bearer"}
                }
            },
            "tags": [{"name": "Other"}, {"name": "Pets", "description": "d", "x-tag": 1}],
            "x-speakeasy-retries": {"strategy": "backoff"}
        })
    }

    #[test]
    fn follows_references_transitively_across_component_kinds() {
        let slice = slice_operation(&doc(), "/pets", "get").unwrap();
        assert_eq!(
            component_names(&slice, "schemas"),
            ["Tag", "Pet", "PetList"]
        );
        assert_eq!(component_names(&slice, "responses"), ["PetList"]);
        assert_eq!(component_names(&slice, "parameters"), ["Team"]);
        assert_eq!(component_names(&slice, "examples"), ["OnePet"]);
        assert_eq!(component_names(&slice, "headers"), ["RateLimit"]);
        assert_eq!(
            keys(&slice["components"]),
            ["schemas", "responses", "parameters", "examples", "headers"]
        );
    }

    #[test]
    fn keeps_path_level_fields_and_only_the_requested_method() {
        let slice = slice_operation(&doc(), "/pets", "GET").unwrap();
        let item = &slice["paths"]["/pets"];
        assert_eq!(keys(item), ["summary", "servers", "parameters", "get"]);
        assert_eq!(item["servers"][0]["url"], "http://localhost:8000");
        assert_eq!(keys(&slice["paths"]), ["/pets"]);
    }

    #[test]
    fn top_level_keys_and_tags_follow_the_document() {
        let slice = slice_operation(&doc(), "/pets", "get").unwrap();
        assert_eq!(
            keys(&slice),
            ["openapi", "info", "servers", "tags", "paths", "components"]
        );
        assert_eq!(
            slice["tags"],
            json!([{"name": "Pets", "description": "d"}, {"name": "Undeclared"}])
        );
        assert_eq!(slice["info"], json!({"title": "T", "version": "1"}));
    }

    #[test]
    fn path_keys_with_a_fragment_are_literal_and_empty_components_are_omitted() {
        let slice = slice_operation(&doc(), "/pets#stream", "post").unwrap();
        assert_eq!(keys(&slice), ["openapi", "info", "servers", "paths"]);
        assert_eq!(
            slice["paths"]["/pets#stream"]["post"]["operationId"],
            "streamPets"
        );
    }

    #[test]
    fn security_schemes_come_from_the_operation_or_else_the_document() {
        let mut doc = doc();
        doc["security"] = json!([{"basic": []}]);
        // The operation's own requirement, plus the document's one that the slice carries.
        let post = slice_operation(&doc, "/pets", "post").unwrap();
        assert_eq!(
            component_names(&post, "securitySchemes"),
            ["basic", "token"]
        );
        assert_eq!(keys(&post)[..4], ["openapi", "info", "servers", "security"]);
        // No operation-level `security`: the document's applies.
        let get = slice_operation(&doc, "/pets", "get").unwrap();
        assert_eq!(component_names(&get, "securitySchemes"), ["basic"]);
        // Without document-level security, `security: []` selects nothing.
        let stream = slice_operation(&self::doc(), "/pets#stream", "post").unwrap();
        assert!(stream.get("components").is_none());
        let post = slice_operation(&self::doc(), "/pets", "post").unwrap();
        assert_eq!(component_names(&post, "securitySchemes"), ["token"]);
    }

    #[test]
    fn undefined_security_scheme_is_an_error() {
        let mut doc = doc();
        doc["paths"]["/pets"]["post"]["security"] = json!([{"oauth": ["read"]}]);
        assert_eq!(
            slice_operation(&doc, "/pets", "post"),
            Err(SliceError::UnknownSecurityScheme {
                name: "oauth".into(),
                location: "/paths/~1pets/post/security/0".into()
            })
        );
    }

    #[test]
    fn discriminator_mapping_values_are_references() {
        let doc = json!({
            "openapi": "3.1.0",
            "paths": {"/m": {"post": {"requestBody": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Message"}
            }}}}}},
            "components": {"schemas": {
                "Message": {
                    "oneOf": [{"type": "object"}],
                    "discriminator": {"propertyName": "role", "mapping": {
                        "user": "#/components/schemas/User",
                        "bot": "Bot",
                        "x-remote": "https://example.com/remote.json"
                    }}
                },
                "User": {"type": "object"},
                "Bot": {"type": "object"},
                "Unused": {"type": "object"}
            }}
        });
        let slice = slice_operation(&doc, "/m", "post").unwrap();
        assert_eq!(
            component_names(&slice, "schemas"),
            ["Message", "User", "Bot"]
        );
        let mapping = &slice["components"]["schemas"]["Message"]["discriminator"]["mapping"];
        assert_eq!(keys(mapping), ["user", "bot", "x-remote"]);
    }

    #[test]
    fn strips_extensions_only_where_they_are_extensions() {
        let doc = json!({
            "openapi": "3.1.0",
            "paths": {"/e": {"get": {
                "x-mint": {"href": "/e"},
                "parameters": [{"name": "q", "in": "query", "x-p": 1,
                    "schema": {"type": "string", "enum": [{"x-literal": 1}], "x-s": 1}}],
                "responses": {
                    "x-responses-extension": 1,
                    "200": {
                        "description": "ok",
                        "headers": {"x-request-id": {"schema": {"type": "string"}}},
                        "content": {"application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"x-name": {"type": "string", "x-inner": 1}},
                                "default": {"x-kept": true},
                                "examples": [{"x-kept": true}]
                            },
                            "example": {"x-kept": true},
                            "examples": {"x-named": {"value": {"x-kept": true}, "x-ex": 1}}
                        }}
                    }
                }
            }}}
        });
        let slice = slice_operation(&doc, "/e", "get").unwrap();
        let expected = json!({"openapi": "3.1.0", "paths": {"/e": {"get": {
            "parameters": [{"name": "q", "in": "query",
                "schema": {"type": "string", "enum": [{"x-literal": 1}]}}],
            "responses": {"200": {
                "description": "ok",
                "headers": {"x-request-id": {"schema": {"type": "string"}}},
                "content": {"application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"x-name": {"type": "string"}},
                        "default": {"x-kept": true},
                        "examples": [{"x-kept": true}]
                    },
                    "example": {"x-kept": true},
                    "examples": {"x-named": {"value": {"x-kept": true}}}
                }}
            }}
        }}}});
        assert_eq!(slice.to_string(), expected.to_string());
    }

    #[test]
    fn references_inside_literals_and_property_names_are_not_followed() {
        let doc = json!({
            "openapi": "3.1.0",
            "paths": {"/l": {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {
                    "schema": {"properties": {"$ref": {"type": "string"}}},
                    "example": {"$ref": "#/components/schemas/Missing"}
                }
            }}}}}}
        });
        let slice = slice_operation(&doc, "/l", "get").unwrap();
        assert!(slice.get("components").is_none());
    }

    #[test]
    fn dangling_reference_reports_its_location() {
        let mut doc = doc();
        doc["components"]["schemas"]["Pet"]["properties"]["owner"] =
            json!({"$ref": "#/components/schemas/Owner"});
        assert_eq!(
            slice_operation(&doc, "/pets", "get"),
            Err(SliceError::DanglingRef {
                reference: "#/components/schemas/Owner".into(),
                location: "/components/schemas/Pet/properties/owner/$ref".into()
            })
        );
    }

    #[test]
    fn non_component_and_external_references_are_unsupported() {
        for reference in ["other.yaml#/components/schemas/A", "#/paths", "#/x-defs/A"] {
            let mut doc = doc();
            doc["x-defs"] = json!({"A": {}});
            doc["paths"]["/pets"]["get"]["responses"]["200"] = json!({"$ref": reference});
            assert_eq!(
                slice_operation(&doc, "/pets", "get"),
                Err(SliceError::UnsupportedRef {
                    reference: reference.into(),
                    location: "/paths/~1pets/get/responses/200/$ref".into()
                })
            );
        }
    }

    #[test]
    fn deep_and_percent_encoded_references_keep_their_component() {
        let doc = json!({
            "openapi": "3.1.0",
            "paths": {"/d": {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"anyOf": [
                    {"$ref": "#/components/schemas/Big/properties/inner"},
                    {"$ref": "#/components/schemas/With%20Space"},
                    {"$ref": "#/components/schemas/a~1b"},
                    {"$ref": "#/components/schemas/a~1b/properties/c~1d"}
                ]}}
            }}}}}},
            "components": {"schemas": {
                "Big": {"properties": {"inner": {"type": "string"}}},
                "With Space": {"type": "string"},
                "a/b": {"type": "object", "properties": {"c/d": {"type": "string"}}}
            }}
        });
        assert_eq!(
            Slices::new(&doc, &SliceCache::default()).check_operation("/d", "get"),
            Ok(())
        );
        let slice = slice_operation(&doc, "/d", "get").unwrap();
        assert_eq!(
            component_names(&slice, "schemas"),
            ["Big", "With Space", "a/b"]
        );
    }

    #[test]
    fn a_deep_reference_through_a_dropped_extension_is_an_error() {
        let doc = json!({
            "openapi": "3.1.0",
            "paths": {"/d": {"get": {"responses": {"200": {"$ref": "#/components/responses/R/x-alt"}}}}},
            "components": {"responses": {"R": {"description": "r", "x-alt": {"description": "a"}}}}
        });
        assert!(matches!(
            slice_operation(&doc, "/d", "get"),
            Err(SliceError::UnsupportedRef { .. })
        ));
        assert_eq!(
            Slices::new(&doc, &SliceCache::default()).check_operation("/d", "get"),
            slice_operation(&doc, "/d", "get").map(drop)
        );
    }

    #[test]
    fn a_component_that_cannot_be_cleaned_fails_every_operation_that_reaches_it() {
        let mut doc = doc();
        doc["components"]["schemas"]["Pet"]["properties"]["owner"] =
            json!({"$ref": "#/components/schemas/Owner"});
        doc["paths"]["/cats"] = doc["paths"]["/pets"].clone();
        let cache = SliceCache::default();
        let slices = Slices::new(&doc, &cache);
        let expected = Err(SliceError::DanglingRef {
            reference: "#/components/schemas/Owner".into(),
            location: "/components/schemas/Pet/properties/owner/$ref".into(),
        });
        for path in ["/pets", "/cats"] {
            assert_eq!(slices.slice_operation(path, "get"), expected, "{path}");
            assert_eq!(
                slices.check_operation(path, "get"),
                expected.clone().map(drop)
            );
        }
    }

    #[test]
    fn cyclic_schemas_terminate() {
        let doc = json!({
            "openapi": "3.1.0",
            "paths": {"/c": {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Node"}}
            }}}}}},
            "components": {"schemas": {"Node": {"properties": {
                "children": {"items": {"$ref": "#/components/schemas/Node"}}
            }}}}
        });
        let slice = slice_operation(&doc, "/c", "get").unwrap();
        assert_eq!(component_names(&slice, "schemas"), ["Node"]);
    }

    #[test]
    fn path_item_references_are_inlined() {
        let doc = json!({
            "openapi": "3.1.0",
            "paths": {"/r": {"$ref": "#/components/pathItems/R", "summary": "local"}},
            "components": {"pathItems": {"R": {
                "summary": "shared",
                "get": {"responses": {"200": {"description": "ok"}}},
                "put": {"responses": {"200": {"description": "ok"}}}
            }}}
        });
        let slice = slice_operation(&doc, "/r", "get").unwrap();
        assert_eq!(
            slice["paths"],
            json!({"/r": {"summary": "local", "get": {"responses": {"200": {"description": "ok"}}}}})
        );
        assert!(slice.get("components").is_none());
    }

    #[test]
    fn missing_path_or_method_is_an_error() {
        let doc = doc();
        assert_eq!(
            slice_operation(&doc, "/nope", "get"),
            Err(SliceError::NoSuchPath {
                path: "/nope".into()
            })
        );
        for method in ["delete", "parameters", "servers", "summary"] {
            assert_eq!(
                slice_operation(&doc, "/pets", method),
                Err(SliceError::NoSuchMethod {
                    path: "/pets".into(),
                    method: method.into()
                })
            );
        }
    }

    #[test]
    fn malformed_documents_are_errors_not_panics() {
        let not_object = |pointer: &str| {
            Err(SliceError::NotAnObject {
                pointer: pointer.into(),
            })
        };
        assert_eq!(slice_operation(&json!([]), "/a", "get"), not_object(""));
        assert_eq!(
            slice_operation(&json!({"paths": []}), "/a", "get"),
            not_object("/paths")
        );
        let doc = json!({"paths": {"/a": {"get": 1}}});
        assert_eq!(
            slice_operation(&doc, "/a", "get"),
            not_object("/paths/~1a/get")
        );
        let doc = json!({"paths": {"/a": {"get": {}}}, "components": 3});
        assert_eq!(
            slice_operation(&doc, "/a", "get"),
            not_object("/components")
        );
        let doc = json!({"paths": {"/a": {"$ref": "#/paths/~1a"}}});
        assert!(matches!(
            slice_operation(&doc, "/a", "get"),
            Err(SliceError::UnsupportedRef { .. })
        ));
        let doc = json!({"paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/r/0"}}}}},
            "components": {"r": [{}]}});
        assert!(matches!(
            slice_operation(&doc, "/a", "get"),
            Err(SliceError::UnsupportedRef { .. })
        ));
        let doc = json!({"paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/a%zz"}}}}}});
        assert!(matches!(
            slice_operation(&doc, "/a", "get"),
            Err(SliceError::DanglingRef { .. })
        ));
    }

    #[test]
    fn slicing_a_slice_is_the_identity() {
        let mut doc = doc();
        doc["security"] = json!([{"basic": []}]);
        for method in ["get", "post"] {
            let slice = slice_operation(&doc, "/pets", method).unwrap();
            let again = slice_operation(&slice, "/pets", method).unwrap();
            assert_eq!(again.to_string(), slice.to_string());
        }
    }
}

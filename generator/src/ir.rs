//! The intermediate representation: plain data between lowering and the emitters.
//!
//! Nothing here refers to the spec model; JSON values appear only as examples and defaults,
//! which are data the docs and the emitters print.

use serde_json::Value;

/// Index of a [`TypeDef`] in [`Api::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub usize);

#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub spec_sha256: String,
    /// The document's first server URL.
    pub server_url: String,
    pub retry: Option<RetryDefaults>,
    /// Every named type, components first (spec order), then inline types in discovery order.
    pub types: Vec<TypeDef>,
    pub operations: Vec<Operation>,
    /// The spec's `tags` with a description (the docs' resource overviews).
    pub tags: Vec<TagDoc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TagDoc {
    pub name: String,
    pub description: String,
}

/// An operation's docs page text from the spec's `x-mint` extension (each part trimmed,
/// empty ones left out).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageDoc {
    pub title: Option<String>,
    pub description: Option<String>,
    pub content: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RetryDefaults {
    pub initial_interval_ms: u64,
    pub max_interval_ms: u64,
    pub max_elapsed_ms: u64,
    pub exponent: f64,
    pub status_codes: Vec<u16>,
    /// `retryConnectionErrors`; `None` when the spec does not say.
    pub retry_connection_errors: Option<bool>,
}

/// Where a type's name came from: the spec gave it, or we derived it from the schema's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameOrigin {
    Component(String),
    Inline,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// Rust name, unique in the crate.
    pub name: String,
    pub origin: NameOrigin,
    /// JSON pointer of the schema.
    pub pointer: String,
    /// The component (or operation) this type is emitted beside.
    pub module: String,
    pub docs: Option<String>,
    pub examples: Vec<Value>,
    pub kind: TypeKind,
}

/// The type a chain of named aliases stands for: a merged inline type or a streaming twin is an
/// alias, and what it means (an enum, a union carrying the `stream` flag) is the target's.
/// Lowering refuses reference-only cycles; the walk is bounded anyway.
pub fn through_aliases<'t>(mut ty: &'t TypeRef, types: &'t [TypeDef]) -> &'t TypeRef {
    for _ in 0..=types.len() {
        match ty {
            TypeRef::Named(id) => match &types[id.0].kind {
                TypeKind::Alias(inner) => ty = inner,
                _ => break,
            },
            _ => break,
        }
    }
    ty
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    Struct(Struct),
    Enum(Enum),
    TaggedUnion(TaggedUnion),
    UntaggedUnion(UntaggedUnion),
    /// A named type that is just another type (`type Foo = Vec<Bar>`).
    Alias(TypeRef),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// `additionalProperties` beside known fields, kept in a flattened map.
    pub additional: Option<TypeRef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub rust_name: String,
    pub wire_name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    pub default: Option<Value>,
    pub examples: Vec<Value>,
    pub docs: Option<String>,
    /// Set by the cycle pass: the field must be boxed to give the type a finite size.
    pub boxed: bool,
    pub constraints: Constraints,
}

/// What a schema asks of a value beyond its type: bounds, lengths, pattern, format. Docs show
/// them and sample values honour them; the client does not enforce them (the server does).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Constraints {
    pub minimum: Option<Bound>,
    pub maximum: Option<Bound>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub pattern: Option<String>,
    /// The `format` keyword, when the type does not already say it (`date-time`, `binary`).
    pub format: Option<String>,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// A numeric bound as the spec writes it (`1`, `0.5`), and whether it is exclusive.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    pub value: serde_json::Number,
    pub exclusive: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    pub values: Vec<EnumValue>,
    pub default: Option<String>,
    /// Name of the forward-compatible catch-all variant holding unknown values.
    pub unknown_variant: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    pub rust_name: String,
    pub wire: String,
}

/// A union whose variants are told apart by a tag property (`const` or `discriminator`).
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedUnion {
    pub tag: String,
    pub variants: Vec<TaggedVariant>,
    /// Variant holding any object whose tag we do not know (forward compatibility).
    pub unknown_variant: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaggedVariant {
    pub rust_name: String,
    /// Tag values selecting this variant; several when a discriminator maps many tags to one schema.
    pub tags: Vec<String>,
    pub ty: TypeId,
    /// True when the variant's struct keeps the tag property itself (it has several tags, or it
    /// is also used outside this union); false when the union writes the tag.
    pub tag_in_struct: bool,
    pub boxed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UntaggedUnion {
    /// In deserialization order: most specific first.
    pub variants: Vec<UntaggedVariant>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UntaggedVariant {
    pub rust_name: String,
    pub ty: TypeRef,
    pub boxed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    String,
    Integer {
        bits: u8,
    },
    Number,
    Boolean,
    DateTime,
    /// `format: binary` in JSON: base64 text.
    Base64,
    /// `format: binary` in a multipart body: a file part.
    File,
    /// Any JSON value.
    Any,
    Array(Box<TypeRef>),
    /// A fixed-length array (`prefixItems`), as a Rust tuple.
    Tuple(Vec<TypeRef>),
    Map(Box<TypeRef>),
    /// A nullable type in a position that is not a struct field (array item, map value, alias).
    Nullable(Box<TypeRef>),
    Named(TypeId),
}

// ---------------------------------------------------------------------------------------------
// Operations

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub operation_id: String,
    /// Unique (regardless of case) module and file name of the operation, decided in lowering.
    pub module: String,
    /// JSON pointer of the operation object.
    pub pointer: String,
    pub method: HttpMethod,
    /// The path as written in the spec key, minus any `#fragment`.
    pub path: String,
    /// The raw path key (may carry `#stream`).
    pub path_key: String,
    /// Resource namespace from the first tag: `Dedicated.Image` -> ["dedicated", "image"].
    pub resource: Vec<String>,
    pub tag: String,
    pub method_name: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    /// Path-level server, when the path overrides the global one.
    pub server: Option<String>,
    /// Docs page text the spec gives besides summary and description (`x-mint`).
    pub page: Option<PageDoc>,
    pub ignored: bool,
    pub parameters: Vec<Parameter>,
    pub body: Option<RequestBody>,
    pub response: Response,
    pub errors: Vec<ErrorResponse>,
    /// The effective security (the operation's `security`, else the document's): any one of
    /// these requirements authenticates the call. Empty: the operation takes no credentials;
    /// an empty requirement among others: credentials are optional.
    pub security: Vec<SecurityRequirement>,
}

/// Schemes that apply together (one entry of a `security` list).
pub type SecurityRequirement = Vec<SecurityScheme>;

#[derive(Debug, Clone, PartialEq)]
pub struct SecurityScheme {
    /// The key in `components.securitySchemes`.
    pub name: String,
    pub kind: SecurityKind,
}

/// How the client's credential is sent.
#[derive(Debug, Clone, PartialEq)]
pub enum SecurityKind {
    /// `Authorization: <scheme> <credential>`, e.g. `Bearer` (also OAuth 2 and OpenID Connect,
    /// whose access tokens are bearer tokens).
    Http { scheme: String },
    /// `apiKey` in a header or the query.
    ApiKey {
        location: ParamLocation,
        name: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub rust_name: String,
    pub wire_name: String,
    pub location: ParamLocation,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    pub docs: Option<String>,
    pub examples: Vec<Value>,
    pub default: Option<Value>,
    pub constraints: Constraints,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    pub content_type: BodyKind,
    pub ty: TypeRef,
    pub required: bool,
    pub example: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Multipart,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// JSON body decoded into the type (`Any` when the spec gives no schema).
    Json {
        status: u16,
        ty: TypeRef,
        example: Option<Value>,
    },
    /// `text/event-stream` of typed events.
    /// `envelope`: items decode from the whole SSE event (`{event, id, data}`), because the
    /// spec's schema describes the event (a union told apart by `event:`), not just its data.
    EventStream {
        ty: TypeRef,
        sentinel: Option<String>,
        example: Option<String>,
        envelope: bool,
    },
    /// A success without a body.
    Empty { status: u16 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorResponse {
    pub status: String,
    pub description: Option<String>,
    pub content_type: Option<String>,
    pub ty: Option<TypeRef>,
}

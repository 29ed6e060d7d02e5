//! Loading: the spec file becomes an order-preserving JSON value, nothing dropped.
//!
//! We keep the whole document as `serde_json::Value` (with `preserve_order`) instead of a typed
//! OpenAPI model: every keyword (`const`, `examples`, `discriminator.mapping`, `x-*`) survives by
//! construction, the lowering stage can name the JSON pointer of any node it rejects, and the
//! slicer can copy subtrees verbatim. Line numbers are recovered only when there is something to
//! report, by replaying the YAML events (see [`line_index`]), so the happy path parses once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::diagnostics::{Diagnostic, Diagnostics};

/// A loaded OpenAPI document.
#[derive(Debug, Clone)]
pub struct SpecDocument {
    pub path: PathBuf,
    pub source: String,
    pub root: Value,
    /// Hex sha256 of the file's bytes; stamped into every generated file.
    pub sha256: String,
    /// The components cleaned for operation slices, made once for lowering's checks and the
    /// API pages both (see [`SpecDocument::slices`]).
    slice_cache: crate::slice::SliceCache,
    /// JSON pointer → line, made beside the YAML parse (diagnostics need it, and the second
    /// core is otherwise idle then); `None` for JSON, where it is made when first needed.
    lines: LineIndex,
}

/// Pointer → 1-based line (see [`line_index`]).
#[derive(Clone, Default)]
struct LineIndex(Option<HashMap<String, usize>>);

impl std::fmt::Debug for LineIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(lines) => write!(f, "LineIndex({} pointers)", lines.len()),
            None => f.write_str("LineIndex(not made)"),
        }
    }
}

/// Keywords whose values are data (examples, defaults, `const` and `enum` values), never
/// schemas or prose: walks of the document that look for schemas or links skip them.
pub(crate) const LITERAL_KEYS: [&str; 5] = ["example", "examples", "default", "const", "enum"];

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl SpecDocument {
    /// Reads and parses a file; the OpenAPI version is checked before anything else.
    pub fn from_path(path: &Path) -> Result<Self, Diagnostics> {
        if let Ok(meta) = std::fs::metadata(path)
            && meta.len() > crate::spec_guard::MAX_FILE_BYTES as u64
        {
            return Err(too_large(path, meta.len()));
        }
        let bytes = std::fs::read(path).map_err(|err| {
            single(
                path,
                Diagnostic::error("", format!("cannot read the spec file: {err}")),
            )
        })?;
        let source = String::from_utf8(bytes).map_err(|err| {
            single(
                path,
                Diagnostic::error("", format!("the spec file is not UTF-8: {err}")),
            )
        })?;
        Self::from_source(path, source)
    }

    /// Parses spec text; `path` is only used in messages and to pick JSON vs YAML.
    pub fn from_source(path: &Path, source: String) -> Result<Self, Diagnostics> {
        use crate::spec_guard::{MAX_FLOW_DEPTH, MAX_STRING_BYTES, StrictValue};
        if source.len() > crate::spec_guard::MAX_FILE_BYTES {
            return Err(too_large(path, source.len() as u64));
        }
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if !is_json && let Some(line) = crate::spec_guard::flow_depth_excess(&source) {
            let mut d = Diagnostic::error(
                "",
                format!(
                    "flow collections (`[`, `{{`) nested deeper than {MAX_FLOW_DEPTH} levels: expected an OpenAPI document of ordinary depth"
                ),
            );
            d.line = Some(line);
            return Err(single(path, d));
        }
        let invalid_yaml = |err: yaml_serde::Error| {
            let mut d = Diagnostic::error("", format!("invalid YAML: {err}"));
            d.line = err.location().map(|l| l.line());
            single(path, d)
        };
        let (root, lines): (Value, LineIndex) = if is_json {
            let root = serde_json::from_str::<StrictValue>(&source)
                .map(|v| v.0)
                .map_err(|err| {
                    let mut d = Diagnostic::error("", format!("invalid JSON: {err}"));
                    d.line = Some(err.line());
                    single(path, d)
                })?;
            (root, LineIndex(None))
        } else {
            // The line index replays the parse events on its own: both parses run at once.
            let (root, lines) = std::thread::scope(|scope| {
                let lines = scope.spawn(|| line_index(&source));
                let root = yaml_serde::from_str::<StrictValue>(&source);
                let lines = lines
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (root, lines)
            });
            (
                root.map(|v| v.0).map_err(invalid_yaml)?,
                LineIndex(Some(lines)),
            )
        };
        let sha256 = sha256_hex(source.as_bytes());
        let doc = Self {
            path: path.to_path_buf(),
            source,
            root,
            sha256,
            slice_cache: crate::slice::SliceCache::default(),
            lines,
        };
        if let Some(pointer) = crate::spec_guard::oversized_string(&doc.root) {
            let mut diagnostics = single(
                path,
                Diagnostic::error(
                    pointer,
                    format!(
                        "a string longer than {} KiB: expected descriptions and names of ordinary length",
                        MAX_STRING_BYTES / 1024
                    ),
                ),
            );
            doc.locate(&mut diagnostics);
            return Err(diagnostics);
        }
        doc.check_version()?;
        Ok(doc)
    }

    fn check_version(&self) -> Result<(), Diagnostics> {
        let fail = |pointer: &str, message: String| {
            let mut diagnostics = single(&self.path, Diagnostic::error(pointer, message));
            self.locate(&mut diagnostics);
            Err(diagnostics)
        };
        if !self.root.is_object() {
            return fail(
                "",
                "expected an OpenAPI document (a mapping at the top level)".into(),
            );
        }
        match self.root.get("openapi") {
            Some(Value::String(v)) if v.starts_with("3.1.") || v.starts_with("3.0.") => Ok(()),
            Some(Value::String(v)) => fail(
                "/openapi",
                format!("unsupported OpenAPI version `{v}`: expected 3.1.x (or 3.0.x)"),
            ),
            Some(other) => fail(
                "/openapi",
                format!("expected the OpenAPI version as a string, found {other}"),
            ),
            None if self.root.get("swagger").is_some() => fail(
                "/swagger",
                "this is a Swagger 2.0 document: expected OpenAPI 3.1.x".into(),
            ),
            None => fail(
                "",
                "missing the `openapi` version field: expected `openapi: 3.1.0`".into(),
            ),
        }
    }

    /// Fills in the line of every diagnostic (and of its related location) that has a pointer.
    pub fn locate(&self, diagnostics: &mut Diagnostics) {
        if diagnostics.items.is_empty() {
            return;
        }
        match &self.lines.0 {
            Some(lines) => locate_with(lines, diagnostics),
            None => locate_with(&line_index(&self.source), diagnostics),
        }
    }
    /// Operation slices of this document; every caller shares the components cleaned so far.
    pub fn slices(&self) -> crate::slice::Slices<'_> {
        crate::slice::Slices::new(&self.root, &self.slice_cache)
    }

    /// Resolves a local `$ref` (`#/components/schemas/Foo`) to its node.
    pub fn resolve_ref(&self, reference: &str) -> Option<&Value> {
        let pointer = reference.strip_prefix('#')?;
        self.root.pointer(&decode_ref_pointer(pointer))
    }
}

/// Fills in lines from an index made by [`line_index`] of this document's source.
pub(crate) fn locate_with(index: &HashMap<String, usize>, diagnostics: &mut Diagnostics) {
    let find = |pointer: &str| -> Option<usize> {
        // Fall back to the nearest ancestor that has a line.
        let mut p = pointer;
        loop {
            if let Some(line) = index.get(p) {
                return Some(*line);
            }
            p = &p[..p.rfind('/')?];
        }
    };
    for d in &mut diagnostics.items {
        if d.line.is_none() && !d.pointer.is_empty() {
            d.line = find(&d.pointer);
        }
        if let Some((pointer, line)) = &mut d.related
            && line.is_none()
        {
            *line = find(pointer);
        }
    }
}

fn too_large(path: &Path, bytes: u64) -> Diagnostics {
    single(
        path,
        Diagnostic::error(
            "",
            format!(
                "the spec file is {} MiB: expected at most {} MiB",
                bytes / (1024 * 1024),
                crate::spec_guard::MAX_FILE_BYTES / (1024 * 1024)
            ),
        ),
    )
}

fn single(path: &Path, diagnostic: Diagnostic) -> Diagnostics {
    let mut diagnostics = Diagnostics::new(path);
    diagnostics.push(diagnostic);
    diagnostics
}

/// `$ref` values are URI fragments: percent-decode before using them as JSON pointers.
fn decode_ref_pointer(pointer: &str) -> String {
    if !pointer.contains('%') {
        return pointer.to_owned();
    }
    let bytes = pointer.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Escapes one JSON pointer token (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Maps JSON pointers to 1-based source lines by replaying YAML parse events. JSON is YAML, so
/// this serves both formats.
pub fn line_index(source: &str) -> HashMap<String, usize> {
    use yaml_rust2::parser::{Event, Parser};

    enum Frame {
        Map {
            key: Option<(String, usize)>,
            awaiting_key: bool,
        },
        Seq {
            next: usize,
        },
    }
    /// The pointer of the current node is kept as one string; `ends` holds its length before
    /// each open container's token, so leaving a container is a truncation.
    #[derive(Default)]
    struct Recorder {
        frames: Vec<Frame>,
        pointer: String,
        ends: Vec<usize>,
        lines: HashMap<String, usize>,
    }
    impl Recorder {
        /// Called when a value node starts: appends its token to the pointer (nothing for the
        /// document root) and records the line where the pointer is first met.
        fn enter_value(&mut self, line: usize) {
            self.ends.push(self.pointer.len());
            let token = match self.frames.last_mut() {
                Some(Frame::Map { key, awaiting_key }) => {
                    *awaiting_key = true;
                    key.take()
                }
                Some(Frame::Seq { next }) => {
                    *next += 1;
                    Some(((*next - 1).to_string(), line))
                }
                None => None,
            };
            let line = match token {
                Some((token, line)) => {
                    self.pointer.push('/');
                    self.pointer.push_str(&escape_token(&token));
                    line
                }
                None => line,
            };
            if !self.lines.contains_key(&self.pointer) {
                self.lines.insert(self.pointer.clone(), line);
            }
        }
        fn leave_value(&mut self) {
            if let Some(end) = self.ends.pop() {
                self.pointer.truncate(end);
            }
        }
        fn on_event(&mut self, ev: Event, line: usize) {
            match ev {
                Event::Scalar(text, ..) => {
                    if let Some(Frame::Map { key, awaiting_key }) = self.frames.last_mut()
                        && *awaiting_key
                    {
                        *key = Some((text, line));
                        *awaiting_key = false;
                        return;
                    }
                    self.enter_value(line);
                    self.leave_value();
                }
                Event::Alias(_) => {
                    self.enter_value(line);
                    self.leave_value();
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    if let Some(Frame::Map { key, awaiting_key }) = self.frames.last_mut()
                        && *awaiting_key
                    {
                        // Complex keys do not occur in OpenAPI; treat as an opaque key.
                        *key = Some((String::from("?"), line));
                        *awaiting_key = false;
                    }
                    self.enter_value(line);
                    self.frames.push(if matches!(ev, Event::MappingStart(..)) {
                        Frame::Map {
                            key: None,
                            awaiting_key: true,
                        }
                    } else {
                        Frame::Seq { next: 0 }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    self.frames.pop();
                    self.leave_value();
                }
                _ => {}
            }
        }
    }

    let mut recorder = Recorder::default();
    let mut parser = Parser::new_from_str(source);
    // A syntax error is reported by the main parser; the lines before it are still useful.
    while let Ok((ev, mark)) = parser.next_token() {
        if matches!(ev, Event::DocumentEnd | Event::StreamEnd) {
            break;
        }
        recorder.on_event(ev, mark.line().max(1));
    }
    recorder.lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_maps_nested_pointers() {
        let src =
            "openapi: 3.1.0\npaths:\n  /a~b/c:\n    get:\n      tags:\n        - x\n        - y\n";
        let index = line_index(src);
        assert_eq!(index.get("/openapi"), Some(&1));
        assert_eq!(index.get("/paths"), Some(&2));
        assert_eq!(index.get("/paths/~1a~0b~1c/get"), Some(&4));
        assert_eq!(index.get("/paths/~1a~0b~1c/get/tags/1"), Some(&7));
    }

    #[test]
    fn percent_encoded_refs_resolve() {
        assert_eq!(decode_ref_pointer("/paths/~1a%7Bb%7D"), "/paths/~1a{b}");
    }
}

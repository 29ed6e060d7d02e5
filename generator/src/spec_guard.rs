//! Limits that keep a hostile document from costing unbounded time or memory, checked before
//! and while it is parsed, and a strict value type that refuses duplicate keys.
//!
//! The YAML parser takes time quadratic in the nesting depth of flow collections (`[[[[…`:
//! 100,000 levels take ~50 s before its own recursion limit rejects them), so the depth is
//! measured by a linear scan first. Duplicate mapping keys are legal to most YAML parsers,
//! which keep the last one: a schema would silently change type, so they are an error here.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Larger spec files are refused before parsing (the Friendli spec is under 1 MiB).
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
/// Deeper flow collections are refused before parsing.
pub const MAX_FLOW_DEPTH: usize = 64;
/// Longer strings are refused after parsing, before lowering copies them around.
pub const MAX_STRING_BYTES: usize = 256 * 1024;

/// A problem found by a guard: its 1-based line (when known) and what is wrong.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    pub line: Option<usize>,
    pub pointer: String,
    pub message: String,
}

/// The line of the first flow collection nested deeper than [`MAX_FLOW_DEPTH`], if any.
///
/// A linear scan of YAML that tracks just enough of the syntax not to count brackets in
/// quoted strings, plain scalars, comments and block scalars.
pub fn flow_depth_excess(source: &str) -> Option<usize> {
    let mut depth = 0usize;
    // `Some(indent)` while inside a block scalar (`|`, `>`) of a line with that indentation.
    let mut block_scalar: Option<usize> = None;
    let mut quote: Option<char> = None;
    for (index, line) in source.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if quote.is_none()
            && depth == 0
            && let Some(parent) = block_scalar
        {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block_scalar = None;
        }
        let bytes = line.as_bytes();
        let mut value_start = depth > 0 || quote.is_none();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if let Some(q) = quote {
                if q == '\'' && b == b'\'' {
                    if bytes.get(i + 1) == Some(&b'\'') {
                        i += 1;
                    } else {
                        quote = None;
                    }
                } else if q == '"' && b == b'\\' {
                    i += 1;
                } else if q == '"' && b == b'"' {
                    quote = None;
                }
                i += 1;
                continue;
            }
            let after_space = i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t';
            match b {
                b' ' | b'\t' => {}
                b'#' if after_space => break,
                b'[' | b'{' if depth > 0 || value_start => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some(index + 1);
                    }
                    value_start = true;
                }
                b']' | b'}' if depth > 0 => depth -= 1,
                b',' if depth > 0 => value_start = true,
                b'\'' | b'"' if value_start => {
                    quote = Some(b as char);
                    value_start = false;
                }
                b'|' | b'>' if depth == 0 && value_start => {
                    block_scalar = Some(indent);
                    break;
                }
                b'-' if value_start && matches!(bytes.get(i + 1), None | Some(b' ')) => {}
                b':' if matches!(bytes.get(i + 1), None | Some(b' ') | Some(b'\t')) => {
                    value_start = true;
                }
                _ => value_start = depth > 0 && matches!(b, b':'),
            }
            i += 1;
        }
    }
    None
}

/// The pointer of the first string longer than [`MAX_STRING_BYTES`], if any.
pub fn oversized_string(value: &Value) -> Option<String> {
    fn walk(value: &Value, pointer: &mut String) -> bool {
        match value {
            Value::String(s) => s.len() > MAX_STRING_BYTES,
            Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                let found = walk(item, pointer);
                if !found {
                    pointer.truncate(len);
                }
                found
            }),
            Value::Object(map) => map.iter().any(|(key, item)| {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&crate::spec::escape_token(key));
                let found = key.len() > MAX_STRING_BYTES || walk(item, pointer);
                if !found {
                    pointer.truncate(len);
                }
                found
            }),
            _ => false,
        }
    }
    // The pointer is built only for a document that has such a string: building it on the
    // way costs an allocation per node of every document.
    fn any(value: &Value) -> bool {
        match value {
            Value::String(s) => s.len() > MAX_STRING_BYTES,
            Value::Array(items) => items.iter().any(any),
            Value::Object(map) => map
                .iter()
                .any(|(key, item)| key.len() > MAX_STRING_BYTES || any(item)),
            _ => false,
        }
    }
    if !any(value) {
        return None;
    }
    let mut pointer = String::new();
    walk(value, &mut pointer).then_some(pointer)
}

/// A JSON value whose mappings may not repeat a key (the parser reports where).
pub struct StrictValue(pub Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML or JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        StrictValue::deserialize(d).map(|v| v.0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<KeyString>()? {
            let StrictValue(value) = map.next_value()?;
            if object.contains_key(&key.0) {
                return Err(de::Error::custom(format_args!(
                    "duplicate key `{}` in the mapping that starts here (a parser would silently keep only the last)",
                    key.0.escape_debug()
                )));
            }
            object.insert(key.0, value);
        }
        Ok(Value::Object(object))
    }
}

/// A mapping key; YAML allows non-string keys (`200:`, `true:`), which JSON spells as strings.
struct KeyString(String);

impl<'de> Deserialize<'de> for KeyString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let StrictValue(value) = StrictValue::deserialize(deserializer)?;
        Ok(KeyString(match value {
            Value::String(s) => s,
            Value::Null => String::from("null"),
            other => other.to_string(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_flow_collections_are_found_in_linear_time() {
        let deep = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(flow_depth_excess(&deep), Some(1));
        let nested = format!("x:\n  y: {}1{}\n", "{a: ".repeat(70), "}".repeat(70));
        assert_eq!(flow_depth_excess(&nested), Some(2));
    }

    #[test]
    fn brackets_in_text_do_not_count() {
        let text = format!(
            "a: '{o}'\nb: \"{o}\\\"{o}\"\nc: see {o}\nd: |\n  {o}\n  {o}\ne: x # {o}\nf: [1, [2], {{g: 'h['}}]\n",
            o = "[".repeat(200)
        );
        assert_eq!(flow_depth_excess(&text), None);
    }

    #[test]
    fn the_real_spec_passes() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/spec/friendli-openapi.yaml");
        if let Ok(source) = std::fs::read_to_string(path) {
            assert_eq!(flow_depth_excess(&source), None);
        }
    }

    #[test]
    fn duplicate_keys_are_refused_with_a_line() {
        let err = yaml_serde::from_str::<StrictValue>("a: 1\nb:\n  c: 1\n  c: 2\n")
            .err()
            .unwrap();
        assert!(err.to_string().contains("duplicate key `c`"), "{err}");
        // The parser locates the mapping that holds the repeated key.
        assert_eq!(err.location().map(|l| l.line()), Some(3));
        let err = serde_json::from_str::<StrictValue>("{\"a\": 1, \"a\": 2}")
            .err()
            .unwrap();
        assert!(err.to_string().contains("duplicate key `a`"), "{err}");
        let ok = yaml_serde::from_str::<StrictValue>("200: {x: [1, 2.5, null, true]}\n").unwrap();
        assert_eq!(
            ok.0,
            serde_json::json!({"200": {"x": [1, 2.5, null, true]}})
        );
    }

    #[test]
    fn oversized_strings_are_located() {
        let big = "x".repeat(MAX_STRING_BYTES + 1);
        let doc = serde_json::json!({"paths": {"/a": {"get": {"description": big}}}});
        assert_eq!(
            oversized_string(&doc).as_deref(),
            Some("/paths/~1a/get/description")
        );
    }
}

//! Spec examples are checked against their own schema (JSON Schema 2020-12, independent of
//! our types) before they enter the IR. An example the spec contradicts is a spec bug: it is
//! reported with its pointer and left out, so docs and round-trip tests only use valid ones.

use std::collections::HashMap;

use serde_json::Value;

use super::Lowerer;
use crate::diagnostics::Diagnostic;

const BASE: &str = "urn:friendli-codegen:spec";

pub(crate) struct ExampleValidator<'a> {
    /// Borrows the document: a copy would be a second tree of the whole spec, made and freed.
    registry: Option<jsonschema::Registry<'a>>,
    /// Whether an example (as JSON text) is valid against the schema at a pointer. One schema
    /// is met several times with the same examples (a component at every `$ref` to it, a
    /// body and its `#stream` twin), and compiling its validator, with everything it refers
    /// to, costs far more than validating; the verdicts are kept instead of the validators,
    /// which are large.
    verdicts: HashMap<String, HashMap<String, bool>>,
}

impl<'a> ExampleValidator<'a> {
    pub(crate) fn new(root: &'a Value) -> Self {
        let registry = jsonschema::Registry::new()
            .draft(jsonschema::Draft::Draft202012)
            .add(BASE, root)
            .and_then(|builder| builder.prepare())
            .ok();
        Self {
            registry,
            verdicts: HashMap::new(),
        }
    }
}

/// Percent-encodes what a URI fragment cannot carry literally.
fn fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b':'
            | b'@' => out.push(byte as char),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

impl Lowerer<'_> {
    /// Keeps the examples that are valid against the schema at `schema_pointer`.
    pub(crate) fn valid_examples(
        &mut self,
        schema_pointer: &str,
        examples: Vec<Value>,
    ) -> Vec<Value> {
        if examples.is_empty() {
            return examples;
        }
        let Some(registry) = self.examples.registry.as_ref() else {
            return examples;
        };
        let texts: Vec<String> = examples.iter().map(Value::to_string).collect();
        let verdicts = self.examples.verdicts.get(schema_pointer);
        let known: Option<Vec<bool>> = texts
            .iter()
            .map(|text| verdicts?.get(text).copied())
            .collect();
        // A schema checked before with these examples: its warnings are already reported.
        if let Some(known) = known {
            return examples
                .into_iter()
                .zip(known)
                .filter_map(|(example, valid)| valid.then_some(example))
                .collect();
        }
        let schema = serde_json::json!({ "$ref": format!("{BASE}#{}", fragment(schema_pointer)) });
        let validator = match jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .with_registry(registry)
            .build(&schema)
        {
            Ok(validator) => validator,
            Err(err) => {
                self.diagnostics.push(Diagnostic::warning(
                    schema_pointer,
                    format!("cannot check this schema's examples: {err}"),
                ));
                let verdicts = self
                    .examples
                    .verdicts
                    .entry(schema_pointer.to_owned())
                    .or_default();
                verdicts.extend(texts.into_iter().map(|text| (text, true)));
                return examples;
            }
        };
        let verdicts = self
            .examples
            .verdicts
            .entry(schema_pointer.to_owned())
            .or_default();
        let mut kept = Vec::with_capacity(examples.len());
        for (example, text) in examples.into_iter().zip(texts) {
            let verdict = validator.validate(&example);
            verdicts.insert(text, verdict.is_ok());
            match verdict {
                Ok(()) => kept.push(example),
                Err(err) => self.diagnostics.push(Diagnostic::warning(
                    schema_pointer,
                    format!(
                        "an example does not match its own schema and is not used ({err} at `{}`)",
                        err.instance_path()
                    ),
                )),
            }
        }
        kept
    }
}

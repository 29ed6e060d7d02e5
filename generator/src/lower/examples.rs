//! Spec examples are checked against their own schema (JSON Schema 2020-12, independent of
//! our types) before they enter the IR. An example the spec contradicts is a spec bug: it is
//! reported with its pointer and left out, so docs and round-trip tests only use valid ones.

use serde_json::Value;

use super::Lowerer;
use crate::diagnostics::Diagnostic;

const BASE: &str = "urn:friendli-codegen:spec";

pub(crate) struct ExampleValidator {
    registry: Option<jsonschema::Registry<'static>>,
}

impl ExampleValidator {
    pub(crate) fn new(root: &Value) -> Self {
        let registry = jsonschema::Registry::new()
            .draft(jsonschema::Draft::Draft202012)
            .add(BASE, root.clone())
            .and_then(|builder| builder.prepare())
            .ok();
        Self { registry }
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
                return examples;
            }
        };
        let mut kept = Vec::with_capacity(examples.len());
        for example in examples {
            match validator.validate(&example) {
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

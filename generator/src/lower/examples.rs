//! Spec examples are checked against their own schema (JSON Schema 2020-12, independent of
//! our types) before they enter the IR. An example the spec contradicts is a spec bug: it is
//! reported with its pointer and left out, so docs and round-trip tests only use valid ones.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

use super::Lowerer;
use crate::diagnostics::Diagnostic;

const BASE: &str = "urn:friendli-codegen:spec";

/// Checks spec examples against their schemas for lowering. Compiling a schema's validator,
/// with everything it refers to, is most of lowering's time, and each check is independent:
/// [`ExampleChecks::check_ahead`] makes them on a second thread, in the reverse of the order
/// lowering meets them, while lowering makes the ones it needs first. Either thread's verdict
/// is the same, so the output does not depend on which made it.
pub(crate) struct ExampleChecks<'a> {
    /// Borrows the document: a copy would be a second tree of the whole spec, made and freed.
    registry: Option<jsonschema::Registry<'a>>,
    root: &'a Value,
    /// Schema pointer → what checking examples against it found. The verdicts are kept
    /// instead of the validators, which are large.
    found: Mutex<HashMap<String, Found>>,
}

enum Found {
    /// The schema's validator cannot be built (why).
    Unbuildable(String),
    /// Example (as JSON text) → `None` when valid, else the warning that says why not.
    Checked(HashMap<String, Option<String>>),
}

impl<'a> ExampleChecks<'a> {
    pub(crate) fn new(root: &'a Value) -> Self {
        let registry = jsonschema::Registry::new()
            .draft(jsonschema::Draft::Draft202012)
            .add(BASE, root)
            .and_then(|builder| builder.prepare())
            .ok();
        Self {
            registry,
            root,
            found: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Found>> {
        // Entries are inserted whole: a thread that panicked left none half-made.
        self.found
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The verdict on each of `examples` (their JSON texts are `texts`) against the schema at
    /// `pointer`, made here unless found; `Err` when the schema's validator cannot be built.
    fn verdicts(
        &self,
        pointer: &str,
        examples: &[Value],
        texts: &[String],
    ) -> Result<Vec<Option<String>>, String> {
        let Some(registry) = self.registry.as_ref() else {
            return Ok(vec![None; examples.len()]);
        };
        match self.lock().get(pointer) {
            Some(Found::Unbuildable(why)) => return Err(why.clone()),
            Some(Found::Checked(verdicts)) if texts.iter().all(|t| verdicts.contains_key(t)) => {
                return Ok(texts.iter().map(|t| verdicts[t].clone()).collect());
            }
            _ => {}
        }
        let schema = serde_json::json!({ "$ref": format!("{BASE}#{}", fragment(pointer)) });
        let validator = match jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .with_registry(registry)
            .build(&schema)
        {
            Ok(validator) => validator,
            Err(err) => {
                let why = err.to_string();
                self.lock()
                    .insert(pointer.to_owned(), Found::Unbuildable(why.clone()));
                return Err(why);
            }
        };
        let verdicts: Vec<Option<String>> = examples
            .iter()
            .map(|example| {
                validator.validate(example).err().map(|err| {
                    format!(
                        "an example does not match its own schema and is not used ({err} at `{}`)",
                        err.instance_path()
                    )
                })
            })
            .collect();
        let mut found = self.lock();
        let entry = found
            .entry(pointer.to_owned())
            .or_insert_with(|| Found::Checked(HashMap::new()));
        if let Found::Checked(known) = entry {
            for (text, verdict) in texts.iter().zip(&verdicts) {
                known.insert(text.clone(), verdict.clone());
            }
        }
        Ok(verdicts)
    }

    /// Checks the examples lowering is likely to ask about, last first, until `stop` is set:
    /// one validator per schema checks every example it may be asked about, and a schema that
    /// lowering already met is left to it.
    pub(crate) fn check_ahead(&self, stop: &AtomicBool) {
        if self.registry.is_none() {
            return;
        }
        let mut wanted = Vec::new();
        likely_checks(self.root, &mut String::new(), &mut wanted);
        let mut by_schema: Vec<(String, Vec<Value>)> = Vec::new();
        let mut slot: HashMap<String, usize> = HashMap::new();
        for (pointer, examples) in wanted {
            let at = *slot.entry(pointer.clone()).or_insert_with(|| {
                by_schema.push((pointer, Vec::new()));
                by_schema.len() - 1
            });
            let all = &mut by_schema[at].1;
            for example in examples {
                if !all.contains(&example) {
                    all.push(example);
                }
            }
        }
        for (pointer, examples) in by_schema.into_iter().rev() {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            if self.lock().contains_key(&pointer) {
                continue;
            }
            let texts: Vec<String> = examples.iter().map(Value::to_string).collect();
            let _ = self.verdicts(&pointer, &examples, &texts);
        }
    }
}

/// The (schema pointer, examples) pairs lowering checks, as far as the document alone tells:
/// a schema's own examples (and those of its union members, and as one array example), and a
/// parameter's or media type's examples against its `schema`. A pair lowering never asks
/// about costs a check; one it asks about but is not here, it checks itself.
fn likely_checks(value: &Value, pointer: &mut String, out: &mut Vec<(String, Vec<Value>)>) {
    let Value::Object(object) = value else {
        if let Value::Array(items) = value {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                likely_checks(item, pointer, out);
                pointer.truncate(len);
            }
        }
        return;
    };
    let own = super::schema::examples_of(value);
    let members = super::schema::member_examples(value);
    for examples in [own, members] {
        if examples.is_empty()
            || out
                .last()
                .is_some_and(|(p, e)| p == pointer && *e == examples)
        {
            continue;
        }
        if !examples.iter().any(Value::is_array) {
            out.push((pointer.clone(), vec![Value::Array(examples.clone())]));
        }
        out.push((pointer.clone(), examples));
    }
    if object.get("schema").is_some_and(Value::is_object) {
        // A parameter checks all of them, a media type its first (its `example` first).
        let mut examples = super::schema::named_examples(value).unwrap_or_default();
        if let Some(example) = object.get("example") {
            examples.insert(0, example.clone());
        }
        if !examples.is_empty() {
            let schema = format!("{pointer}/schema");
            for example in &examples {
                out.push((schema.clone(), vec![example.clone()]));
            }
            if examples.len() > 1 {
                out.push((schema, examples));
            }
        }
    }
    for (key, child) in object {
        if crate::spec::LITERAL_KEYS.contains(&key.as_str()) {
            continue;
        }
        let len = pointer.len();
        pointer.push('/');
        pointer.push_str(&crate::spec::escape_token(key));
        likely_checks(child, pointer, out);
        pointer.truncate(len);
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
    /// Keeps the examples that are valid against the schema at `schema_pointer`, warning once
    /// about each one that is not.
    pub(crate) fn valid_examples(
        &mut self,
        schema_pointer: &str,
        examples: Vec<Value>,
    ) -> Vec<Value> {
        if examples.is_empty() {
            return examples;
        }
        let texts: Vec<String> = examples.iter().map(Value::to_string).collect();
        let reported = self.reported_examples.get(schema_pointer);
        let known: Option<Vec<bool>> = texts
            .iter()
            .map(|text| reported?.get(text).copied())
            .collect();
        // A schema checked before with these examples: its warnings are already reported.
        if let Some(known) = known {
            return examples
                .into_iter()
                .zip(known)
                .filter_map(|(example, valid)| valid.then_some(example))
                .collect();
        }
        let verdicts = self.examples.verdicts(schema_pointer, &examples, &texts);
        let reported = self
            .reported_examples
            .entry(schema_pointer.to_owned())
            .or_default();
        let verdicts = match verdicts {
            Ok(verdicts) => verdicts,
            Err(why) => {
                self.diagnostics.push(Diagnostic::warning(
                    schema_pointer,
                    format!("cannot check this schema's examples: {why}"),
                ));
                reported.extend(texts.into_iter().map(|text| (text, true)));
                return examples;
            }
        };
        let mut kept = Vec::with_capacity(examples.len());
        for ((example, text), verdict) in examples.into_iter().zip(texts).zip(verdicts) {
            reported.insert(text, verdict.is_none());
            match verdict {
                None => kept.push(example),
                Some(why) => self
                    .diagnostics
                    .push(Diagnostic::warning(schema_pointer, why)),
            }
        }
        kept
    }
}

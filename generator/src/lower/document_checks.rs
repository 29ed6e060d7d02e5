//! Checks of the document that later stages rely on, made once during lowering so that every
//! problem is reported located (file, line, pointer) instead of failing a later stage:
//!
//! - every operation can be sliced into a standalone document (the API pages embed one): each
//!   `$ref` it reaches resolves into `#/components/<kind>/<name>`, each `discriminator.mapping`
//!   target exists, each security requirement names a defined scheme;
//! - path templates are well-formed and agree with the declared path parameters, so no request
//!   is sent to a literal `{id}` while the argument is dropped.

use rayon::prelude::*;
use serde_json::Value;

use super::Lowerer;
use crate::slice::SliceError;
use crate::spec::escape_token;

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

impl<'a> Lowerer<'a> {
    pub(crate) fn check_document(&mut self) {
        let Some(Value::Object(paths)) = self.doc.root.get("paths") else {
            return;
        };
        // Slicing is pure and most of the cost: every operation is sliced on the rayon pool
        // first, and the results are reported below in document order.
        let slices = self.doc.slices();
        let operations: Vec<(&str, &str)> = paths
            .iter()
            .filter_map(|(path_key, item)| Some((path_key.as_str(), item.as_object()?)))
            .flat_map(|(path_key, item)| {
                METHODS
                    .into_iter()
                    .filter(|method| item.get(*method).is_some_and(Value::is_object))
                    .map(move |method| (path_key, method))
            })
            .collect();
        let mut sliced: std::collections::HashMap<(&str, &str), Result<(), SliceError>> =
            operations
                .par_iter()
                .map(|&(path_key, method)| {
                    ((path_key, method), slices.check_operation(path_key, method))
                })
                .collect();
        for (path_key, item) in paths {
            let item_pointer = format!("/paths/{}", escape_token(path_key));
            let Some(item) = item.as_object() else {
                continue;
            };
            let template = path_key.split('#').next().unwrap_or(path_key);
            let names = match template_names(template) {
                Ok(names) => names,
                Err(problem) => {
                    self.error(
                        &item_pointer,
                        format!("malformed path template `{template}`: {problem}"),
                    );
                    continue;
                }
            };
            for method in METHODS {
                let Some(op) = item.get(method).filter(|op| op.is_object()) else {
                    continue;
                };
                let op_pointer = format!("{item_pointer}/{method}");
                let checked = sliced
                    .remove(&(path_key.as_str(), method))
                    .unwrap_or(Ok(()));
                if let Err(err) = checked {
                    let at = slice_error_pointer(&err).unwrap_or(&op_pointer).to_owned();
                    // Schema lowering may have reported the same `$ref` already, in its words.
                    if !self.diagnostics.iter().any(|d| {
                        at.starts_with(&d.pointer)
                            && !d.pointer.is_empty()
                            && d.severity == crate::diagnostics::Severity::Error
                    }) {
                        self.error(&at, slice_error_message(&err));
                    }
                }
                self.check_path_parameters(template, &names, item, op, &op_pointer);
            }
        }
    }

    /// Every `{name}` in the template is a declared path parameter, and every declared path
    /// parameter appears in the template.
    fn check_path_parameters(
        &mut self,
        template: &str,
        names: &[&str],
        item: &serde_json::Map<String, Value>,
        op: &Value,
        op_pointer: &str,
    ) {
        let item_pointer = &op_pointer[..op_pointer.rfind('/').unwrap_or(0)];
        let mut declared: Vec<(String, String)> = Vec::new();
        let lists = [
            (item.get("parameters"), item_pointer.to_owned()),
            (op.get("parameters"), op_pointer.to_owned()),
        ];
        for (list, owner) in lists {
            let Some(Value::Array(list)) = list else {
                continue;
            };
            for (i, param) in list.iter().enumerate() {
                let param = match param.get("$ref").and_then(Value::as_str) {
                    Some(reference) => match self.doc.resolve_ref(reference) {
                        Some(target) => target,
                        None => continue,
                    },
                    None => param,
                };
                if param.get("in").and_then(Value::as_str) == Some("path")
                    && let Some(name) = param.get("name").and_then(Value::as_str)
                {
                    declared.push((name.to_owned(), format!("{owner}/parameters/{i}")));
                }
            }
        }
        for name in names {
            if !declared.iter().any(|(d, _)| d == name) {
                self.error(
                    op_pointer,
                    format!("the path `{template}` has `{{{name}}}`, but the operation declares no path parameter `{name}`: expected a parameter with `in: path`, `name: {name}`"),
                );
            }
        }
        for (name, pointer) in &declared {
            if !names.contains(&name.as_str()) {
                self.error(
                    pointer,
                    format!("path parameter `{name}` does not appear in the path `{template}`: expected `{{{name}}}` in the path"),
                );
            }
        }
    }
}

/// The parameter names of a path template, or what is wrong with it.
fn template_names(template: &str) -> Result<Vec<&str>, &'static str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err("a `}` without its `{`");
        }
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or("a `{` without its `}`")?;
        let name = &after[..close];
        if name.is_empty() {
            return Err("an empty `{}`");
        }
        if name.contains('{') {
            return Err("nested `{`");
        }
        names.push(name);
        rest = &after[close + 1..];
    }
    Ok(names)
}

fn slice_error_pointer(err: &SliceError) -> Option<&str> {
    match err {
        SliceError::DanglingRef { location, .. }
        | SliceError::UnsupportedRef { location, .. }
        | SliceError::UnknownSecurityScheme { location, .. } => Some(location),
        SliceError::NotAnObject { pointer } => Some(pointer),
        SliceError::NoSuchPath { .. } | SliceError::NoSuchMethod { .. } => None,
    }
}

fn slice_error_message(err: &SliceError) -> String {
    match err {
        SliceError::DanglingRef { reference, .. } => {
            format!("`{reference}` does not resolve: expected a JSON pointer to an existing node")
        }
        SliceError::UnsupportedRef { reference, .. } => format!(
            "`{reference}` is not a reference into `#/components/<kind>/<name>`: expected a reference to a component"
        ),
        SliceError::UnknownSecurityScheme { name, .. } => format!(
            "the security requirement names `{name}`, which is not in `components.securitySchemes`: expected a defined security scheme"
        ),
        other => format!("{other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::template_names;

    #[test]
    fn templates_are_parsed_or_refused() {
        assert_eq!(template_names("/v1/{a}/b/{c}"), Ok(vec!["a", "c"]));
        assert_eq!(template_names("/v1/x"), Ok(vec![]));
        assert!(template_names("/v1/{{id").is_err());
        assert!(template_names("/v1/{}/y").is_err());
        assert!(template_names("/v1/id}").is_err());
        assert!(template_names("/v1/{a").is_err());
    }
}

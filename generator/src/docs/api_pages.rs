//! API reference pages, `docs/api/<operation-id>.md`: one per operation (ignored ones too),
//! like seeds 002 and 004: title, description and content (from `x-mint` when the operation
//! has it), then `## OpenAPI` with the standalone document [`crate::slice`] cuts out for it.

use askama::Template;
use heck::ToKebabCase;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};

use crate::ir::*;

use super::markdown::{blockquote, code_span, fence_for, first_paragraph, prose, relative};
use super::sdk_pages::{namespace, operation_links};
use super::{DocsContext, IndexEntry, IndexSection, render};
use crate::plan::ResourceNode;
use crate::spec::LITERAL_KEYS;

#[derive(Template)]
#[template(path = "api_page.md", escape = "none")]
struct ApiPage {
    index_link: String,
    title: String,
    description: Option<String>,
    content: Option<String>,
    sdk: String,
    fence: String,
    method: String,
    path: String,
    yaml: String,
}

pub(crate) fn api_page_path(op: &Operation) -> String {
    format!("docs/api/{}.md", op.module.to_kebab_case())
}

/// Title, description and content of an operation's page.
struct PageText {
    title: String,
    description: Option<String>,
    content: Option<String>,
}

fn page_text(op: &Operation) -> PageText {
    let fallback_title = || {
        op.summary
            .clone()
            .unwrap_or_else(|| op.operation_id.clone())
    };
    let Some(page) = &op.page else {
        return PageText {
            title: fallback_title(),
            description: op.description.clone(),
            content: None,
        };
    };
    PageText {
        title: page.title.clone().unwrap_or_else(fallback_title),
        description: page.description.clone().or_else(|| op.description.clone()),
        content: page.content.clone().or_else(|| op.description.clone()),
    }
}

/// Makes the API pages; shared by the threads that make them (see [`super::emit_docs`]).
pub(crate) struct ApiPages<'a> {
    /// Operation id → its section on its SDK page.
    sdk_links: Vec<(String, String)>,
    slices: crate::slice::Slices<'a>,
    /// `(kind, name)` → the component's YAML entry under `components:`: most operations
    /// share their schemas, and a component reads the same on every page.
    component_yaml: Mutex<HashMap<(String, String), Arc<str>>>,
}

/// One finished page: path, text (without the header) and its index entry.
pub(crate) type Page = (String, String, IndexEntry);

impl<'a> ApiPages<'a> {
    pub(crate) fn new(tree: &ResourceNode<'_>, spec: &'a crate::spec::SpecDocument) -> Self {
        Self {
            sdk_links: operation_links(tree),
            slices: spec.slices(),
            component_yaml: Mutex::new(HashMap::new()),
        }
    }

    /// The slice as YAML: the document but its components written here, then each component's
    /// entry, made once per run (links made absolute as in the rest of the document).
    fn slice_yaml(
        &self,
        mut slice: Value,
        components: &[crate::slice::SliceComponent],
        site: &str,
    ) -> String {
        absolute_description_links(&mut slice, site);
        let mut yaml = super::yaml::to_yaml(&slice);
        if components.is_empty() {
            return yaml;
        }
        yaml.push_str(&super::yaml::map_key("components", 0));
        let mut kind_written: Option<&str> = None;
        for component in components {
            if kind_written != Some(component.kind.as_str()) {
                yaml.push_str(&super::yaml::map_key(&component.kind, 2));
                kind_written = Some(&component.kind);
            }
            let key = (component.kind.clone(), component.name.clone());
            let cached = self.lock().get(&key).cloned();
            let entry = match cached {
                Some(entry) => entry,
                None => {
                    // Links are made absolute with the component under its name, as they
                    // are in the whole document (which leaves a kind named like a literal
                    // key, `examples`, as it is).
                    let mut holder =
                        Value::Object(Map::from_iter([(key.1.clone(), component.value().clone())]));
                    if !LITERAL_KEYS.contains(&key.0.as_str()) {
                        absolute_description_links(&mut holder, site);
                    }
                    let Value::Object(mut holder) = holder else {
                        unreachable!("made as an object")
                    };
                    let value = holder.shift_remove(&key.1).unwrap_or_default();
                    let entry: Arc<str> = super::yaml::map_entry(&key.1, &value, 4).into();
                    self.lock().insert(key, Arc::clone(&entry));
                    entry
                }
            };
            yaml.push_str(&entry);
        }
        yaml
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Arc<str>>> {
        // Entries are inserted whole: a panicked thread left none half-made.
        self.component_yaml
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn page(&self, cx: &DocsContext<'_>, op: &Operation) -> Result<Page, String> {
        let page = api_page_path(op);
        let method = op.method.as_str().to_ascii_lowercase();
        let text = page_text(op);
        let (mut slice, components) = self
            .slices
            .slice_operation_parts(&op.path_key, &method)
            .map_err(|err| format!("cannot slice {} for {page}: {err}", op.operation_id))?;
        seed_shape(&mut slice);
        let yaml = self
            .slice_yaml(slice, &components, &cx.plan.config.docs_site)
            .trim_end()
            .to_owned();
        let sdk = match self.sdk_links.iter().find(|(id, _)| *id == op.operation_id) {
            Some((_, target)) => {
                let call = format!(
                    "{}.{}(..)",
                    namespace(&op.resource),
                    op.method_name.trim_start_matches("r#")
                );
                format!(
                    "Rust SDK: [{}]({})",
                    code_span(&call),
                    relative(&page, target)
                )
            }
            None => format!(
                "The Rust SDK leaves this operation out (the spec marks it {}).",
                code_span("x-speakeasy-ignore")
            ),
        };
        let summary = text
            .description
            .as_deref()
            .map(first_paragraph)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| code_span(&format!("{} {}", op.method.as_str(), op.path)));
        let entry = IndexEntry {
            section: IndexSection::Api,
            title: text.title.clone(),
            path: page.clone(),
            summary,
        };
        let model = ApiPage {
            index_link: relative(&page, super::index::INDEX),
            title: super::markdown::one_line(&text.title),
            description: text.description.as_deref().map(blockquote),
            content: text.content.as_deref().map(prose),
            sdk,
            fence: fence_for(&yaml, 4),
            method,
            // The fence's info string: one line, and no backtick (which would unmake the fence).
            path: super::markdown::one_line(&op.path_key).replace('`', ""),
            yaml: crate::neutralise::visible(&yaml).into_owned(),
        };
        let rendered = render(&model, &page)?;
        Ok((page, rendered, entry))
    }
}

/// The embedded documents of the seed pages carry `security: []` after `servers` when the
/// spec sets no document-wide security (Mintlify writes it); an empty list means the same as
/// none, so the slice takes the seeds' shape. A path's own `servers` come before its methods,
/// as in seed 002 (key order means nothing to OpenAPI).
fn seed_shape(slice: &mut Value) {
    let Value::Object(object) = slice else { return };
    if let Some(Value::Object(paths)) = object.get_mut("paths") {
        for item in paths.values_mut() {
            if let Value::Object(item) = item
                && let Some(servers) = item.shift_remove("servers")
            {
                let rest = std::mem::take(item);
                item.insert("servers".to_owned(), servers);
                item.extend(rest);
            }
        }
    }
    if object.contains_key("security") {
        return;
    }
    let entries = std::mem::take(object);
    for (key, value) in entries {
        let after_servers = key == "servers";
        object.insert(key, value);
        if after_servers {
            object.insert("security".to_owned(), Value::Array(Vec::new()));
        }
    }
}

/// Root-relative links in descriptions (`[x](/openapi/...)`) resolve only on the docs site:
/// they are made absolute, as in the rest of the pages. Example values are data and are left
/// as they are (see [`LITERAL_KEYS`]).
fn absolute_description_links(value: &mut Value, site: &str) {
    match value {
        Value::Object(object) => {
            for (key, value) in object.iter_mut() {
                match (key.as_str(), value) {
                    (key, _) if LITERAL_KEYS.contains(&key) => {}
                    ("description" | "summary", Value::String(text)) => {
                        *text = super::markdown::absolute_links(text, site);
                    }
                    (_, value) => absolute_description_links(value, site),
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| absolute_description_links(item, site)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Components written once and reused give every page the text that writing its whole
    /// document gives, on the real spec, every history spec and every fixture (whose odd
    /// names and kinds are the point), with the cache filled in another order than the pages'.
    #[test]
    fn reused_component_entries_write_what_the_whole_document_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut specs = vec![root.join("../shared/spec/friendli-openapi.yaml")];
        for dir in [
            root.join("../shared/spec/history"),
            root.join("spec/fixtures"),
        ] {
            specs.extend(
                std::fs::read_dir(dir)
                    .into_iter()
                    .flatten()
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|x| x == "yaml")),
            );
        }
        let site = "https://docs.example.com";
        let mut pages_checked = 0;
        for spec in specs {
            let Ok(doc) = crate::spec::SpecDocument::from_path(&spec) else {
                continue; // fixtures made to fail loading
            };
            let pages = ApiPages {
                sdk_links: Vec::new(),
                slices: doc.slices(),
                component_yaml: Mutex::new(HashMap::new()),
            };
            let Some(Value::Object(paths)) = doc.root.get("paths") else {
                continue;
            };
            let operations: Vec<(&String, &str)> = paths
                .iter()
                .flat_map(|(path, item)| {
                    ["get", "put", "post", "delete", "patch"]
                        .into_iter()
                        .filter(|m| item.get(*m).is_some())
                        .map(move |m| (path, m))
                })
                .collect();
            for (path, method) in operations.iter().rev().chain(&operations) {
                let Ok(mut whole) = pages.slices.slice_operation(path, method) else {
                    continue;
                };
                seed_shape(&mut whole);
                absolute_description_links(&mut whole, site);
                let (mut slice, components) = pages
                    .slices
                    .slice_operation_parts(path, method)
                    .expect("sliced above");
                seed_shape(&mut slice);
                assert_eq!(
                    pages.slice_yaml(slice, &components, site),
                    super::super::yaml::to_yaml(&whole),
                    "{}: {method} {path}",
                    spec.display()
                );
                pages_checked += 1;
            }
        }
        assert!(pages_checked > 200, "{pages_checked}");
    }
}

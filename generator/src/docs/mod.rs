//! Markdown docs emitter: the pages of the seeds (`../shared/seeds/`), for the whole spec.
//!
//! - `docs/sdks/<resource>/README.md`: one per resource handle with operations ([`sdk_pages`]),
//! - `docs/models/<type>.md`: one per named type ([`model_pages`]),
//! - `docs/api/<operation-id>.md`: one per operation, with its OpenAPI slice ([`api_pages`]),
//! - `docs/llms.txt`: an index of all pages ([`index`]), and the crate's `README.md` ([`readme`]),
//! - `tests/doc_examples.rs`: every Rust block of those pages, compiled ([`doc_tests`]).
//!
//! Every page is rendered by an askama template from `templates/docs/`; the Rust code in them
//! is built with `quote!` from the spec's examples ([`usage`], [`rust_values`]).

mod api_pages;
mod doc_tests;
mod example_values;
mod index;
pub(crate) mod markdown;
mod model_pages;
mod readme;
mod rust_values;
pub(crate) mod sdk_pages;
mod type_text;
mod usage;
mod yaml;

use rayon::prelude::*;

use crate::ir::{Api, TypeId};
use crate::output::FileSet;
use crate::plan::ClientPlan;
use example_values::Examples;
use rust_values::RustValues;
use usage::Snippet;

/// Every docs page of the crate, relative to the crate directory (`docs/...`, `README.md`),
/// plus `tests/doc_examples.rs`, which compiles every Rust block of those pages.
pub fn emit_docs(
    plan: &ClientPlan<'_>,
    spec: &crate::spec::SpecDocument,
) -> Result<FileSet, String> {
    let api = plan.api;
    let cx = DocsContext::new(plan);
    // The API pages (slicing the spec, writing YAML) are over half the work and each stands
    // alone: the rayon pool makes them while this job makes the other pages. They come back
    // in operation order, so the output does not depend on which thread made what.
    let api_pages = api_pages::ApiPages::new(&plan.tree, spec);
    let (own, made) = rayon::join(
        || -> Result<Output, String> {
            let mut out = Output::default();
            sdk_pages::emit(&cx, &mut out)?;
            model_pages::emit(&cx, &mut out)?;
            readme::emit(&cx, &mut out)?;
            sdk_pages::emit_runtime_types(&cx, &mut out)?;
            Ok(out)
        },
        || -> Result<Vec<api_pages::Page>, String> {
            api.operations
                .par_iter()
                .map(|op| api_pages.page(&cx, op))
                .collect()
        },
    );
    let mut out = own?;
    for (path, text, entry) in made? {
        out.page(&cx, &path, text);
        out.index.push(entry);
    }
    index::emit(&cx, &mut out)?;
    doc_tests::emit(&cx, &mut out)?;
    Ok(out.files)
}

/// What every page needs: the IR, where each model page is, how to write values (the API
/// pages hold the spec they slice).
pub(crate) struct DocsContext<'a> {
    pub api: &'a Api,
    pub plan: &'a ClientPlan<'a>,
    pub values: RustValues<'a>,
    pub examples: Examples<'a>,
    /// `docs/models/<file>.md` per type id.
    model_paths: Vec<String>,
}

impl<'a> DocsContext<'a> {
    fn new(plan: &'a ClientPlan<'a>) -> Self {
        let api = plan.api;
        Self {
            api,
            plan,
            values: RustValues::new(&api.types, &plan.config.crate_ident()),
            examples: Examples::new(api),
            model_paths: model_paths(api),
        }
    }

    /// The crate's name in Rust paths (`friendli`).
    pub(crate) fn krate(&self) -> proc_macro2::Ident {
        quote::format_ident!("{}", self.plan.config.crate_ident())
    }

    pub(crate) fn model_path(&self, id: TypeId) -> String {
        self.model_paths[id.0].clone()
    }

    /// The `@generated` first line of a markdown page.
    pub(crate) fn header(&self) -> String {
        format!(
            "<!-- {} -->\n",
            crate::rust_syntax::header(self.api, "").trim()
        )
    }
}

/// Model page paths: the snake-case type name; the rare names that fold to the same snake case
/// (`ABC`, `Abc`) get `_2`, `_3`, … in type order, so paths stay unique and deterministic.
pub(crate) fn model_paths(api: &Api) -> Vec<String> {
    let mut taken = std::collections::BTreeSet::new();
    api.types
        .iter()
        .map(|def| {
            let base = crate::lower::module_ident(&def.name);
            let mut name = base.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}_{n}");
                n += 1;
            }
            format!("docs/models/{name}.md")
        })
        .collect()
}

/// An entry of `docs/llms.txt`.
pub(crate) struct IndexEntry {
    pub section: IndexSection,
    pub title: String,
    pub path: String,
    pub summary: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum IndexSection {
    Sdk,
    Api,
    Models,
}

/// The pages written so far, the index entries and the code blocks they hold.
#[derive(Default)]
pub(crate) struct Output {
    pub files: FileSet,
    pub index: Vec<IndexEntry>,
    pub snippets: Vec<Snippet>,
}

impl Output {
    /// Adds a page (the `@generated` header goes first).
    pub(crate) fn page(&mut self, cx: &DocsContext<'_>, path: &str, text: String) {
        let text = markdown::absolute_links(text.trim_end(), &cx.plan.config.docs_site);
        self.files
            .insert(path, format!("{}{text}", cx.header()) + "\n");
    }
}

/// Renders an askama template; a failure is a generator bug, reported with the page.
pub(crate) fn render(template: &impl askama::Template, page: &str) -> Result<String, String> {
    template
        .render()
        .map_err(|err| format!("cannot render {page}: {err}"))
}

//! `docs/llms.txt`: an index of every page, one line each (`- [Title](path): summary`), in
//! three sections: SDK (README and resource pages), API reference, models.

use askama::Template;

use super::markdown::{link_text, one_line, relative};
use super::{DocsContext, IndexSection, Output, render};

pub(crate) const INDEX: &str = "docs/llms.txt";

#[derive(Template)]
#[template(path = "llms.txt", escape = "none")]
struct Index<'c> {
    title: String,
    package: &'c str,
    sdk: Vec<String>,
    api: Vec<String>,
    models: Vec<String>,
}

pub(crate) fn emit(cx: &DocsContext<'_>, out: &mut Output) -> Result<(), String> {
    let line = |section: IndexSection| -> Vec<String> {
        let mut entries: Vec<&super::IndexEntry> =
            out.index.iter().filter(|e| e.section == section).collect();
        // The README first, then the pages in the order they were made (client order, spec order).
        entries.sort_by_key(|e| e.path != "README.md");
        entries
            .iter()
            .map(|e| {
                let summary = one_line(&e.summary);
                let link = format!("- [{}]({})", link_text(&e.title), relative(INDEX, &e.path));
                if summary.is_empty() {
                    link
                } else {
                    format!("{link}: {summary}")
                }
            })
            .collect()
    };
    let index = Index {
        title: one_line(&cx.api.title),
        package: &cx.plan.config.package,
        sdk: line(IndexSection::Sdk),
        api: line(IndexSection::Api),
        models: line(IndexSection::Models),
    };
    let text = render(&index, INDEX)?;
    out.page(cx, INDEX, text);
    Ok(())
}

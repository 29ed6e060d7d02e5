//! The report as markdown: a summary line with the semver class, then one section per API
//! family (then shared models, then the crate), breaking changes first, each linking to its
//! page in the new crate's docs. Links are relative to the crate directory, where the
//! `CHANGELOG.md` that carries these reports lives.

use std::fmt::Write as _;

use super::{CRATE_SECTION, Change, Line, MODELS_SECTION, Report, Segment, SpecInfo};
use crate::docs::markdown::code_span;

fn inline(line: &Line) -> String {
    line.0
        .iter()
        .map(|s| match s {
            Segment::Text(t) => t.clone(),
            Segment::Code(c) => code_span(c),
        })
        .collect()
}

fn spec_text(info: &SpecInfo) -> String {
    format!(
        "{} (sha256 {}, {} operations, {} types)",
        code_span(&info.version),
        code_span(info.sha256.get(..12).unwrap_or(&info.sha256)),
        info.operations,
        info.types
    )
}

fn section_heading(section: &str) -> String {
    match section {
        MODELS_SECTION => "Models shared by several API families".into(),
        CRATE_SECTION => "The crate".into(),
        family => format!(
            "{} ({})",
            code_span(family),
            code_span(&crate::docs::sdk_pages::namespace(&[family.to_owned()]))
        ),
    }
}

fn change_item(change: &Change) -> String {
    let mut item = format!(
        "- **{}**: {}",
        change.class.label(),
        inline(&change.summary)
    );
    if let Some(note) = &change.note {
        let _ = write!(item, " ({})", inline(note));
    }
    if let Some(link) = &change.link {
        let _ = write!(item, " [docs]({link})");
    }
    item
}

/// The report as markdown, headings starting at `level` (`2` puts sections at `##`).
pub fn render_markdown(report: &Report, level: usize) -> String {
    let h = "#".repeat(level.max(1));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "From {} to {}.\n",
        spec_text(&report.old),
        spec_text(&report.new)
    );
    let c = &report.counts;
    let _ = writeln!(
        out,
        "**Semver class: {}**: {} breaking, {} additive, {} docs-only.",
        report.semver.label(),
        c.breaking,
        c.additive,
        c.docs_only
    );
    for (section, changes) in report.sections() {
        let _ = writeln!(out, "\n{h} {}\n", section_heading(section));
        for change in changes {
            let _ = writeln!(out, "{}", change_item(change));
        }
    }
    out
}

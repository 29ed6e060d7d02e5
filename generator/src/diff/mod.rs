//! The change report between two specs, in the generated crate's terms.
//!
//! Both specs are lowered to `ir::Api` and seen the way a user of the crate sees them
//! ([`crate_view`]): calls, positional arguments, setters, response types, model fields and
//! constructors, enum values, union variants. Each difference is one [`Change`], classified
//! **breaking** (some code that compiled against the old crate no longer compiles), **additive**
//! (new API; code written as the docs show keeps compiling) or **docs-only** (no change to the
//! Rust API: documentation, wire details, servers). The report's semver class follows.
//!
//! Spec text (paths, wire names, enum values) only ever appears in [`Segment::Code`], so the
//! markdown rendering can put it in code spans, where it cannot become markup.

mod crate_view;
mod markdown;
mod models;
mod operations;
mod probes;

use serde::Serialize;

use crate::ir::Api;
use crate_view::ApiView;

pub use markdown::render_markdown;
pub use probes::{Probe, Unprobed, probes, unchanged_probe};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    Breaking,
    Additive,
    DocsOnly,
}

impl Class {
    pub fn label(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::Additive => "additive",
            Class::DocsOnly => "docs-only",
        }
    }
}

/// The release a report calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Semver {
    Major,
    Minor,
    Patch,
    /// Nothing changed.
    None,
}

impl Semver {
    pub fn label(self) -> &'static str {
        match self {
            Semver::Major => "major",
            Semver::Minor => "minor",
            Semver::Patch => "patch",
            Semver::None => "none",
        }
    }

    /// The version after `current` (`x.y.z`) under the rules cargo applies: below 1.0 the first
    /// non-zero component is the breaking one, so a breaking change moves `0.y` and anything
    /// else moves only the last component (cargo treats `0.y.z` → `0.y.(z+1)` as compatible).
    pub fn next_version(self, current: &str) -> Result<String, String> {
        let parts: Vec<u64> = current
            .split('.')
            .map(|p| p.parse::<u64>())
            .collect::<Result<_, _>>()
            .map_err(|_| format!("`{current}` is not a plain x.y.z version"))?;
        let [major, minor, patch] = parts[..] else {
            return Err(format!("`{current}` is not a plain x.y.z version"));
        };
        let next = match (self, major) {
            (Semver::None, _) => (major, minor, patch),
            (Semver::Major, 0) => (0, minor + 1, 0),
            (Semver::Minor | Semver::Patch, 0) => (0, minor, patch + 1),
            (Semver::Major, _) => (major + 1, 0, 0),
            (Semver::Minor, _) => (major, minor + 1, 0),
            (Semver::Patch, _) => (major, minor, patch + 1),
        };
        Ok(format!("{}.{}.{}", next.0, next.1, next.2))
    }
}

/// A piece of a change's text: our own words, or a code span holding a name, type or spec text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    Code(String),
}

/// One line of report text, built from segments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line(pub Vec<Segment>);

impl Line {
    pub(crate) fn text(mut self, text: &str) -> Self {
        self.0.push(Segment::Text(text.to_owned()));
        self
    }

    pub(crate) fn code(mut self, code: impl Into<String>) -> Self {
        self.0.push(Segment::Code(code.into()));
        self
    }

    pub(crate) fn append(mut self, other: Line) -> Self {
        self.0.extend(other.0);
        self
    }

    /// Plain text, code in backticks (for JSON and terminals).
    pub fn plain(&self) -> String {
        self.0
            .iter()
            .map(|s| match s {
                Segment::Text(t) => t.clone(),
                Segment::Code(c) => format!("`{c}`"),
            })
            .collect()
    }
}

pub(crate) fn line() -> Line {
    Line::default()
}

impl Serialize for Line {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.plain())
    }
}

/// What a change is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Subject {
    /// An operation, by its call (`client.serverless().chat().complete`).
    Operation {
        operation_id: String,
        call: String,
        /// The old operation id, when the operation was matched by its route under a new id.
        #[serde(skip_serializing_if = "Option::is_none")]
        renamed_from: Option<String>,
    },
    /// A model type, by its Rust name.
    Model { name: String },
    /// The crate as a whole (features, `ErrorBody`, defaults).
    Crate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub class: Class,
    /// The API family section this belongs to: a family, `models` (used by several families
    /// or none) or `crate`.
    pub section: String,
    pub subject: Subject,
    /// Machine-readable kind: `operation-added`, `argument-added`, `field-type-changed`, ...
    pub kind: &'static str,
    /// The argument, setter, field, variant or status the change is about (for a renamed type:
    /// its old name), as the old crate spells it where it existed there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    pub summary: Line,
    /// The consequence for code, when the class alone does not say it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Line>,
    /// The page of the item in the new crate's docs, relative to the crate directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecInfo {
    pub title: String,
    pub version: String,
    pub sha256: String,
    pub operations: usize,
    pub types: usize,
}

impl SpecInfo {
    fn of(api: &Api) -> Self {
        Self {
            title: api.title.clone(),
            version: api.version.clone(),
            sha256: api.spec_sha256.clone(),
            operations: api.operations.iter().filter(|o| !o.ignored).count(),
            types: api.types.len(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub breaking: usize,
    pub additive: usize,
    pub docs_only: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub old: SpecInfo,
    pub new: SpecInfo,
    pub semver: Semver,
    pub counts: Counts,
    /// Sections in crate order (families, then `models`, then `crate`); within one, breaking
    /// first.
    pub changes: Vec<Change>,
}

impl Report {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Sections in report order, each with its changes.
    pub fn sections(&self) -> Vec<(&str, Vec<&Change>)> {
        let mut out: Vec<(&str, Vec<&Change>)> = Vec::new();
        for change in &self.changes {
            match out.iter_mut().find(|(s, _)| *s == change.section) {
                Some((_, list)) => list.push(change),
                None => out.push((&change.section, vec![change])),
            }
        }
        out
    }
}

/// Collects the changes of one item (an operation or a model), each summary starting with the
/// item's name.
pub(crate) struct Recorder {
    section: String,
    subject: Subject,
    name: String,
    link: Option<String>,
    /// The member the next change is about (see [`Change::member`]).
    member: Option<String>,
    pub out: Vec<Change>,
}

impl Recorder {
    pub(crate) fn new(section: &str, subject: Subject, name: &str, link: Option<String>) -> Self {
        Self {
            section: section.to_owned(),
            subject,
            name: name.to_owned(),
            link,
            member: None,
            out: Vec::new(),
        }
    }

    pub(crate) fn on(&mut self, member: &str) -> &mut Self {
        self.member = Some(member.to_owned());
        self
    }

    pub(crate) fn push(
        &mut self,
        class: Class,
        kind: &'static str,
        summary: Line,
        note: Option<Line>,
    ) {
        self.out.push(Change {
            class,
            section: self.section.clone(),
            subject: self.subject.clone(),
            kind,
            member: self.member.take(),
            summary: line().code(&self.name).text(": ").append(summary),
            note,
            link: self.link.clone(),
        });
    }

    pub(crate) fn breaking_count(&self) -> usize {
        self.out
            .iter()
            .filter(|c| c.class == Class::Breaking)
            .count()
    }
}

/// Section names besides the families.
pub(crate) const MODELS_SECTION: &str = "models";
pub(crate) const CRATE_SECTION: &str = "crate";

/// The report from `old` to `new`.
pub fn diff(old: &Api, new: &Api) -> Report {
    let old_view = ApiView::new(old);
    let new_view = ApiView::new(new);
    let mut changes = operations::compare(&old_view, &new_view);
    changes.extend(models::compare(&old_view, &new_view));
    changes.extend(operations::compare_crate(&old_view, &new_view));

    let mut order: Vec<String> = new_view.families.clone();
    order.extend(
        old_view
            .families
            .iter()
            .filter(|f| !new_view.families.contains(f))
            .cloned(),
    );
    order.push(MODELS_SECTION.into());
    order.push(CRATE_SECTION.into());
    let rank = |section: &str| {
        order
            .iter()
            .position(|s| s == section)
            .unwrap_or(order.len())
    };
    // Stable: within a section and class, changes keep the order they were found in.
    changes.sort_by_key(|c| (rank(&c.section), c.class));

    let count = |class| changes.iter().filter(|c| c.class == class).count();
    let counts = Counts {
        breaking: count(Class::Breaking),
        additive: count(Class::Additive),
        docs_only: count(Class::DocsOnly),
    };
    let semver = if counts.breaking > 0 {
        Semver::Major
    } else if counts.additive > 0 {
        Semver::Minor
    } else if counts.docs_only > 0 {
        Semver::Patch
    } else {
        Semver::None
    };
    Report {
        old: SpecInfo::of(old),
        new: SpecInfo::of(new),
        semver,
        counts,
        changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_move_as_cargo_reads_them() {
        assert_eq!(Semver::Major.next_version("0.1.0").unwrap(), "0.2.0");
        assert_eq!(Semver::Major.next_version("0.2.3").unwrap(), "0.3.0");
        assert_eq!(Semver::Minor.next_version("0.2.3").unwrap(), "0.2.4");
        assert_eq!(Semver::Patch.next_version("0.2.3").unwrap(), "0.2.4");
        assert_eq!(Semver::None.next_version("0.2.3").unwrap(), "0.2.3");
        assert_eq!(Semver::Major.next_version("1.2.3").unwrap(), "2.0.0");
        assert_eq!(Semver::Minor.next_version("1.2.3").unwrap(), "1.3.0");
        assert_eq!(Semver::Patch.next_version("1.2.3").unwrap(), "1.2.4");
        assert!(Semver::Patch.next_version("1.2").is_err());
        assert!(Semver::Patch.next_version("1.2.3-beta").is_err());
    }
}

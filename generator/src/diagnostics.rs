//! Problems found in a spec, each tied to a JSON pointer (and, when the source is known,
//! a line), collected so one run reports several at once.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Generation went on; the output is correct but the author should know.
    Warning,
    /// Generation cannot produce a correct crate.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// JSON pointer into the spec (`/components/schemas/Foo/properties/bar`), or empty.
    pub pointer: String,
    /// 1-based line in the spec file, filled in by [`crate::spec::SpecDocument::locate`].
    pub line: Option<usize>,
    pub message: String,
    /// A second location the message refers to (the other side of a name collision).
    pub related: Option<(String, Option<usize>)>,
}

impl Diagnostic {
    pub fn error(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            pointer: pointer.into(),
            line: None,
            message: message.into(),
            related: None,
        }
    }

    pub fn warning(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(pointer, message)
        }
    }

    pub fn with_related(mut self, pointer: impl Into<String>) -> Self {
        self.related = Some((pointer.into(), None));
        self
    }
}

/// Every diagnostic of one run, with the file they refer to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    pub file: PathBuf,
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new(file: &Path) -> Self {
        Self {
            file: file.to_path_buf(),
            items: Vec::new(),
        }
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }
}

fn write_location(
    f: &mut fmt::Formatter<'_>,
    file: &Path,
    line: Option<usize>,
    pointer: &str,
) -> fmt::Result {
    write!(f, "{}", file.display())?;
    if let Some(line) = line {
        write!(f, ":{line}")?;
    }
    if !pointer.is_empty() {
        write!(f, " (at #{pointer})")?;
    }
    Ok(())
}

/// More diagnostics than this are counted, not listed: one broken schema at the end of a
/// 3,000-step chain would otherwise print thousands of lines.
pub const MAX_LISTED: usize = 100;

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.errors().count();
        let warnings = self.items.len() - errors;
        // Errors first, so a cut never hides the reason the run failed.
        let mut listed: Vec<&Diagnostic> = self.errors().collect();
        listed.extend(self.warnings());
        for d in listed.iter().take(MAX_LISTED) {
            let label = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            write!(f, "{label}: ")?;
            write_location(f, &self.file, d.line, &d.pointer)?;
            write!(f, ": {}", d.message)?;
            if let Some((pointer, line)) = &d.related {
                write!(f, "; see also ")?;
                write_location(f, &self.file, *line, pointer)?;
            }
            writeln!(f)?;
        }
        if listed.len() > MAX_LISTED {
            writeln!(f, "... {} more not listed", listed.len() - MAX_LISTED)?;
        }
        write!(
            f,
            "{errors} error(s), {warnings} warning(s) in {}",
            self.file.display()
        )
    }
}

impl std::error::Error for Diagnostics {}

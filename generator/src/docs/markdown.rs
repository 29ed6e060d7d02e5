//! Markdown text helpers: table cells, code spans, prose from the spec, anchors and links.
//!
//! Spec text is markdown written for the Friendli docs site (Mintlify). Placed in our pages it
//! must not break their structure: a `|` would split a table cell, a newline would end a table
//! row, a line starting with `#` would add a heading (and shift anchors), and a root-relative
//! link (`/guides/...`) only resolves on that site.

use std::collections::BTreeMap;

/// Text for one table cell: `|` escaped, newlines folded (paragraph breaks become `<br>`);
/// root-relative links are made absolute with the page (`absolute_links`).
pub(crate) fn cell(text: &str) -> String {
    let text = spec_text(text);
    let mut out = String::with_capacity(text.len());
    for (i, paragraph) in paragraphs(&text).iter().enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        out.push_str(paragraph);
    }
    escape_pipes(&out)
}

/// A single line of text (link titles, list items): newlines folded to spaces.
pub(crate) fn one_line(text: &str) -> String {
    spec_text(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first paragraph of a text, on one line (index summaries, operation lists).
pub(crate) fn first_paragraph(text: &str) -> String {
    paragraphs(&spec_text(text))
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// Paragraphs of a text, each on one line.
fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                out.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

fn escape_pipes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut backslashes = 0;
    for c in text.chars() {
        // A `|` already preceded by an odd number of backslashes is escaped.
        if c == '|' && backslashes % 2 == 0 {
            out.push('\\');
        }
        backslashes = if c == '\\' { backslashes + 1 } else { 0 };
        out.push(c);
    }
    out
}

/// An inline code span holding `text` verbatim (see [`crate::neutralise::inline_code`]).
pub(crate) fn code_span(text: &str) -> String {
    crate::neutralise::inline_code(text)
}

/// A code span that is safe in a table cell.
pub(crate) fn code_cell(text: &str) -> String {
    escape_pipes(&code_span(text))
}

/// A fence for a code block holding `text`: at least `min` backticks, longer than any run inside.
pub(crate) fn fence_for(text: &str, min: usize) -> String {
    "`".repeat(min.max(crate::neutralise::longest_run(text, '`') + 1))
}

/// Spec prose as a block of a page: headings inside it are escaped (they would add headings to
/// our page and shift its anchors), root-relative links made absolute; fenced code is kept.
pub(crate) fn prose(text: &str) -> String {
    let text = spec_text(text.trim());
    let mut out = String::with_capacity(text.len() + 16);
    let mut fence: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(open) = &fence {
            if trimmed.starts_with(open.as_str())
                && trimmed.trim_end().chars().all(|c| c == '`' || c == '~')
            {
                fence = None;
            }
        } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            let marker = trimmed.chars().next().unwrap_or('`');
            let open: String = trimmed.chars().take_while(|c| *c == marker).collect();
            // The only Rust blocks on our pages are the examples the docs test compiles; Rust
            // in a description is shown as text.
            let info = trimmed[open.len()..].trim();
            if info == "rust" || info == "rs" || info.starts_with("rust,") {
                out.push_str(&line[..line.len() - trimmed.len()]);
                out.push_str(&open);
                out.push_str("text\n");
                fence = Some(open);
                continue;
            }
            fence = Some(open);
        } else if let Some(parts) = callout_parts(trimmed) {
            for part in parts {
                let blank = part.is_empty();
                if !(blank && (out.is_empty() || out.ends_with("\n\n"))) {
                    out.push_str(part);
                    out.push('\n');
                }
            }
            continue;
        } else if trimmed.starts_with('#') {
            let indent = &line[..line.len() - trimmed.len()];
            out.push_str(indent);
            out.push('\\');
            out.push_str(trimmed.trim_end());
            out.push('\n');
            continue;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if let Some(open) = fence {
        // An unterminated fence would swallow the rest of our page.
        out.push_str(&open);
        out.push('\n');
    }
    out.trim_end().to_owned()
}

/// Mintlify's callout components.
const CALLOUTS: &[&str] = &["Info", "Tip", "Warning", "Note", "Check", "Danger"];

/// A line that opens or closes a callout, split so that each tag stands on its own line with
/// blank lines inside: CommonMark then renders the markdown between the tags (an HTML block
/// would otherwise run to the next blank line and show `**Beta**` as typed). `""` is a blank
/// line.
fn callout_parts(line: &str) -> Option<Vec<&str>> {
    let line = line.trim_end();
    let open = CALLOUTS
        .iter()
        .map(|name| {
            (
                name.len() + 2,
                line.starts_with('<')
                    && line[1..].starts_with(name)
                    && line[1 + name.len()..].starts_with('>'),
            )
        })
        .find(|(_, hit)| *hit)
        .map(|(len, _)| len);
    let close = CALLOUTS
        .iter()
        .map(|name| {
            (
                name.len() + 3,
                line.ends_with('>')
                    && line.len() >= name.len() + 3
                    && line[..line.len() - 1].ends_with(name)
                    && line[..line.len() - 1 - name.len()].ends_with("</"),
            )
        })
        .find(|(_, hit)| *hit)
        .map(|(len, _)| len);
    if open.is_none() && close.is_none() {
        return None;
    }
    let start = open.unwrap_or(0);
    let end = line.len() - close.unwrap_or(0);
    let mut parts = Vec::new();
    if open.is_some() {
        parts.extend(["", &line[..start], ""]);
    }
    if start < end {
        let inner = line[start..end].trim();
        if !inner.is_empty() {
            parts.push(inner);
        }
    }
    if close.is_some() {
        parts.extend(["", &line[end..], ""]);
    }
    Some(parts)
}

/// Prose as a block quote (`> ` before every line).
pub(crate) fn blockquote(text: &str) -> String {
    prose(text)
        .lines()
        .map(|line| {
            if line.is_empty() {
                ">".to_owned()
            } else {
                format!("> {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Spec text made harmless (see [`crate::neutralise::markdown`]). Every helper here that takes
/// spec prose starts with this; root-relative links are made absolute once per page
/// ([`absolute_links`], from `Output::page`).
fn spec_text(text: &str) -> String {
    crate::neutralise::markdown(text)
}

/// `[text](/path)` → `[text](<site>/path)` (the configured docs site); other links are kept.
pub(crate) fn absolute_links(text: &str, site: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("](/") {
        let (before, after) = rest.split_at(at + 2);
        out.push_str(before);
        // `//host/...` is protocol-relative, not site-relative.
        if !after.starts_with("//") {
            out.push_str(site);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Link text: brackets escaped so they cannot end the link early.
pub(crate) fn link_text(text: &str) -> String {
    one_line(text)
        .replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

/// GitHub's heading anchors: lower case, punctuation dropped, spaces to `-`, and `-1`, `-2`, …
/// appended to repeats, in page order.
#[derive(Default)]
pub(crate) struct Anchors {
    seen: BTreeMap<String, usize>,
}

impl Anchors {
    /// The anchor of the next heading with this (rendered) text.
    pub(crate) fn next(&mut self, heading: &str) -> String {
        let base = slug(heading);
        let count = self.seen.entry(base.clone()).or_insert(0);
        let anchor = if *count == 0 {
            base.clone()
        } else {
            format!("{base}-{count}")
        };
        *count += 1;
        // A generated `foo-1` can itself collide with a later heading `foo-1`.
        if anchor != base {
            self.seen.entry(anchor.clone()).or_insert(1);
        }
        anchor
    }
}

pub(crate) fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// The path from the directory of page `from` to file `to`, both relative to the crate root.
pub(crate) fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from
        .split('/')
        .collect::<Vec<_>>()
        .split_last()
        .map(|(_, dir)| dir.to_vec())
        .unwrap_or_default();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<&str> = vec![".."; from_dir.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_fold_lines() {
        assert_eq!(cell("a | b\nc\n\nd"), "a \\| b c<br>d");
        assert_eq!(cell("already \\| escaped"), "already \\| escaped");
        assert_eq!(
            absolute_links(
                &cell("see [x](/guides/a#b), [y](//cdn/z)"),
                "https://docs.example"
            ),
            "see [x](https://docs.example/guides/a#b), [y](//cdn/z)"
        );
    }

    #[test]
    fn code_spans_hold_backticks() {
        assert_eq!(code_span("a"), "`a`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x`"), "`` `x` ``");
        assert_eq!(code_cell("a|b"), "`a\\|b`");
    }

    #[test]
    fn prose_escapes_headings_outside_fences() {
        assert_eq!(
            prose("# Title\ntext\n```\n# kept\n```"),
            "\\# Title\ntext\n```\n# kept\n```"
        );
        assert_eq!(prose("```rust\nopen"), "```text\nopen\n```");
        assert_eq!(prose("~~~ rust\nfn x() {}\n~~~"), "~~~text\nfn x() {}\n~~~");
    }

    #[test]
    fn callouts_get_blank_lines_inside() {
        assert_eq!(
            prose("Intro\n<Info>\nThis API is in **Beta**.\nMore.\n</Info>\nAfter"),
            "Intro\n\n<Info>\n\nThis API is in **Beta**.\nMore.\n\n</Info>\n\nAfter"
        );
        assert_eq!(
            prose("<Warning>Not **supported**.</Warning>"),
            "<Warning>\n\nNot **supported**.\n\n</Warning>"
        );
        assert_eq!(prose("```\n<Note>\n```"), "```\n<Note>\n```");
        assert_eq!(prose("<Infobox> stays"), "&lt;Infobox> stays");
    }

    #[test]
    fn anchors_follow_github() {
        let mut a = Anchors::default();
        assert_eq!(a.next("Overview"), "overview");
        assert_eq!(a.next("get_cost"), "get_cost");
        assert_eq!(a.next("Example Usage"), "example-usage");
        assert_eq!(a.next("Example Usage"), "example-usage-1");
        assert_eq!(a.next("`Foo` (bar)"), "foo-bar");
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative("docs/sdks/container/image/README.md", "docs/models/a.md"),
            "../../../models/a.md"
        );
        assert_eq!(relative("docs/models/a.md", "docs/models/b.md"), "b.md");
        assert_eq!(
            relative("README.md", "docs/sdks/x/README.md"),
            "docs/sdks/x/README.md"
        );
        assert_eq!(relative("docs/llms.txt", "README.md"), "../README.md");
    }
}

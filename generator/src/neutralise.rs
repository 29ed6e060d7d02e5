//! Spec text is untrusted: it is written by someone else and changes every week. Every spec
//! string that reaches an output file passes one function here for its context, so that it is
//! shown, never obeyed:
//!
//! - [`visible`]: for every context; drops control characters (NUL, escape sequences) and the
//!   bidirectional overrides that make text read differently from how it runs (rustc denies
//!   them in comments and literals: `text_direction_codepoint_in_comment`).
//! - [`markdown`]: spec prose in a markdown page; raw HTML (`<script>`, `</details>`, an
//!   unterminated `<!--` that would hide the rest of the page) is escaped outside code, except
//!   the Mintlify callouts the spec's pages are written with.
//! - [`toml_string`]: a quoted TOML string for `Cargo.toml`.
//!
//! Rust doc comments go through `rust::docs::sanitize` (which starts with [`visible`]); Rust
//! string literals are escaped by `proc_macro2`; identifiers come from `lower::naming`.

use std::borrow::Cow;

/// Bidirectional formatting characters (Trojan Source, CVE-2021-42574).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// The text without control characters (tabs and newlines stay; CR and the Unicode line and
/// paragraph separators become newlines) and without bidirectional overrides.
pub fn visible(text: &str) -> Cow<'_, str> {
    let keep = |c: char| (c == '\n' || c == '\t' || !c.is_control()) && !is_bidi_control(c);
    let newline = |c: char| matches!(c, '\r' | '\u{2028}' | '\u{2029}');
    // Most text is printable ASCII, which a byte scan settles without decoding characters.
    let plain_ascii = |b: &u8| matches!(b, b' '..=b'~' | b'\n' | b'\t');
    if text.as_bytes().iter().all(plain_ascii) || text.chars().all(|c| keep(c) && !newline(c)) {
        return Cow::Borrowed(text);
    }
    let text = text.replace("\r\n", "\n");
    Cow::Owned(
        text.chars()
            .map(|c| if newline(c) { '\n' } else { c })
            .filter(|c| keep(*c))
            .collect(),
    )
}

/// Mintlify's callouts: the spec's `x-mint` content uses them, and they carry no attributes.
const CALLOUTS: &[&str] = &["Info", "Tip", "Warning", "Note", "Check", "Danger"];

/// Spec prose for a markdown page: [`visible`], then every `<` outside code spans and fenced
/// blocks escaped as `&lt;`, except a bare callout tag (`<Info>`, `</Info>`).
pub fn markdown(text: &str) -> String {
    let text = visible(text);
    let mut out = String::with_capacity(text.len() + 16);
    let mut fence: Option<String> = None;
    let mut paragraph = String::new();
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        match &fence {
            Some(open) => {
                out.push_str(line);
                if trimmed.starts_with(open.as_str())
                    && trimmed.trim_end().chars().all(|c| c == '`' || c == '~')
                {
                    fence = None;
                }
            }
            None if trimmed.starts_with("```") || trimmed.starts_with("~~~") => {
                out.push_str(&escape_html(&std::mem::take(&mut paragraph)));
                let marker = trimmed.chars().next().unwrap_or('`');
                fence = Some(trimmed.chars().take_while(|c| *c == marker).collect());
                out.push_str(line);
            }
            None => paragraph.push_str(line),
        }
    }
    out.push_str(&escape_html(&paragraph));
    out
}

/// Escapes HTML in text that holds no fenced block; code spans are kept verbatim (a code span
/// shows `<` as it is, and `&lt;` in one would show literally).
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['`', '<']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('`') {
            let run = rest.len() - rest.trim_start_matches('`').len();
            let after = &rest[run..];
            match find_closing_run(after, run) {
                Some(end) => {
                    let span_len = run + end + run;
                    out.push_str(&rest[..span_len]);
                    rest = &rest[span_len..];
                }
                None => {
                    out.push_str(&rest[..run]);
                    rest = after;
                }
            }
        } else {
            match callout_tag(rest) {
                Some(len) => {
                    out.push_str(&rest[..len]);
                    rest = &rest[len..];
                }
                None => {
                    out.push_str("&lt;");
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where a backtick run of exactly `len` starts in `text`, if any.
fn find_closing_run(text: &str, len: usize) -> Option<usize> {
    let mut offset = 0;
    while let Some(at) = text[offset..].find('`') {
        let start = offset + at;
        let run = text[start..].len() - text[start..].trim_start_matches('`').len();
        if run == len {
            return Some(start);
        }
        offset = start + run;
    }
    None
}

/// The length of a bare callout tag at the start of `text`.
fn callout_tag(text: &str) -> Option<usize> {
    let inner = text.strip_prefix('<')?;
    let inner = inner.strip_prefix('/').unwrap_or(inner);
    let name_len = inner.find('>')?;
    CALLOUTS
        .contains(&&inner[..name_len])
        .then(|| text.len() - inner.len() + name_len + 1)
}

/// Spec text on one line, inside a sentence of ours (a doc comment line, a heading): visible,
/// HTML escaped, whitespace folded, so it can neither open a code fence nor end the line.
pub fn one_line(text: &str) -> String {
    markdown(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// An inline code span holding `text` verbatim, for any text: the fence is one backtick longer
/// than the longest run inside, and padded when the text starts or ends with a backtick.
pub fn inline_code(text: &str) -> String {
    let text = visible(text).replace('\n', " ");
    let fence = "`".repeat(longest_run(&text, '`') + 1);
    let pad = if text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty())
    {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Text for an attribute value inside an HTML comment of ours (`<!-- UsageSnippet path="…" -->`):
/// one line, and neither the quote nor a `--` or `>` that would end the attribute or the comment.
pub fn html_attribute(text: &str) -> String {
    let mut value = visible(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    while value.contains("--") {
        value = value.replace("--", "-&#45;");
    }
    value
}

/// The longest run of `c` in `text` (a code fence must be longer than any run inside it).
pub(crate) fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// A quoted TOML basic string holding the text's visible characters; quotes, backslashes
/// and newlines escaped by the `toml` crate, so no spec text can end the string.
pub fn toml_string(text: &str) -> String {
    toml::Value::String(visible(text).into_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_dropped() {
        assert_eq!(visible("a\0b\u{202E}c\u{2066}d\x1b[31me"), "abcd[31me");
        assert_eq!(
            visible("one\r\ntwo\rthree\u{2028}four"),
            "one\ntwo\nthree\nfour"
        );
        assert!(matches!(visible("plain\ttext\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn html_is_escaped_outside_code_and_callouts() {
        assert_eq!(
            markdown("<script>alert(1)</script> and </details> <!-- hidden"),
            "&lt;script>alert(1)&lt;/script> and &lt;/details> &lt;!-- hidden"
        );
        assert_eq!(
            markdown("<Info>\n**Beta**\n</Info>"),
            "<Info>\n**Beta**\n</Info>"
        );
        assert_eq!(markdown("<Info onclick=\"x\">"), "&lt;Info onclick=\"x\">");
        assert_eq!(
            markdown("use `Vec<u8>` or `` a<b ``"),
            "use `Vec<u8>` or `` a<b ``"
        );
        assert_eq!(markdown("a lone ` then <b>"), "a lone ` then &lt;b>");
        assert_eq!(
            markdown("text <b>\n```html\n<div>\n```\nafter <i>"),
            "text &lt;b>\n```html\n<div>\n```\nafter &lt;i>"
        );
    }

    #[test]
    fn inline_text_stays_on_its_line() {
        assert_eq!(
            one_line("a\n```rust\nexit(1);\n```\n<b>"),
            "a ```rust exit(1); ``` &lt;b>"
        );
        assert_eq!(inline_code("a`b"), "``a`b``");
        assert_eq!(inline_code("`x"), "`` `x ``");
        assert_eq!(inline_code("/v1/\n```rust"), "````/v1/ ```rust````");
    }

    #[test]
    fn attributes_cannot_end_their_comment() {
        let value = html_attribute("/v1/\" --> <script>");
        assert!(
            !value.contains('"') && !value.contains("--") && !value.contains('>'),
            "{value}"
        );
        assert_eq!(html_attribute("/v1/{id}"), "/v1/{id}");
    }

    #[test]
    fn toml_strings_cannot_be_ended_early() {
        let title = "X\"\n[dependencies.evil]\npath = \"/tmp/evil\"\n#";
        let manifest = format!("[package]\ndescription = {}\n", toml_string(title));
        let parsed: toml::Table = manifest.parse().unwrap();
        assert_eq!(parsed.len(), 1);
        assert_eq!(
            parsed["package"]["description"].as_str(),
            Some(title.replace('\r', "").as_str())
        );
        assert!(!toml_string("a\0b").contains('\0'));
    }

    #[test]
    fn rust_string_literals_escape_bidi_overrides() {
        // Spec strings reach Rust as literals through `quote`; rustc denies a raw U+202E in a
        // literal (`text_direction_codepoint_in_literal`), so the literal must escape it.
        let literal = proc_macro2::Literal::string("a\u{202E}b\0c");
        let text = literal.to_string();
        assert!(!text.contains('\u{202E}') && !text.contains('\0'), "{text}");
    }
}

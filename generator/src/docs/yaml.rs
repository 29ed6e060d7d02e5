//! YAML for the API pages' embedded OpenAPI documents, written the way the seed pages are:
//! block style, sequences indented under their key, long text folded (`>-`) to fit
//! [`WIDTH`] columns, text with line breaks as written (`|-`) when its lines fit, and every string a YAML 1.1 reader would take for something else
//! (`2025-01-01T00:00:00Z`, `yes`, `on`, `1:20`, `0o17`) quoted. Mintlify and many other tools
//! still read YAML 1.1, where those are dates, booleans and numbers.
//!
//! A string is written plain only when a conservative test says no reader can take it for
//! anything else; otherwise single-quoted, folded, or (for control characters and other
//! awkward text) double-quoted with escapes, which holds any string.

use serde_json::{Map, Value};

/// The widest line the writer aims for; a single word longer than that stays whole.
pub(crate) const WIDTH: usize = 100;

/// The document as YAML (block style, ending with a newline).
pub(crate) fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0, false),
        Value::Array(items) if !items.is_empty() => write_seq(&mut out, items, 0),
        scalar => {
            write_scalar(&mut out, scalar, 0, 0);
            out.push('\n');
        }
    }
    out
}

/// One `key: value` entry of a block mapping at `indent`, as [`to_yaml`] writes it there: a
/// mapping's text is its entries' texts one after another.
pub(crate) fn map_entry(key: &str, value: &Value, indent: usize) -> String {
    let mut out = String::new();
    push_indent(&mut out, indent);
    let key = key_text(key);
    out.push_str(&key);
    out.push(':');
    write_value(&mut out, value, indent, indent + key.chars().count() + 1);
    out
}

/// The `key:` line that opens a non-empty block mapping's entry at `indent`, whose own entries
/// follow at `indent + 2`.
pub(crate) fn map_key(key: &str, indent: usize) -> String {
    let mut out = String::new();
    push_indent(&mut out, indent);
    out.push_str(&key_text(key));
    out.push_str(":\n");
    out
}

fn write_map(out: &mut String, map: &Map<String, Value>, indent: usize, first_inline: bool) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !first_inline {
            push_indent(out, indent);
        }
        let key = key_text(key);
        out.push_str(&key);
        out.push(':');
        write_value(out, value, indent, indent + key.chars().count() + 1);
    }
}

fn write_seq(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        push_indent(out, indent);
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                out.push(' ');
                write_map(out, map, indent + 2, true);
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_seq(out, inner, indent + 2);
            }
            scalar => {
                out.push(' ');
                write_scalar(out, scalar, indent + 2, indent + 2);
                out.push('\n');
            }
        }
    }
}

/// The value after `key:` at `indent`; `column` is where the colon ended.
fn write_value(out: &mut String, value: &Value, indent: usize, column: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, map, indent + 2, false);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(out, items, indent + 2);
        }
        scalar => {
            out.push(' ');
            write_scalar(out, scalar, indent + 2, column + 1);
            out.push('\n');
        }
    }
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A scalar starting at `column`; a folded block's lines are indented by `block_indent`.
fn write_scalar(out: &mut String, value: &Value, block_indent: usize, column: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_text(n)),
        Value::String(s) => out.push_str(&string_text(s, block_indent, column)),
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
    }
}

/// serde_json writes `1e-5`; YAML 1.1 reads a float only with a dot (`1.0e-5`).
fn number_text(n: &serde_json::Number) -> String {
    let text = n.to_string();
    match text.find(['e', 'E']) {
        Some(at) if !text[..at].contains('.') => format!("{}.0{}", &text[..at], &text[at..]),
        _ => text,
    }
}

fn key_text(key: &str) -> String {
    if is_plain_safe(key) {
        key.to_owned()
    } else if key.chars().all(is_quotable) {
        single_quoted(key)
    } else {
        double_quoted(key)
    }
}

fn string_text(s: &str, block_indent: usize, column: usize) -> String {
    let fits = column + s.chars().count() <= WIDTH;
    if !s.contains('\n') && (fits || !can_fold(s)) {
        if is_plain_safe(s) {
            return s.to_owned();
        }
        if s.chars().all(is_quotable) {
            return single_quoted(s);
        }
        return double_quoted(s);
    }
    if !can_fold(s) {
        return double_quoted(s);
    }
    // Text with line breaks reads best as written (`|`) unless a line needs folding.
    let lines_fit = s
        .lines()
        .all(|line| block_indent + line.chars().count() <= WIDTH);
    if s.contains('\n') && lines_fit {
        literal(s, block_indent)
    } else {
        folded(s, block_indent)
    }
}

/// Chomping indicator by the number of final line breaks, and the text without them.
fn chomping(s: &str) -> (&'static str, &str, usize) {
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    (chomp, body, trailing)
}

/// `|-` (or `|` / `|+`): the lines as they are; the same conditions as [`folded`].
fn literal(s: &str, indent: usize) -> String {
    let (chomp, body, trailing) = chomping(s);
    let mut out = format!("|{chomp}\n");
    for line in body.split('\n') {
        if !line.is_empty() {
            push_indent(&mut out, indent);
            out.push_str(line);
        }
        out.push('\n');
    }
    end_block(out, trailing)
}

/// `>+` and `|+` keep the last line's break and one more per empty line after it; the caller
/// ends the last line.
fn end_block(mut out: String, trailing: usize) -> String {
    for _ in 1..trailing {
        out.push('\n');
    }
    out.pop();
    out
}

/// Printable text other than line breaks, tabs and the characters some readers take for line
/// breaks or byte-order marks.
fn is_quotable(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// Whether `s` can be written without quotes and read back as the same string by a YAML 1.1
/// or 1.2 reader. Deliberately strict: anything that starts like a number, a date, a time or an
/// indicator is quoted.
fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    // One pass over the bytes for what most strings are (printable ASCII), finding `: ` and
    // ` #` on the way; other characters are checked one by one.
    let mut ascii = true;
    let mut previous = 0u8;
    for &byte in s.as_bytes() {
        match byte {
            b' '..=b'~' => {}
            0x80.. => ascii = false,
            _ => return false,
        }
        if matches!((previous, byte), (b':', b' ') | (b' ', b'#')) {
            return false;
        }
        previous = byte;
    }
    if (!ascii && !s.chars().all(is_quotable))
        || s.starts_with(' ')
        || s.ends_with(' ')
        || s.ends_with(':')
        || "-?:,[]{}#&*!|>'\"%@`".contains(first)
    {
        return false;
    }
    // Versions (`3.1.0`) are no number, date or time to any reader; other text starting with
    // a digit may be.
    if first.is_ascii_digit() {
        return s.chars().all(|c| c.is_ascii_digit() || c == '.')
            && s.matches('.').count() >= 2
            && !s.contains("..")
            && !s.ends_with('.');
    }
    // `+1`, `.5`, `.inf`, `-.inf`, `.NaN`
    let after_sign = s.trim_start_matches(['+', '-']);
    if after_sign.starts_with('.') || after_sign.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    const WORDS: &[&str] = &[
        "~", "null", "y", "yes", "n", "no", "true", "false", "on", "off", "<<", "=",
    ];
    !WORDS.iter().any(|w| s.eq_ignore_ascii_case(w))
}

fn single_quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Escapes every character that is not plainly printable, so any string fits.
fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_quotable(c) => out.push(c),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Whether the block styles (folded or literal) can hold `s` exactly: printable text, no tabs, no whitespace at
/// the start of the text or at the end of a line (the very end of a text without a final line
/// break aside), no whitespace-only lines, no leading line break.
fn can_fold(s: &str) -> bool {
    let lines: Vec<&str> = s.split('\n').collect();
    let last = lines.len() - 1;
    !s.is_empty()
        && !s.starts_with(['\n', ' '])
        && lines.iter().enumerate().all(|(i, line)| {
            line.chars().all(is_quotable)
                && (i == last || !line.ends_with(' '))
                && (line.is_empty() || !line.trim().is_empty())
        })
}

/// `>-` (or `>` / `>+` by trailing line breaks) with the text's lines folded at single spaces.
///
/// In a folded block, one line break between two text lines reads as a space and `k` empty
/// lines between them as `k` line breaks; next to a line that starts with a space (code in
/// markdown), line breaks and empty lines are kept as written.
fn folded(s: &str, indent: usize) -> String {
    let (chomp, body, trailing) = chomping(s);
    let mut out = format!(">{chomp}\n");
    let lines: Vec<&str> = body.split('\n').collect();
    let spaced = |line: &str| line.starts_with(' ');
    let mut previous: Option<&str> = None;
    let mut empties = 0;
    for line in &lines {
        if line.is_empty() {
            empties += 1;
            continue;
        }
        if let Some(prev) = previous {
            let blank_lines = if spaced(prev) || spaced(line) {
                empties
            } else {
                empties + 1
            };
            for _ in 0..blank_lines {
                out.push('\n');
            }
        }
        empties = 0;
        if spaced(line) {
            push_indent(&mut out, indent);
            out.push_str(line);
            out.push('\n');
        } else {
            for part in fold_line(line, WIDTH.saturating_sub(indent).max(40)) {
                push_indent(&mut out, indent);
                out.push_str(part);
                out.push('\n');
            }
        }
        previous = Some(line);
    }
    end_block(out, trailing)
}

/// Splits a line at single spaces between words into pieces of at most `width` characters
/// (a longer word stays whole). Joining the pieces with single spaces gives the line back.
fn fold_line(line: &str, width: usize) -> Vec<&str> {
    let bytes = line.as_bytes();
    let breaks: Vec<usize> = (1..bytes.len().saturating_sub(1))
        .filter(|&at| bytes[at] == b' ' && bytes[at - 1] != b' ' && bytes[at + 1] != b' ')
        .collect();
    let width_of = |from: usize, to: usize| line[from..to].chars().count();
    let mut pieces = Vec::new();
    let mut start = 0;
    while width_of(start, line.len()) > width {
        let mut after = breaks.iter().copied().filter(|&b| b > start);
        let chosen = after
            .clone()
            .take_while(|&b| width_of(start, b) <= width)
            .last()
            .or_else(|| after.next());
        let Some(at) = chosen else { break };
        pieces.push(&line[start..at]);
        start = at + 1;
    }
    pieces.push(&line[start..]);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(value: &Value) {
        let text = to_yaml(value);
        let back: Value =
            yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("not YAML ({e}):\n{text}"));
        assert_eq!(&back, value, "changed on the way:\n{text}");
    }

    #[test]
    fn strings_yaml_1_1_reads_as_other_things_are_quoted() {
        for s in [
            "2025-01-01T00:00:00Z",
            "2025-01-01",
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "~",
            "null",
            "1:20",
            "0o17",
            "0x1F",
            "1_000",
            ".5",
            ".inf",
            "-.Inf",
            "+1",
            "<<",
            "=",
            "3.5",
            "",
        ] {
            let text = to_yaml(&json!({ "k": s }));
            assert!(
                text.starts_with("k: '") || text.starts_with("k: \""),
                "{s:?} is not quoted: {text}"
            );
            round_trip(&json!({ "k": s }));
        }
        assert_eq!(to_yaml(&json!({"k": "plain text"})), "k: plain text\n");
        assert_eq!(to_yaml(&json!({"200": "x"})), "'200': x\n");
        assert_eq!(to_yaml(&json!({"openapi": "3.1.0"})), "openapi: 3.1.0\n");
        round_trip(&json!({"v": ["3.1.0", "1.2", "1.2.", "1..2"]}));
    }

    #[test]
    fn long_text_is_folded_within_the_width() {
        let long = "word ".repeat(60).trim_end().to_owned();
        let value = json!({ "a": { "description": long } });
        let text = to_yaml(&value);
        assert!(text.contains("description: >-\n"), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
        round_trip(&value);
    }

    #[test]
    fn awkward_strings_survive() {
        let cases = [
            "line one\nline two",
            "para one\n\npara two\n",
            "text\n  code block\n    more\n\nafter\n\n\n",
            "ends with two\n\n",
            " leading space",
            "trailing space ",
            "two trailing  ",
            "trailing space \nin the middle",
            "tab\there",
            "control \u{1} \u{7f} \u{85} \u{2028} \u{feff}",
            "quote ' and \" and \\",
            "a: b",
            "a #b",
            "- item",
            "#hash",
            "key:",
            "double  spaces  and a long line that goes on and on and on and on and on and on and on and on and on",
            "x\n\n  spaced\nnormal",
            "\nleading newline",
            "   \nblank-ish",
            "https://example.com/a?b=c#d",
        ];
        for s in cases {
            round_trip(&json!({ "k": s, "list": [s, { "k": s }], s: 1 }));
            let long = format!("{} {s} {}", "w ".repeat(60), "z ".repeat(60));
            round_trip(&json!({ "k": long, "list": [long.clone(), [long]] }));
        }
    }

    /// Thousands of strings made of the characters that matter to YAML, in every position.
    #[test]
    fn generated_strings_survive() {
        let hostile: Vec<char> =
            "ab 1 \n\n-:#'\"\\|>{}[],&*!%@`?.~\t\r\u{85}\u{a0}é\u{2028}\u{1f600}"
                .chars()
                .collect();
        // Mostly words, spaces and line breaks: the folded style's cases.
        // (The last seven characters, line breaks among them, are left out of every third.)
        let prose: Vec<char> = "aaaaaaaabbbbbbbb      -:#1.' \n\n".chars().collect();
        // A fixed linear congruential sequence: the same strings on every run.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut folded = 0;
        let mut next = |bound: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) as usize) % bound
        };
        let mut literal = 0;
        for i in 0..6000 {
            let alphabet = match i % 3 {
                0 => &hostile,
                1 => &prose,
                _ => &prose[..prose.len() - 7],
            };
            let len = next(300);
            let s: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            round_trip(&json!({ "k": s, "l": [s], "m": [{ "k": s }] }));
            folded += usize::from(to_yaml(&json!({ "k": s })).starts_with("k: >"));
            literal += usize::from(to_yaml(&json!({ "k": s })).starts_with("k: |"));
        }
        assert!(literal > 100, "the literal style was tried ({literal})");
        assert!(folded > 300, "the folded style was tried ({folded})");
    }

    #[test]
    fn structures_and_numbers_survive() {
        round_trip(&json!({
            "openapi": "3.1.0",
            "empty": {}, "none": [], "n": null, "t": true,
            "nums": [0, -1, 1.5, 1e-7, 12345678901234567890u64, 2.5e300],
            "nested": [[1, 2], [], [{}], { "a": [ { "b": "c" } ] }],
        }));
    }
}

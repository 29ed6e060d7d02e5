//! The markdown docs: snapshots of the seed operations' pages (real spec) and of every fixture's
//! pages, the seeds' structure, markdown hygiene, and a link checker over everything emitted.
//! The link checker and heading anchors here are written independently of the emitter's own.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use friendli_codegen::{FileSet, Generator};
use serde_json::Value;

fn real() -> (Generator, FileSet) {
    let generator = Generator::from_path(&common::real_spec()).unwrap_or_else(|e| panic!("{e}"));
    let docs = friendli_codegen::docs::emit_docs(&generator.plan(), generator.spec())
        .unwrap_or_else(|e| panic!("{e}"));
    (generator, docs)
}

fn page<'a>(docs: &'a FileSet, path: &str) -> &'a str {
    docs.files.get(path).unwrap_or_else(|| {
        panic!(
            "no page {path}; pages: {:?}",
            docs.files.keys().take(20).collect::<Vec<_>>()
        )
    })
}

/// A page without its `@generated` line (which names the spec's hash).
fn body(text: &str) -> &str {
    text.split_once('\n').map_or("", |(first, rest)| {
        assert!(
            first.contains("@generated"),
            "first line is the @generated header: {first}"
        );
        rest
    })
}

fn seed(name: &str) -> String {
    let path = common::workspace().join("../shared/seeds").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Markdown structure, read the way a renderer would.

/// Lines outside fenced code blocks, with their line numbers.
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        let run = marker.map_or(0, |m| trimmed.chars().take_while(|c| *c == m).count());
        match (fence, marker) {
            (None, Some(m)) if run >= 3 => fence = Some((m, run)),
            (Some((m, open)), Some(c))
                if c == m && run >= open && trimmed.trim_end().chars().all(|x| x == m) =>
            {
                fence = None
            }
            (None, _) => out.push((n + 1, line)),
            _ => {}
        }
    }
    assert!(fence.is_none(), "a code fence is never closed");
    out
}

/// `(level, text)` of every heading outside code, in order.
fn headings(text: &str) -> Vec<(usize, String)> {
    prose_lines(text)
        .into_iter()
        .filter_map(|(_, line)| {
            let level = line.chars().take_while(|c| *c == '#').count();
            let rest = line.get(level..)?;
            (level > 0 && level <= 6 && rest.starts_with(' '))
                .then(|| (level, rest.trim().to_owned()))
        })
        .collect()
}

/// Text with inline code spans removed (links inside code are not links).
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let run = rest[start..].chars().take_while(|c| *c == '`').count();
        let fence = "`".repeat(run);
        let after = &rest[start + run..];
        match after.find(&fence) {
            Some(end) => rest = &after[end + run..],
            None => {
                out.push_str(&rest[start..start + run]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// GitHub's anchor for a heading: link syntax reduced to its text, lower case, punctuation
/// dropped, spaces to `-`.
fn anchor(heading: &str) -> String {
    let mut text = String::new();
    let mut rest = heading;
    // `[label](target)` → `label`
    while let Some(open) = rest.find('[') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .find("](")
            .and_then(|close| after[close..].find(')').map(|end| (close, close + end)))
        {
            Some((close, end)) => {
                text.push_str(&after[..close]);
                rest = &after[end + 1..];
            }
            None => {
                text.push('[');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    text.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for (_, heading) in headings(text) {
        let base = anchor(&heading);
        let n = seen.entry(base.clone()).or_insert(0);
        out.insert(if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        });
        *n += 1;
    }
    out
}

/// Every link target `[..](target)` outside code.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in prose_lines(text) {
        if line.trim_start().starts_with("<!--") {
            continue;
        }
        let line = without_code_spans(line);
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            let target: String = rest[at + 2..]
                .chars()
                .take_while(|c| *c != ')' && !c.is_whitespace())
                .collect();
            out.push((n, target));
            rest = &rest[at + 2..];
        }
    }
    out
}

/// Resolves `target` against the directory of `page`.
fn resolve(page: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for segment in target.split('/') {
        match segment {
            "." | "" => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Every relative link of every page points to a file of the set (and to a heading of it).
fn check_links(docs: &FileSet) -> usize {
    let mut problems = Vec::new();
    let mut checked = 0;
    let anchor_sets: BTreeMap<&str, BTreeSet<String>> = docs
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".md"))
        .map(|(p, t)| (p.as_str(), anchors(t)))
        .collect();
    for (path, text) in docs
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".md") || p.ends_with(".txt"))
    {
        // Root-relative links resolve only on the docs site, wherever they are (the API pages'
        // YAML too: Mintlify renders those descriptions as markdown).
        for (n, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("](/") {
                rest = &rest[at + 3..];
                if !rest.starts_with('/') {
                    problems.push(format!(
                        "{path}:{}: root-relative link `/{}` resolves nowhere outside the docs site",
                        n + 1,
                        rest.split([')', ' ']).next().unwrap_or_default()
                    ));
                }
            }
        }
        for (line, target) in links(text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            if target.starts_with('/') {
                continue;
            }
            let (file, fragment) = target
                .split_once('#')
                .map_or((target.as_str(), None), |(f, a)| (f, Some(a)));
            let file = if file.is_empty() {
                Some(path.clone())
            } else {
                resolve(path, file)
            };
            let Some(file) = file.filter(|f| docs.files.contains_key(f)) else {
                problems.push(format!(
                    "{path}:{line}: `{target}` points to no generated file"
                ));
                continue;
            };
            if let Some(fragment) = fragment
                && !anchor_sets
                    .get(file.as_str())
                    .is_some_and(|a| a.contains(fragment))
            {
                problems.push(format!(
                    "{path}:{line}: `{target}`: {file} has no heading with anchor `{fragment}`"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} broken links:\n{}",
        problems.len(),
        problems.join("\n")
    );
    checked
}

/// Tables: every row has the header's cell count (so no `|` leaked from a cell and no row was
/// split by a newline), delimiter rows are unpadded, and no cell says `N/A`.
fn check_tables(docs: &FileSet) {
    let mut problems = Vec::new();
    for (path, text) in docs.files.iter().filter(|(p, _)| p.ends_with(".md")) {
        let mut columns: Option<usize> = None;
        for (n, line) in prose_lines(text) {
            if !line.starts_with('|') {
                columns = None;
                continue;
            }
            let cells = split_row(line);
            match columns {
                None => columns = Some(cells.len()),
                Some(c) if c != cells.len() => problems.push(format!(
                    "{path}:{n}: {} cells, the header has {c}: {line}",
                    cells.len()
                )),
                Some(_) => {}
            }
            if cells
                .iter()
                .all(|c| c.chars().all(|x| x == '-' || x == ':'))
                && cells.iter().any(|c| c.len() > 3)
            {
                problems.push(format!("{path}:{n}: padded delimiter row"));
            }
            if cells.iter().any(|c| c == "N/A") {
                problems.push(format!("{path}:{n}: N/A cell"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Cells of a table row, splitting at `|` not escaped by a backslash.
fn split_row(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let inner = inner
        .strip_suffix('|')
        .filter(|s| !s.ends_with('\\'))
        .unwrap_or(inner);
    let mut cells = vec![String::new()];
    let mut escaped = false;
    for c in inner.chars() {
        if c == '|' && !escaped {
            cells.push(String::new());
        } else {
            cells.last_mut().unwrap().push(c);
        }
        escaped = c == '\\' && !escaped;
    }
    cells.into_iter().map(|c| c.trim().to_owned()).collect()
}

/// The ````yaml … ```` block of an API page, parsed.
fn embedded_yaml(text: &str) -> Value {
    let start = text
        .find("````yaml")
        .unwrap_or_else(|| panic!("no yaml block in\n{text}"));
    let block = &text[start..];
    let body_start = block.find('\n').unwrap() + 1;
    let end = block[body_start..].find("\n````").unwrap();
    yaml_serde::from_str(&block[body_start..body_start + end])
        .unwrap_or_else(|e| panic!("the embedded document is YAML: {e}"))
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn seed_operation_pages() {
    let (_, docs) = real();
    for (sdk, body_model, api) in [
        (
            "docs/sdks/container/image/README.md",
            "docs/models/container_image_generation_body.md",
            "docs/api/container-images-generate.md",
        ),
        (
            "docs/sdks/dedicated/image/README.md",
            "docs/models/dedicated_image_generation_body.md",
            "docs/api/dedicated-images-generate.md",
        ),
    ] {
        let name = Path::new(api)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        insta::assert_snapshot!(format!("{name}.sdk"), body(page(&docs, sdk)));
        insta::assert_snapshot!(format!("{name}.model"), body(page(&docs, body_model)));
        insta::assert_snapshot!(format!("{name}.api"), body(page(&docs, api)));
    }
}

#[test]
fn fixture_pages() {
    insta::glob!("../../spec/fixtures", "*.yaml", |path| {
        let generator = Generator::from_path(path).unwrap_or_else(|e| panic!("{e}"));
        let docs = friendli_codegen::docs::emit_docs(&generator.plan(), generator.spec())
            .unwrap_or_else(|e| panic!("{e}"));
        check_links(&docs);
        check_tables(&docs);
        check_rust_blocks(&docs);
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        // The retry policy page is the same for every spec: it is shown once.
        let pages: String = docs
            .files
            .iter()
            .filter(|(p, _)| p.ends_with(".md") || p.ends_with(".txt"))
            .filter(|(p, _)| name == "operations" || !p.starts_with("docs/models/utils/"))
            .map(|(p, text)| format!("==== {p}\n{}", body(text)))
            .collect();
        insta::assert_snapshot!(format!("{name}.docs"), pages);
    });
}

/// Seed 000's SDK page: the same headings in the same order (per operation), and the same
/// Parameters columns.
#[test]
fn sdk_page_has_the_seed_structure() {
    let (_, docs) = real();
    let ours = page(&docs, "docs/sdks/container/image/README.md");
    let theirs = seed("000_d5a32e41a470570a.txt");
    let seed_headings = headings(&theirs);
    let our_headings = headings(ours);
    // The seed has one operation (`generate`); ours has the same prelude, then one section of
    // the seed's shape per operation (`generate` first).
    let op_start = seed_headings
        .iter()
        .position(|(level, text)| *level == 2 && text == "generate")
        .unwrap();
    let (prelude, section) = seed_headings.split_at(op_start);
    assert_eq!(&our_headings[..op_start], prelude);
    let sections: Vec<&[(usize, String)]> =
        our_headings[op_start..].chunks(section.len()).collect();
    assert_eq!(sections[0], section, "the generate section");
    for s in &sections {
        assert_eq!(s.len(), section.len());
        assert_eq!(s[0].0, 2);
        assert_eq!(
            &s[1..],
            &section[1..],
            "every operation section has the seed's sub-sections"
        );
    }
    // The namespace line right below the title.
    let second = |text: &str| {
        text.lines()
            .find(|l| !l.starts_with("<!--") && !l.starts_with('#'))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        second(&theirs).starts_with("(*")
            && second(ours).starts_with("(*client.container().image()*)"),
        "{}",
        second(ours)
    );
    // The Parameters table header.
    let header = |text: &str| {
        let after = &text[text.find("### Parameters").unwrap()..];
        split_row(after.lines().find(|l| l.starts_with('|')).unwrap())
    };
    assert_eq!(header(ours), header(&theirs));
    assert_eq!(
        header(ours),
        ["Parameter", "Type", "Required", "Description", "Example"]
    );
    // The Errors table: like the seed's, one catch-all row; a `422` without content adds none.
    let errors = |text: &str| -> Vec<Vec<String>> {
        let after = &text[text.find("### Errors").unwrap()..];
        after
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .skip(2)
            .map(split_row)
            .collect()
    };
    let rows = errors(ours);
    assert_eq!(rows.len(), errors(&theirs).len(), "{rows:?}");
    assert_eq!(rows[0][1], "4XX, 5XX");
    // The usage snippet comment names the operation.
    assert!(ours.contains(r#"<!-- UsageSnippet language="rust" operationID="containerImagesGenerate" method="post" path="/v1/images/generations" -->"#));
}

/// Seed 002's API page: the embedded document has the same top-level keys in the same order.
#[test]
fn api_page_slice_has_the_seed_keys() {
    let (_, docs) = real();
    let ours = embedded_yaml(page(&docs, "docs/api/container-images-generate.md"));
    let theirs = embedded_yaml(&seed("002_e42851fa789676e0.txt"));
    assert_eq!(keys(&ours), keys(&theirs));
    assert_eq!(keys(&ours["paths"]), ["/v1/images/generations"]);
    // Seed 004: the dedicated page keeps the operation's security and the team header.
    let dedicated = embedded_yaml(page(&docs, "docs/api/dedicated-images-generate.md"));
    let theirs = embedded_yaml(&seed("004_2050904765f82f14.txt"));
    assert_eq!(keys(&dedicated), keys(&theirs));
    let post = &dedicated["paths"]["/dedicated/v1/images/generations"]["post"];
    assert_eq!(post["security"], serde_json::json!([{ "token": [] }]));
    assert_eq!(post["parameters"][0]["name"], "X-Friendli-Team");
    assert!(
        dedicated["components"]["securitySchemes"]
            .get("token")
            .is_some()
    );
}

#[test]
fn every_link_resolves() {
    let (generator, docs) = real();
    let checked = check_links(&docs);
    assert!(checked > 1000, "the checker saw the links ({checked})");
    check_tables(&docs);
    // One page per operation, per resource handle, per type; plus README and the index.
    let api = generator.api();
    let count = |prefix: &str| docs.files.keys().filter(|p| p.starts_with(prefix)).count();
    assert_eq!(count("docs/api/"), api.operations.len());
    assert_eq!(
        count("docs/models/") - 2,
        api.types.len(),
        "one page per type, plus utils/retry_policy.md and utils/runtime_types.md"
    );
    assert!(docs.files.contains_key("README.md") && docs.files.contains_key("docs/llms.txt"));
    // The index lists every page, one line each.
    let index = page(&docs, "docs/llms.txt");
    let listed: BTreeSet<String> = links(index)
        .into_iter()
        .filter_map(|(_, t)| resolve("docs/llms.txt", &t))
        .collect();
    let pages: BTreeSet<String> = docs
        .files
        .keys()
        .filter(|p| p.ends_with(".md"))
        .cloned()
        .collect();
    assert_eq!(listed, pages);
}

#[test]
fn headings_with_links_to_them_are_unique() {
    let (_, docs) = real();
    for (path, text) in docs
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("docs/sdks/"))
    {
        // Operation sections are linked from the page's list, the README and the API pages.
        let ops: Vec<String> = headings(text)
            .into_iter()
            .filter(|(level, _)| *level == 2)
            .map(|(_, t)| t)
            .collect();
        let unique: BTreeSet<&String> = ops.iter().collect();
        assert_eq!(unique.len(), ops.len(), "{path}: {ops:?}");
    }
}

#[test]
fn examples_are_from_the_spec() {
    let (_, docs) = real();
    let sdk = page(&docs, "docs/sdks/dedicated/image/README.md");
    // The request example and the property examples, in the client's shape.
    assert!(
        sdk.contains(
            ".generate(\n            \"(endpoint-id)\",\n            \"An orange Lamborghini"
        ),
        "{sdk}"
    );
    assert!(sdk.contains(".num_inference_steps(10)"));
    assert!(sdk.contains("models::ImageInput::new(\"https://huggingface.co/datasets/huggingface/documentation-images/resolve/main/diffusers/cat.png\")"));
    // A value the docs make up honours the field's pattern (`^[a-zA-Z0-9_+.-]+:[a-fA-F0-9]+$`).
    let file = page(&docs, "docs/sdks/file/README.md");
    assert!(
        file.contains(r#".init_upload("(name)", 1, "a:a", "project-id")"#),
        "{file}"
    );
    // No placeholders anywhere (`N/A` cells are checked with the tables).
    for (path, text) in &docs.files {
        for bad in ["\"sample\"", "<value>", "/* values here */"] {
            assert!(!text.contains(bad), "{path} contains {bad}");
        }
    }
    check_rust_blocks(&docs);
}

/// Every Rust block of every page is in the compiled test file verbatim, indented as one piece
/// (a fragment without its client line), one function or module per block.
fn check_rust_blocks(docs: &FileSet) {
    let tests: String = docs
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("tests/"))
        .map(|(_, t)| t.as_str())
        .collect();
    let mut blocks = 0;
    for (path, text) in docs.files.iter().filter(|(p, _)| p.ends_with(".md")) {
        for code in code_blocks(text, "rust") {
            if code.contains(&"async fn main() -> Result<(), friendli::Error> {") {
                // A complete program: the whole block, as one piece.
                let indented: String = code
                    .iter()
                    .map(|l| {
                        if l.is_empty() {
                            "\n".to_owned()
                        } else {
                            format!("    {l}\n")
                        }
                    })
                    .collect();
                assert!(
                    tests.contains(&indented),
                    "{path}: this block is not in tests/doc_examples as shown:\n{indented}"
                );
            } else {
                for line in code.iter().filter(|l| {
                    !l.is_empty() && **l != "let client = friendli::Client::from_env()?;"
                }) {
                    assert!(
                        tests.contains(&format!("    {line}\n")),
                        "{path}: `{line}` is not in tests/doc_examples"
                    );
                }
            }
            blocks += 1;
        }
    }
    let compiled =
        tests.matches("async fn example_").count() + tests.matches("\nmod example_").count();
    assert_eq!(
        compiled, blocks,
        "one test function or module per code block"
    );
}

/// Every SDK page example is a program that runs as pasted: imports, `#[tokio::main]`, a client,
/// the call, the result used. Operations without security (a local container) make their client
/// without a token.
#[test]
fn sdk_examples_are_complete_programs() {
    let (generator, docs) = real();
    let mut programs = 0;
    for (path, text) in docs
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("docs/sdks/"))
    {
        let ids: Vec<&str> = text
            .lines()
            .filter_map(|l| l.split_once("operationID=\"")?.1.split_once('"'))
            .map(|(id, _)| id)
            .collect();
        let blocks = code_blocks(text, "rust");
        assert_eq!(
            ids.len(),
            blocks.len(),
            "{path}: one block per UsageSnippet"
        );
        for (id, code) in ids.iter().zip(blocks) {
            let op = generator
                .api()
                .operations
                .iter()
                .find(|o| o.operation_id == *id)
                .unwrap();
            let code = code.join("\n");
            let main = "#[tokio::main]\nasync fn main() -> Result<(), friendli::Error> {\n";
            assert!(code.contains(main), "{path} {id}: no main:\n{code}");
            let (head, _) = code.split_once(main).unwrap();
            assert!(
                head.lines().all(|l| l.is_empty() || l.starts_with("use ")),
                "{path} {id}: only imports before main:\n{code}"
            );
            let client = if !op.security.is_empty() {
                "    let client = friendli::Client::from_env()?;\n"
            } else {
                "    let client = friendli::Client::builder().build()?;\n"
            };
            assert!(code.contains(client), "{path} {id}: client line:\n{code}");
            assert!(code.ends_with("    Ok(())\n}"), "{path} {id}:\n{code}");
            assert!(
                code.contains(".send()") && !code.contains("builder().token("),
                "{path} {id}:\n{code}"
            );
            programs += 1;
        }
    }
    assert_eq!(
        programs,
        generator
            .api()
            .operations
            .iter()
            .filter(|o| !o.ignored)
            .count()
    );
    let container = page(&docs, "docs/sdks/container/image/README.md");
    assert!(container.contains("friendli::Client::builder().build()?"));
}

/// The lines of every fenced block with this info string (blocks nested in blockquotes or
/// inside other fences do not count: they are not code blocks of the page).
fn code_blocks<'a>(text: &'a str, info: &str) -> Vec<Vec<&'a str>> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, Option<Vec<&str>>)> = None;
    for line in text.lines() {
        let run = line.chars().take_while(|c| *c == '`').count();
        match &mut open {
            None if run >= 3 => {
                let wanted = line[run..].trim() == info;
                open = Some((line[..run].to_owned(), wanted.then(Vec::new)));
            }
            Some((fence, lines)) => {
                if line.starts_with(fence.as_str()) && line.trim_end().chars().all(|c| c == '`') {
                    if let Some(lines) = lines.take() {
                        blocks.push(lines);
                    }
                    open = None;
                } else if let Some(lines) = lines {
                    lines.push(line);
                }
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn docs_are_deterministic() {
    let (_, a) = real();
    let (_, b) = real();
    assert_eq!(a, b);
}

/// A page made by hand with each kind of root-relative link: the checker rejects them all.
#[test]
fn the_link_checker_rejects_root_relative_links() {
    for text in [
        "see [x](/openapi/introduction)\n",
        "````yaml\ndescription: see [x](/openapi/a#b).\n````\n",
        "| a | [b](/c) |\n",
    ] {
        let mut docs = FileSet::default();
        docs.insert("docs/a.md", text.to_owned());
        let result = std::panic::catch_unwind(|| check_links(&docs));
        let message = result
            .err()
            .and_then(|e| e.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| panic!("{text:?} passed the link check"));
        assert!(message.contains("root-relative"), "{message}");
    }
}

/// The API pages' embedded documents: Mintlify callouts render as markdown in CommonMark too,
/// strings stay strings for a YAML 1.1 reader, a path's servers come before its methods, and
/// long text is folded.
#[test]
fn api_pages_render_and_read_as_the_spec_says() {
    let (_, docs) = real();
    let callouts = ["Info", "Tip", "Warning", "Note", "Check", "Danger"];
    let yaml_1_1 = |value: &str| {
        let words = ["y", "n", "yes", "no", "on", "off"];
        let date = value.len() >= 10
            && value[..4].chars().all(|c| c.is_ascii_digit())
            && value[4..].starts_with('-')
            && value
                .chars()
                .all(|c| c.is_ascii_digit() || "-:.+ TtZz".contains(c));
        date || words.iter().any(|w| value.eq_ignore_ascii_case(w))
    };
    let mut long = Vec::new();
    let mut folded = 0;
    for (path, text) in docs
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("docs/api/"))
    {
        let lines: Vec<&str> = prose_lines(text).into_iter().map(|(_, l)| l).collect();
        for (i, line) in lines.iter().enumerate() {
            for name in callouts {
                let (open, close) = (format!("<{name}>"), format!("</{name}>"));
                if line.contains(&open) {
                    assert_eq!(line.trim(), open, "{path}: the tag stands alone");
                    assert_eq!(
                        lines.get(i + 1),
                        Some(&""),
                        "{path}: blank line after {open}"
                    );
                }
                if line.contains(&close) {
                    assert_eq!(line.trim(), close, "{path}: the tag stands alone");
                    assert_eq!(lines[i - 1], "", "{path}: blank line before {close}");
                }
            }
        }
        let yaml = embedded_yaml(text);
        let block = &text[text.find("````yaml").unwrap()..];
        for line in block.lines().skip(1) {
            let item = line.trim_start().strip_prefix("- ");
            let Some(value) = line.split_once(": ").map(|(_, v)| v).or(item) else {
                continue;
            };
            assert!(
                !yaml_1_1(value),
                "{path}: YAML 1.1 reads `{line}` as no string"
            );
            folded += usize::from(value == ">-");
            if line.chars().count() > 100 && !line.trim_start().starts_with('"') {
                long.push(format!("{path}: {line}"));
            }
        }
        for (key, item) in yaml["paths"].as_object().unwrap() {
            let order = keys(item);
            if order.contains(&"servers") {
                assert_eq!(order[0], "servers", "{path}: {key}: {order:?}");
            }
        }
    }
    assert!(folded > 100, "long descriptions are folded ({folded})");
    // A line stays long only when it holds a single word (a URL, a base64 example).
    let unbreakable = |l: &String| {
        let value = l.split_once(": ").map_or("", |(_, v)| v).trim();
        let value = value.trim_start_matches("- ").trim();
        let inner = l.trim_start().trim_start_matches("- ");
        !value.contains(' ') || !inner.contains(' ')
    };
    let breakable: Vec<&String> = long.iter().filter(|l| !unbreakable(l)).collect();
    assert!(
        breakable.is_empty(),
        "{} long lines:\n{}",
        breakable.len(),
        breakable
            .iter()
            .take(10)
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Parameters and fields show the schema's default and bounds when the description does not,
/// and the JSON name of a renamed field.
#[test]
fn parameters_show_defaults_bounds_and_json_names() {
    let path = common::workspace().join("spec/fixtures/formats.yaml");
    let generator = Generator::from_path(&path).unwrap_or_else(|e| panic!("{e}"));
    let docs = friendli_codegen::docs::emit_docs(&generator.plan(), generator.spec())
        .unwrap_or_else(|e| panic!("{e}"));
    let row = |text: &str, name: &str| -> Vec<String> {
        text.lines()
            .find(|l| l.starts_with(&format!("| `{name}`")))
            .map(split_row)
            .unwrap_or_else(|| panic!("no row {name}"))
    };
    for page_path in [
        "docs/sdks/fixture/format/README.md",
        "docs/models/formatted_thing.md",
    ] {
        let text = page(&docs, page_path);
        assert_eq!(
            row(text, "steps")[3],
            "Inference steps.<br>Default: 20. Range: 1–50."
        );
        assert_eq!(row(text, "top_p")[3], "Range: 0 (exclusive)–1.");
        assert_eq!(row(text, "label")[3], "Length: 12–16.");
        assert_eq!(row(text, "weights")[3], "Items: at least 2.");
        assert_eq!(
            row(text, "digest")[3],
            "Digest of the file.<br>Pattern: `^[a-zA-Z0-9_+.-]+:[a-fA-F0-9]+$`."
        );
        let source = row(text, "source_url");
        assert_eq!(source[0], "`source_url` (JSON `sourceUrl`)");
        assert_eq!(source[3], "Length: at least 1. Format: `uri`.");
    }
    // A description that states the default and range itself gets nothing added.
    let (_, real) = real();
    let text = page(&real, "docs/sdks/container/image/README.md");
    assert!(
        row(text, "num_inference_steps")[3].ends_with("Supported range: [1, 50]."),
        "{:?}",
        row(text, "num_inference_steps")
    );
}

/// Under `### Response`: the spec's example and the line of the example program that uses the
/// result; the SDK's own types link to the page that describes them.
#[test]
fn responses_show_their_example_and_use() {
    let (_, docs) = real();
    let sdk = page(&docs, "docs/sdks/container/image/README.md");
    let response = &sdk[sdk.find("### Response").unwrap()..sdk.find("### Errors").unwrap()];
    assert!(
        response.contains("```json\n{\n  \"image\": \"<base64 encoded image>\"\n}\n```"),
        "{response}"
    );
    assert!(
        response.contains("The example above uses it: `let bytes = res.image.decode()?;`"),
        "{response}"
    );
    let example = code_blocks(sdk, "rust").remove(0).join("\n");
    assert!(
        example.contains("    let bytes = res.image.decode()?;\n"),
        "{example}"
    );
    let chat = page(&docs, "docs/sdks/serverless/chat/README.md");
    assert!(chat.contains("```text\ndata: {"), "the stream's events");
    assert!(chat.contains("[`EventStream`](../../../models/utils/runtime_types.md#eventstream)"));

    let runtime = page(&docs, "docs/models/utils/runtime_types.md");
    let sections: Vec<String> = headings(runtime)
        .into_iter()
        .filter(|(level, _)| *level == 2)
        .map(|(_, text)| text)
        .collect();
    assert_eq!(
        sections,
        [
            "Base64",
            "OptionalNullable",
            "FilePart",
            "EventStream",
            "RetryPolicy"
        ]
    );
    // A table cell naming one of them with no model to link links its section.
    let mut unlinked = Vec::new();
    for (path, text) in docs.files.iter().filter(|(p, _)| p.ends_with(".md")) {
        let mut type_column = None;
        for (_, line) in prose_lines(text) {
            if !line.starts_with('|') {
                type_column = None;
                continue;
            }
            let cells = split_row(line);
            let Some(column) = type_column else {
                type_column = Some(cells.iter().position(|c| c == "Type"));
                continue;
            };
            if let Some(cell) = column.and_then(|c| cells.get(c))
                && cell.starts_with('`')
                && ["Base64", "OptionalNullable", "FilePart", "EventStream"]
                    .iter()
                    .any(|name| cell.contains(name))
            {
                unlinked.push(format!("{path}: {cell}"));
            }
        }
    }
    assert!(unlinked.is_empty(), "{}", unlinked.join("\n"));
}

/// The YAML of every API page reads back as the operation's slice: the writer changes no value
/// (only root-relative links, made absolute, and key order).
#[test]
fn api_page_yaml_reads_back_as_the_slice() {
    let (generator, docs) = real();
    let spec = &generator.spec().root;
    for op in &generator.api().operations {
        let path = format!(
            "docs/api/{}.md",
            heck::ToKebabCase::to_kebab_case(op.operation_id.as_str())
        );
        let method = op.method.as_str().to_ascii_lowercase();
        let mut expected = friendli_codegen::slice::slice_operation(spec, &op.path_key, &method)
            .unwrap_or_else(|e| panic!("{e}"));
        if let Value::Object(object) = &mut expected {
            object
                .entry("security")
                .or_insert_with(|| Value::Array(Vec::new()));
        }
        let absolute = |value: &Value| -> Value {
            let text = serde_json::to_string(value)
                .unwrap()
                .replace("](//", "]\u{0}")
                .replace("](/", "](https://friendli.ai/docs/")
                .replace("]\u{0}", "](//");
            serde_json::from_str(&text).unwrap()
        };
        let expected = absolute(&expected);
        let ours = embedded_yaml(page(&docs, &path));
        // `Value` maps compare as maps, whatever their order.
        assert_eq!(ours, expected, "{path}");
    }
}

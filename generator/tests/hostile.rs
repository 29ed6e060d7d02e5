//! The spec is untrusted input: hostile strings stay text, odd names stay valid, and the
//! output directory keeps what the generator did not write.

mod common;

use friendli_codegen::{FileSet, Generator};

fn files_of(fixture: &str) -> FileSet {
    Generator::from_path(&common::fixture(fixture))
        .unwrap()
        .crate_files()
        .unwrap()
}

/// The text of a markdown page outside its fenced code blocks (which show text literally).
fn outside_fences(page: &str) -> String {
    let mut fence: Option<String> = None;
    let mut out = String::new();
    for line in page.lines() {
        let trimmed = line.trim_start();
        let marker: String = trimmed.chars().take_while(|c| *c == '`').collect();
        match &fence {
            Some(open) if marker.len() >= open.len() && trimmed.trim_end() == marker => {
                fence = None;
            }
            Some(_) => {}
            None if marker.len() >= 3 => fence = Some(marker),
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// A line without its code spans (which show their text literally).
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find('`') {
        out.push_str(&rest[..at]);
        let run = rest[at..].len() - rest[at..].trim_start_matches('`').len();
        let fence = "`".repeat(run);
        let after = &rest[at + run..];
        match after.find(&fence) {
            Some(end) => rest = &after[end + run..],
            None => {
                out.push_str(&rest[at..at + run]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Unescaped `|` characters of a table row.
fn cell_separators(row: &str) -> usize {
    let mut count = 0;
    let mut backslashes = 0;
    for c in row.chars() {
        if c == '|' && backslashes % 2 == 0 {
            count += 1;
        }
        backslashes = if c == '\\' { backslashes + 1 } else { 0 };
    }
    count
}

#[test]
fn the_manifest_holds_exactly_the_intended_keys() {
    let files = files_of("injection.yaml");
    let manifest: toml::Table = files.files["Cargo.toml"].parse().unwrap();
    let keys: Vec<&str> = manifest.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["dependencies", "dev-dependencies", "features", "package"]
    );
    let package = manifest["package"].as_table().unwrap();
    let package_keys: Vec<&str> = package.keys().map(String::as_str).collect();
    assert_eq!(
        package_keys,
        [
            "description",
            "edition",
            "license",
            "name",
            "publish",
            "rust-version",
            "version"
        ]
    );
    assert!(
        package["description"]
            .as_str()
            .unwrap()
            .contains("[dependencies.evil]")
    );
    let dependencies = manifest["dependencies"].as_table().unwrap();
    assert!(!dependencies.contains_key("evil"));
    assert!(dependencies.values().all(|d| d.get("path").is_none()));
}

#[test]
fn spec_text_never_becomes_markup_code_or_control_bytes() {
    let files = files_of("injection.yaml");
    for (path, text) in &files.files {
        assert!(
            !text.contains('\0') && !text.contains('\u{202E}') && !text.contains('\u{2066}'),
            "{path} holds a control or bidi character"
        );
        if path.ends_with(".md") {
            // Our own header is the one comment a page may open (and it closes it).
            let prose = outside_fences(text)
                .lines()
                .filter(|l| {
                    let ours =
                        l.starts_with("<!-- @generated") || l.starts_with("<!-- UsageSnippet");
                    !(ours && l.ends_with("-->") && l.matches("-->").count() == 1)
                })
                .collect::<Vec<_>>()
                .join("\n");
            let text_only: String = prose.lines().map(without_code_spans).collect();
            for raw in ["<script", "</script", "</details", "<!--", "<img", "<b>"] {
                assert!(
                    !text_only.contains(raw),
                    "{path} passes raw `{raw}`:\n{prose}"
                );
            }
            let mut header: Option<usize> = None;
            for line in prose.lines() {
                if line.starts_with('|') {
                    let separators = cell_separators(line);
                    let expected = *header.get_or_insert(separators);
                    assert_eq!(separators, expected, "{path}: table row `{line}`");
                } else {
                    header = None;
                }
            }
            for heading in prose.lines().filter(|l| l.starts_with('#')) {
                assert!(
                    !heading.contains("injected heading") || heading.starts_with("# Mint title"),
                    "{path}: spec text made a heading: {heading}"
                );
            }
        }
        if path.ends_with(".rs") {
            // Every code block in a doc comment is one of ours or relabelled `text`: nothing
            // from the spec can become a doctest.
            for line in text.lines() {
                let doc = line
                    .trim_start()
                    .strip_prefix("///")
                    .or_else(|| line.trim_start().strip_prefix("//!"));
                if let Some(fence) = doc.map(str::trim).filter(|d| d.starts_with("```")) {
                    let info = fence.trim_start_matches('`');
                    assert!(
                        ["", "text", "no_run"].contains(&info),
                        "{path}: a doc code block `{fence}`"
                    );
                }
            }
        }
    }
}

#[test]
fn odd_names_give_portable_files_and_distinct_items() {
    let files = files_of("odd_names.yaml");
    for path in files.files.keys() {
        assert!(path.is_ascii(), "{path}");
        for component in path.split('/') {
            assert!(component.len() <= 200, "{path}");
        }
    }
    let lower: std::collections::BTreeSet<String> =
        files.files.keys().map(|p| p.to_ascii_lowercase()).collect();
    assert_eq!(lower.len(), files.files.len(), "paths differ only in case");
    let models = &files.files["src/models/mod.rs"];
    assert!(
        files.files.contains_key("src/models/foobar2.rs") && models.contains(" foobar2"),
        "{models}"
    );
    assert!(files.files.contains_key("src/operations/get_foo.rs"));
    assert!(files.files.contains_key("src/operations/get_foo_2.rs"));
}

fn cli() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_friendli-codegen"))
}

#[test]
fn the_cli_refuses_a_foreign_directory_and_keeps_unrelated_files() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("myproject");
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::write(project.join("src/main.rs"), "fn main() {}\n").unwrap();
    let spec = common::fixture("enums.yaml");
    let output = cli()
        .args(["generate", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(&project)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--force") && stderr.contains("myproject"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(&project).unwrap().count(), 1);

    // A directory it generated: regenerating keeps a file the user added.
    let out = dir.path().join("sdk");
    let generate = |out: &std::path::Path| {
        cli()
            .args(["generate", "--spec"])
            .arg(&spec)
            .arg("--out")
            .arg(out)
            .status()
            .unwrap()
    };
    assert!(generate(&out).success());
    std::fs::write(out.join("src/my_extension.rs"), "// mine\n").unwrap();
    std::fs::write(out.join("NOTES.md"), "mine\n").unwrap();
    assert!(generate(&out).success());
    assert_eq!(
        std::fs::read_to_string(out.join("src/my_extension.rs")).unwrap(),
        "// mine\n"
    );
    assert!(out.join("NOTES.md").exists());
    let siblings = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(siblings, 2, "no staging directory is left behind");
}

#[test]
fn keyword_tags_and_digit_operation_ids_give_valid_rust() {
    let spec = r#"openapi: 3.1.0
info: {title: T, version: '1'}
paths:
  /v1/a:
    post:
      operationId: _7
      tags: [Self.async]
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {x: {type: string}}}}}}
  /v1/b:
    get:
      operationId: "٣abc"
      tags: [Self]
      responses:
        '200': {description: ok}
"#;
    let generator =
        Generator::from_source(std::path::Path::new("keywords.yaml"), spec.to_owned()).unwrap();
    let files = generator.crate_files().unwrap();
    let resources = &files.files["src/resources/self_.rs"];
    assert!(
        resources.contains("pub struct SelfType") && resources.contains("pub struct SelfAsync"),
        "{resources}"
    );
}

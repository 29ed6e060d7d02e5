//! Per-stage snapshots for every fixture spec: the IR (what lowering decided) and the emitted
//! Rust models. Review changes with `cargo insta review`.

mod common;

use friendli_codegen::Generator;

#[test]
fn fixture_snapshots() {
    insta::glob!("../../spec/fixtures", "*.yaml", |path| {
        let generator = Generator::from_path(path).unwrap_or_else(|e| panic!("{e}"));
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut warnings: Vec<String> = generator
            .warnings()
            .items
            .iter()
            .map(|w| {
                format!(
                    "{} {:?}: {}",
                    w.pointer,
                    w.related.as_ref().map(|r| &r.0),
                    w.message
                )
            })
            .collect();
        warnings.sort();
        let ir = format!(
            "{}\nwarnings:\n{}\n",
            friendli_codegen::dump::ir_text(generator.api()),
            warnings.join("\n")
        );
        insta::assert_snapshot!(format!("{name}.ir"), ir);
        let files = generator.crate_files().unwrap_or_else(|e| panic!("{e}"));
        let models: String = files
            .files
            .iter()
            .filter(|(path, _)| path.starts_with("src/models/"))
            .map(|(path, text)| {
                format!(
                    "==== {path}\n{}",
                    text.split_once('\n').map_or("", |(_, rest)| rest)
                )
            })
            .collect();
        insta::assert_snapshot!(format!("{name}.rs"), models);
    });
}

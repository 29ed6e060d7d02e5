//! Embeds the hand-written parts of the emitted crate (`templates/runtime/*.rs`, the runtime;
//! `templates/examples/*.rs`, its examples) into the generator, so the output is always exactly
//! the checked-in code, with no file list to keep in sync.

use std::path::Path;

fn embed(code: &mut String, constant: &str, dir: &Path) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()))
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".rs"))
        .collect();
    names.sort();
    code.push_str(&format!("/// `{}/*.rs`, embedded at build time: (file name, contents).\npub const {constant}: &[(&str, &str)] = &[\n", dir.display()));
    for name in names {
        let path = dir.join(&name);
        println!("cargo:rerun-if-changed={}", path.display());
        code.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    code.push_str("];\n");
}

fn main() {
    let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates");
    let mut code = String::new();
    embed(&mut code, "RUNTIME_FILES", &templates.join("runtime"));
    embed(&mut code, "EXAMPLE_FILES", &templates.join("examples"));
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("runtime_files.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}

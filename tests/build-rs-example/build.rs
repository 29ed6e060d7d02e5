//! Generates the models of a fixture spec into OUT_DIR, the way a user's build.rs would.

use std::path::PathBuf;

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let spec = manifest.join("../../spec/fixtures/discriminator.yaml");
    println!("cargo:rerun-if-changed={}", spec.display());
    let generator = match friendli_codegen::Generator::from_path(&spec) {
        Ok(generator) => generator,
        Err(err) => {
            // A readable, located error instead of a panic backtrace.
            eprintln!("{err}");
            std::process::exit(1);
        }
    };
    let models = generator.models_rs().unwrap_or_else(|err| {
        eprintln!("{err}");
        std::process::exit(1);
    });
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("models.rs");
    std::fs::write(&out, models).unwrap_or_else(|err| {
        eprintln!("cannot write {}: {err}", out.display());
        std::process::exit(1);
    });
}

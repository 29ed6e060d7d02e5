#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn fixture(name: &str) -> PathBuf {
    workspace().join("spec/fixtures").join(name)
}

/// The real spec: $FRIENDLI_OPENAPI, else the shared checkout beside the repository.
pub fn real_spec() -> PathBuf {
    std::env::var_os("FRIENDLI_OPENAPI")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared/spec/friendli-openapi.yaml"))
}

pub fn history_specs() -> Vec<PathBuf> {
    let dir = std::env::var_os("FRIENDLI_OPENAPI_HISTORY")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared/spec/history"));
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    specs.sort();
    specs
}

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn fixture(name: &str) -> PathBuf {
    workspace().join("spec/fixtures").join(name)
}

/// The real spec, found the way the xtask finds it: `$FRIENDLI_OPENAPI`, else
/// `spec/openapi.yaml`, else the pinned spec is fetched there (`cargo xtask fetch-spec`, which
/// verifies its sha256). Fails with what to do when none of these works.
pub fn real_spec() -> PathBuf {
    static SPEC: OnceLock<PathBuf> = OnceLock::new();
    SPEC.get_or_init(|| {
        if let Some(path) = std::env::var_os("FRIENDLI_OPENAPI") {
            return PathBuf::from(path);
        }
        let local = workspace().join("spec/openapi.yaml");
        if local.exists() {
            return local;
        }
        assert!(
            fetch() && local.exists(),
            "the real-spec tests need the Friendli spec and could not download it (see the \
             error above). Run the README's first command, `cargo xtask regenerate`, on a \
             machine with network access; without network, set FRIENDLI_OPENAPI=PATH (and \
             FRIENDLI_OPENAPI_HISTORY=DIR) or run `cargo xtask fetch-spec --from PATH \
             --history-from DIR`."
        );
        local
    })
    .clone()
}

/// The history specs, oldest first: `$FRIENDLI_OPENAPI_HISTORY`, else `spec/history/` as
/// `spec/history.lock` lists it, fetched there when incomplete (like [`real_spec`]).
pub fn history_specs() -> Vec<PathBuf> {
    if let Some(dir) = std::env::var_os("FRIENDLI_OPENAPI_HISTORY") {
        let dir = PathBuf::from(dir);
        let mut specs: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        specs.sort();
        return specs;
    }
    let lock = std::fs::read_to_string(workspace().join("spec/history.lock")).unwrap();
    let mut specs: Vec<PathBuf> = friendli_codegen::spec_lock::parse_history(&lock)
        .unwrap_or_else(|e| panic!("spec/history.lock: {e}"))
        .into_iter()
        .map(|spec| workspace().join(format!("spec/history/{}.yaml", spec.name)))
        .collect();
    specs.sort();
    if specs.iter().all(|p| p.exists()) || fetch() {
        return specs;
    }
    panic!(
        "the tests need the history specs of spec/history.lock and could not download them \
         (see the error above). Run `cargo xtask fetch-spec` on a machine with network access; \
         without network, set FRIENDLI_OPENAPI_HISTORY=DIR or run `cargo xtask fetch-spec \
         --from PATH --history-from DIR`."
    )
}

/// `cargo xtask fetch-spec`: downloads what is missing of the pinned and the history specs.
fn fetch() -> bool {
    static FETCHED: OnceLock<bool> = OnceLock::new();
    *FETCHED.get_or_init(|| {
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["xtask", "fetch-spec"])
            .current_dir(workspace())
            .status()
            .is_ok_and(|status| status.success())
    })
}

/// `spec/friendli.lock`: the pinned spec and the generated crate's version.
pub fn lock() -> friendli_codegen::spec_lock::SpecLock {
    friendli_codegen::spec_lock::SpecLock::read(&workspace().join("spec/friendli.lock"))
        .unwrap_or_else(|e| panic!("{e}"))
}

//! Markdown docs emitter (in progress).

use crate::ir::Api;
use crate::output::FileSet;

/// Every docs page of the crate, relative to the crate directory (`docs/...`, `README.md`).
pub fn emit_docs(_api: &Api, _spec: &serde_json::Value) -> Result<FileSet, String> {
    Ok(FileSet::default())
}

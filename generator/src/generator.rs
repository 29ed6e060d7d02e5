//! The library entry point: spec file in, crate files out.

use std::path::Path;

use crate::diagnostics::Diagnostics;
use crate::ir::Api;
use crate::output::{FileSet, Staleness, WriteError, WriteOptions, WriteReport};
use crate::spec::SpecDocument;

/// What can go wrong; each variant's message names the file and, where known, line and pointer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Spec(Diagnostics),
    #[error("internal generator error: {0}")]
    Emit(String),
    #[error("{0}")]
    Write(#[from] WriteError),
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// A spec loaded and lowered, ready to emit.
///
/// ```no_run
/// // In a user's build.rs:
/// let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
/// let generator = friendli_codegen::Generator::from_path("openapi.yaml".as_ref())?;
/// std::fs::write(out.join("models.rs"), generator.models_rs()?)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Generator {
    spec: SpecDocument,
    api: Api,
    warnings: Diagnostics,
    crate_version: String,
}

/// The package name of the emitted crate.
pub const PACKAGE: &str = "friendli";

impl Generator {
    pub fn from_path(path: &Path) -> Result<Self, Error> {
        Self::from_document(SpecDocument::from_path(path).map_err(Error::Spec)?)
    }

    pub fn from_source(path: &Path, source: String) -> Result<Self, Error> {
        Self::from_document(SpecDocument::from_source(path, source).map_err(Error::Spec)?)
    }

    fn from_document(spec: SpecDocument) -> Result<Self, Error> {
        let (api, warnings) = crate::lower::lower(&spec).map_err(Error::Spec)?;
        Ok(Self {
            spec,
            api,
            warnings,
            crate_version: crate::spec_lock::DEFAULT_CRATE_VERSION.to_owned(),
        })
    }

    /// The version written into the crate's `Cargo.toml` (the lock's `crate_version`).
    pub fn with_crate_version(mut self, version: &str) -> Self {
        self.crate_version = version.to_owned();
        self
    }

    pub fn api(&self) -> &Api {
        &self.api
    }

    pub fn spec(&self) -> &SpecDocument {
        &self.spec
    }

    /// Warnings from lowering (for example renamed collisions), each with its JSON pointers.
    pub fn warnings(&self) -> &Diagnostics {
        &self.warnings
    }

    /// Every file of the crate, relative to the crate directory.
    pub fn crate_files(&self) -> Result<FileSet, Error> {
        crate::rust::emit_crate(&self.api, &self.spec.root, PACKAGE, &self.crate_version)
            .map_err(Error::Emit)
    }

    /// All model types in one self-contained module body (for `include!` from `OUT_DIR`):
    /// `pub mod models { ... }` plus the serde support the models need.
    pub fn models_rs(&self) -> Result<String, Error> {
        crate::rust::emit_models_module(&self.api).map_err(Error::Emit)
    }

    /// Writes the crate into `dir` as a whole (see [`crate::output`]): files it wrote before
    /// are replaced or removed, nothing else is touched, and a non-empty directory that it did
    /// not write is refused.
    pub fn write_crate(&self, dir: &Path) -> Result<WriteReport, Error> {
        self.write_crate_with(dir, WriteOptions::default())
    }

    /// [`Generator::write_crate`] with options (`force` writes into a foreign directory).
    pub fn write_crate_with(
        &self,
        dir: &Path,
        options: WriteOptions,
    ) -> Result<WriteReport, Error> {
        Ok(self.crate_files()?.write_to(dir, options)?)
    }

    /// Compares `dir` with what the spec produces.
    pub fn check_crate(&self, dir: &Path) -> Result<Staleness, Error> {
        let files = self.crate_files()?;
        files.check(dir).map_err(|source| Error::Io {
            path: dir.display().to_string(),
            source,
        })
    }
}

//! The library entry point: spec file in, crate files out.

use std::path::Path;

use crate::config::Config;
use crate::diagnostics::Diagnostics;
use crate::ir::Api;
use crate::output::{FileSet, Staleness, WriteError, WriteOptions, WriteReport};
use crate::plan::ClientPlan;
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

/// Plans the client and runs the Rust and docs emitters side by side on the plan (on the rayon
/// pool); their file sets are merged. `spec` is the document `api` was lowered from, which the
/// API pages slice.
pub fn emit(api: &Api, spec: &SpecDocument, config: &Config) -> Result<FileSet, String> {
    let plan = crate::plan::plan(api, config);
    // The docs need nothing from the Rust files: both start at once on the rayon pool.
    let (rust, docs) = rayon::join(
        || crate::rust::emit_crate(&plan),
        || crate::docs::emit_docs(&plan, spec),
    );
    let mut files = rust?;
    files.extend(docs?);
    Ok(files)
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
    config: Config,
}

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
            config: Config::default(),
        })
    }

    /// The version written into the crate's `Cargo.toml` (the lock's `crate_version`).
    pub fn with_crate_version(mut self, version: &str) -> Self {
        self.config.crate_version = version.to_owned();
        self
    }

    /// Names, environment variables and the rest of what the spec does not say (see
    /// [`Config`]); the default is the Friendli SDK.
    pub fn with_config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    pub fn config(&self) -> &Config {
        &self.config
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

    /// The client plan both emitters read.
    pub fn plan(&self) -> ClientPlan<'_> {
        crate::plan::plan(&self.api, &self.config)
    }

    /// Every file of the crate, relative to the crate directory: the Rust emitter and the
    /// docs emitter run side by side on the plan (docs on a second thread) and their file
    /// sets are merged.
    pub fn crate_files(&self) -> Result<FileSet, Error> {
        emit(&self.api, &self.spec, &self.config).map_err(Error::Emit)
    }

    /// All model types in one self-contained module body (for `include!` from `OUT_DIR`):
    /// `pub mod models { ... }` plus the serde support the models need.
    pub fn models_rs(&self) -> Result<String, Error> {
        crate::rust::emit_models_module(&self.plan()).map_err(Error::Emit)
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

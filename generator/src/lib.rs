//! `friendli-codegen`: turns the Friendli Suite OpenAPI 3.1 document into a Rust SDK crate.
//!
//! ```no_run
//! let generator = friendli_codegen::Generator::from_path("openapi.yaml".as_ref())?;
//! generator.write_crate("generated/friendli".as_ref())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod config;
pub mod diagnostics;
pub mod diff;
pub mod docs;
pub mod dump;
pub mod ir;
pub mod lower;
pub mod neutralise;
pub mod output;
pub mod plan;
pub mod rust;
pub mod rust_syntax;
pub mod slice;
pub mod spec;
pub mod spec_guard;
pub mod spec_lock;

mod finite;
mod generator;

pub use config::Config;
pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use generator::{Error, Generator, emit};
pub use output::FileSet;

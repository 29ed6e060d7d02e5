//! `friendli-codegen generate --spec PATH --out DIR`: writes a complete, buildable crate.
//! `friendli-codegen diff --old A.yaml --new B.yaml [--format md|json]`: what changed for users
//! of the crate, and the semver class of the change.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "friendli-codegen",
    version,
    about = "Generate a Rust SDK crate and its docs from an OpenAPI 3.1 spec (the Friendli SDK unless --config names another)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the SDK crate into a directory (only changed files are written; stale ones removed).
    Generate {
        /// The OpenAPI document (YAML or JSON).
        #[arg(long)]
        spec: PathBuf,
        /// The crate directory to write.
        #[arg(long)]
        out: PathBuf,
        /// Compare instead of writing; exit 1 with a diff when the directory is stale.
        #[arg(long)]
        check: bool,
        /// Write into a non-empty directory that friendli-codegen did not write (only the
        /// generated files are written; nothing else there is removed).
        #[arg(long)]
        force: bool,
        /// Run the whole pipeline and report, but write nothing.
        #[arg(long, conflicts_with_all = ["check", "force"])]
        dry_run: bool,
        /// The crate's names (package, environment variables, user agent, docs site) as TOML;
        /// without it, the Friendli SDK's.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Report what changed between two specs in the generated crate's terms (calls, arguments,
    /// setters, models), each change classed breaking / additive / docs-only.
    Diff {
        #[arg(long)]
        old: PathBuf,
        #[arg(long)]
        new: PathBuf,
        #[arg(long, value_enum, default_value = "md")]
        format: DiffFormat,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DiffFormat {
    Md,
    Json,
}

fn diff(old: &std::path::Path, new: &std::path::Path, format: DiffFormat) -> ExitCode {
    let load = |path: &std::path::Path| {
        friendli_codegen::Generator::from_path(path).map_err(|err| eprintln!("{err}"))
    };
    let (Ok(old), Ok(new)) = (load(old), load(new)) else {
        return ExitCode::FAILURE;
    };
    let report = friendli_codegen::diff::diff(old.api(), new.api());
    match format {
        DiffFormat::Md => print!("{}", friendli_codegen::diff::render_markdown(&report, 2)),
        DiffFormat::Json => print!("{}", report.to_json()),
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let (spec, out, check, force, dry_run, config) = match Cli::parse().command {
        Command::Generate {
            spec,
            out,
            check,
            force,
            dry_run,
            config,
        } => (spec, out, check, force, dry_run, config),
        Command::Diff { old, new, format } => return diff(&old, &new, format),
    };
    let config = match config.as_deref().map(friendli_codegen::Config::from_path) {
        None => friendli_codegen::Config::default(),
        Some(Ok(config)) => config,
        Some(Err(err)) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    let generator = match friendli_codegen::Generator::from_path(&spec) {
        Ok(generator) => generator.with_config(config),
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    if !generator.warnings().items.is_empty() {
        eprintln!("{}", generator.warnings());
    }
    let code = run(&generator, &out, check, dry_run, force);
    // The process ends here: the system takes back the spec tree and the IR at once, where
    // freeing them value by value would take milliseconds of a run measured in tens of them.
    std::mem::forget(generator);
    code
}

/// Checks, reports or writes the crate the generator makes.
fn run(
    generator: &friendli_codegen::Generator,
    out: &std::path::Path,
    check: bool,
    dry_run: bool,
    force: bool,
) -> ExitCode {
    if check {
        return match generator.check_crate(out) {
            Ok(staleness) if staleness.is_fresh() => ExitCode::SUCCESS,
            Ok(staleness) => {
                eprintln!(
                    "{} is stale: {} changed, {} missing, {} extra",
                    out.display(),
                    staleness.changed.len(),
                    staleness.missing.len(),
                    staleness.extra.len()
                );
                eprintln!("{}", staleness.diff);
                ExitCode::FAILURE
            }
            Err(err) => {
                eprintln!("{err}");
                ExitCode::FAILURE
            }
        };
    }
    if dry_run {
        return match generator.crate_files() {
            Ok(files) => {
                eprintln!(
                    "would write {} file(s) into {}",
                    files.files.len(),
                    out.display()
                );
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("{err}");
                ExitCode::FAILURE
            }
        };
    }
    let options = friendli_codegen::output::WriteOptions { force };
    match generator.write_crate_with(out, options) {
        Ok(report) => {
            eprintln!(
                "wrote {} file(s), {} unchanged, {} removed in {}",
                report.written.len(),
                report.unchanged,
                report.removed.len(),
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{err}");
            ExitCode::FAILURE
        }
    }
}

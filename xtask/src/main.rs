//! Project tasks: `regenerate [--check]`, `fetch-spec [--from PATH | --url URL]`, `bump-spec`,
//! `check-specs`, `verify-diff`, `fuzz`, `bench`, `bench-build`.

mod bench;
mod bench_build;
mod bump;
mod fetch;
mod fuzz;
mod verify_diff;

use std::path::{Path, PathBuf};
use std::process::{Command as Process, ExitCode};

use clap::{Parser, Subcommand};
use friendli_codegen::Generator;
use friendli_codegen::spec_lock::SpecLock;

pub(crate) use fetch::spec_path;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate `generated/friendli` from the pinned spec.
    Regenerate {
        /// Fail (with a diff) instead of writing when `generated/` is stale.
        #[arg(long)]
        check: bool,
        /// Spec path; default: $FRIENDLI_OPENAPI, else spec/openapi.yaml, else the pinned
        /// spec is downloaded there first.
        #[arg(long)]
        spec: Option<PathBuf>,
    },
    /// Download the pinned upstream spec (or take a local copy or a mirror), verify it against
    /// spec/friendli.lock and place it at spec/openapi.yaml.
    FetchSpec {
        /// A local copy instead of the download.
        #[arg(long, conflicts_with = "url")]
        from: Option<PathBuf>,
        /// A mirror instead of the repository's raw file at the pinned commit.
        #[arg(long)]
        url: Option<String>,
        /// Take the history specs (spec/history.lock) from this directory. Without --from or
        /// --url they are downloaded (those missing from spec/history/); with them, only when
        /// this is given.
        #[arg(long)]
        history_from: Option<PathBuf>,
    },
    /// Move to a new upstream spec: check that it loads and generates, then rewrite the lock,
    /// place the spec, regenerate generated/friendli with its version moved by the semver class
    /// of the change, prepend the change report to its CHANGELOG.md, and print the report.
    BumpSpec {
        #[arg(long, conflicts_with = "url", required_unless_present = "url")]
        from: Option<PathBuf>,
        #[arg(long)]
        url: Option<String>,
        /// The upstream commit of the new spec (read from a raw.githubusercontent.com URL).
        #[arg(long)]
        commit: Option<String>,
        /// The commit's date, `YYYY-MM-DD` (default: today, UTC).
        #[arg(long)]
        date: Option<String>,
    },
    /// Generate a crate from every spec in the history folder and every fixture spec, and
    /// build and test each (all targets, warnings denied): its example round trips and its
    /// end-to-end operation tests run against a local mock server.
    CheckSpecs {
        /// Default: $FRIENDLI_OPENAPI_HISTORY, else spec/history/ (fetched when incomplete).
        #[arg(long)]
        history: Option<PathBuf>,
    },
    /// Check the change report against the compiler: for the last N consecutive spec pairs
    /// (history specs, then the pinned spec), build both crates and one program per change
    /// written against the old crate; breaking changes must fail to compile against the new
    /// crate, additive and docs-only ones must not. Slow; not part of CI.
    VerifyDiff {
        /// Default: $FRIENDLI_OPENAPI_HISTORY, else spec/history/ (fetched when incomplete).
        #[arg(long)]
        history: Option<PathBuf>,
        #[arg(long, default_value_t = 2)]
        pairs: usize,
    },
    /// Run N deterministic mutants of the fixtures and the real spec through the CLI; each must
    /// end with a crate or located errors. Prints outcome counts by class; failing mutants are
    /// saved (spec + report) for reproduction.
    Fuzz(fuzz::Options),
    /// Time regeneration as a user runs it: the release CLI in place (nothing changed), with
    /// `--check`, and into a fresh directory, N runs each; medians, min–max, peak RSS and the
    /// ratio to issue 11's targets. Run it as `cargo xtask-release bench`.
    Bench {
        #[arg(long)]
        spec: Option<PathBuf>,
        #[arg(long, default_value_t = 20)]
        runs: usize,
        /// Also time each pipeline stage in this process (parse, lower, emit, write).
        #[arg(long)]
        stages: bool,
        /// Time this CLI binary instead of building the workspace's (say, an older build, for
        /// a before/after comparison).
        #[arg(long)]
        cli: Option<PathBuf>,
    },
    /// Time cold builds of the generated crate in fresh target directories: its dependencies
    /// alone, the crate with default features, one API family, a rebuild after touching a
    /// model; print the lines of `src/` and the crate's own share (b − a). With `--baseline`,
    /// the same for another crate (e.g. from a checkout of main), side by side.
    BenchBuild(bench_build::Options),
}

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

pub(crate) fn lock_path() -> PathBuf {
    root().join("spec/friendli.lock")
}

/// `spec/codegen.toml`: the crate's names (package, environment variables, user agent, docs
/// site); the Friendli defaults when the file is absent.
pub(crate) fn codegen_config() -> Result<friendli_codegen::Config, String> {
    let path = root().join("spec/codegen.toml");
    if path.exists() {
        friendli_codegen::Config::from_path(&path)
    } else {
        Ok(friendli_codegen::Config::default())
    }
}

pub(crate) fn lock() -> Result<SpecLock, String> {
    SpecLock::read(&lock_path())
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Regenerate { check, spec } => regenerate(check, spec),
        Command::FetchSpec {
            from,
            url,
            history_from,
        } => fetch_spec(from, url, history_from),
        Command::BumpSpec {
            from,
            url,
            commit,
            date,
        } => bump_spec(from, url, commit, date),
        Command::CheckSpecs { history } => check_specs(history),
        Command::VerifyDiff { history, pairs } => verify_diff::run(history, pairs),
        Command::Bench {
            spec,
            runs,
            stages,
            cli,
        } => bench::run(spec, runs, stages, cli),
        Command::Fuzz(options) => fuzz::run(options),
        Command::BenchBuild(options) => bench_build::run(options),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn regenerate(check: bool, spec: Option<PathBuf>) -> Result<(), String> {
    let spec = spec_path(spec)?;
    let lock = lock()?;
    let generator = Generator::from_path(&spec)
        .map_err(|e| e.to_string())?
        .with_config(codegen_config()?)
        .with_crate_version(&lock.crate_version);
    let locked = lock.sha256;
    let actual = &generator.spec().sha256;
    if actual != &locked {
        let message = format!(
            "{} has sha256 {actual}, but spec/friendli.lock pins {locked}",
            spec.display()
        );
        if check {
            return Err(format!("{message}; update the lock when bumping the spec"));
        }
        eprintln!("note: {message}");
    }
    if !generator.warnings().items.is_empty() {
        eprintln!("{}", generator.warnings());
    }
    let out = root().join("generated/friendli");
    if check {
        let staleness = generator.check_crate(&out).map_err(|e| e.to_string())?;
        if staleness.is_fresh() {
            eprintln!("generated/friendli is up to date");
            return Ok(());
        }
        eprint!("{}", staleness.diff);
        for (label, files) in [
            ("changed", &staleness.changed),
            ("missing", &staleness.missing),
            ("not generated (stale)", &staleness.extra),
        ] {
            for file in files.iter() {
                eprintln!("  {label}: generated/friendli/{file}");
            }
        }
        return Err(
            "generated/friendli is stale: run `cargo xtask regenerate` and commit the result"
                .into(),
        );
    }
    // The repository's own output directory: forcing only matters for a checkout from before
    // the manifest existed, and never removes a file the generator did not list.
    let options = friendli_codegen::output::WriteOptions { force: true };
    let report = generator
        .write_crate_with(&out, options)
        .map_err(|e| e.to_string())?;
    eprintln!(
        "generated/friendli: {} written, {} unchanged, {} removed",
        report.written.len(),
        report.unchanged,
        report.removed.len()
    );
    Ok(())
}

fn bump_spec(
    from: Option<PathBuf>,
    url: Option<String>,
    commit: Option<String>,
    date: Option<String>,
) -> Result<(), String> {
    let source = match (from, url) {
        (Some(path), _) => fetch::Source::File(path),
        (None, Some(url)) => fetch::Source::Url(url),
        (None, None) => return Err("pass --from PATH or --url URL".into()),
    };
    let outcome = bump::bump_spec(
        &bump::Workspace::of_repository(),
        bump::Bump {
            old_spec: spec_path(None)?,
            source,
            commit,
            date,
        },
    )?;
    print!(
        "{}",
        friendli_codegen::diff::render_markdown(&outcome.report, 2)
    );
    eprintln!(
        "spec bumped: generated/friendli {} -> {} ({} change); spec/friendli.lock, \
         spec/openapi.yaml, generated/friendli and its CHANGELOG.md updated",
        outcome.old_version,
        outcome.new_version,
        outcome.report.semver.label()
    );
    if std::env::var_os("FRIENDLI_OPENAPI").is_some() {
        eprintln!(
            "note: FRIENDLI_OPENAPI still names the old spec; unset it (spec/openapi.yaml now \
             holds the new one) or point it at the new file"
        );
    }
    Ok(())
}

fn fetch_spec(
    from: Option<PathBuf>,
    url: Option<String>,
    history_from: Option<PathBuf>,
) -> Result<(), String> {
    let lock = lock()?;
    let history = match (&from, &url, history_from) {
        (_, _, Some(dir)) => Some(fetch::HistorySource::Dir(dir)),
        (None, None, None) => Some(fetch::HistorySource::Download),
        _ => None,
    };
    let source = match (from, url) {
        (Some(path), _) => fetch::Source::File(path),
        (None, Some(url)) => fetch::Source::Url(url),
        (None, None) => fetch::Source::Pinned,
    };
    fetch::fetch(&source, &lock, &root().join("spec/openapi.yaml"))?;
    if let Some(history) = history {
        fetch::fetch_history(
            &lock,
            &fetch::history_lock()?,
            &history,
            &root().join("spec/history"),
        )?;
    }
    Ok(())
}

pub(crate) fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
        })
        .collect();
    specs.sort();
    Ok(specs)
}

fn check_specs(history: Option<PathBuf>) -> Result<(), String> {
    let history = fetch::history_dir(history)?;
    let history_specs = yaml_files(&history)?;
    if history_specs.is_empty() {
        return Err(format!("no specs in {}", history.display()));
    }
    let specs: Vec<(String, PathBuf)> = history_specs
        .into_iter()
        .map(|p| ("history", p))
        .chain(
            yaml_files(&root().join("spec/fixtures"))?
                .into_iter()
                .map(|p| ("fixture", p)),
        )
        .map(|(kind, p)| {
            (
                format!(
                    "{kind}-{}",
                    p.file_stem().and_then(|s| s.to_str()).unwrap_or("spec")
                ),
                p,
            )
        })
        .collect();
    let work = root().join("target/spec-checks");
    for (name, spec) in &specs {
        let out = work.join(name);
        let generator = Generator::from_path(spec).map_err(|e| e.to_string())?;
        // A scratch directory of ours, possibly from before the manifest existed.
        let options = friendli_codegen::output::WriteOptions { force: true };
        generator
            .write_crate_with(&out, options)
            .map_err(|e| e.to_string())?;
        eprintln!(
            "checking {name} ({} types, {} operations)",
            generator.api().types.len(),
            generator.api().operations.len()
        );
        let status = Process::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["test", "--quiet", "--all-targets", "--manifest-path"])
            .arg(out.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", work.join("target"))
            .env("RUSTFLAGS", "-D warnings")
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err(format!(
                "the crate generated from {} does not pass `cargo test --all-targets`",
                spec.display()
            ));
        }
        // Doctests are not among `--all-targets`: they are where spec text could run as code,
        // so the fixtures (hostile ones included) run them too.
        if name.starts_with("fixture-") {
            let status = Process::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args(["test", "--quiet", "--doc", "--manifest-path"])
                .arg(out.join("Cargo.toml"))
                .env("CARGO_TARGET_DIR", work.join("target"))
                .env("RUSTFLAGS", "-D warnings")
                .env("RUSTDOCFLAGS", "-D warnings")
                .status()
                .map_err(|e| format!("cannot run cargo: {e}"))?;
            if !status.success() {
                return Err(format!(
                    "the crate generated from {} does not pass `cargo test --doc`",
                    spec.display()
                ));
            }
        }
    }
    eprintln!(
        "{} spec(s) generate crates that pass `cargo test --all-targets` with warnings denied",
        specs.len()
    );
    Ok(())
}

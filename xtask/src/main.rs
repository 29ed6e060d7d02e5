//! Project tasks: `regenerate [--check]`, `fetch-spec --from PATH`, `check-specs`, `fuzz`, `bench`.

mod bench;
mod fuzz;

use std::path::{Path, PathBuf};
use std::process::{Command as Process, ExitCode};

use clap::{Parser, Subcommand};
use friendli_codegen::Generator;

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
        /// Spec path; default: $FRIENDLI_OPENAPI, else spec/openapi.yaml.
        #[arg(long)]
        spec: Option<PathBuf>,
    },
    /// Verify a copy of the upstream spec against spec/friendli.lock and place it at spec/openapi.yaml.
    FetchSpec {
        #[arg(long)]
        from: PathBuf,
    },
    /// Generate a crate from every spec in the history folder and every fixture spec, and
    /// build and test each (all targets, warnings denied): its example round trips and its
    /// end-to-end operation tests run against a local mock server.
    CheckSpecs {
        /// Default: $FRIENDLI_OPENAPI_HISTORY, else ../shared/spec/history.
        #[arg(long)]
        history: Option<PathBuf>,
    },
    /// Run N deterministic mutants of the fixtures and the real spec through the CLI; each must
    /// end with a crate or located errors. Prints outcome counts by class; failing mutants are
    /// saved (spec + report) for reproduction.
    Fuzz(fuzz::Options),
    /// Time full regeneration (parse → IR → Rust → format → write) over many runs.
    Bench {
        #[arg(long)]
        spec: Option<PathBuf>,
        #[arg(long, default_value_t = 30)]
        runs: usize,
    },
}

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

pub(crate) fn spec_path(explicit: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(path) = explicit.or_else(|| std::env::var_os("FRIENDLI_OPENAPI").map(PathBuf::from))
    {
        return Ok(path);
    }
    let local = root().join("spec/openapi.yaml");
    if local.exists() {
        return Ok(local);
    }
    Err(format!(
        "no spec: pass --spec, set FRIENDLI_OPENAPI, or run `cargo xtask fetch-spec --from PATH` to place a verified copy at {}",
        local.display()
    ))
}

fn locked_sha256() -> Result<String, String> {
    let lock_path = root().join("spec/friendli.lock");
    let lock =
        std::fs::read_to_string(&lock_path).map_err(|e| format!("{}: {e}", lock_path.display()))?;
    lock.lines()
        .find_map(|line| {
            line.strip_prefix("sha256 = ")
                .map(|v| v.trim_matches('"').to_owned())
        })
        .ok_or_else(|| format!("{}: no `sha256 = \"...\"` line", lock_path.display()))
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Regenerate { check, spec } => regenerate(check, spec),
        Command::FetchSpec { from } => fetch_spec(&from),
        Command::CheckSpecs { history } => check_specs(history),
        Command::Bench { spec, runs } => bench::run(spec, runs),
        Command::Fuzz(options) => fuzz::run(options),
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
    let generator = Generator::from_path(&spec).map_err(|e| e.to_string())?;
    let locked = locked_sha256()?;
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
    let report = generator.write_crate(&out).map_err(|e| e.to_string())?;
    eprintln!(
        "generated/friendli: {} written, {} unchanged, {} removed",
        report.written.len(),
        report.unchanged,
        report.removed.len()
    );
    Ok(())
}

fn fetch_spec(from: &Path) -> Result<(), String> {
    let bytes = std::fs::read(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    let actual = friendli_codegen::spec::sha256_hex(&bytes);
    let locked = locked_sha256()?;
    if actual != locked {
        return Err(format!(
            "{} has sha256 {actual}, but spec/friendli.lock pins {locked}: refusing to use it",
            from.display()
        ));
    }
    let target = root().join("spec/openapi.yaml");
    std::fs::write(&target, bytes)
        .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    eprintln!("verified and placed {}", target.display());
    Ok(())
}

fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
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
    let history = history
        .or_else(|| std::env::var_os("FRIENDLI_OPENAPI_HISTORY").map(PathBuf::from))
        .unwrap_or_else(|| root().join("../shared/spec/history"));
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
        generator.write_crate(&out).map_err(|e| e.to_string())?;
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
    }
    eprintln!(
        "{} spec(s) generate crates that pass `cargo test --all-targets` with warnings denied",
        specs.len()
    );
    Ok(())
}

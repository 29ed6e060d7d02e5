//! `cargo xtask fuzz --count N [--seed S]`: the mutation test of `generator/tests/mutation.rs`
//! for longer runs, with outcome counts by class; failing mutants are saved for reproduction.

#[path = "../../generator/tests/mutation/mutator.rs"]
mod mutator;
#[path = "../../generator/tests/mutation/run.rs"]
mod run;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use run::{Base, Outcome, Runner};

#[derive(clap::Args)]
pub(crate) struct Options {
    #[arg(long, default_value_t = 1000)]
    count: usize,
    /// First seed; mutant i uses seed S + i.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where failing mutants go; default: target/fuzz-failures.
    #[arg(long)]
    failures: Option<PathBuf>,
    /// The real spec; default as for `regenerate`.
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Use a debug build of the CLI (default: release).
    #[arg(long)]
    debug: bool,
    /// Test this CLI binary instead of building one.
    #[arg(long, conflicts_with = "debug")]
    binary: Option<PathBuf>,
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// How often the real spec is listed beside the fixtures (its share of the mutants).
    #[arg(long, default_value_t = 4)]
    real_weight: usize,
}

pub(crate) fn run(options: Options) -> Result<(), String> {
    let root = crate::root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let binary = match options.binary {
        Some(binary) => binary,
        None => build(&target, options.debug)?,
    };
    let mut bases = Vec::new();
    for path in crate::yaml_files(&root.join("spec/fixtures"))? {
        bases.push(Base::load(&path)?);
    }
    let real = crate::spec_path(options.spec)?;
    for _ in 0..options.real_weight {
        bases.push(Base::load(&real)?);
    }
    let failures = options
        .failures
        .unwrap_or_else(|| target.join("fuzz-failures"));
    let work = std::env::temp_dir().join(format!("friendli-fuzz-{}", std::process::id()));
    let runner = Runner::new(
        binary,
        work.clone(),
        failures.clone(),
        Duration::from_secs(60),
    );
    let started = Instant::now();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mutants = runner.run_all(
        &bases,
        options.seed,
        options.count,
        options.threads,
        |mutant| {
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if let Outcome::Failure(class) = &mutant.outcome {
                eprintln!(
                    "FAIL {}-{} [{class}]: {}",
                    mutant.base,
                    mutant.seed,
                    mutant.log.join("; ")
                );
            }
            if n.is_multiple_of(100) {
                eprintln!("{n}/{} mutants", options.count);
            }
        },
    );
    let _ = std::fs::remove_dir_all(&work);
    let elapsed = started.elapsed();
    let busy: Duration = mutants.iter().map(|m| m.elapsed).sum();
    println!(
        "{} mutants (seeds {}..{}) in {elapsed:.1?}, {:.1?} per mutant in the CLI:",
        mutants.len(),
        options.seed,
        options.seed + options.count as u64,
        busy / mutants.len().max(1) as u32
    );
    print!("{}", run::print_summary(&mutants));
    let failed = mutants
        .iter()
        .filter(|m| matches!(m.outcome, Outcome::Failure(_)))
        .count();
    if failed > 0 {
        return Err(format!(
            "{failed} mutant(s) failed; each is saved in {} (spec + report)",
            failures.display()
        ));
    }
    Ok(())
}

/// Builds the CLI and returns its path.
fn build(target: &std::path::Path, debug: bool) -> Result<PathBuf, String> {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.args([
        "build",
        "-p",
        "friendli-codegen",
        "--bin",
        "friendli-codegen",
    ]);
    if !debug {
        command.arg("--release");
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("cannot build friendli-codegen".into());
    }
    let profile = if debug { "debug" } else { "release" };
    Ok(target
        .join(profile)
        .join(format!("friendli-codegen{}", std::env::consts::EXE_SUFFIX)))
}

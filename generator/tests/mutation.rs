//! Mutation test: deterministic mutants of every fixture and of the real spec, each run through
//! the CLI binary. Every one must end with exit 0 or with located errors (exit 1): never a
//! panic, an abort, a stack overflow, a timeout or an "internal generator error".
//! Failing mutants are saved (spec + report) under `target/fuzz-failures/`, or
//! `$FRIENDLI_FUZZ_FAILURES`; `cargo xtask fuzz --count N --seed S` runs longer.
//! `$FRIENDLI_CODEGEN_BIN` runs another build of the CLI than this test's own.

mod common;
#[path = "mutation/mutator.rs"]
mod mutator;
#[path = "mutation/run.rs"]
mod run;

use std::path::PathBuf;
use std::time::Duration;

use run::{Base, Outcome, Runner};

/// Enough to hit every mutation kind on every fixture several times while keeping the test at
/// about a minute in a debug build on two cores.
const COUNT: usize = 240;
const FIRST_SEED: u64 = 1;

fn bases() -> Vec<Base> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(common::workspace().join("spec/fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    paths.push(common::real_spec());
    paths
        .iter()
        .map(|p| Base::load(p).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

fn runner() -> Runner {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::workspace().join("target"));
    let failures = std::env::var_os("FRIENDLI_FUZZ_FAILURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| target.join("fuzz-failures"));
    let work = tempfile::tempdir().unwrap().keep();
    // `FRIENDLI_CODEGEN_BIN` tests another build of the CLI (a release build, say).
    let binary = std::env::var_os("FRIENDLI_CODEGEN_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_friendli-codegen")));
    Runner::new(binary, work, failures, Duration::from_secs(60))
}

#[test]
fn mutants_end_with_a_crate_or_located_errors() {
    let bases = bases();
    let runner = runner();
    let mutants = runner.run_all(&bases, FIRST_SEED, COUNT, 2, |_| {});
    let _ = std::fs::remove_dir_all(&runner.work);
    let summary = run::print_summary(&mutants);
    let total: Duration = mutants.iter().map(|m| m.elapsed).sum();
    eprintln!(
        "{COUNT} mutants, {:?} per mutant on average:\n{summary}",
        total / COUNT as u32
    );
    let failures: Vec<String> = mutants
        .iter()
        .filter_map(|m| match &m.outcome {
            Outcome::Failure(class) => Some(format!(
                "{}-{} [{class}]: {}",
                m.base,
                m.seed,
                m.log.join("; ")
            )),
            _ => None,
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {COUNT} mutants failed (saved in {}):\n{}\n\n{summary}",
        failures.len(),
        runner.failures.display(),
        failures.join("\n")
    );
    // The mutants must reach both ends, or the test checks less than it claims.
    assert!(
        mutants.iter().any(|m| m.outcome == Outcome::Generated),
        "{summary}"
    );
    assert!(
        mutants.iter().any(|m| m.outcome == Outcome::Rejected),
        "{summary}"
    );
}

/// One seed is one mutant, on every machine and in every run.
#[test]
fn mutants_are_deterministic() {
    let bases = bases();
    for seed in [1, 7, 99, 12345] {
        for base in &bases[..2] {
            assert_eq!(
                Runner::mutant_text(base, seed),
                Runner::mutant_text(base, seed)
            );
        }
    }
    let a = Runner::mutant_text(&bases[0], 1).0;
    let b = Runner::mutant_text(&bases[0], 2).0;
    assert_ne!(a, b, "different seeds should give different mutants");
}

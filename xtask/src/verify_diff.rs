//! `verify-diff`: checks the change report's classes against the compiler. For consecutive
//! spec pairs it generates both crates and, per reported change, a program written against the
//! old crate (`friendli_codegen::diff::probes`); each must compile against the old crate, and
//! against the new one a breaking change's program must fail while an additive or docs-only
//! change's program must compile. Slow (two crate checks per pair): run by hand, not in CI.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use friendli_codegen::Generator;
use friendli_codegen::diff::{Class, diff, probes, unchanged_probe};

/// The outcome of one pair.
#[derive(Default)]
struct Tally {
    /// (class, expected outcome held) → count.
    held: BTreeMap<(Class, bool), usize>,
    unprobed: BTreeMap<&'static str, usize>,
    mismatches: Vec<String>,
    probe_bugs: Vec<String>,
    /// Operations and models the report does not mention, all used by one program.
    unchanged_items: usize,
}

pub(crate) fn run(history: Option<PathBuf>, pairs: usize) -> Result<(), String> {
    let history = crate::fetch::history_dir(history)?;
    let mut specs = crate::yaml_files(&history)?;
    specs.push(crate::spec_path(None)?);
    let start = specs.len().saturating_sub(pairs + 1);
    let specs = &specs[start..];
    let work = crate::root().join("target/verify-diff");
    let mut failed = false;
    for (i, pair) in specs.windows(2).enumerate() {
        let new_name = if i + 2 == specs.len() {
            "pinned".to_owned()
        } else {
            stem(&pair[1])
        };
        let label = format!("{} -> {new_name}", stem(&pair[0]));
        eprintln!("== {label}");
        let tally = verify_pair(&pair[0], &pair[1], &work.join(format!("pair{i}")))?;
        print_tally(&label, &tally);
        failed |= !tally.mismatches.is_empty() || !tally.probe_bugs.is_empty();
    }
    if failed {
        return Err("the report's classes disagree with the compiler (see above)".into());
    }
    Ok(())
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn families(generator: &Generator) -> Vec<String> {
    let mut seen = BTreeSet::new();
    generator
        .api()
        .operations
        .iter()
        .filter(|o| !o.ignored)
        .map(|o| o.resource[0].clone())
        .filter(|f| seen.insert(f.clone()))
        .collect()
}

fn verify_pair(old_spec: &Path, new_spec: &Path, dir: &Path) -> Result<Tally, String> {
    let old = Generator::from_path(old_spec).map_err(|e| e.to_string())?;
    let new = Generator::from_path(new_spec).map_err(|e| e.to_string())?;
    let report = diff(old.api(), new.api());
    let (made, skipped) = probes(old.api(), &report);
    eprintln!(
        "{} changes: {} programs, {} without one",
        report.changes.len(),
        made.len(),
        skipped.len()
    );
    for (name, generator) in [("old", &old), ("new", &new)] {
        generator
            .write_crate(&dir.join(name))
            .map_err(|e| e.to_string())?;
    }
    let probe_dir = dir.join("probes");
    let _ = std::fs::remove_dir_all(probe_dir.join("src"));
    std::fs::create_dir_all(probe_dir.join("src/bin")).map_err(|e| e.to_string())?;
    for probe in &made {
        let path = probe_dir.join(format!("src/bin/c{:04}.rs", probe.change));
        std::fs::write(&path, &probe.code).map_err(|e| e.to_string())?;
    }
    let (unchanged_items, unchanged) = unchanged_probe(old.api(), &report);
    std::fs::write(probe_dir.join("src/bin/unchanged.rs"), unchanged).map_err(|e| e.to_string())?;
    let against_old = check(&probe_dir, "old", old.config(), &families(&old))?;
    let against_new = check(&probe_dir, "new", new.config(), &families(&new))?;

    let mut tally = Tally {
        unchanged_items,
        ..Tally::default()
    };
    if let Some(error) = against_old.get("unchanged") {
        tally.probe_bugs.push(format!(
            "unchanged items\n    against the old crate: {error}"
        ));
    } else if let Some(error) = against_new.get("unchanged") {
        tally.mismatches.push(format!(
            "an item the report does not mention no longer compiles against the new crate: {error}"
        ));
    }
    for skip in &skipped {
        *tally.unprobed.entry(skip.reason).or_default() += 1;
    }
    for probe in &made {
        let bin = format!("c{:04}", probe.change);
        let change = &report.changes[probe.change];
        let what = format!("{bin} {} {}", change.class.label(), change.summary.plain());
        if let Some(error) = against_old.get(&bin) {
            tally
                .probe_bugs
                .push(format!("{what}\n    against the old crate: {error}"));
            continue;
        }
        let failed = against_new.get(&bin);
        let held = failed.is_some() == probe.expect_failure;
        *tally.held.entry((change.class, held)).or_default() += 1;
        if !held {
            let detail = failed.map_or("compiles against the new crate".to_owned(), |e| {
                format!("fails against the new crate: {e}")
            });
            tally.mismatches.push(format!("{what}\n    {detail}"));
        }
    }
    Ok(tally)
}

/// `cargo check` of every probe against one crate; the first error of each failing binary.
fn check(
    probe_dir: &Path,
    crate_name: &str,
    config: &friendli_codegen::Config,
    features: &[String],
) -> Result<BTreeMap<String, String>, String> {
    let features: Vec<String> = features.iter().map(|f| format!("\"{f}\"")).collect();
    // No TLS backend: the probes only type-check, and TLS crates are slow to build.
    let manifest = format!(
        "[package]\nname = \"probes\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nsdk = {{ package = \"{package}\", path = \"../{crate_name}\", default-features = false, features = [{}] }}\n\
         serde_json = \"1\"\nchrono = {{ version = \"0.4\", default-features = false, features = [\"std\"] }}\n\n\
         [workspace]\n",
        features.join(", "),
        package = config.package,
    );
    std::fs::write(probe_dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    eprintln!("checking the programs against the {crate_name} crate");
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "check",
            "--quiet",
            "--bins",
            "--keep-going",
            "--message-format=json",
            "--manifest-path",
        ])
        .arg(probe_dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", probe_dir.join("../../target"))
        .env_remove("RUSTFLAGS")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let mut errors = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-message" || message["message"]["level"] != "error" {
            continue;
        }
        let target = message["target"]["name"].as_str().unwrap_or_default();
        let text = message["message"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if target == config.crate_ident() {
            return Err(format!(
                "the {crate_name} crate itself does not compile: {text}"
            ));
        }
        errors.entry(target.to_owned()).or_insert(text);
    }
    if errors.is_empty() && !output.status.success() {
        return Err(format!(
            "cargo check failed without compiler errors:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(errors)
}

fn print_tally(label: &str, tally: &Tally) {
    let mut out = format!("{label}:\n");
    for class in [Class::Breaking, Class::Additive, Class::DocsOnly] {
        let held = tally.held.get(&(class, true)).copied().unwrap_or(0);
        let not = tally.held.get(&(class, false)).copied().unwrap_or(0);
        let expectation = if class == Class::Breaking {
            "fail against the new crate"
        } else {
            "compile against the new crate"
        };
        let _ = writeln!(
            out,
            "  {}: {} programs, {held} {expectation} as reported, {not} do not",
            class.label(),
            held + not
        );
    }
    let _ = writeln!(
        out,
        "  unchanged: {} operations and models the report does not mention, used by one program that {} against the new crate",
        tally.unchanged_items,
        if tally
            .mismatches
            .iter()
            .any(|m| m.starts_with("an item the report"))
        {
            "does NOT compile"
        } else {
            "compiles"
        }
    );
    for (reason, count) in &tally.unprobed {
        let _ = writeln!(out, "  no program for {count} change(s): {reason}");
    }
    for mismatch in &tally.mismatches {
        let _ = writeln!(out, "  MISMATCH {mismatch}");
    }
    for bug in &tally.probe_bugs {
        let _ = writeln!(out, "  PROBE BUG {bug}");
    }
    print!("{out}");
}

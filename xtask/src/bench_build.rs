//! `cargo xtask bench-build`: how long the generated crate takes to compile, and how much of
//! that is its own code rather than its dependencies.
//!
//! Each crate (and an optional baseline crate, e.g. the one a checkout of `main` generated) is
//! copied out of its workspace and built with `cargo build -j N` in fresh target directories:
//!
//! - (a) a scratch crate with the same `[dependencies]` and `[features]` and no code of its own;
//! - own: the crate in (a)'s target directory, where every dependency is already built;
//! - (b) the crate cold, default features;
//! - (d) (b)'s target directory again after touching the largest model file;
//! - (c) the crate cold with `--no-default-features --features <default TLS>,<family>`.
//!
//! (b − a) is the crate's own share of a cold build, the main figure; "own" measures the same
//! thing directly, with less noise on a busy machine. The copies build as their own workspace
//! with cargo's default dev profile (what a dependent sees), the lock file of the workspace they
//! came from, and the environment's `RUSTFLAGS`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

#[derive(clap::Args)]
pub(crate) struct Options {
    /// The crate to measure (default: generated/friendli).
    #[arg(long = "crate")]
    crate_dir: Option<PathBuf>,
    /// A crate to measure side by side, e.g. `generated/friendli` of another checkout.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Repetitions; each figure is the median.
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// `cargo build -j`.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    /// The API family of the one-family build (c).
    #[arg(long, default_value = "serverless")]
    family: String,
}

/// The timed steps, in the order they run.
const STEPS: [(&str, &str); 5] = [
    ("a", "(a) dependencies only, cold"),
    ("own", "own: crate with dependencies built"),
    ("b", "(b) crate cold, default features"),
    ("d", "(d) rebuild after touching a model"),
    ("c", "(c) one family cold"),
];

struct Measured {
    label: &'static str,
    lines: BTreeMap<&'static str, usize>,
    touched: String,
    one_family: String,
    /// Step → one duration per run.
    times: BTreeMap<&'static str, Vec<Duration>>,
    /// (b − a) per run.
    own_share: Vec<f64>,
    /// (c − a) per run.
    family_share: Vec<f64>,
}

impl Measured {
    fn median(&self, step: &str) -> f64 {
        median(self.times[step].iter().map(Duration::as_secs_f64).collect())
    }
}

pub(crate) fn run(options: Options) -> Result<(), String> {
    let crate_dir = options
        .crate_dir
        .clone()
        .unwrap_or_else(|| super::root().join("generated/friendli"));
    let mut crates = vec![("new", crate_dir)];
    if let Some(baseline) = &options.baseline {
        crates.push(("baseline", baseline.clone()));
    }
    let work = super::root().join("target/bench-build");
    let rustflags = std::env::var("RUSTFLAGS").unwrap_or_default();
    eprintln!(
        "bench-build: {} run(s) of `cargo build -j {}`, RUSTFLAGS={rustflags:?}, load average {}",
        options.runs.max(1),
        options.jobs,
        load_average()
    );
    let mut results = Vec::new();
    for (label, dir) in &crates {
        results.push(measure(label, dir, &work.join(label), &options)?);
    }
    // Only what this run made; the directory may hold nothing else of value.
    let _ = std::fs::remove_dir_all(&work);
    print_report(&results, options.runs.max(1));
    println!("load average at the end: {}", load_average());
    Ok(())
}

fn measure(
    label: &'static str,
    source: &Path,
    work: &Path,
    options: &Options,
) -> Result<Measured, String> {
    let manifest_path = source.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest_path)
        .map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    let manifest: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    self_contained(&manifest).map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    let tls = default_tls(&manifest).map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    let features = manifest
        .get("features")
        .and_then(toml::Value::as_table)
        .ok_or_else(|| format!("{}: no [features]", manifest_path.display()))?;
    if !features.contains_key(&options.family) {
        return Err(format!(
            "{}: no feature `{}` for the one-family build",
            manifest_path.display(),
            options.family
        ));
    }
    let one_family = format!("{tls},{}", options.family);

    let _ = std::fs::remove_dir_all(work);
    let crate_copy = work.join("crate");
    copy_tree(source, &crate_copy)?;
    let mut own_manifest = text.clone();
    if !manifest.contains_key("workspace") {
        own_manifest.push_str("\n[workspace]\n");
    }
    write(&crate_copy.join("Cargo.toml"), &own_manifest)?;
    let deps = work.join("deps");
    write(&deps.join("Cargo.toml"), &scratch_manifest(&manifest)?)?;
    write(
        &deps.join("src/lib.rs"),
        "//! The generated crate's dependencies, without its code.\n",
    )?;
    let lock = lock_file(source);
    if let Some(lock) = &lock {
        for dir in [&crate_copy, &deps] {
            std::fs::copy(lock, dir.join("Cargo.lock"))
                .map_err(|e| format!("{}: {e}", lock.display()))?;
        }
    }
    eprintln!(
        "{label}: {} ({}), lock file {}",
        source.display(),
        manifest_summary(&manifest),
        lock.as_deref()
            .map_or("none (resolved afresh)".into(), |l| l.display().to_string())
    );
    // Downloads are not compile time.
    for dir in [&crate_copy, &deps] {
        cargo(&["fetch"], dir, None)?;
    }
    let touched = largest_model_file(&crate_copy.join("src"))?;
    let lines = count_lines(&source.join("src"))?;

    let mut times: BTreeMap<&'static str, Vec<Duration>> = BTreeMap::new();
    let mut own_share = Vec::new();
    let mut family_share = Vec::new();
    for run in 0..options.runs.max(1) {
        let (target_a, target_b, target_c) = (
            work.join("target-a"),
            work.join("target-b"),
            work.join("target-c"),
        );
        for t in [&target_a, &target_b, &target_c] {
            let _ = std::fs::remove_dir_all(t);
        }
        let jobs = options.jobs.to_string();
        let build = ["build", "-j", jobs.as_str()];
        let mut time = |step: &'static str, args: &[&str], dir: &Path, target: &Path| {
            eprintln!("{label} run {}: {step}", run + 1);
            let took = cargo(args, dir, Some(target))?;
            eprintln!("  {:.1} s", took.as_secs_f64());
            times.entry(step).or_default().push(took);
            Ok::<Duration, String>(took)
        };
        let a = time("a", &build, &deps, &target_a)?;
        time("own", &build, &crate_copy, &target_a)?;
        let b = time("b", &build, &crate_copy, &target_b)?;
        own_share.push(b.as_secs_f64() - a.as_secs_f64());
        touch(&crate_copy.join("src").join(&touched))?;
        time("d", &build, &crate_copy, &target_b)?;
        let one = [
            &build[..],
            &["--no-default-features", "--features", &one_family],
        ]
        .concat();
        let c = time("c", &one, &crate_copy, &target_c)?;
        family_share.push(c.as_secs_f64() - a.as_secs_f64());
        for t in [&target_a, &target_b, &target_c] {
            let _ = std::fs::remove_dir_all(t);
        }
    }
    let _ = std::fs::remove_dir_all(work);
    Ok(Measured {
        label,
        lines,
        touched,
        one_family,
        times,
        own_share,
        family_share,
    })
}

/// Runs cargo in `dir` (its own workspace); the time it took, or its output when it failed.
fn cargo(args: &[&str], dir: &Path, target: Option<&Path>) -> Result<Duration, String> {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .args(args)
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .env_remove("CARGO_TARGET_DIR");
    if let Some(target) = target {
        command.arg("--target-dir").arg(target);
    }
    let start = Instant::now();
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let took = start.elapsed();
    if !output.status.success() {
        return Err(format!(
            "`cargo {}` in {} failed:\n{}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(took)
}

/// Keys that read from a workspace would not resolve in a copy built on its own.
fn self_contained(manifest: &toml::Table) -> Result<(), String> {
    let inherits = |v: &toml::Value| {
        v.as_table()
            .is_some_and(|t| t.get("workspace").and_then(toml::Value::as_bool) == Some(true))
    };
    let package = manifest
        .get("package")
        .and_then(toml::Value::as_table)
        .ok_or("no [package]")?;
    let mut inherited: Vec<String> = package
        .iter()
        .filter(|(_, v)| inherits(v))
        .map(|(k, _)| format!("package.{k}"))
        .collect();
    for table in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(deps) = manifest.get(table).and_then(toml::Value::as_table) {
            inherited.extend(
                deps.iter()
                    .filter(|(_, v)| inherits(v))
                    .map(|(k, _)| format!("{table}.{k}")),
            );
        }
    }
    if manifest.get("lints").is_some_and(inherits) {
        inherited.push("lints".into());
    }
    if inherited.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "inherits from its workspace ({}); bench-build needs a self-contained manifest",
            inherited.join(", ")
        ))
    }
}

/// The default feature that picks TLS (the one-family build keeps it, as a user would).
fn default_tls(manifest: &toml::Table) -> Result<String, String> {
    manifest
        .get("features")
        .and_then(|f| f.get("default"))
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_str)
        .find(|f| f.starts_with("rustls") || f.starts_with("native-tls"))
        .map(str::to_owned)
        .ok_or_else(|| "no TLS feature (rustls*, native-tls*) among the default features".into())
}

/// The same dependencies and features under another name, with no code: building it is the
/// dependency part of building the crate.
fn scratch_manifest(manifest: &toml::Table) -> Result<String, String> {
    let edition = manifest
        .get("package")
        .and_then(|p| p.get("edition"))
        .cloned()
        .unwrap_or_else(|| toml::Value::String("2021".into()));
    let mut package = toml::Table::new();
    package.insert("name".into(), "bench-build-deps".into());
    package.insert("version".into(), "0.0.0".into());
    package.insert("edition".into(), edition);
    package.insert("publish".into(), false.into());
    let mut scratch = toml::Table::new();
    scratch.insert("package".into(), package.into());
    for key in ["features", "dependencies", "target"] {
        if let Some(value) = manifest.get(key) {
            scratch.insert(key.into(), value.clone());
        }
    }
    scratch.insert("workspace".into(), toml::Table::new().into());
    toml::to_string(&scratch).map_err(|e| e.to_string())
}

fn manifest_summary(manifest: &toml::Table) -> String {
    let default: Vec<&str> = manifest
        .get("features")
        .and_then(|f| f.get("default"))
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_str)
        .collect();
    let deps = manifest
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .map_or(0, toml::Table::len);
    format!(
        "{deps} dependencies, default features {}",
        default.join(",")
    )
}

/// The lock file cargo uses for the crate in its checkout: its workspace root's (the nearest
/// directory at or above it whose `Cargo.toml` has a `[workspace]`), else its own. So both crates
/// build the versions their checkouts pin.
fn lock_file(crate_dir: &Path) -> Option<PathBuf> {
    let absolute = std::fs::canonicalize(crate_dir).ok()?;
    let is_workspace_root = |dir: &Path| {
        std::fs::read_to_string(dir.join("Cargo.toml"))
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
            .is_some_and(|manifest| manifest.contains_key("workspace"))
    };
    let root = absolute
        .ancestors()
        .find(|dir| is_workspace_root(dir))
        .unwrap_or(&absolute);
    Some(root.join("Cargo.lock")).filter(|lock| lock.is_file())
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| e.to_string())?;
        if kind.is_dir() {
            // A build directory of the source checkout is not the crate.
            if entry.file_name() != "target" {
                copy_tree(&path, &to.join(entry.file_name()))?;
            }
        } else if kind.is_file() {
            std::fs::copy(&path, to.join(entry.file_name()))
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Moves the file's modification time to now, as an editor saving it unchanged would.
fn touch(path: &Path) -> Result<(), String> {
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(SystemTime::now()))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The largest file under `src/models/`, relative to `src/`.
fn largest_model_file(src: &Path) -> Result<String, String> {
    let mut largest: Option<(u64, String)> = None;
    for (path, size) in rust_files(&src.join("models"))? {
        let relative = path
            .strip_prefix(src)
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .into_owned();
        if largest.as_ref().is_none_or(|(s, _)| size > *s) {
            largest = Some((size, relative));
        }
    }
    largest
        .map(|(_, path)| path)
        .ok_or_else(|| format!("no model files under {}", src.join("models").display()))
}

/// Every `.rs` file under `dir` with its size in bytes.
fn rust_files(dir: &Path) -> Result<Vec<(PathBuf, u64)>, String> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let entry = entry.map_err(|e| e.to_string())?;
            let meta = entry.metadata().map_err(|e| e.to_string())?;
            if meta.is_dir() {
                pending.push(entry.path());
            } else if entry.path().extension().is_some_and(|e| e == "rs") {
                files.push((entry.path(), meta.len()));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Lines of Rust under `src/`, in total and by top directory.
fn count_lines(src: &Path) -> Result<BTreeMap<&'static str, usize>, String> {
    let mut lines = BTreeMap::new();
    for group in [
        "models",
        "operations",
        "resources",
        "runtime",
        "other",
        "total",
    ] {
        lines.insert(group, 0);
    }
    for (path, _) in rust_files(src)? {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let n = text.lines().count();
        let top = path
            .strip_prefix(src)
            .ok()
            .and_then(|p| p.components().next())
            .and_then(|c| c.as_os_str().to_str());
        let group = match top {
            Some("models") => "models",
            Some("operations") => "operations",
            Some("resources") => "resources",
            Some("runtime") => "runtime",
            _ => "other",
        };
        *lines.get_mut(group).expect("inserted above") += n;
        *lines.get_mut("total").expect("inserted above") += n;
    }
    Ok(lines)
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    let n = samples.len();
    if n % 2 == 1 {
        samples[n / 2]
    } else {
        (samples[n / 2 - 1] + samples[n / 2]) / 2.0
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| {
            let fields: Vec<&str> = l.split_whitespace().take(3).collect();
            (fields.len() == 3).then(|| fields.join(" "))
        })
        .unwrap_or_else(|| "unknown".into())
}

fn print_report(results: &[Measured], runs: usize) {
    let mut header = format!("{:<40}", if runs > 1 { "median of runs" } else { "" });
    for m in results {
        header.push_str(&format!("{:>12}", m.label));
    }
    if results.len() == 2 {
        header.push_str(&format!("{:>14}", "new/baseline"));
    }
    println!("{header}");
    for group in [
        "total",
        "models",
        "operations",
        "resources",
        "runtime",
        "other",
    ] {
        let name = if group == "total" {
            "lines of src/".to_owned()
        } else {
            format!("  {group}")
        };
        let values: Vec<f64> = results.iter().map(|m| m.lines[group] as f64).collect();
        print_row(&name, &values, 0, "");
    }
    for (step, name) in STEPS {
        let values: Vec<f64> = results.iter().map(|m| m.median(step)).collect();
        print_row(name, &values, 1, " s");
    }
    let own: Vec<f64> = results
        .iter()
        .map(|m| median(m.own_share.clone()))
        .collect();
    print_row("(b − a) the crate's own share  <== main", &own, 1, " s");
    // (a) builds the default features' dependencies, a few more than (c) needs: a lower bound.
    let family: Vec<f64> = results
        .iter()
        .map(|m| median(m.family_share.clone()))
        .collect();
    print_row("(c − a) one family's own share, at least", &family, 1, " s");
    let mut whole = format!("{:<40}", "c/b");
    let mut share = format!("{:<40}", "(c − a)/(b − a)");
    for m in results {
        let ratio = m.median("c") / m.median("b");
        whole.push_str(&format!("{:>12}", format!("{ratio:.2}")));
        let ratio = median(m.family_share.clone()) / median(m.own_share.clone());
        share.push_str(&format!("{:>12}", format!("{ratio:.2}")));
    }
    println!("{whole}\n{share}");
    for m in results {
        println!(
            "{}: (c) = --no-default-features --features {}; (d) touched src/{}",
            m.label, m.one_family, m.touched
        );
    }
    if runs > 1 {
        for m in results {
            for (step, _) in STEPS {
                let each: Vec<String> = m.times[step]
                    .iter()
                    .map(|d| format!("{:.1}", d.as_secs_f64()))
                    .collect();
                println!("{} {step} per run: {} s", m.label, each.join(" "));
            }
        }
    }
}

/// One figure per crate, and new/baseline when there are two.
fn print_row(name: &str, values: &[f64], decimals: usize, unit: &str) {
    let mut line = format!("{name:<40}");
    for v in values {
        line.push_str(&format!("{:>12}", format!("{v:.decimals$}{unit}")));
    }
    if let [new, base] = values {
        line.push_str(&format!("{:>14}", format!("{:.2}", new / base)));
    }
    println!("{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn the_scratch_crate_has_the_dependencies_and_features_and_nothing_else() {
        let manifest = table(
            r#"
[package]
name = "friendli"
version = "0.1.0"
edition = "2024"
[features]
default = ["rustls-ring", "gzip", "serverless"]
rustls-ring = ["reqwest/rustls-no-provider", "dep:rustls"]
gzip = ["reqwest/gzip"]
serverless = []
[dependencies]
reqwest = { version = "0.13", default-features = false, features = ["json"] }
rustls = { version = "0.23", optional = true }
[dev-dependencies]
wiremock = "0.6"
"#,
        );
        let scratch = table(&scratch_manifest(&manifest).unwrap());
        assert_eq!(
            scratch["package"]["name"].as_str(),
            Some("bench-build-deps")
        );
        assert_eq!(scratch["package"]["edition"].as_str(), Some("2024"));
        assert_eq!(scratch["features"], manifest["features"]);
        assert_eq!(scratch["dependencies"], manifest["dependencies"]);
        assert!(scratch.get("dev-dependencies").is_none());
        assert!(scratch["workspace"].as_table().unwrap().is_empty());
        assert_eq!(default_tls(&manifest).unwrap(), "rustls-ring");
    }

    #[test]
    fn the_tls_feature_is_found_among_the_defaults_or_refused() {
        let old = table("[features]\ndefault = [\"gzip\", \"rustls\", \"serverless\"]\n");
        assert_eq!(default_tls(&old).unwrap(), "rustls");
        let none = table("[features]\ndefault = [\"gzip\"]\n");
        assert!(default_tls(&none).is_err());
    }

    #[test]
    fn a_manifest_that_inherits_from_its_workspace_is_refused_by_key() {
        let inherits = table(
            "[package]\nname = \"x\"\nedition.workspace = true\n[dependencies]\nserde = { workspace = true }\nbytes = \"1\"\n",
        );
        let error = self_contained(&inherits).unwrap_err();
        assert!(error.contains("package.edition"), "{error}");
        assert!(error.contains("dependencies.serde"), "{error}");
        assert!(!error.contains("bytes"), "{error}");
        assert!(self_contained(&table("[package]\nname = \"x\"\nedition = \"2024\"\n")).is_ok());
    }

    #[test]
    fn lines_are_counted_by_top_directory() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path();
        for (path, text) in [
            ("lib.rs", "a\nb\n"),
            ("models/mod.rs", "1\n2\n3\n"),
            ("models/chat/big.rs", "1\n2\n3\n4\n5\n"),
            ("runtime/client.rs", "x\n"),
            ("spec_examples.rs", "y\n"),
            ("models/notes.txt", "not rust\n"),
        ] {
            write(&src.join(path), text).unwrap();
        }
        let lines = count_lines(src).unwrap();
        assert_eq!(lines["models"], 8);
        assert_eq!(lines["runtime"], 1);
        assert_eq!(lines["operations"], 0);
        assert_eq!(lines["other"], 3);
        assert_eq!(lines["total"], 12);
        assert_eq!(largest_model_file(src).unwrap(), "models/chat/big.rs");
    }

    #[test]
    fn the_lock_file_is_the_workspace_roots_not_a_stray_one_in_the_crate() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            &root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"gen/c\"]\n",
        )
        .unwrap();
        write(&root.join("Cargo.lock"), "").unwrap();
        write(&root.join("gen/c/Cargo.toml"), "[package]\nname = \"c\"\n").unwrap();
        write(&root.join("gen/c/Cargo.lock"), "").unwrap();
        let found = lock_file(&root.join("gen/c")).unwrap();
        assert_eq!(
            found,
            std::fs::canonicalize(root).unwrap().join("Cargo.lock")
        );
        let alone = tempfile::tempdir().unwrap();
        write(
            &alone.path().join("Cargo.toml"),
            "[package]\nname = \"c\"\n",
        )
        .unwrap();
        assert_eq!(lock_file(alone.path()), None);
        write(&alone.path().join("Cargo.lock"), "").unwrap();
        assert!(lock_file(alone.path()).is_some());
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}

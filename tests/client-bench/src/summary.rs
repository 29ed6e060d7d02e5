//! Reads the medians criterion just saved and prints generated-vs-baseline ratios.

use std::path::PathBuf;
use std::time::SystemTime;

/// One comparison: the generated client's benchmark against the baseline's.
#[derive(Clone, Debug)]
pub struct Pair {
    /// Row label.
    pub label: String,
    /// Criterion ids (`group/function`) of the two benchmarks.
    pub generated: String,
    pub baseline: String,
    /// Work done by one iteration, for rates.
    pub events: Option<u64>,
    pub bytes: Option<u64>,
}

/// The ratio at or under which the generated client meets the target.
pub const TARGET_RATIO: f64 = 1.10;

/// Where criterion writes its results, found the way criterion finds it.
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir).join("criterion");
    }
    let from_metadata = std::env::var_os("CARGO").and_then(|cargo| {
        let out = std::process::Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .ok()?;
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
        v.get("target_directory")?.as_str().map(PathBuf::from)
    });
    from_metadata.map_or_else(
        || PathBuf::from("target/criterion"),
        |d| d.join("criterion"),
    )
}

/// Criterion's median estimate (ns per iteration) for `id`, if it was written
/// after `since` (i.e. by this run, not an earlier one).
fn median_ns(id: &str, since: SystemTime) -> Option<f64> {
    let path = criterion_dir().join(id).join("new").join("estimates.json");
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
    if modified < since {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    v.get("median")?.get("point_estimate")?.as_f64()
}

fn fmt_time(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn rates(ns: f64, p: &Pair) -> String {
    let per_s = 1e9 / ns;
    let mut parts = Vec::new();
    match p.events {
        Some(e) => parts.push(format!("{:.2} M events/s", e as f64 * per_s / 1e6)),
        None => parts.push(format!("{per_s:.0} req/s")),
    }
    if let Some(b) = p.bytes {
        parts.push(format!("{:.1} MB/s", b as f64 * per_s / 1e6));
    }
    parts.join(", ")
}

/// Prints a Markdown table of medians, rates and generated/baseline ratios for
/// the pairs that ran in this process (started at `since`).
pub fn print(title: &str, pairs: &[Pair], since: SystemTime) {
    println!();
    println!(
        "## {title} (criterion medians; ratio = generated / baseline, target <= {TARGET_RATIO:.2})"
    );
    println!();
    println!("| benchmark | generated | baseline | ratio | verdict |");
    println!("| --- | --- | --- | --- | --- |");
    for p in pairs {
        let (Some(g), Some(b)) = (
            median_ns(&p.generated, since),
            median_ns(&p.baseline, since),
        ) else {
            println!("| {} | not run | not run | - | - |", p.label);
            continue;
        };
        let ratio = g / b;
        let verdict = if ratio <= TARGET_RATIO {
            "ok"
        } else {
            "SLOWER"
        };
        println!(
            "| {} | {} ({}) | {} ({}) | {ratio:.3} | {verdict} |",
            p.label,
            fmt_time(g),
            rates(g, p),
            fmt_time(b),
            rates(b, p),
        );
    }
    println!();
}

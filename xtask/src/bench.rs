//! `cargo xtask bench`: wall-clock medians of each stage and of the whole regeneration, over
//! many runs of a release build, writing into a temporary directory.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use friendli_codegen::spec::SpecDocument;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

pub(crate) fn run(spec: Option<PathBuf>, runs: usize) -> Result<(), String> {
    if cfg!(debug_assertions) {
        eprintln!(
            "note: this is a debug build; run `cargo xtask-release bench` (or `cargo run --release -p xtask -- bench`) for real figures"
        );
    }
    let spec = super::spec_path(spec)?;
    let source = std::fs::read_to_string(&spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let out_root = std::env::temp_dir().join(format!("friendli-bench-{}", std::process::id()));
    let runs = runs.max(3);
    let (mut load, mut lower, mut emit, mut write, mut total) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut lines = 0;
    for i in 0..runs {
        // Alternate between two directories so every run writes every file (no write-if-changed shortcut).
        let out = out_root.join(format!("run{}", i % 2));
        let _ = std::fs::remove_dir_all(&out);
        let t0 = Instant::now();
        let doc = SpecDocument::from_source(&spec, source.clone()).map_err(|e| e.to_string())?;
        let t1 = Instant::now();
        let (api, _) = friendli_codegen::lower::lower(&doc).map_err(|e| e.to_string())?;
        let t2 = Instant::now();
        let files = friendli_codegen::emit(&api, &doc.root, &friendli_codegen::Config::default())?;
        let t3 = Instant::now();
        files
            .write_to(&out, Default::default())
            .map_err(|e| e.to_string())?;
        let t4 = Instant::now();
        load.push(t1 - t0);
        lower.push(t2 - t1);
        emit.push(t3 - t2);
        write.push(t4 - t3);
        total.push(t4 - t0);
        lines = files
            .files
            .values()
            .map(|c| c.lines().count())
            .sum::<usize>();
    }
    let _ = std::fs::remove_dir_all(&out_root);
    println!(
        "full regeneration of {} ({runs} runs, medians):",
        spec.display()
    );
    println!("  load (parse YAML)     {}", ms(median(load)));
    println!("  lower (IR)            {}", ms(median(lower)));
    println!("  emit (Rust + format)  {}", ms(median(emit)));
    println!("  write                 {}", ms(median(write)));
    println!("  total                 {}", ms(median(total)));
    println!("  output: {lines} lines");
    Ok(())
}

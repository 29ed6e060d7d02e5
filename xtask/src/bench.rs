//! `cargo xtask bench`: regeneration timed as a user runs it. A release build of the CLI
//! regenerates a crate in place with nothing changed, checks it (`--check`) and writes it into
//! a fresh directory, many times each; medians, ranges and peak RSS are printed beside the
//! targets of issue 11. `--stages` adds the in-process medians of each pipeline stage.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use friendli_codegen::spec::SpecDocument;

/// Issue 11's targets on the project's 2-core machine (whole process, median).
const IN_PLACE_TARGET: Duration = Duration::from_millis(150);
const CHECK_TARGET: Duration = Duration::from_millis(150);
const FRESH_TARGET: Duration = Duration::from_millis(450);
const RSS_TARGET_KIB: u64 = 60 * 1024;

fn median(samples: &[Duration]) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

/// One run of the CLI: its wall time (spawn to exit) and peak resident set in KiB, where the
/// platform reports it.
struct Run {
    wall: Duration,
    max_rss_kib: Option<u64>,
}

#[cfg(unix)]
fn run_once(command: &mut Command) -> Result<Run, String> {
    let start = Instant::now();
    let child = command
        .spawn()
        .map_err(|e| format!("cannot run the CLI: {e}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain old data, so all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child and nothing else waits for it (`child` is dropped without
    // waiting); both out-pointers point to live locals. `wait4` is the one call that reports
    // the peak RSS of exactly this child.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    drop(child);
    if waited != pid {
        return Err(format!(
            "waiting for the CLI: {}",
            std::io::Error::last_os_error()
        ));
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        return Err(format!("the CLI failed (wait status {status})"));
    }
    // Linux reports ru_maxrss in KiB.
    Ok(Run {
        wall,
        max_rss_kib: u64::try_from(usage.ru_maxrss).ok(),
    })
}

#[cfg(not(unix))]
fn run_once(command: &mut Command) -> Result<Run, String> {
    let start = Instant::now();
    let status = command
        .status()
        .map_err(|e| format!("cannot run the CLI: {e}"))?;
    let wall = start.elapsed();
    if !status.success() {
        return Err(format!("the CLI failed ({status})"));
    }
    Ok(Run {
        wall,
        max_rss_kib: None,
    })
}

/// Builds the release CLI once (a no-op when it is fresh) and returns its path.
fn build_cli() -> Result<PathBuf, String> {
    let root = super::root();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "friendli-codegen",
            "--bin",
            "friendli-codegen",
        ])
        .current_dir(&root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("building the release CLI failed".into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target
        .join("release")
        .join(format!("friendli-codegen{}", std::env::consts::EXE_SUFFIX)))
}

struct Mode {
    label: &'static str,
    target: Duration,
    runs: Vec<Run>,
}

fn generate(cli: &Path, spec: &Path, out: &Path, check: bool) -> Command {
    let mut command = Command::new(cli);
    command
        .arg("generate")
        .arg("--spec")
        .arg(spec)
        .arg("--out")
        .arg(out);
    if check {
        command.arg("--check");
    }
    command.stdout(Stdio::null()).stderr(Stdio::null());
    command
}

pub(crate) fn run(
    spec: Option<PathBuf>,
    runs: usize,
    stages: bool,
    cli: Option<PathBuf>,
) -> Result<(), String> {
    let spec = super::spec_path(spec)?;
    let runs = runs.max(3);
    let cli = match cli {
        Some(cli) => cli,
        None => build_cli()?,
    };
    let work = std::env::temp_dir().join(format!("friendli-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let result = time_cli(&cli, &spec, &work, runs);
    let _ = std::fs::remove_dir_all(&work);
    result?;
    if stages {
        time_stages(&spec, runs)?;
    }
    Ok(())
}

fn time_cli(cli: &Path, spec: &Path, work: &Path, runs: usize) -> Result<(), String> {
    let load_before = load_average();
    let crate_dir = work.join("friendli");
    // The first run writes the crate the in-place and check runs then find up to date.
    run_once(&mut generate(cli, spec, &crate_dir, false))?;
    let mut modes = [
        Mode {
            label: "in place, nothing changed",
            target: IN_PLACE_TARGET,
            runs: Vec::new(),
        },
        Mode {
            label: "--check",
            target: CHECK_TARGET,
            runs: Vec::new(),
        },
        Mode {
            label: "fresh directory",
            target: FRESH_TARGET,
            runs: Vec::new(),
        },
    ];
    // Interleaved, so a burst of load elsewhere on the machine spreads over all three.
    for i in 0..runs {
        modes[0]
            .runs
            .push(run_once(&mut generate(cli, spec, &crate_dir, false))?);
        modes[1]
            .runs
            .push(run_once(&mut generate(cli, spec, &crate_dir, true))?);
        // Fresh directories stay until the whole bench ends: on ext4 without a journal (this
        // machine's), creating a file first skips every inode freed in the last 30 s, reading
        // each one's inode block, so deleting the previous run's 1,100 files here made the next
        // run spend most of its time in the kernel's `recently_deleted` (perf) and measured the
        // bench's own clean-up rather than the generator.
        let fresh = work.join(format!("fresh{i}"));
        modes[2]
            .runs
            .push(run_once(&mut generate(cli, spec, &fresh, false))?);
    }
    println!(
        "whole process: {} generate --spec {} ({runs} runs of each; load average {load_before} before, {} after)",
        cli.display(),
        spec.display(),
        load_average()
    );
    println!(
        "  {:<26} {:>9}  {:>19}  {:>9}  {:>7}  {:>6}",
        "", "median", "min–max", "peak RSS", "target", "ratio"
    );
    let mut peak = None::<u64>;
    for mode in &modes {
        let walls: Vec<Duration> = mode.runs.iter().map(|r| r.wall).collect();
        let (min, max) = (
            walls.iter().min().copied().unwrap_or_default(),
            walls.iter().max().copied().unwrap_or_default(),
        );
        let rss = mode.runs.iter().filter_map(|r| r.max_rss_kib).max();
        peak = peak.max(rss);
        let median = median(&walls);
        println!(
            "  {:<26} {:>9}  {:>19}  {:>9}  {:>7}  {:>6.2}",
            mode.label,
            ms(median),
            format!(
                "{:.1}–{:.1} ms",
                min.as_secs_f64() * 1000.0,
                max.as_secs_f64() * 1000.0
            ),
            rss.map(mib).unwrap_or_else(|| "?".into()),
            ms(mode.target),
            median.as_secs_f64() / mode.target.as_secs_f64()
        );
    }
    match peak {
        Some(kib) => println!(
            "  peak RSS of any run: {} (target {}, ratio {:.2})",
            mib(kib),
            mib(RSS_TARGET_KIB),
            kib as f64 / RSS_TARGET_KIB as f64
        ),
        None => println!("  peak RSS: not reported on this platform"),
    }
    Ok(())
}

/// Medians of each stage in this process (parse, lower, emit Rust and docs, write) into a
/// directory that has none of the files, so every file is written.
fn time_stages(spec: &Path, runs: usize) -> Result<(), String> {
    if cfg!(debug_assertions) {
        eprintln!(
            "note: this is a debug build; run `cargo xtask-release bench` for real stage figures"
        );
    }
    let source = std::fs::read_to_string(spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let out_root = std::env::temp_dir().join(format!("friendli-stages-{}", std::process::id()));
    let (mut load, mut lower, mut emit, mut write, mut total) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut lines = 0;
    for i in 0..runs {
        let out = out_root.join(format!("run{i}"));
        let _ = std::fs::remove_dir_all(&out);
        let t0 = Instant::now();
        let doc = SpecDocument::from_source(spec, source.clone()).map_err(|e| e.to_string())?;
        let t1 = Instant::now();
        let (api, _) = friendli_codegen::lower::lower(&doc).map_err(|e| e.to_string())?;
        let t2 = Instant::now();
        let files = friendli_codegen::emit(&api, &doc, &friendli_codegen::Config::default())?;
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
        let _ = std::fs::remove_dir_all(&out);
    }
    let _ = std::fs::remove_dir_all(&out_root);
    println!("stages in process ({runs} runs, medians, into a new directory each run):");
    println!("  load (parse YAML)             {}", ms(median(&load)));
    println!("  lower (IR, examples, lines)   {}", ms(median(&lower)));
    println!("  emit (Rust + format, docs)    {}", ms(median(&emit)));
    println!("  write                         {}", ms(median(&write)));
    println!("  total                         {}", ms(median(&total)));
    println!("  output: {lines} lines");
    Ok(())
}

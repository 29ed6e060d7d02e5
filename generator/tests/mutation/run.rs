//! Runs mutants through the CLI binary as a subprocess, so a stack overflow or an abort is an
//! outcome to count rather than the end of the run, and sorts each outcome into a class.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::mutator::{Log, Rng, mutate};

/// A spec to mutate: a fixture or the real spec.
pub struct Base {
    pub name: String,
    pub doc: Value,
}

impl Base {
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let doc = yaml_serde::from_str(&text)
            .map_err(|e| format!("cannot parse {}: {e}", path.display()))?;
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("spec")
            .to_owned();
        Ok(Self { name, doc })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Exit 0: a crate (or, with `--dry-run`, its files) was produced.
    Generated,
    /// Exit 1 with located errors only.
    Rejected,
    /// Anything else, with a class that groups failures of one cause.
    Failure(String),
}

pub struct Mutant {
    pub base: String,
    pub seed: u64,
    pub log: Log,
    pub outcome: Outcome,
    pub stderr: String,
    pub elapsed: Duration,
}

pub struct Runner {
    pub binary: PathBuf,
    pub work: PathBuf,
    pub timeout: Duration,
    /// Where failing mutants are saved for reproduction.
    pub failures: PathBuf,
    dry_run: bool,
}

impl Runner {
    pub fn new(binary: PathBuf, work: PathBuf, failures: PathBuf, timeout: Duration) -> Self {
        // A private copy: a shared target directory may rebuild the binary during a long run.
        std::fs::create_dir_all(&work).expect("the work directory is writable");
        let copy = work.join("friendli-codegen-under-test");
        let binary = match std::fs::copy(&binary, &copy) {
            Ok(_) => copy,
            Err(_) => binary,
        };
        // Write nothing when the CLI can run the whole pipeline without writing.
        let dry_run = Command::new(&binary)
            .args(["generate", "--help"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("--dry-run"));
        Self {
            binary,
            work,
            timeout,
            failures,
            dry_run,
        }
    }

    /// The mutant for `seed` of `base`, as the text the CLI reads.
    pub fn mutant_text(base: &Base, seed: u64) -> (String, &'static str, Log) {
        let mut doc = base.doc.clone();
        let log = mutate(&mut doc, seed);
        // Mostly YAML, sometimes JSON: both loaders and both line indexes get exercised.
        let as_json = Rng::new(seed).next_u64().is_multiple_of(4);
        if !as_json && let Ok(text) = yaml_serde::to_string(&doc) {
            return (text, "yaml", log);
        }
        let text = serde_json::to_string_pretty(&doc).expect("a JSON value serializes");
        (text, "json", log)
    }

    pub fn run(&self, base: &Base, seed: u64) -> Mutant {
        let (text, ext, log) = Self::mutant_text(base, seed);
        let dir = self.work.join(format!("{}-{seed}", base.name));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the work directory is writable");
        let spec = dir.join(format!("mutant.{ext}"));
        std::fs::write(&spec, &text).expect("the work directory is writable");
        let stderr_path = dir.join("stderr.txt");
        let started = Instant::now();
        let mut command = Command::new(&self.binary);
        command
            .arg("generate")
            .arg("--spec")
            .arg(&spec)
            .arg("--out")
            .arg(dir.join("out"));
        if self.dry_run {
            command.arg("--dry-run");
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr_path).expect("writable"))
            .spawn()
            .expect("the CLI binary runs");
        let status = loop {
            if let Some(status) = child.try_wait().expect("waitable") {
                break Some(status);
            }
            if started.elapsed() > self.timeout {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let elapsed = started.elapsed();
        let stderr =
            String::from_utf8_lossy(&std::fs::read(&stderr_path).unwrap_or_default()).into_owned();
        let outcome = match status {
            None => Outcome::Failure(format!("timeout after {:?}", self.timeout)),
            Some(status) => classify(status, &stderr, &spec),
        };
        let mutant = Mutant {
            base: base.name.clone(),
            seed,
            log,
            outcome,
            stderr,
            elapsed,
        };
        if let Outcome::Failure(class) = &mutant.outcome {
            self.save(&mutant, class, &text, ext);
        }
        let _ = std::fs::remove_dir_all(&dir);
        mutant
    }

    fn save(&self, mutant: &Mutant, class: &str, text: &str, ext: &str) {
        let _ = std::fs::create_dir_all(&self.failures);
        let stem = format!("{}-{}", mutant.base, mutant.seed);
        let _ = std::fs::write(self.failures.join(format!("{stem}.{ext}")), text);
        let mut stderr = mutant.stderr.clone();
        if stderr.len() > 8000 {
            let mut cut = 8000;
            while !stderr.is_char_boundary(cut) {
                cut -= 1;
            }
            stderr.truncate(cut);
        }
        let report = format!(
            "class: {class}\nbase: {}\nseed: {}\nmutations:\n  {}\nstderr:\n{stderr}\n",
            mutant.base,
            mutant.seed,
            mutant.log.join("\n  ")
        );
        let _ = std::fs::write(self.failures.join(format!("{stem}.txt")), report);
    }

    /// Runs mutants `first_seed..first_seed + count` on `threads` workers; seed `s` mutates
    /// base `s % bases.len()`, so one seed names one mutant whatever the range it ran in.
    pub fn run_all(
        &self,
        bases: &[Base],
        first_seed: u64,
        count: usize,
        threads: usize,
        progress: impl Fn(&Mutant) + Sync,
    ) -> Vec<Mutant> {
        let next = AtomicUsize::new(0);
        let results = Mutex::new(Vec::with_capacity(count));
        std::thread::scope(|scope| {
            for _ in 0..threads.max(1) {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= count {
                            break;
                        }
                        let seed = first_seed + i as u64;
                        let base = &bases[(seed % bases.len() as u64) as usize];
                        let mutant = self.run(base, seed);
                        progress(&mutant);
                        results.lock().expect("no worker panics").push(mutant);
                    }
                });
            }
        });
        let mut results = results.into_inner().expect("no worker panics");
        results.sort_by_key(|m| m.seed);
        results
    }
}

/// Exit 0, or exit 1 with every error located; anything else is a failure class.
fn classify(status: std::process::ExitStatus, stderr: &str, spec: &Path) -> Outcome {
    if stderr.contains("has overflowed its stack") {
        return Outcome::Failure("stack overflow".into());
    }
    if let Some(class) = panic_class(stderr) {
        return Outcome::Failure(class);
    }
    match status.code() {
        Some(0) => Outcome::Generated,
        Some(1) => rejection(stderr, spec),
        Some(code) => Outcome::Failure(format!("exit {code}")),
        None => Outcome::Failure(signal(status)),
    }
}

#[cfg(unix)]
fn signal(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt as _;
    format!("signal {}", status.signal().unwrap_or(0))
}

#[cfg(not(unix))]
fn signal(_: std::process::ExitStatus) -> String {
    "killed".into()
}

/// `panic at generator/src/x.rs:12: message` (numbers and quoted text folded).
fn panic_class(stderr: &str) -> Option<String> {
    let mut lines = stderr.lines();
    let line = lines.find(|l| l.contains("panicked at "))?;
    let location = line.split("panicked at ").nth(1)?.trim_end_matches(':');
    let location = location.rsplit_once(':').map_or(location, |(file, _)| file);
    let message = lines.next().unwrap_or_default();
    Some(format!("panic at {location}: {}", fold(message)))
}

fn rejection(stderr: &str, spec: &Path) -> Outcome {
    if stderr.contains("internal generator error") {
        let line = stderr
            .lines()
            .find(|l| l.contains("internal generator error"))
            .unwrap_or_default();
        return Outcome::Failure(format!("unlocated: {}", fold(line)));
    }
    let spec_name = spec.display().to_string();
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    if errors.is_empty() {
        // Warnings and the count line come first; the message that stopped the run follows.
        let first = stderr
            .lines()
            .find(|l| {
                !l.trim().is_empty() && !l.starts_with("warning: ") && !l.contains(" error(s), ")
            })
            .unwrap_or("");
        return Outcome::Failure(format!("unlocated: {}", fold(first)));
    }
    for line in errors {
        let rest = &line["error: ".len()..];
        let has_line = rest
            .strip_prefix(spec_name.as_str())
            .and_then(|r| r.strip_prefix(':'))
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
        if !has_line && !rest.contains("(at #") {
            return Outcome::Failure(format!("unlocated: {}", fold(rest)));
        }
    }
    Outcome::Rejected
}

/// Folds what varies between mutants of one cause (paths, numbers, quoted names) so they group.
fn fold(message: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    for c in message.chars() {
        match quote {
            Some(q) if c == q => {
                out.push(c);
                quote = None;
            }
            Some(_) => {}
            None if c == '`' || c == '"' => {
                out.push(c);
                out.push('…');
                quote = Some(c);
            }
            None if c.is_ascii_digit() => {
                if !out.ends_with('N') {
                    out.push('N');
                }
            }
            None => out.push(c),
        }
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    let out = words
        .iter()
        .enumerate()
        .map(|(i, w)| match w {
            w if w.contains('/') => "<path>",
            // `cannot slice <operationId> for …`: one class whatever the operation.
            _ if i > 0 && words[i - 1] == "slice" => "<operation>",
            w => w,
        })
        .collect::<Vec<_>>()
        .join(" ");
    out.chars().take(100).collect()
}

/// Outcome counts by class, failures last.
pub fn summary(mutants: &[Mutant]) -> BTreeMap<String, (usize, Vec<u64>)> {
    let mut counts: BTreeMap<String, (usize, Vec<u64>)> = BTreeMap::new();
    for m in mutants {
        let key = match &m.outcome {
            Outcome::Generated => "ok: generated".to_owned(),
            Outcome::Rejected => "ok: rejected with located errors".to_owned(),
            Outcome::Failure(class) => format!("FAIL: {class}"),
        };
        let entry = counts.entry(key).or_default();
        entry.0 += 1;
        if entry.1.len() < 5 {
            entry.1.push(m.seed);
        }
    }
    counts
}

pub fn print_summary(mutants: &[Mutant]) -> String {
    let mut text = String::new();
    for (class, (count, seeds)) in summary(mutants) {
        text.push_str(&format!("{count:6}  {class}  (seeds {seeds:?})\n"));
    }
    text
}

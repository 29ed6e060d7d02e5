//! The only stage that touches the file system: a set of files in memory, written where
//! changed, stale files removed, or compared in check mode.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Relative path → contents. Ordered, so every listing and diff is deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSet {
    pub files: BTreeMap<String, String>,
}

/// What a write changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WriteReport {
    pub written: Vec<String>,
    pub unchanged: usize,
    pub removed: Vec<String>,
}

/// Differences between the files on disk and the expected set.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Staleness {
    pub changed: Vec<String>,
    pub missing: Vec<String>,
    pub extra: Vec<String>,
    /// A unified diff, truncated to keep CI logs readable.
    pub diff: String,
}

impl Staleness {
    pub fn is_fresh(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }
}

impl FileSet {
    pub fn insert(&mut self, path: &str, contents: String) {
        self.files.insert(path.to_owned(), contents);
    }

    /// Moves every file under `prefix/`.
    pub fn nest(self, prefix: &str) -> FileSet {
        FileSet {
            files: self
                .files
                .into_iter()
                .map(|(p, c)| (format!("{prefix}/{p}"), c))
                .collect(),
        }
    }

    pub fn extend(&mut self, other: FileSet) {
        self.files.extend(other.files);
    }

    /// Writes into `dir`: all files go to a staging directory beside `dir` first, so a failure
    /// leaves `dir` as it was; then changed files are moved in and files not in the set removed.
    pub fn write_to(&self, dir: &Path) -> std::io::Result<WriteReport> {
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)?;
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
        let result = self.write_via(dir, &staging);
        let _ = std::fs::remove_dir_all(&staging);
        result
    }

    fn write_via(&self, dir: &Path, staging: &Path) -> std::io::Result<WriteReport> {
        let _ = std::fs::remove_dir_all(staging);
        let mut report = WriteReport::default();
        let mut created = std::collections::HashSet::new();
        let mut ensure_dir = |path: &Path| -> std::io::Result<()> {
            match path.parent() {
                Some(parent) if created.insert(parent.to_path_buf()) => {
                    std::fs::create_dir_all(parent)
                }
                _ => Ok(()),
            }
        };
        // A new directory: stage everything, then one rename puts it in place.
        if !dir.exists() {
            for (path, contents) in &self.files {
                let staged = staging.join(path);
                ensure_dir(&staged)?;
                std::fs::write(&staged, contents)?;
            }
            std::fs::rename(staging, dir)?;
            report.written = self.files.keys().cloned().collect();
            return Ok(report);
        }
        let mut pending = Vec::new();
        for (path, contents) in &self.files {
            let target = dir.join(path);
            if std::fs::read(&target).is_ok_and(|old| old == contents.as_bytes()) {
                report.unchanged += 1;
                continue;
            }
            let staged = staging.join(path);
            ensure_dir(&staged)?;
            std::fs::write(&staged, contents)?;
            pending.push((staged, target, path.clone()));
        }
        // Every changed file is staged; only renames and removals remain.
        for (staged, target, path) in pending {
            ensure_dir(&target)?;
            if std::fs::rename(&staged, &target).is_err() {
                std::fs::copy(&staged, &target)?;
            }
            report.written.push(path);
        }
        for stale in self.extra_files(dir)? {
            std::fs::remove_file(dir.join(&stale))?;
            report.removed.push(stale);
        }
        remove_empty_dirs(dir)?;
        Ok(report)
    }

    /// Files under `dir` that the set does not contain (ignoring `target/` and dotfiles).
    fn extra_files(&self, dir: &Path) -> std::io::Result<Vec<String>> {
        let mut found = Vec::new();
        list_files(dir, dir, &mut found)?;
        found.retain(|f| !self.files.contains_key(f));
        found.sort();
        Ok(found)
    }

    /// Compares with what is on disk.
    pub fn check(&self, dir: &Path) -> std::io::Result<Staleness> {
        let mut staleness = Staleness::default();
        for (path, expected) in &self.files {
            match std::fs::read_to_string(dir.join(path)) {
                Ok(actual) if actual == *expected => {}
                Ok(actual) => {
                    staleness.changed.push(path.clone());
                    append_diff(&mut staleness.diff, path, &actual, expected);
                }
                Err(_) => staleness.missing.push(path.clone()),
            }
        }
        staleness.extra = self.extra_files(dir)?;
        Ok(staleness)
    }
}

const MAX_DIFF_LINES: usize = 400;

fn append_diff(out: &mut String, path: &str, actual: &str, expected: &str) {
    if out.lines().count() > MAX_DIFF_LINES {
        return;
    }
    let diff = similar::TextDiff::from_lines(actual, expected);
    let _ = write!(
        out,
        "{}",
        diff.unified_diff().context_radius(2).header(
            &format!("a/{path} (on disk)"),
            &format!("b/{path} (from the spec)")
        )
    );
}

fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "target" || name == "Cargo.lock" {
            continue;
        }
        let path: PathBuf = entry.path();
        if entry.file_type()?.is_dir() {
            list_files(root, &path, out)?;
        } else if let Ok(relative) = path.strip_prefix(root) {
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

fn remove_empty_dirs(dir: &Path) -> std::io::Result<bool> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(false);
    };
    let mut empty = true;
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_dir() && !entry.file_name().to_string_lossy().starts_with('.') {
            if !remove_empty_dirs(&entry.path())? {
                empty = false;
            } else {
                std::fs::remove_dir(entry.path())?;
            }
        } else {
            empty = false;
        }
    }
    Ok(empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(files: &[(&str, &str)]) -> FileSet {
        let mut s = FileSet::default();
        for (p, c) in files {
            s.insert(p, (*c).to_owned());
        }
        s
    }

    #[test]
    fn writes_only_changes_and_removes_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("crate");
        let first = set(&[("a.rs", "1"), ("sub/b.rs", "2"), ("old/c.rs", "3")]);
        assert_eq!(first.write_to(&out).unwrap().written.len(), 3);
        let second = set(&[("a.rs", "1"), ("sub/b.rs", "changed")]);
        let report = second.write_to(&out).unwrap();
        assert_eq!(report.written, vec!["sub/b.rs"]);
        assert_eq!(report.unchanged, 1);
        assert_eq!(report.removed, vec!["old/c.rs"]);
        assert!(!out.join("old").exists());
        assert!(second.check(&out).unwrap().is_fresh());
    }

    #[test]
    fn check_reports_a_readable_diff() {
        let dir = tempfile::tempdir().unwrap();
        set(&[("a.rs", "one\ntwo\n")]).write_to(dir.path()).unwrap();
        let staleness = set(&[("a.rs", "one\nthree\n"), ("b.rs", "")])
            .check(dir.path())
            .unwrap();
        assert_eq!(staleness.changed, vec!["a.rs"]);
        assert_eq!(staleness.missing, vec!["b.rs"]);
        assert!(
            staleness.diff.contains("-two") && staleness.diff.contains("+three"),
            "{}",
            staleness.diff
        );
    }
}

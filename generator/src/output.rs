//! The only stage that touches the file system: a set of files in memory, committed to a
//! directory as a whole (or not at all), or compared in check mode.
//!
//! Ownership: the directory keeps a manifest ([`MANIFEST`]) of the files the generator wrote.
//! Only files listed there are ever replaced or removed; every other file survives, and a
//! non-empty directory without a manifest is refused unless the caller forces it.
//!
//! Atomicity: the new tree is staged in full beside the target (unchanged files hard-linked,
//! so their timestamps and cargo's incremental state survive), then swapped in with one
//! `renameat2(RENAME_EXCHANGE)` on Linux. A run killed at any point leaves either the old tree
//! or the new one, never a mix; the leftovers are cleaned up by the next run.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// Lists the files the generator wrote into a directory, one relative path per line.
pub const MANIFEST: &str = ".generated-files";
/// Present in a staging directory until it has been swapped in; tells the next run whether
/// a leftover directory is an unfinished stage (delete it) or the replaced old tree (give
/// back what the user had put there, then delete it).
const STAGING_MARKER: &str = ".codegen-staging";
const MANIFEST_HEADER: &str = "# Files written by friendli-codegen. It replaces or removes only the files listed here;\n# anything else in this directory is left alone.\n";

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

/// How a write may treat the target directory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Write into a non-empty directory that has no manifest (files the set names are
    /// replaced; nothing else is touched).
    pub force: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "refusing to write into {dir}: it is not empty and was not written by friendli-codegen (it has no `{MANIFEST}`); choose an empty or new directory, or pass --force to write the generated files into it (no other file is removed)"
    )]
    NotGenerated { dir: String },
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("refusing to write `{path}`: {why} (a generator bug; please report it)")]
    InvalidPath { path: String, why: &'static str },
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

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.display().to_string(),
        source,
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

    /// The set plus its manifest, as it is committed to disk.
    fn with_manifest(&self) -> BTreeMap<&str, std::borrow::Cow<'_, str>> {
        let mut manifest = String::from(MANIFEST_HEADER);
        for path in self.files.keys() {
            manifest.push_str(path);
            manifest.push('\n');
        }
        let mut all: BTreeMap<&str, std::borrow::Cow<'_, str>> = self
            .files
            .iter()
            .map(|(p, c)| (p.as_str(), std::borrow::Cow::Borrowed(c.as_str())))
            .collect();
        all.insert(MANIFEST, std::borrow::Cow::Owned(manifest));
        all
    }

    /// Every path must stay inside the directory and be a portable file name; the names come
    /// from lowering, which sanitises them, so a failure here is a generator bug.
    fn validate_paths(&self) -> Result<(), WriteError> {
        for path in self.files.keys() {
            let invalid = |why| WriteError::InvalidPath {
                path: path.escape_debug().to_string(),
                why,
            };
            if path == MANIFEST || path.split('/').next() == Some(STAGING_MARKER) {
                return Err(invalid("the name is reserved for the output stage"));
            }
            for component in path.split('/') {
                if component.is_empty() || component == "." || component == ".." {
                    return Err(invalid("empty, `.` or `..` path component"));
                }
                if component.len() > 200 {
                    return Err(invalid("a path component longer than 200 bytes"));
                }
                if !component
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
                {
                    return Err(invalid("a character outside [A-Za-z0-9._-]"));
                }
            }
        }
        Ok(())
    }

    /// Commits the set to `dir` as a whole: afterwards `dir` holds exactly the set, plus every
    /// file in it the generator did not write; on any failure, or if the process is killed,
    /// `dir` is as it was (or, past the swap, entirely new).
    pub fn write_to(&self, dir: &Path, options: WriteOptions) -> Result<WriteReport, WriteError> {
        self.validate_paths()?;
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("out")
            .to_owned();
        recover_leftovers(parent, &name, dir).map_err(io_error(dir))?;

        let wanted = self.with_manifest();
        let previous = read_manifest(dir).map_err(io_error(dir))?;
        let existing = list_files(dir).map_err(io_error(dir))?;
        if previous.is_none() && !options.force && existing.iter().any(|f| !is_hidden(f)) {
            return Err(WriteError::NotGenerated {
                dir: dir.display().to_string(),
            });
        }
        let previous = previous.unwrap_or_default();
        let mut report = WriteReport::default();
        let mut unchanged = BTreeSet::new();
        let same: Vec<bool> = self
            .files
            .par_iter()
            .map(|(path, contents)| same_bytes(&dir.join(path), contents.as_bytes()))
            .collect();
        for ((path, _), same) in self.files.iter().zip(same) {
            if same {
                report.unchanged += 1;
                unchanged.insert(path.as_str());
            } else {
                report.written.push(path.clone());
            }
        }
        report.removed = previous
            .iter()
            .filter(|p| !self.files.contains_key(*p) && existing.contains(*p))
            .cloned()
            .collect();
        let manifest_unchanged = std::fs::read_to_string(dir.join(MANIFEST))
            .is_ok_and(|m| m == wanted[MANIFEST].as_ref());
        if report.written.is_empty() && report.removed.is_empty() && manifest_unchanged {
            return Ok(report);
        }

        let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
        let result = stage_and_swap(&StagePlan {
            dir,
            staging: &staging,
            wanted: &wanted,
            unchanged: &unchanged,
            previous: &previous,
            existing: &existing,
        });
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&staging);
        }
        result.map(|()| report)
    }

    /// Compares with what is on disk. Line endings are normalised, so a checkout with CRLF
    /// endings compares equal. Files the generator did not write are not "extra".
    pub fn check(&self, dir: &Path) -> std::io::Result<Staleness> {
        let mut staleness = Staleness::default();
        let wanted = self.with_manifest();
        let wanted: Vec<(&str, &str)> = wanted.iter().map(|(p, c)| (*p, c.as_ref())).collect();
        // Files are read in parallel; only the rare one that differs in its bytes (CRLF, or
        // stale) is read as text and normalised.
        let found: Vec<Option<Option<String>>> = wanted
            .par_iter()
            .map(|(path, expected)| {
                let bytes = std::fs::read(dir.join(path)).ok()?;
                if bytes == expected.as_bytes() {
                    return Some(None);
                }
                let actual = String::from_utf8(bytes).ok()?.replace("\r\n", "\n");
                Some((actual != *expected).then_some(actual))
            })
            .collect();
        for ((path, expected), found) in wanted.iter().zip(found) {
            match found {
                Some(Some(actual)) => {
                    staleness.changed.push((*path).to_owned());
                    append_diff(&mut staleness.diff, path, &actual, expected);
                }
                Some(None) => {}
                None => staleness.missing.push((*path).to_owned()),
            }
        }
        let previous = read_manifest(dir)?.unwrap_or_default();
        let existing = list_files(dir)?;
        staleness.extra = previous
            .into_iter()
            .filter(|p| !self.files.contains_key(p) && existing.contains(p))
            .collect();
        Ok(staleness)
    }
}

struct StagePlan<'a> {
    dir: &'a Path,
    staging: &'a Path,
    wanted: &'a BTreeMap<&'a str, std::borrow::Cow<'a, str>>,
    unchanged: &'a BTreeSet<&'a str>,
    /// The manifest on disk: files the generator owns.
    previous: &'a BTreeSet<String>,
    existing: &'a BTreeSet<String>,
}

fn stage_and_swap(plan: &StagePlan<'_>) -> Result<(), WriteError> {
    let StagePlan {
        dir,
        staging,
        wanted,
        unchanged,
        previous,
        existing,
    } = *plan;
    let _ = std::fs::remove_dir_all(staging);
    std::fs::create_dir(staging).map_err(io_error(staging))?;
    std::fs::write(staging.join(STAGING_MARKER), "").map_err(io_error(staging))?;
    let mut made_dirs = BTreeSet::new();
    let mut ensure_parent = |path: &Path| -> Result<(), WriteError> {
        match path.parent() {
            Some(parent) if made_dirs.insert(parent.to_path_buf()) => {
                std::fs::create_dir_all(parent).map_err(io_error(parent))
            }
            _ => Ok(()),
        }
    };
    // Directories first, then the files in parallel (each write stands alone); the manifest
    // goes in last, after all of them: a stage with a manifest is complete.
    let files: Vec<(&str, &str)> = wanted
        .iter()
        .filter(|(p, _)| **p != MANIFEST)
        .map(|(p, c)| (*p, c.as_ref()))
        .collect();
    for (path, _) in &files {
        ensure_parent(&staging.join(path))?;
    }
    files.par_iter().try_for_each(|(path, contents)| {
        let target = staging.join(path);
        if unchanged.contains(path) {
            link_or_copy(&dir.join(path), &target)
        } else {
            std::fs::write(&target, contents.as_bytes()).map_err(io_error(&target))
        }
    })?;
    // Top-level entries the generator has nothing to do with (a `target/`, a `.git/`, the
    // user's own notes) are moved across after the swap; files the user put beside generated
    // ones are linked into the stage.
    let generated_roots: BTreeSet<&str> = wanted
        .keys()
        .copied()
        .chain(previous.iter().map(String::as_str))
        .filter_map(|p| p.split('/').next())
        .collect();
    let mut foreign_roots = BTreeSet::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != STAGING_MARKER && !generated_roots.contains(name.as_str()) {
            foreign_roots.insert(name);
        }
    }
    for file in existing {
        let root = file.split('/').next().unwrap_or_default();
        if foreign_roots.contains(root)
            || previous.contains(file)
            || wanted.contains_key(file.as_str())
        {
            continue;
        }
        let target = staging.join(file);
        ensure_parent(&target)?;
        link_or_copy(&dir.join(file), &target)?;
    }
    let manifest = staging.join(MANIFEST);
    std::fs::write(&manifest, wanted[MANIFEST].as_bytes()).map_err(io_error(&manifest))?;

    if !dir.exists() {
        std::fs::remove_file(staging.join(STAGING_MARKER)).map_err(io_error(staging))?;
        return std::fs::rename(staging, dir).map_err(io_error(dir));
    }
    swap_dirs(staging, dir).map_err(io_error(dir))?;
    // `staging` now holds the old tree: give back what was never ours, then drop it.
    let _ = std::fs::remove_file(dir.join(STAGING_MARKER));
    for root in &foreign_roots {
        let from = staging.join(root);
        if from.exists() && !dir.join(root).exists() {
            std::fs::rename(&from, dir.join(root)).map_err(io_error(&from))?;
        }
    }
    std::fs::remove_dir_all(staging).map_err(io_error(staging))
}

/// Swaps two directories in one step where the platform can.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn swap_dirs(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

/// Elsewhere two renames: a kill between them leaves the old tree under its staging-side
/// name, which the next run's recovery moves back.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn swap_dirs(staging: &Path, dir: &Path) -> std::io::Result<()> {
    let mut aside = staging.as_os_str().to_owned();
    aside.push(".old");
    let aside = PathBuf::from(aside);
    std::fs::rename(dir, &aside)?;
    std::fs::rename(staging, dir)?;
    std::fs::rename(&aside, staging)
}

/// Whether the file at `path` holds exactly `expected`; the length is compared before the
/// bytes are read.
fn same_bytes(path: &Path, expected: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    if !file
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() == expected.len() as u64)
    {
        return false;
    }
    let mut actual = Vec::with_capacity(expected.len());
    file.read_to_end(&mut actual).is_ok() && actual == expected
}

/// Hard links keep the file's timestamps (so cargo does not rebuild what did not change);
/// a copy is the fallback across file systems.
fn link_or_copy(from: &Path, to: &Path) -> Result<(), WriteError> {
    if std::fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(from, to).map_err(io_error(to))?;
    Ok(())
}

/// Deals with what an earlier killed run left beside `dir`: an unfinished stage is deleted;
/// an old tree swapped out but not yet cleared gives back the entries the user had in it.
fn recover_leftovers(parent: &Path, name: &str, dir: &Path) -> std::io::Result<()> {
    let prefix = format!(".{name}.staging-");
    let _ = std::fs::remove_file(dir.join(STAGING_MARKER));
    for entry in std::fs::read_dir(parent)?.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        if pid.parse::<u32>().is_ok_and(process_is_alive) {
            continue;
        }
        let leftover = entry.path();
        if !leftover.join(STAGING_MARKER).exists() && dir.exists() {
            let owned: BTreeSet<String> = read_manifest(&leftover)?
                .unwrap_or_default()
                .iter()
                .chain(read_manifest(dir)?.unwrap_or_default().iter())
                .filter_map(|p| p.split('/').next().map(str::to_owned))
                .collect();
            for child in std::fs::read_dir(&leftover)?.flatten() {
                let child_name = child.file_name().to_string_lossy().into_owned();
                if child_name != MANIFEST
                    && !owned.contains(&child_name)
                    && !dir.join(&child_name).exists()
                {
                    std::fs::rename(child.path(), dir.join(&child_name))?;
                }
            }
        } else if !dir.exists() && leftover.join(MANIFEST).exists() {
            // Killed between the two renames of the non-Linux swap: the stage is complete.
            let _ = std::fs::remove_file(leftover.join(STAGING_MARKER));
            std::fs::rename(&leftover, dir)?;
            continue;
        }
        std::fs::remove_dir_all(&leftover)?;
    }
    Ok(())
}

fn process_is_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc = Path::new("/proc");
    proc.exists() && proc.join(pid.to_string()).exists()
}

fn read_manifest(dir: &Path) -> std::io::Result<Option<BTreeSet<String>>> {
    match std::fs::read_to_string(dir.join(MANIFEST)) {
        Ok(text) => Ok(Some(
            text.lines()
                .map(|l| l.trim_end_matches('\r'))
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                // A manifest is a file like any other: never follow one outside `dir`.
                .filter(|l| !l.split('/').any(|c| c.is_empty() || c == ".." || c == "."))
                .map(str::to_owned)
                .collect(),
        )),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err),
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

fn is_hidden(relative: &str) -> bool {
    relative.split('/').any(|c| c.starts_with('.'))
}

/// Every file below `dir` (relative, `/`-separated), dotfiles included; symbolic links are
/// listed, never followed.
fn list_files(dir: &Path) -> std::io::Result<BTreeSet<String>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) -> std::io::Result<()> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(err),
        };
        for entry in entries {
            let entry = entry?;
            let path: PathBuf = entry.path();
            if entry.file_type()?.is_dir() {
                walk(root, &path, out)?;
            } else if let Ok(relative) = path.strip_prefix(root) {
                out.insert(relative.to_string_lossy().replace('\\', "/"));
            }
        }
        Ok(())
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out)?;
    Ok(out)
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

    fn write(set: &FileSet, dir: &Path) -> Result<WriteReport, WriteError> {
        set.write_to(dir, WriteOptions::default())
    }

    /// Every file below `dir` with its contents, for byte-for-byte comparisons.
    fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        list_files(dir)
            .unwrap()
            .into_iter()
            .map(|f| {
                let bytes = std::fs::read(dir.join(&f)).unwrap();
                (f, bytes)
            })
            .collect()
    }

    #[test]
    fn writes_only_changes_and_removes_stale_generated_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("crate");
        let first = set(&[("a.rs", "1"), ("sub/b.rs", "2"), ("old/c.rs", "3")]);
        assert_eq!(write(&first, &out).unwrap().written.len(), 3);
        let second = set(&[("a.rs", "1"), ("sub/b.rs", "changed")]);
        let report = write(&second, &out).unwrap();
        assert_eq!(report.written, vec!["sub/b.rs"]);
        assert_eq!(report.unchanged, 1);
        assert_eq!(report.removed, vec!["old/c.rs"]);
        assert!(!out.join("old").exists());
        assert!(second.check(&out).unwrap().is_fresh());
        let siblings: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(siblings.len(), 1, "no staging directory is left behind");
    }

    #[test]
    fn files_it_did_not_write_survive() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("crate");
        write(&set(&[("a.rs", "1"), ("src/b.rs", "2")]), &out).unwrap();
        std::fs::write(out.join("NOTES.md"), "mine").unwrap();
        std::fs::write(out.join("src/custom.rs"), "mine too").unwrap();
        std::fs::create_dir_all(out.join("target/debug")).unwrap();
        std::fs::write(out.join("target/debug/big"), "cache").unwrap();
        std::fs::create_dir_all(out.join(".git")).unwrap();
        std::fs::write(out.join(".git/HEAD"), "ref").unwrap();
        let report = write(&set(&[("a.rs", "new")]), &out).unwrap();
        assert_eq!(report.removed, vec!["src/b.rs"]);
        assert_eq!(
            std::fs::read_to_string(out.join("NOTES.md")).unwrap(),
            "mine"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("src/custom.rs")).unwrap(),
            "mine too"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("target/debug/big")).unwrap(),
            "cache"
        );
        assert!(out.join(".git/HEAD").exists());
        assert!(!out.join("src/b.rs").exists());
    }

    #[test]
    fn a_foreign_directory_is_refused_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("myproject");
        std::fs::create_dir_all(project.join("src")).unwrap();
        std::fs::write(project.join("src/main.rs"), "fn main() {}").unwrap();
        std::fs::write(project.join("a.rs"), "theirs").unwrap();
        let before = snapshot(&project);
        let err = write(&set(&[("a.rs", "1")]), &project).unwrap_err();
        assert!(matches!(err, WriteError::NotGenerated { .. }), "{err}");
        assert!(err.to_string().contains("--force"), "{err}");
        assert_eq!(snapshot(&project), before);

        let forced = set(&[("a.rs", "1"), ("b.rs", "2")])
            .write_to(&project, WriteOptions { force: true })
            .unwrap();
        assert_eq!(forced.written, vec!["a.rs", "b.rs"]);
        assert_eq!(
            std::fs::read_to_string(project.join("src/main.rs")).unwrap(),
            "fn main() {}"
        );
        // An empty directory, or one holding only dotfiles, needs no force.
        let empty = dir.path().join("empty");
        std::fs::create_dir_all(empty.join(".git")).unwrap();
        write(&set(&[("a.rs", "1")]), &empty).unwrap();
    }

    #[test]
    fn unchanged_files_keep_their_inode_and_timestamp() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("crate");
        write(&set(&[("a.rs", "1"), ("b.rs", "2")]), &out).unwrap();
        let before = std::fs::metadata(out.join("a.rs"))
            .unwrap()
            .modified()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        write(&set(&[("a.rs", "1"), ("b.rs", "3")]), &out).unwrap();
        let after = std::fs::metadata(out.join("a.rs"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(before, after);
    }

    #[test]
    fn a_failed_write_leaves_the_directory_byte_identical() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("crate");
        write(&set(&[("a.rs", "1"), ("sub/b.rs", "2")]), &out).unwrap();
        std::fs::write(out.join("mine.txt"), "x").unwrap();
        let before = snapshot(&out);
        // A stage that cannot be created: a file sits where the stage's directory must go.
        let staging = dir
            .path()
            .join(format!(".crate.staging-{}", std::process::id()));
        std::fs::write(&staging, "blocker").unwrap();
        let bad = set(&[("a.rs", "new"), ("sub/b.rs", "new")]);
        assert!(write(&bad, &out).is_err());
        assert_eq!(snapshot(&out), before);
        // Paths that would leave the directory are refused before anything is touched.
        let escape = set(&[("../evil.rs", "x")]);
        assert!(matches!(
            write(&escape, &out),
            Err(WriteError::InvalidPath { .. })
        ));
        assert_eq!(snapshot(&out), before);
        assert!(!dir.path().join("evil.rs").exists());
    }

    #[test]
    fn leftovers_of_a_killed_run_are_cleaned_and_user_files_given_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("crate");
        write(&set(&[("a.rs", "1")]), &out).unwrap();
        // A stage abandoned before its swap (pid 0 is never a running generator).
        let stage = dir.path().join(".crate.staging-0");
        std::fs::create_dir_all(&stage).unwrap();
        std::fs::write(stage.join(STAGING_MARKER), "").unwrap();
        std::fs::write(stage.join("a.rs"), "half").unwrap();
        // An old tree swapped out, whose user directory had not been moved back yet.
        let old = dir.path().join(".crate.staging-4000000000");
        std::fs::create_dir_all(old.join("target")).unwrap();
        std::fs::write(old.join("target/cache"), "keep").unwrap();
        std::fs::write(old.join("a.rs"), "old generated").unwrap();
        std::fs::write(old.join(MANIFEST), "a.rs\n").unwrap();
        write(&set(&[("a.rs", "2")]), &out).unwrap();
        assert!(!stage.exists() && !old.exists());
        assert_eq!(
            std::fs::read_to_string(out.join("target/cache")).unwrap(),
            "keep"
        );
        assert_eq!(std::fs::read_to_string(out.join("a.rs")).unwrap(), "2");
    }

    #[test]
    fn check_reports_a_readable_diff_and_ignores_line_endings() {
        let dir = tempfile::tempdir().unwrap();
        write(
            &set(&[("a.rs", "one\ntwo\n"), ("c.rs", "x\ny\n")]),
            dir.path(),
        )
        .unwrap();
        std::fs::write(dir.path().join("c.rs"), "x\r\ny\r\n").unwrap();
        std::fs::write(dir.path().join("user.rs"), "mine").unwrap();
        let staleness = set(&[("a.rs", "one\nthree\n"), ("b.rs", ""), ("c.rs", "x\ny\n")])
            .check(dir.path())
            .unwrap();
        assert_eq!(staleness.changed, vec![MANIFEST, "a.rs"]);
        assert_eq!(staleness.missing, vec!["b.rs"]);
        assert!(staleness.extra.is_empty(), "{:?}", staleness.extra);
        assert!(
            staleness.diff.contains("-two") && staleness.diff.contains("+three"),
            "{}",
            staleness.diff
        );
        let stale = set(&[("c.rs", "x\ny\n")]).check(dir.path()).unwrap();
        assert_eq!(stale.extra, vec!["a.rs"]);
    }
}

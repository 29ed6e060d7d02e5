//! `bump-spec`: move the project to a new upstream spec in one step. The new document must load
//! and generate before anything is written; then the lock, the placed spec, the generated crate
//! (with its version moved by the semver class of the change) and its `CHANGELOG.md` are
//! written, and the change report is returned for printing.

use std::path::{Path, PathBuf};

use friendli_codegen::Generator;
use friendli_codegen::diff::{Report, diff, render_markdown};
use friendli_codegen::spec_lock::SpecLock;

use crate::fetch::{self, Source};

/// The files a bump reads and writes (the repository's, or a scratch copy in tests).
pub(crate) struct Workspace {
    pub lock: PathBuf,
    /// Where the verified spec is placed (`spec/openapi.yaml`).
    pub spec: PathBuf,
    pub crate_dir: PathBuf,
}

impl Workspace {
    pub(crate) fn of_repository() -> Self {
        let root = crate::root();
        Self {
            lock: root.join("spec/friendli.lock"),
            spec: root.join("spec/openapi.yaml"),
            crate_dir: root.join("generated/friendli"),
        }
    }
}

pub(crate) struct Bump {
    /// The spec currently pinned (its sha256 must match the lock).
    pub old_spec: PathBuf,
    pub source: Source,
    pub commit: Option<String>,
    pub date: Option<String>,
}

pub(crate) struct Outcome {
    pub report: Report,
    pub old_version: String,
    pub new_version: String,
}

const CHANGELOG: &str = "CHANGELOG.md";
const CHANGELOG_HEADER: &str = "# Changelog\n\nOne entry per spec bump, written by `cargo xtask bump-spec`: what changed in the \
spec, in this crate's terms, and the release it calls for (breaking, additive or docs-only; below \
1.0 a breaking change moves the minor version, anything else the patch version).\n";

pub(crate) fn bump_spec(ws: &Workspace, bump: Bump) -> Result<Outcome, String> {
    let lock = SpecLock::read(&ws.lock)?;
    let old_bytes = std::fs::read(&bump.old_spec)
        .map_err(|e| format!("cannot read {}: {e}", bump.old_spec.display()))?;
    let old_sha = friendli_codegen::spec::sha256_hex(&old_bytes);
    if old_sha != lock.sha256 {
        return Err(format!(
            "{} (the current spec) has sha256 {old_sha}, but {} pins {}: the report would compare \
             against the wrong spec. Run `cargo xtask fetch-spec` to place the pinned spec (and \
             unset FRIENDLI_OPENAPI if it points elsewhere), then bump again.",
            bump.old_spec.display(),
            ws.lock.display(),
            lock.sha256
        ));
    }
    let (bytes, origin) = fetch::read_source(&bump.source, &lock)?;
    if friendli_codegen::spec::sha256_hex(&bytes) == lock.sha256 {
        return Err(format!(
            "{origin} is the spec already pinned (sha256 {}): there is nothing to bump",
            lock.sha256
        ));
    }
    let commit = match bump.commit.or_else(|| commit_in_url(&bump.source)) {
        Some(commit) => commit,
        None => {
            return Err(format!(
                "which upstream commit is {origin}? Pass --commit C (the lock records it)."
            ));
        }
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{origin} is not UTF-8 text, so it is not an OpenAPI document"))?;

    // Everything is computed before anything is written.
    let old = Generator::from_path(&bump.old_spec).map_err(|e| e.to_string())?;
    let new = Generator::from_source(Path::new(&origin), text.clone())
        .map_err(|e| format!("the new spec does not load; nothing was written.\n{e}"))?;
    let report = diff(old.api(), new.api());
    let new_version = report.semver.next_version(&lock.crate_version)?;
    let new = new
        .with_config(super::codegen_config()?)
        .with_crate_version(&new_version);
    let files = new
        .crate_files()
        .map_err(|e| format!("the new spec does not generate; nothing was written.\n{e}"))?;
    let new_lock = SpecLock {
        commit: commit.clone(),
        date: bump.date.unwrap_or_else(today),
        sha256: new.spec().sha256.clone(),
        crate_version: new_version.clone(),
        ..lock.clone()
    };
    let changelog_path = ws.crate_dir.join(CHANGELOG);
    let changelog = prepend_entry(
        std::fs::read_to_string(&changelog_path).ok().as_deref(),
        &entry(&report, &new_lock),
    );

    // The repository's own crate directory (see `regenerate`); the CHANGELOG is not in the
    // generated set, so the manifest keeps it.
    files
        .write_to(
            &ws.crate_dir,
            friendli_codegen::output::WriteOptions { force: true },
        )
        .map_err(|e| format!("cannot write {}: {e}", ws.crate_dir.display()))?;
    std::fs::write(&changelog_path, changelog)
        .map_err(|e| format!("cannot write {}: {e}", changelog_path.display()))?;
    fetch::place(text.as_bytes(), &ws.spec)?;
    std::fs::write(&ws.lock, new_lock.render())
        .map_err(|e| format!("cannot write {}: {e}", ws.lock.display()))?;
    Ok(Outcome {
        report,
        old_version: lock.crate_version,
        new_version,
    })
}

/// `https://raw.githubusercontent.com/<owner>/<repo>/<commit>/<file>` names its commit.
fn commit_in_url(source: &Source) -> Option<String> {
    let Source::Url(url) = source else {
        return None;
    };
    let rest = url.strip_prefix("https://raw.githubusercontent.com/")?;
    let commit = rest.split('/').nth(2)?;
    (commit.len() >= 7 && commit.chars().all(|c| c.is_ascii_hexdigit())).then(|| commit.to_owned())
}

fn entry(report: &Report, lock: &SpecLock) -> String {
    format!(
        "## {} (spec `{}`, {})\n\n{}",
        lock.crate_version,
        lock.commit,
        lock.date,
        render_markdown(report, 3)
    )
}

/// The new entry goes first, under the header.
fn prepend_entry(existing: Option<&str>, entry: &str) -> String {
    let existing = existing.unwrap_or(CHANGELOG_HEADER);
    match existing.find("\n## ") {
        Some(at) => format!("{}\n{entry}{}", &existing[..at + 1], &existing[at..]),
        None => format!(
            "{}\n{entry}",
            existing.trim_end_matches('\n').to_owned() + "\n"
        ),
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_date(secs / 86_400)
}

/// Days since 1970-01-01 → `YYYY-MM-DD` (proleptic Gregorian; Howard Hinnant's algorithm).
fn civil_date(days: u64) -> String {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        crate::root().join("spec/fixtures").join(name)
    }

    /// A scratch workspace pinned to `spec`, with the crate generated from it.
    fn workspace(dir: &Path, spec: &Path) -> Workspace {
        let ws = Workspace {
            lock: dir.join("friendli.lock"),
            spec: dir.join("openapi.yaml"),
            crate_dir: dir.join("friendli"),
        };
        let bytes = std::fs::read(spec).unwrap();
        std::fs::write(&ws.spec, &bytes).unwrap();
        let lock = SpecLock {
            repository: "https://github.com/friendliai/friendli-openapi".into(),
            commit: "aaaaaaa".into(),
            date: "2026-07-01".into(),
            file: "openapi.yaml".into(),
            sha256: friendli_codegen::spec::sha256_hex(&bytes),
            crate_version: "0.3.1".into(),
        };
        std::fs::write(&ws.lock, lock.render()).unwrap();
        Generator::from_path(spec)
            .unwrap()
            .with_crate_version("0.3.1")
            .write_crate(&ws.crate_dir)
            .unwrap();
        ws
    }

    fn snapshot(ws: &Workspace) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        let mut stack = vec![ws.lock.parent().unwrap().to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push((path.clone(), std::fs::read(&path).unwrap()));
                }
            }
        }
        files.sort();
        files
    }

    #[test]
    fn a_bump_writes_lock_spec_crate_version_and_changelog() {
        let dir = tempfile::tempdir().unwrap();
        let old = fixture("operations.yaml");
        let ws = workspace(dir.path(), &old);
        // Another fixture: the old operations are gone, a breaking change, so 0.3.1 → 0.4.0.
        let source = std::fs::read_to_string(fixture("enums.yaml")).unwrap();
        let new_path = dir.path().join("new.yaml");
        std::fs::write(&new_path, &source).unwrap();
        let outcome = bump_spec(
            &ws,
            Bump {
                old_spec: ws.spec.clone(),
                source: Source::File(new_path),
                commit: Some("bbbbbbb".into()),
                date: Some("2026-07-22".into()),
            },
        )
        .unwrap();
        assert_eq!(outcome.old_version, "0.3.1");
        assert_eq!(outcome.new_version, "0.4.0");
        let lock = SpecLock::read(&ws.lock).unwrap();
        assert_eq!(lock.commit, "bbbbbbb");
        assert_eq!(lock.date, "2026-07-22");
        assert_eq!(lock.crate_version, "0.4.0");
        assert_eq!(
            lock.sha256,
            friendli_codegen::spec::sha256_hex(source.as_bytes())
        );
        assert_eq!(std::fs::read_to_string(&ws.spec).unwrap(), source);
        let manifest = std::fs::read_to_string(ws.crate_dir.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("\nversion = \"0.4.0\"\n"), "{manifest}");
        let changelog = std::fs::read_to_string(ws.crate_dir.join(CHANGELOG)).unwrap();
        assert!(changelog.starts_with("# Changelog\n"), "{changelog}");
        assert!(
            changelog.contains("\n## 0.4.0 (spec `bbbbbbb`, 2026-07-22)\n"),
            "{changelog}"
        );
        assert!(changelog.contains("**Semver class: major**"), "{changelog}");

        // A second bump puts its entry above the first.
        let back = dir.path().join("back.yaml");
        std::fs::copy(&old, &back).unwrap();
        bump_spec(
            &ws,
            Bump {
                old_spec: ws.spec.clone(),
                source: Source::File(back),
                commit: Some("ccccccc".into()),
                date: Some("2026-07-29".into()),
            },
        )
        .unwrap();
        let changelog = std::fs::read_to_string(ws.crate_dir.join(CHANGELOG)).unwrap();
        let second = changelog.find("## 0.5.0 (spec `ccccccc`").unwrap();
        let first = changelog.find("## 0.4.0 (spec `bbbbbbb`").unwrap();
        assert!(second < first, "{changelog}");
        assert_eq!(changelog.matches("# Changelog").count(), 1);
    }

    #[test]
    fn nothing_is_written_when_the_new_spec_does_not_generate() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path(), &fixture("operations.yaml"));
        let before = snapshot(&ws);
        let broken = dir.path().join("broken.yaml");
        std::fs::copy(fixture("bad/dangling_ref.yaml"), &broken).unwrap();
        let err = bump_spec(
            &ws,
            Bump {
                old_spec: ws.spec.clone(),
                source: Source::File(broken.clone()),
                commit: Some("bbbbbbb".into()),
                date: None,
            },
        )
        .map(|_| ())
        .unwrap_err();
        assert!(err.contains("nothing was written"), "{err}");
        let after: Vec<_> = snapshot(&ws)
            .into_iter()
            .filter(|(p, _)| p != &broken)
            .collect();
        let before: Vec<_> = before.into_iter().filter(|(p, _)| p != &broken).collect();
        assert!(before == after, "files changed");
    }

    #[test]
    fn a_wrong_current_spec_or_an_unchanged_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path(), &fixture("operations.yaml"));
        let err = bump_spec(
            &ws,
            Bump {
                old_spec: fixture("enums.yaml"),
                source: Source::File(fixture("enums.yaml")),
                commit: Some("bbbbbbb".into()),
                date: None,
            },
        )
        .map(|_| ())
        .unwrap_err();
        assert!(err.contains("fetch-spec"), "{err}");
        let same = bump_spec(
            &ws,
            Bump {
                old_spec: ws.spec.clone(),
                source: Source::File(ws.spec.clone()),
                commit: Some("bbbbbbb".into()),
                date: None,
            },
        )
        .map(|_| ())
        .unwrap_err();
        assert!(same.contains("nothing to bump"), "{same}");
    }

    #[test]
    fn commits_come_from_raw_urls_and_dates_from_days() {
        let url = |u: &str| commit_in_url(&Source::Url(u.into()));
        assert_eq!(
            url(
                "https://raw.githubusercontent.com/friendliai/friendli-openapi/c996231/openapi.yaml"
            ),
            Some("c996231".into())
        );
        assert_eq!(
            url("https://raw.githubusercontent.com/friendliai/friendli-openapi/main/openapi.yaml"),
            None
        );
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_656), "2026-07-22");
        assert_eq!(civil_date(11_016), "2000-02-29");
    }
}

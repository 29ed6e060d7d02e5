//! `spec/friendli.lock`: which upstream spec the crate is generated from (repository, commit,
//! date, file, sha256) and the generated crate's version, which moves with the spec.
//!
//! The format is a flat `key = "value"` list with `#` comments, read and written here only, so
//! the xtask (fetch, regenerate, bump) and the tests agree on it.

use std::fmt::Write as _;

/// The crate version used when a lock names none (locks written before versions were tracked).
pub const DEFAULT_CRATE_VERSION: &str = "0.1.0";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecLock {
    /// `https://github.com/<owner>/<repo>`.
    pub repository: String,
    pub commit: String,
    /// `YYYY-MM-DD` of the pinned commit.
    pub date: String,
    /// The spec's path inside the repository.
    pub file: String,
    pub sha256: String,
    /// The version written into the generated crate's `Cargo.toml`.
    pub crate_version: String,
}

const COMMENT: &str = "\
# The pinned upstream Friendli Suite OpenAPI document. `cargo xtask fetch-spec` downloads it
# (or `--from PATH` takes a local copy), verifies `sha256` and places it at spec/openapi.yaml
# (git-ignored); `cargo xtask regenerate --check` refuses a spec whose checksum differs.
# `cargo xtask bump-spec` rewrites this file and `crate_version` (the generated crate's version).
";

impl SpecLock {
    pub fn parse(text: &str) -> Result<Self, String> {
        let get = |key: &str| -> Option<String> {
            text.lines().find_map(|line| {
                let (k, v) = line.split_once('=')?;
                (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
            })
        };
        let need = |key: &str| get(key).ok_or_else(|| format!("no `{key} = \"...\"` line"));
        Ok(Self {
            repository: need("repository")?,
            commit: need("commit")?,
            date: need("date")?,
            file: need("file")?,
            sha256: need("sha256")?,
            crate_version: get("crate_version").unwrap_or_else(|| DEFAULT_CRATE_VERSION.into()),
        })
    }

    pub fn read(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn render(&self) -> String {
        let mut out = String::from(COMMENT);
        for (key, value) in [
            ("repository", &self.repository),
            ("commit", &self.commit),
            ("date", &self.date),
            ("file", &self.file),
            ("sha256", &self.sha256),
            ("crate_version", &self.crate_version),
        ] {
            let _ = writeln!(out, "{key} = \"{value}\"");
        }
        out
    }

    /// The raw file at the pinned commit, for a GitHub repository.
    pub fn download_url(&self) -> Result<String, String> {
        self.url_at(&self.commit)
    }

    /// The raw spec file at any commit of the lock's repository.
    pub fn url_at(&self, commit: &str) -> Result<String, String> {
        let repo = self
            .repository
            .trim_end_matches('/')
            .trim_end_matches(".git")
            .strip_prefix("https://github.com/")
            .ok_or_else(|| {
                format!(
                    "the lock's repository {} is not on github.com, so there is no raw-file URL to derive: pass --url",
                    self.repository
                )
            })?;
        Ok(format!(
            "https://raw.githubusercontent.com/{repo}/{commit}/{}",
            self.file
        ))
    }
}

/// An earlier upstream spec (`spec/history.lock`): `<name> <sha256>`, the name ending with the
/// commit (`2026-07-14T0618-c2c7c19`); the file is `spec/history/<name>.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistorySpec {
    pub name: String,
    pub commit: String,
    pub sha256: String,
}

pub fn parse_history(text: &str) -> Result<Vec<HistorySpec>, String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let mut words = line.split_whitespace();
            let (Some(name), Some(sha256), None) = (words.next(), words.next(), words.next())
            else {
                return Err(format!("`{line}` is not `<name> <sha256>`"));
            };
            let commit = name
                .rsplit_once('-')
                .map(|(_, commit)| commit)
                .filter(|c| !c.is_empty() && c.chars().all(|c| c.is_ascii_hexdigit()))
                .ok_or_else(|| format!("`{name}` does not end with `-<commit>`"))?;
            Ok(HistorySpec {
                name: name.to_owned(),
                commit: commit.to_owned(),
                sha256: sha256.to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_parses_back_and_old_locks_get_the_default_version() {
        let old = "repository = \"https://github.com/o/r\"\ncommit = \"abc\"\ndate = \"2026-07-22\"\nfile = \"openapi.yaml\"\nsha256 = \"00\"\n";
        let lock = SpecLock::parse(old).unwrap();
        assert_eq!(lock.crate_version, DEFAULT_CRATE_VERSION);
        let bumped = SpecLock {
            crate_version: "0.2.0".into(),
            ..lock
        };
        assert_eq!(SpecLock::parse(&bumped.render()).unwrap(), bumped);
        assert_eq!(
            bumped.download_url().unwrap(),
            "https://raw.githubusercontent.com/o/r/abc/openapi.yaml"
        );
        assert!(SpecLock::parse("commit = \"x\"").is_err());
    }

    #[test]
    fn history_lines_name_their_commit() {
        let history = parse_history("# comment\n2026-07-14T0618-c2c7c19 abc\n").unwrap();
        assert_eq!(
            history,
            vec![HistorySpec {
                name: "2026-07-14T0618-c2c7c19".into(),
                commit: "c2c7c19".into(),
                sha256: "abc".into(),
            }]
        );
        assert!(parse_history("2026-07-14 abc extra").is_err());
        assert!(parse_history("no-commit-here! abc").is_err());
    }
}

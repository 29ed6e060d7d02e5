//! What the generated SDK is called and how it finds its credentials: the only place the
//! Friendli names live. `Config::default()` reproduces the Friendli SDK; a TOML file
//! (`spec/codegen.toml`, read by the xtask; `--config` for the CLI; optional for build.rs)
//! overrides any of them.
//!
//! ```toml
//! package = "friendli"
//! token-env = "FRIENDLI_TOKEN"
//! ```

use std::path::Path;

use serde::Deserialize;

/// Names and values of the generated crate that are not in the spec.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The crate's package name (`friendli`); Rust paths use it with `-` as `_`.
    pub package: String,
    /// The crate's version (the spec lock's `crate_version` when the xtask generates).
    pub crate_version: String,
    /// SPDX license expression for the crate's `Cargo.toml`.
    pub license: String,
    /// The environment variable `Client::from_env` reads the API token from.
    pub token_env: String,
    /// The environment variable `Client::from_env` reads the team from.
    pub team_env: String,
    /// The header parameter the client's team setting fills in, where an operation declares it.
    pub team_header: String,
    /// The `User-Agent` product name; the crate version is appended (`friendli-rust/0.1.0`).
    pub user_agent: String,
    /// Where the spec's root-relative documentation links point (`[x](/guides)`).
    pub docs_site: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            package: "friendli".into(),
            crate_version: crate::spec_lock::DEFAULT_CRATE_VERSION.into(),
            license: "Apache-2.0".into(),
            token_env: "FRIENDLI_TOKEN".into(),
            team_env: "FRIENDLI_TEAM".into(),
            team_header: "X-Friendli-Team".into(),
            user_agent: "friendli-rust".into(),
            docs_site: "https://friendli.ai/docs".into(),
        }
    }
}

impl Config {
    /// Reads a TOML file; keys it leaves out keep their defaults.
    pub fn from_path(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        Self::from_toml(&text).map_err(|err| format!("{}: {err}", path.display()))
    }

    pub fn from_toml(text: &str) -> Result<Self, String> {
        let config: Config = toml::from_str(text).map_err(|err| err.to_string())?;
        config.validate()?;
        Ok(config)
    }

    /// The name Rust code uses for the crate (`use friendli::models;`).
    pub fn crate_ident(&self) -> String {
        self.package.replace('-', "_")
    }

    /// Values land in Rust string literals, TOML strings and markdown code spans, which
    /// escape them; these checks keep them meaningful (a package name cargo accepts, an
    /// environment variable and a header name without spaces or controls).
    fn validate(&self) -> Result<(), String> {
        let package_ok = self.package.starts_with(|c: char| c.is_ascii_alphabetic())
            && self
                .package
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && self.package.len() <= 64;
        if !package_ok {
            return Err(format!(
                "package {:?}: expected ASCII letters, digits, `-` or `_`, starting with a letter",
                self.package
            ));
        }
        let token = |name: &str, value: &str| {
            let ok = !value.is_empty()
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
            if ok {
                Ok(())
            } else {
                Err(format!(
                    "{name} {value:?}: expected ASCII letters, digits, `-`, `_`, `.` or `/`"
                ))
            }
        };
        token("crate-version", &self.crate_version)?;
        token("token-env", &self.token_env)?;
        token("team-env", &self.team_env)?;
        token("team-header", &self.team_header)?;
        token("user-agent", &self.user_agent)?;
        if !self.docs_site.starts_with("https://") || self.docs_site.contains(char::is_whitespace) {
            return Err(format!(
                "docs-site {:?}: expected an https:// URL",
                self.docs_site
            ));
        }
        if self.license.is_empty() || self.license.contains(|c: char| c.is_control()) {
            return Err(format!(
                "license {:?}: expected an SPDX expression",
                self.license
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_left_out_keep_their_defaults() {
        let config =
            Config::from_toml("package = \"acme-sdk\"\ntoken-env = \"ACME_TOKEN\"\n").unwrap();
        assert_eq!(config.package, "acme-sdk");
        assert_eq!(config.crate_ident(), "acme_sdk");
        assert_eq!(config.token_env, "ACME_TOKEN");
        assert_eq!(config.team_header, Config::default().team_header);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        assert!(
            Config::from_toml("pakage = \"x\"")
                .unwrap_err()
                .contains("pakage")
        );
        assert!(
            Config::from_toml("package = \"a b\"")
                .unwrap_err()
                .contains("package")
        );
        assert!(
            Config::from_toml("token-env = \"A\\nB\"")
                .unwrap_err()
                .contains("token-env")
        );
        assert!(
            Config::from_toml("docs-site = \"javascript:x\"")
                .unwrap_err()
                .contains("docs-site")
        );
    }

    #[test]
    fn the_default_is_the_friendli_sdk() {
        assert_eq!(Config::from_toml("").unwrap(), Config::default());
    }
}

//! Client configuration: spec defaults, the builder and per-call options.

use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderValue;

use super::client::{Client, Inner};
use super::error::Error;
use super::retry::RetryPolicy;

pub(super) const REDACTED: &str = "<redacted>";

/// Values the generated crate supplies from the spec.
#[derive(Debug)]
pub struct SpecDefaults {
    /// The spec's global server.
    pub server_url: &'static str,
    /// The spec's default retry configuration.
    pub retry: fn() -> RetryPolicy,
    /// Default `User-Agent`, e.g. `friendli-rust/0.1.0`.
    pub user_agent: &'static str,
    /// Environment variable holding the API token (`FRIENDLI_TOKEN`).
    pub token_env: &'static str,
    /// Environment variable holding the optional team id (`FRIENDLI_TEAM`).
    pub team_env: &'static str,
}

/// Per-call options: they override the client's settings for one request.
#[derive(Clone, Default)]
pub struct RequestOptions {
    /// Retry policy for this call.
    pub retries: Option<RetryPolicy>,
    /// Server for this call, e.g. `http://localhost:8000`.
    pub server_url: Option<String>,
    /// Timeout for this call (for streams: the longest wait for the next chunk).
    pub timeout: Option<Duration>,
    /// Extra headers; they replace any header of the same name the client would send.
    pub headers: Vec<(String, String)>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        RequestOptions::default()
    }

    /// Sets the retry policy.
    pub fn retries(mut self, policy: RetryPolicy) -> Self {
        self.retries = Some(policy);
        self
    }

    /// Sets the server.
    pub fn server_url(mut self, url: impl Into<String>) -> Self {
        self.server_url = Some(url.into());
        self
    }

    /// Sets the timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

pub(super) fn is_sensitive(name: &str) -> bool {
    [
        "authorization",
        "proxy-authorization",
        "cookie",
        "x-api-key",
    ]
    .iter()
    .any(|s| name.eq_ignore_ascii_case(s))
}

impl std::fmt::Debug for RequestOptions {
    // Callers may pass credentials as extra headers: never print those values.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str(),
                    if is_sensitive(n) {
                        REDACTED
                    } else {
                        v.as_str()
                    },
                )
            })
            .collect();
        f.debug_struct("RequestOptions")
            .field("retries", &self.retries)
            .field("server_url", &self.server_url)
            .field("timeout", &self.timeout)
            .field("headers", &headers)
            .finish()
    }
}

/// Configures a [`Client`].
pub struct ClientBuilder {
    defaults: &'static SpecDefaults,
    token: Option<String>,
    team: Option<String>,
    base_url: Option<String>,
    server_map: Vec<(String, String)>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| REDACTED))
            .field("team", &self.team)
            .field("base_url", &self.base_url)
            .field("server_map", &self.server_map)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    pub(super) fn new(defaults: &'static SpecDefaults) -> Self {
        ClientBuilder {
            defaults,
            token: None,
            team: None,
            base_url: None,
            server_map: Vec::new(),
            timeout: None,
            retry: None,
            user_agent: None,
            http: None,
        }
    }

    /// The API token, sent as `Authorization: Bearer <token>`.
    pub fn token(mut self, t: impl Into<String>) -> Self {
        self.token = Some(t.into());
        self
    }

    /// Team id, sent as `X-Friendli-Team` unless a request sets it itself.
    pub fn team(mut self, t: impl Into<String>) -> Self {
        self.team = Some(t.into());
        self
    }

    /// Replaces the spec's global server (operations with a path-level server keep theirs).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sends operations whose default server is `default_server` to `url` instead,
    /// e.g. a path-level server remapped to `http://localhost:8000`.
    pub fn server_url_for(mut self, default_server: &str, url: impl Into<String>) -> Self {
        let key = default_server.trim_end_matches('/').to_owned();
        self.server_map.retain(|(k, _)| *k != key);
        self.server_map.push((key, url.into()));
        self
    }

    /// Timeout per attempt (for streams: the longest wait for the next chunk).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// Default retry policy (the spec's unless set).
    pub fn retry_policy(mut self, p: RetryPolicy) -> Self {
        self.retry = Some(p);
        self
    }

    /// Replaces the `User-Agent`.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// Uses a preconfigured `reqwest::Client` (proxies, TLS roots, pools, ...).
    pub fn http_client(mut self, c: reqwest::Client) -> Self {
        self.http = Some(c);
        self
    }

    /// Validates the configuration; fails with [`Error::Config`] without a token.
    pub fn build(self) -> Result<Client, Error> {
        let defaults = self.defaults;
        let token = self.token.filter(|t| !t.trim().is_empty()).ok_or_else(|| {
            Error::Config(format!(
                "no API token: set {} or call ClientBuilder::token",
                defaults.token_env
            ))
        })?;
        let mut auth = HeaderValue::try_from(format!("Bearer {}", token.trim())).map_err(|_| {
            Error::Config("the API token contains characters not allowed in a header".into())
        })?;
        auth.set_sensitive(true);
        let team = match self.team.filter(|t| !t.is_empty()) {
            Some(t) => Some(
                HeaderValue::try_from(t)
                    .map_err(|_| Error::Config("invalid characters in team id".into()))?,
            ),
            None => None,
        };
        let ua = self.user_agent.as_deref().unwrap_or(defaults.user_agent);
        let user_agent = HeaderValue::try_from(ua)
            .map_err(|_| Error::Config("invalid characters in user agent".into()))?;
        for url in self
            .base_url
            .iter()
            .chain(self.server_map.iter().map(|(_, u)| u))
        {
            Url::parse(url).map_err(|e| Error::Config(format!("invalid server URL: {e}")))?;
        }
        let http = match self.http {
            Some(c) => c,
            None => reqwest::Client::builder()
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        Ok(Client::from_inner(Inner {
            defaults,
            http,
            auth,
            team,
            base_url: self.base_url,
            server_map: self.server_map,
            timeout: self.timeout,
            retry: self.retry.unwrap_or_else(defaults.retry),
            user_agent,
        }))
    }
}

//! Client configuration: spec defaults, the builder and per-call options.

use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderValue;

use reqwest::header::HeaderName;

use super::client::{Client, Inner};
use super::error::Error;
use super::limits::Limits;
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
    /// The header parameter the client's team fills in (`X-Friendli-Team`), for operations
    /// that declare it.
    pub team_header: &'static str,
}

/// Per-call options: they override the client's settings for one request.
#[derive(Clone, Default)]
pub struct RequestOptions {
    /// Retry policy for this call.
    pub retries: Option<RetryPolicy>,
    /// Server for this call, e.g. `http://localhost:8000`.
    pub server_url: Option<String>,
    /// Timeout for each attempt of this call (for streams: also the longest wait for the next
    /// chunk).
    pub timeout: Option<Duration>,
    /// Time limit for the whole call, retries and backoff included (for streams: until the
    /// response starts).
    pub deadline: Option<Duration>,
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

    /// Sets the timeout of each attempt.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the deadline of the whole call.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
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
            .field("deadline", &self.deadline)
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
    deadline: Option<Duration>,
    retry: Option<RetryPolicy>,
    user_agent: Option<String>,
    limits: Limits,
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
            .field("deadline", &self.deadline)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    pub(super) fn new(defaults: &'static SpecDefaults) -> Self {
        // Before the caller builds a `reqwest::Client` for `http_client` (an argument is
        // evaluated after the builder it is passed to): rustls without a provider panics there.
        super::tls::ensure_crypto_provider();
        ClientBuilder {
            defaults,
            token: None,
            team: None,
            base_url: None,
            server_map: Vec::new(),
            timeout: None,
            deadline: None,
            retry: None,
            user_agent: None,
            limits: Limits::default(),
            http: None,
        }
    }

    /// The API token, sent the way each operation's security scheme says (e.g.
    /// `Authorization: Bearer <token>`), and only to operations that declare security.
    /// Optional: an operation that needs it fails with [`Error::Config`] when it is missing.
    pub fn token(mut self, t: impl Into<String>) -> Self {
        self.token = Some(t.into());
        self
    }

    /// Team id: the default value of the team header parameter (`X-Friendli-Team`) for the
    /// operations that declare it; a value set on the request wins. Other operations never
    /// receive it.
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

    /// Timeout of each attempt (for streams: also the longest wait for the next chunk). Each
    /// retry gets the full timeout again; [`deadline`](Self::deadline) bounds the whole call.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// Default time limit for a whole call: every attempt, retry and backoff wait (for
    /// streams: until the response starts). When it passes, the call fails with
    /// [`Error::DeadlineExceeded`], which says how many attempts were made and why the last
    /// one failed. Without it, the retry policy's own elapsed-time limit is the only bound.
    pub fn deadline(mut self, d: Duration) -> Self {
        self.deadline = Some(d);
        self
    }

    /// The longest success body buffered, in bytes (default 64 MiB). A longer one fails with
    /// [`Error::ResponseTooLarge`] as soon as that is known. Streams and raw responses
    /// (`send_raw`) are not buffered, so this does not apply to them.
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.limits.response_body = bytes;
        self
    }

    /// How much of an error body [`ApiError`](super::ApiError) keeps, in bytes (default 64 KiB);
    /// the rest is not read and `ApiError::truncated` says so.
    pub fn max_error_body(mut self, bytes: usize) -> Self {
        self.limits.error_body = bytes;
        self
    }

    /// The largest server-sent event a stream holds, in bytes (default 16 MiB). A stream whose
    /// next event grows past it (say, a line that never ends) yields one [`Error::Stream`] and
    /// ends, instead of buffering without bound.
    pub fn max_sse_event(mut self, bytes: usize) -> Self {
        self.limits.sse_event = bytes;
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

    /// Uses a preconfigured `reqwest::Client` (proxies, TLS roots, pools, ...). With the default
    /// `rustls-ring` feature, one built before any `Client::builder()` call needs
    /// [`ensure_crypto_provider`](super::tls::ensure_crypto_provider) first.
    pub fn http_client(mut self, c: reqwest::Client) -> Self {
        self.http = Some(c);
        self
    }

    /// Validates the configuration. A token is not required: operations without security
    /// need none, and the others report a missing one when called.
    pub fn build(self) -> Result<Client, Error> {
        let defaults = self.defaults;
        let token = self
            .token
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        if token
            .as_ref()
            .is_some_and(|t| HeaderValue::from_str(t).is_err())
        {
            return Err(Error::Config(
                "the API token contains characters not allowed in a header".into(),
            ));
        }
        let team = match self.team.filter(|t| !t.is_empty()) {
            Some(t) => {
                let name = HeaderName::from_bytes(defaults.team_header.as_bytes())
                    .map_err(|_| Error::Config("invalid team header name".into()))?;
                let value = HeaderValue::try_from(t)
                    .map_err(|_| Error::Config("invalid characters in team id".into()))?;
                Some((name, value))
            }
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
            token,
            team,
            base_url: self.base_url,
            server_map: self.server_map,
            timeout: self.timeout,
            deadline: self.deadline,
            retry: self.retry.unwrap_or_else(defaults.retry),
            user_agent,
            limits: self.limits,
        }))
    }
}

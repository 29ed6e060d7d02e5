//! The HTTP client: server selection, request building, retries, response handling.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::Url;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT,
};
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use super::config::{ClientBuilder, REDACTED, RequestOptions, SpecDefaults, is_sensitive};
use super::error::{ApiError, Error, decode_json};
use super::operation::{OperationSpec, RequestBody, RequestParts};
use super::retry::{RetryPolicy, parse_retry_after};
use super::stream::{EventStream, RawEventStream};

const TEAM_HEADER: &str = "x-friendli-team";

/// The API client. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

/// Validated configuration, built by [`ClientBuilder::build`].
pub(super) struct Inner {
    pub(super) defaults: &'static SpecDefaults,
    pub(super) http: reqwest::Client,
    /// `Bearer <token>`, marked sensitive.
    pub(super) auth: HeaderValue,
    pub(super) team: Option<HeaderValue>,
    pub(super) base_url: Option<String>,
    pub(super) server_map: Vec<(String, String)>,
    pub(super) timeout: Option<Duration>,
    pub(super) retry: RetryPolicy,
    pub(super) user_agent: HeaderValue,
}

impl Client {
    pub(super) fn from_inner(inner: Inner) -> Self {
        Client {
            inner: Arc::new(inner),
        }
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("token", &REDACTED)
            .field("team", &i.team)
            .field(
                "server_url",
                &i.base_url.as_deref().unwrap_or(i.defaults.server_url),
            )
            .field("server_map", &i.server_map)
            .field("timeout", &i.timeout)
            .field("retry", &i.retry)
            .field("user_agent", &i.user_agent)
            .finish()
    }
}

/// The `Accept` value for each kind of call.
const JSON: &str = "application/json";
const EVENT_STREAM: &str = "text/event-stream";
const ANY: &str = "*/*";

impl Client {
    /// A builder seeded with the spec's defaults.
    pub fn builder_with(defaults: &'static SpecDefaults) -> ClientBuilder {
        ClientBuilder::new(defaults)
    }

    /// A client configured from the environment: the token variable is required,
    /// the team variable optional.
    pub fn from_env_with(defaults: &'static SpecDefaults) -> Result<Client, Error> {
        let token = std::env::var(defaults.token_env).map_err(|_| {
            Error::Config(format!(
                "environment variable {} is not set",
                defaults.token_env
            ))
        })?;
        let mut builder = Client::builder_with(defaults).token(token);
        if let Ok(team) = std::env::var(defaults.team_env) {
            builder = builder.team(team);
        }
        builder.build()
    }

    /// Sends a request and decodes the JSON response into `T`.
    ///
    /// An empty success body decodes as `null`, so `T = ()` fits 204 responses.
    pub async fn execute<T: DeserializeOwned>(
        &self,
        op: &OperationSpec,
        parts: RequestParts,
        opts: &RequestOptions,
    ) -> Result<T, Error> {
        let (response, deadline) = self.send(op, &parts, opts, JSON).await?;
        let body = read_body(op, response, deadline).await?;
        decode_json(op.operation_id, &body)
    }

    /// Sends a request and returns its server-sent events decoded into `T`.
    ///
    /// Retries happen only until the response head arrives; a non-success status
    /// is returned here as [`Error::Api`]. The timeout then bounds the wait for
    /// each chunk rather than the whole stream, which may run for minutes.
    pub async fn execute_stream<T: DeserializeOwned + Send + 'static>(
        &self,
        op: &OperationSpec,
        parts: RequestParts,
        opts: &RequestOptions,
    ) -> Result<EventStream<T>, Error> {
        let raw = self.execute_stream_raw(op, parts, opts).await?;
        Ok(if op.sse_envelope {
            EventStream::enveloped(raw)
        } else {
            EventStream::new(raw)
        })
    }

    /// Like [`execute_stream`](Self::execute_stream) but yields untyped events.
    pub async fn execute_stream_raw(
        &self,
        op: &OperationSpec,
        parts: RequestParts,
        opts: &RequestOptions,
    ) -> Result<RawEventStream, Error> {
        let (response, _) = self.send(op, &parts, opts, EVENT_STREAM).await?;
        let idle = opts.timeout.or(self.inner.timeout);
        Ok(RawEventStream::from_response(
            op.operation_id,
            op.sse_sentinel,
            response,
            idle,
        ))
    }

    /// Escape hatch: the response of a successful call, body unread.
    ///
    /// Non-success statuses are already turned into [`Error::Api`]; the timeout
    /// covers the wait for the response head only. Sends `Accept: */*`.
    pub async fn execute_raw(
        &self,
        op: &OperationSpec,
        parts: RequestParts,
        opts: &RequestOptions,
    ) -> Result<reqwest::Response, Error> {
        self.send(op, &parts, opts, ANY).await.map(|(r, _)| r)
    }

    /// The server for `op`: per-call override, then client overrides, then the spec.
    pub fn server_for<'a>(&'a self, op: &'a OperationSpec, opts: &'a RequestOptions) -> &'a str {
        let i = &self.inner;
        let default = if op.default_server.is_empty() {
            i.defaults.server_url
        } else {
            op.default_server
        };
        let key = default.trim_end_matches('/');
        if let Some(url) = &opts.server_url {
            url
        } else if let (true, Some(url)) = (op.uses_global_server, &i.base_url) {
            url
        } else if let Some((_, url)) = i.server_map.iter().find(|(k, _)| k == key) {
            url
        } else {
            default
        }
    }

    fn url(
        &self,
        op: &OperationSpec,
        parts: &RequestParts,
        opts: &RequestOptions,
    ) -> Result<Url, Error> {
        let server = self.server_for(op, opts).trim_end_matches('/');
        let mut url = Url::parse(&format!("{server}{}", parts.path))
            .map_err(|e| Error::Config(format!("invalid URL for `{}`: {e}", op.operation_id)))?;
        if !parts.query.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in &parts.query {
                q.append_pair(k, v);
            }
        }
        Ok(url)
    }

    fn headers(
        &self,
        parts: &RequestParts,
        opts: &RequestOptions,
        accept: &'static str,
    ) -> Result<HeaderMap, Error> {
        let i = &self.inner;
        let mut h = HeaderMap::with_capacity(8);
        h.insert(AUTHORIZATION, i.auth.clone());
        h.insert(USER_AGENT, i.user_agent.clone());
        h.insert(ACCEPT, HeaderValue::from_static(accept));
        if let RequestBody::Json(_) = parts.body {
            h.insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
        }
        if let Some(team) = &i.team {
            h.insert(HeaderName::from_static(TEAM_HEADER), team.clone());
        }
        for (name, value) in &parts.headers {
            let (name, value) = header_pair(name, value)?;
            h.insert(name, value);
        }
        let mut replaced: Vec<HeaderName> = Vec::new();
        for (name, value) in &opts.headers {
            let (name, value) = header_pair(name, value)?;
            if !replaced.contains(&name) {
                h.remove(&name);
                replaced.push(name.clone());
            }
            h.append(name, value);
        }
        Ok(h)
    }

    /// Sends with retries; returns a success response and the attempt's deadline.
    async fn send(
        &self,
        op: &OperationSpec,
        parts: &RequestParts,
        opts: &RequestOptions,
        accept: &'static str,
    ) -> Result<(reqwest::Response, Option<Instant>), Error> {
        let policy = opts.retries.as_ref().unwrap_or(&self.inner.retry);
        let timeout = opts.timeout.or(self.inner.timeout);
        let url = self.url(op, parts, opts)?;
        let headers = self.headers(parts, opts, accept)?;
        let start = Instant::now();
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            // A timeout too large to represent is no timeout.
            let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
            let (error, retry_after) = match self.attempt(op, parts, &url, &headers, deadline).await
            {
                Ok(r) if r.status().is_success() => return Ok((r, deadline)),
                Ok(r) => {
                    let status = r.status().as_u16();
                    let api = api_error(op, r, deadline).await;
                    if !policy.retries_status(status) {
                        return Err(Error::Api(api));
                    }
                    let retry_after = api
                        .headers
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, SystemTime::now()));
                    (Error::Api(api), retry_after)
                }
                Err(e) if policy.retries_connection_errors() && is_connection_error(&e) => {
                    (e, None)
                }
                Err(e) => return Err(e),
            };
            match policy.next_delay(attempts, start.elapsed(), retry_after) {
                Some(delay) => tokio::time::sleep(delay).await,
                None => return Err(error),
            }
        }
    }

    async fn attempt(
        &self,
        op: &OperationSpec,
        parts: &RequestParts,
        url: &Url,
        headers: &HeaderMap,
        deadline: Option<Instant>,
    ) -> Result<reqwest::Response, Error> {
        let request = self
            .inner
            .http
            .request(op.method.to_reqwest(), url.clone())
            .headers(headers.clone());
        let request = match &parts.body {
            RequestBody::Empty => request,
            RequestBody::Json(bytes) => request.body(bytes.clone()),
            RequestBody::Multipart(m) => request.multipart(m.to_form().await?),
        };
        let sent = with_deadline(op, deadline, request.send()).await?;
        sent.map_err(|e| transport(op, e))
    }
}

fn header_pair(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), Error> {
    let header_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::Config(format!("invalid header name `{name}`")))?;
    // The value may be a credential: never echo it.
    let mut header_value = HeaderValue::from_str(value)
        .map_err(|_| Error::Config(format!("invalid value for header `{name}`")))?;
    header_value.set_sensitive(is_sensitive(name));
    Ok((header_name, header_value))
}

fn transport(op: &OperationSpec, e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout {
            operation: op.operation_id,
        }
    } else {
        Error::Transport {
            operation: op.operation_id,
            source: e,
        }
    }
}

fn is_connection_error(e: &Error) -> bool {
    match e {
        Error::Transport { source, .. } => source.is_connect(),
        Error::Timeout { .. } => true,
        _ => false,
    }
}

async fn with_deadline<F: Future>(
    op: &OperationSpec,
    deadline: Option<Instant>,
    fut: F,
) -> Result<F::Output, Error> {
    match deadline {
        Some(d) => tokio::time::timeout_at(d, fut)
            .await
            .map_err(|_| Error::Timeout {
                operation: op.operation_id,
            }),
        None => Ok(fut.await),
    }
}

async fn read_body(
    op: &OperationSpec,
    response: reqwest::Response,
    deadline: Option<Instant>,
) -> Result<Bytes, Error> {
    with_deadline(op, deadline, response.bytes())
        .await?
        .map_err(|e| transport(op, e))
}

/// Builds the error for a non-success response. A body that cannot be read is
/// left empty: the status is what matters, and it must not be lost.
async fn api_error(
    op: &OperationSpec,
    response: reqwest::Response,
    deadline: Option<Instant>,
) -> Box<ApiError> {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = read_body(op, response, deadline).await.unwrap_or_default();
    Box::new(ApiError {
        operation: op.operation_id,
        status,
        headers,
        typed: (op.decode_error)(status, &body),
        body,
    })
}

//! The HTTP client: server selection, request building, retries, response handling.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::Url;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use super::auth;
use super::config::{ClientBuilder, REDACTED, RequestOptions, SpecDefaults, is_sensitive};
use super::error::{ApiError, Error, decode_json};
use super::limits::{self, Limits, ReadError};
use super::operation::{OperationSpec, RequestBody, RequestParts};
use super::retry::{RetryPolicy, parse_retry_after};
use super::stream::{EventStream, RawEventStream};
use super::trace::CallTrace;

/// The API client. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

/// Validated configuration, built by [`ClientBuilder::build`].
pub(super) struct Inner {
    pub(super) defaults: &'static SpecDefaults,
    pub(super) http: reqwest::Client,
    /// The credential, checked to be a valid header value; never printed.
    pub(super) token: Option<String>,
    /// The team header and its default value.
    pub(super) team: Option<(HeaderName, HeaderValue)>,
    pub(super) base_url: Option<String>,
    pub(super) server_map: Vec<(String, String)>,
    pub(super) timeout: Option<Duration>,
    pub(super) deadline: Option<Duration>,
    pub(super) retry: RetryPolicy,
    pub(super) user_agent: HeaderValue,
    pub(super) limits: Limits,
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
            .field("token", &i.token.as_ref().map(|_| REDACTED))
            .field("team", &i.team.as_ref().map(|(_, v)| v))
            .field(
                "server_url",
                &i.base_url.as_deref().unwrap_or(i.defaults.server_url),
            )
            .field("server_map", &i.server_map)
            .field("timeout", &i.timeout)
            .field("deadline", &i.deadline)
            .field("retry", &i.retry)
            .field("user_agent", &i.user_agent)
            .field("limits", &i.limits)
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

    /// A client configured from the environment: the token and team variables, both optional
    /// (operations whose security needs a token fail at call time without one).
    pub fn from_env_with(defaults: &'static SpecDefaults) -> Result<Client, Error> {
        let mut builder = Client::builder_with(defaults);
        if let Ok(token) = std::env::var(defaults.token_env) {
            builder = builder.token(token);
        }
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
        let Sent {
            mut response,
            deadline,
            call,
        } = self.send(op, &parts, opts, JSON).await?;
        let limit = self.inner.limits.response_body;
        let body = match call
            .bound(deadline, limits::read_all(&mut response, limit))
            .await?
        {
            Ok(body) => body,
            Err(ReadError::TooLarge) => return Err(limits::too_large(op.operation_id, limit)),
            Err(ReadError::Transport(e)) => return Err(transport(op, e)),
        };
        decode_json(op.operation_id, &body)
    }

    /// Sends a request and returns its server-sent events decoded into `T`.
    ///
    /// Retries happen only until the response head arrives; a non-success status
    /// is returned here as [`Error::Api`]. The deadline, too, ends there; the timeout
    /// then bounds the wait for each chunk rather than the whole stream, which may run
    /// for minutes.
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
        let sent = self.send(op, &parts, opts, EVENT_STREAM).await?;
        let idle = opts.timeout.or(self.inner.timeout);
        Ok(
            RawEventStream::from_response(op.operation_id, op.sse_sentinel, sent.response, idle)
                .with_max_event(self.inner.limits.sse_event),
        )
    }

    /// Escape hatch: the response of a successful call, body unread.
    ///
    /// Non-success statuses are already turned into [`Error::Api`]; the timeout and
    /// the deadline cover the wait for the response head only. Sends `Accept: */*`.
    pub async fn execute_raw(
        &self,
        op: &OperationSpec,
        parts: RequestParts,
        opts: &RequestOptions,
    ) -> Result<reqwest::Response, Error> {
        self.send(op, &parts, opts, ANY)
            .await
            .map(|sent| sent.response)
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

    /// The request headers, and the credentials the operation's security asks for (a query
    /// credential goes into `url`).
    fn headers(
        &self,
        op: &OperationSpec,
        parts: &RequestParts,
        opts: &RequestOptions,
        accept: &'static str,
        url: &mut Url,
    ) -> Result<HeaderMap, Error> {
        let i = &self.inner;
        let mut h = HeaderMap::with_capacity(8);
        h.insert(USER_AGENT, i.user_agent.clone());
        h.insert(ACCEPT, HeaderValue::from_static(accept));
        if let RequestBody::Json(_) = parts.body {
            h.insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
        }
        auth::apply(
            op,
            i.token.as_deref(),
            i.defaults.token_env,
            &opts.headers,
            &mut h,
            url,
        )?;
        if let Some((name, value)) = &i.team
            && op
                .header_params
                .iter()
                .any(|p| p.eq_ignore_ascii_case(name.as_str()))
        {
            h.insert(name.clone(), value.clone());
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

    /// Sends with retries until a success response head arrives, within the call's deadline.
    async fn send(
        &self,
        op: &OperationSpec,
        parts: &RequestParts,
        opts: &RequestOptions,
        accept: &'static str,
    ) -> Result<Sent, Error> {
        let trace = CallTrace::start(op);
        let start = Instant::now();
        let result = trace
            .run(self.send_traced(op, parts, opts, accept, &trace, start))
            .await;
        trace.finish(
            result.as_ref().map(|sent| sent.response.status().as_u16()),
            start.elapsed(),
        );
        result
    }

    async fn send_traced(
        &self,
        op: &OperationSpec,
        parts: &RequestParts,
        opts: &RequestOptions,
        accept: &'static str,
        trace: &CallTrace,
        start: Instant,
    ) -> Result<Sent, Error> {
        let policy = opts.retries.as_ref().unwrap_or(&self.inner.retry);
        let timeout = opts.timeout.or(self.inner.timeout);
        let budget = opts.deadline.or(self.inner.deadline);
        let mut call = CallDeadline {
            operation: op.operation_id,
            // A deadline too far off to represent is no deadline.
            at: budget.and_then(|b| start.checked_add(b).map(|at| (at, b))),
            attempts: 0,
            last_error: None,
        };
        let mut url = self.url(op, parts, opts)?;
        let headers = self.headers(op, parts, opts, accept, &mut url)?;
        loop {
            call.attempts += 1;
            trace.attempt(call.attempts);
            let deadline = call.attempt_deadline(timeout, Instant::now());
            let (error, retry_after) = match self.attempt(op, parts, &url, &headers, deadline).await
            {
                Ok(r) if r.status().is_success() => {
                    return Ok(Sent {
                        response: r,
                        deadline,
                        call,
                    });
                }
                Ok(r) => {
                    let status = r.status().as_u16();
                    let api = api_error(op, r, deadline, self.inner.limits.error_body).await;
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
                Err(e) if call.passed(Instant::now()) => return Err(call.exceeded(Some(e))),
                Err(e) if policy.retries_connection_errors() && is_connection_error(&e) => {
                    (e, None)
                }
                Err(e) => return Err(e),
            };
            match policy.next_delay(call.attempts, start.elapsed(), retry_after) {
                // Waiting past the deadline only to give up then helps no one.
                Some(delay) if call.passed(Instant::now() + delay) => {
                    return Err(call.exceeded(Some(error)));
                }
                Some(delay) => {
                    trace.retry(call.attempts, &error, delay);
                    call.last_error = Some(error);
                    tokio::time::sleep(delay).await;
                }
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
    // reqwest names the URL in its errors; a query credential must not end up in error text.
    let e = if auth::puts_secret_in_url(op) {
        e.without_url()
    } else {
        e
    };
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

/// Failures before any response arrived: the connection could not be made, or it broke (or
/// the attempt timed out) before the response head. A policy that retries connection errors
/// (`retryConnectionErrors`) retries all of these.
fn is_connection_error(e: &Error) -> bool {
    match e {
        Error::Transport { source, .. } => source.is_connect() || source.is_request(),
        Error::Timeout { .. } => true,
        _ => false,
    }
}

/// A success response head, and the bounds that still apply to reading its body.
struct Sent {
    response: reqwest::Response,
    /// When the attempt that produced it must end.
    deadline: Option<Instant>,
    call: CallDeadline,
}

/// The whole-call deadline and what the call has done so far.
struct CallDeadline {
    operation: &'static str,
    /// When the call must end, and the budget that came from.
    at: Option<(Instant, Duration)>,
    attempts: u32,
    last_error: Option<Error>,
}

impl CallDeadline {
    /// An attempt ends at its timeout or at the call's deadline, whichever comes first.
    fn attempt_deadline(&self, timeout: Option<Duration>, now: Instant) -> Option<Instant> {
        let own = timeout.and_then(|t| now.checked_add(t));
        match (own, self.at) {
            (Some(own), Some((at, _))) => Some(own.min(at)),
            (own, at) => own.or(at.map(|(at, _)| at)),
        }
    }

    fn passed(&self, when: Instant) -> bool {
        self.at.is_some_and(|(at, _)| when >= at)
    }

    /// Runs `read` (of a body) until `attempt_deadline`; running out is the call's deadline
    /// when that is what ended it, else the attempt's timeout.
    async fn bound<F: Future>(
        self,
        attempt_deadline: Option<Instant>,
        read: F,
    ) -> Result<F::Output, Error> {
        let Some(deadline) = attempt_deadline else {
            return Ok(read.await);
        };
        match tokio::time::timeout_at(deadline, read).await {
            Ok(output) => Ok(output),
            Err(_) if self.passed(deadline) => Err(self.exceeded(None)),
            Err(_) => Err(Error::Timeout {
                operation: self.operation,
            }),
        }
    }

    /// The error for a call cut by its deadline; `error` is the cut attempt's own failure (a
    /// timeout) or one not worth waiting past the deadline to retry.
    fn exceeded(self, error: Option<Error>) -> Error {
        let last = match error {
            Some(Error::Timeout { .. }) | None => self.last_error,
            Some(other) => Some(other),
        };
        Error::DeadlineExceeded {
            operation: self.operation,
            deadline: self.at.map(|(_, budget)| budget).unwrap_or_default(),
            attempts: self.attempts,
            last_error: last.map(Box::new),
        }
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

/// Builds the error for a non-success response from at most `limit` bytes of its body. A
/// body that breaks off keeps what arrived, one that does not arrive in time is left empty:
/// the status is what matters, and it must not be lost.
async fn api_error(
    op: &OperationSpec,
    mut response: reqwest::Response,
    deadline: Option<Instant>,
    limit: usize,
) -> Box<ApiError> {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let (body, truncated) = with_deadline(op, deadline, limits::read_prefix(&mut response, limit))
        .await
        .unwrap_or_default();
    Box::new(ApiError {
        operation: op.operation_id,
        status,
        headers,
        typed: (op.decode_error)(status, &body),
        body,
        truncated,
    })
}

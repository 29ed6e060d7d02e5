//! Event streams over an HTTP response body: raw SSE events and typed events.

use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use tokio::time::{Instant, Sleep};

use super::error::{Error, decode_json, truncate_utf8};
use super::sse::{EventRef, SseEvent, SseParser};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The response body: reqwest's body as a stream of its data frames, stored as its concrete
/// type (no boxed stream in between, so the poll inlines down to hyper's own boxed body), or
/// any other.
enum Body {
    Response(http_body_util::BodyDataStream<reqwest::Body>),
    Other(Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send>>),
}

impl Body {
    #[inline]
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, BoxError>>> {
        match self {
            Body::Response(s) => Pin::new(s)
                .poll_next(cx)
                .map(|item| item.map(|r| r.map_err(Into::into))),
            Body::Other(s) => s.as_mut().poll_next(cx),
        }
    }
}

/// How much of an error payload is quoted in [`Error::Stream`] messages.
const PAYLOAD_LIMIT: usize = 2048;

/// Server-sent events of one response, untyped.
///
/// Ends cleanly at the operation's sentinel (e.g. `[DONE]`), which is not yielded.
/// When a sentinel is expected, a connection that ends before it yields one
/// [`Error::Stream`] and then ends: a truncated answer is never mistaken for a
/// complete one.
pub struct RawEventStream {
    body: Body,
    parser: SseParser,
    operation: &'static str,
    sentinel: Option<&'static str>,
    idle: Option<IdleWatch>,
    /// The largest event held before the stream fails (see `ClientBuilder::max_sse_event`).
    max_event: usize,
    done: bool,
}

impl std::fmt::Debug for RawEventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawEventStream")
            .field("operation", &self.operation)
            .field("sentinel", &self.sentinel)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl RawEventStream {
    /// Events from any byte stream. `idle_timeout` bounds the wait for each chunk (not
    /// the whole stream, which may legitimately run for minutes); the error comes within
    /// an eighth of it after it passed.
    pub fn new<S, E>(
        operation: &'static str,
        sentinel: Option<&'static str>,
        body: S,
        idle_timeout: Option<Duration>,
    ) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        Self::with_body(
            operation,
            sentinel,
            Body::Other(Box::pin(body.map(|r| r.map_err(Into::into)))),
            idle_timeout,
        )
    }

    fn with_body(
        operation: &'static str,
        sentinel: Option<&'static str>,
        body: Body,
        idle_timeout: Option<Duration>,
    ) -> Self {
        RawEventStream {
            body,
            parser: SseParser::new(),
            operation,
            sentinel,
            idle: idle_timeout.map(IdleWatch::new),
            max_event: super::limits::DEFAULT_MAX_SSE_EVENT,
            done: false,
        }
    }

    /// The largest event this stream holds, in bytes; a larger one ends it with an error.
    pub fn with_max_event(mut self, bytes: usize) -> Self {
        self.max_event = bytes;
        self
    }

    /// Events from a response whose status was already checked.
    pub fn from_response(
        operation: &'static str,
        sentinel: Option<&'static str>,
        response: reqwest::Response,
        idle_timeout: Option<Duration>,
    ) -> Self {
        RawEventStream::with_body(
            operation,
            sentinel,
            Body::Response(http_body_util::BodyDataStream::new(
                http::Response::from(response).into_body(),
            )),
            idle_timeout,
        )
    }

    /// The last `retry:` value (milliseconds) the server sent.
    pub fn retry(&self) -> Option<u64> {
        self.parser.retry()
    }

    fn fail<R>(&mut self, error: Error) -> Poll<Option<Result<R, Error>>> {
        self.done = true;
        Poll::Ready(Some(Err(error)))
    }

    fn body_error(&self, e: BoxError) -> Error {
        let is_timeout = e
            .downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout);
        if is_timeout {
            return Error::Timeout {
                operation: self.operation,
            };
        }
        let mut message = format!("connection failed mid-stream: {e}");
        let mut cause = std::error::Error::source(&*e);
        while let Some(c) = cause {
            message.push_str(": ");
            message.push_str(&c.to_string());
            cause = c.source();
        }
        Error::Stream {
            operation: self.operation,
            message,
        }
    }
}

impl RawEventStream {
    /// Reads to the next event and hands the parser, holding it, to `on_event`, which
    /// returns `None` to skip it and may end the stream through its `&mut bool`.
    /// Events are read in place, so `on_event` decides what to copy. Inlined, so that
    /// a typed item is built where the caller wants it rather than moved out through
    /// each layer.
    #[inline]
    fn poll_event<T>(
        &mut self,
        cx: &mut Context<'_>,
        mut on_event: impl FnMut(&mut SseParser, &mut bool) -> Option<Result<T, Error>>,
    ) -> Poll<Option<Result<T, Error>>> {
        loop {
            if self.done {
                return Poll::Ready(None);
            }
            while self.parser.advance() {
                if let Some(s) = self.sentinel
                    && self.parser.ready_data().trim_ascii() == s.as_bytes()
                {
                    self.done = true;
                    return Poll::Ready(None);
                }
                if let Some(item) = on_event(&mut self.parser, &mut self.done) {
                    return Poll::Ready(Some(item));
                }
            }
            // No whole event is buffered: what is held belongs to the one being read.
            if self.parser.pending_len() > self.max_event {
                let err = Error::Stream {
                    operation: self.operation,
                    message: format!(
                        "an event grew past {} bytes (the client's `max_sse_event`); the stream is ended",
                        self.max_event
                    ),
                };
                return self.fail(err);
            }
            match self.body.poll_chunk(cx) {
                Poll::Ready(Some(Ok(chunk))) => {
                    self.parser.feed_bytes(chunk);
                    if let Some(idle) = &mut self.idle {
                        idle.active = true;
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    let err = self.body_error(e);
                    return self.fail(err);
                }
                Poll::Ready(None) => {
                    self.done = true;
                    let partial = self.parser.has_partial();
                    if let Some(s) = self.sentinel
                        && self
                            .parser
                            .finish()
                            .is_some_and(|last| last.data.trim_ascii() == s.as_bytes())
                    {
                        // The marker arrived; only its closing blank line is missing.
                        return Poll::Ready(None);
                    }
                    return match self.sentinel {
                        Some(s) => Poll::Ready(Some(Err(Error::Stream {
                            operation: self.operation,
                            message: format!(
                                "connection closed before the `{s}` end-of-stream marker{}",
                                if partial {
                                    " (in the middle of an event)"
                                } else {
                                    ""
                                }
                            ),
                        }))),
                        None => Poll::Ready(None),
                    };
                }
                Poll::Pending => {
                    if let Some(idle) = &mut self.idle
                        && idle.expired(cx)
                    {
                        let err = Error::Timeout {
                            operation: self.operation,
                        };
                        return self.fail(err);
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}

/// How many ticks of `timeout / IDLE_TICKS` without a chunk end a stream.
const IDLE_TICKS: u32 = 8;

/// The idle timeout of a stream, kept by a ticking timer rather than one re-armed at every
/// wait: a wait then costs no clock read (a stream waits once per chunk, and the clock read
/// and timer reset were ~1% of consuming a token stream), and the timeout is reported after
/// between `timeout` and `timeout * 9 / 8` without a chunk, never before.
struct IdleWatch {
    tick: Duration,
    ticks: u32,
    /// Created on the first wait, so constructing a stream needs no runtime.
    sleep: Option<Pin<Box<Sleep>>>,
    /// A chunk arrived since the last tick.
    active: bool,
    /// Ticks in a row that saw no chunk.
    quiet: u32,
}

impl IdleWatch {
    fn new(timeout: Duration) -> Self {
        // Tokio's timer counts whole milliseconds: a tick shorter than that would stretch
        // the timeout.
        let ticks = u32::try_from(timeout.as_millis())
            .unwrap_or(u32::MAX)
            .clamp(1, IDLE_TICKS);
        IdleWatch {
            tick: timeout / ticks,
            ticks,
            sleep: None,
            active: false,
            quiet: 0,
        }
    }

    /// Called while the body has nothing to read; `true` once no chunk came for the
    /// timeout. A tick that fell due while the stream was not polled counts once, so
    /// time the caller spends between polls is not taken for silence of the server.
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        let tick = self.tick;
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(tick)));
        while sleep.as_mut().poll(cx).is_ready() {
            if std::mem::take(&mut self.active) {
                self.quiet = 0;
            } else {
                self.quiet += 1;
                if self.quiet >= self.ticks {
                    return true;
                }
            }
            let now = Instant::now();
            let next = sleep
                .deadline()
                .checked_add(tick)
                .filter(|next| *next > now)
                .or_else(|| now.checked_add(tick));
            match next {
                Some(at) => sleep.as_mut().reset(at),
                // Past the clock's range: as good as forever.
                None => *sleep = Box::pin(tokio::time::sleep(Duration::MAX)),
            }
        }
        false
    }
}

impl Stream for RawEventStream {
    type Item = Result<SseEvent, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut()
            .poll_event(cx, |parser, _| parser.take_ready().map(Ok))
    }
}

/// Typed server-sent events: each event's data decoded from JSON into `T`.
///
/// - Data that does not decode yields [`Error::Decode`] for that event; the stream
///   goes on.
/// - An `event: error`, or an undecodable object with an `"error"` key, yields
///   [`Error::Stream`] quoting the payload and ends the stream.
/// - Events with empty data (keep-alives) are skipped.
pub struct EventStream<T> {
    raw: RawEventStream,
    /// Decode the whole event (`{event, id, data}`) rather than its data: for specs whose
    /// event-stream schema describes the SSE envelope, e.g. a union told apart by `event:`.
    envelope: bool,
    _marker: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("EventStream").field(&self.raw).finish()
    }
}

impl<T> EventStream<T> {
    /// Wraps a raw stream.
    pub fn new(raw: RawEventStream) -> Self {
        EventStream {
            raw,
            envelope: false,
            _marker: PhantomData,
        }
    }

    /// Wraps a raw stream whose items decode from the whole event: an object with `data`
    /// (JSON when it parses, else text) and, when present, `event` and `id`.
    pub fn enveloped(raw: RawEventStream) -> Self {
        EventStream {
            raw,
            envelope: true,
            _marker: PhantomData,
        }
    }

    /// The untyped events, e.g. to see `event:` names or decode into another type.
    pub fn into_raw(self) -> RawEventStream {
        self.raw
    }
}

/// Decodes one event for [`EventStream`]; `None` skips it (a keep-alive). Sets `done`
/// when the event reports an error that ends the stream.
#[inline]
fn decode_event<T: DeserializeOwned>(
    operation: &'static str,
    envelope: bool,
    event: EventRef<'_>,
    done: &mut bool,
) -> Option<Result<T, Error>> {
    if event.event.is_none() && !envelope {
        // The common case, decoded straight from the read buffer.
        if let Ok(value) = serde_json::from_slice(event.data) {
            return Some(Ok(value));
        }
    }
    decode_event_slow(operation, envelope, event, done)
}

/// [`decode_event`] for named events, envelopes, keep-alives and errors.
#[cold]
fn decode_event_slow<T: DeserializeOwned>(
    operation: &'static str,
    envelope: bool,
    event: EventRef<'_>,
    done: &mut bool,
) -> Option<Result<T, Error>> {
    if event.event == Some("error") {
        *done = true;
        return Some(Err(Error::Stream {
            operation,
            message: format!(
                "server sent an error event: {}",
                truncate_utf8(event.data, PAYLOAD_LIMIT)
            ),
        }));
    }
    if event.data.trim_ascii().is_empty() {
        return None;
    }
    let decoded = if envelope {
        decode_json(operation, &Bytes::from(envelope_json(&event)))
    } else {
        // The data is copied only into an error, which names the failing path.
        serde_json::from_slice(event.data)
            .or_else(|_| decode_json(operation, &Bytes::copy_from_slice(event.data)))
    };
    Some(decoded.map_err(|e| {
        let is_error_payload =
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(event.data)
                .is_ok_and(|m| m.get("error").is_some_and(|v| !v.is_null()));
        if is_error_payload {
            *done = true;
            Error::Stream {
                operation,
                message: format!(
                    "server sent an error: {}",
                    truncate_utf8(event.data, PAYLOAD_LIMIT)
                ),
            }
        } else {
            e
        }
    }))
}

/// The event as a JSON object: `data` parsed when it is JSON, `event` and `id` when sent.
fn envelope_json(event: &EventRef<'_>) -> Vec<u8> {
    let mut object = serde_json::Map::new();
    if let Some(name) = event.event {
        object.insert("event".into(), serde_json::Value::String(name.to_owned()));
    }
    if let Some(id) = event.id {
        object.insert("id".into(), serde_json::Value::String(id.to_owned()));
    }
    let data = serde_json::from_slice(event.data).unwrap_or_else(|_| {
        serde_json::Value::String(String::from_utf8_lossy(event.data).into_owned())
    });
    object.insert("data".into(), data);
    serde_json::to_vec(&object).unwrap_or_default()
}

impl<T: DeserializeOwned> Stream for EventStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let operation = this.raw.operation;
        let envelope = this.envelope;
        this.raw.poll_event(cx, |parser, done| {
            decode_event(operation, envelope, parser.ready()?, done)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Tok {
        index: u32,
        text: String,
    }

    fn typed(chunks: &[&'static str], sentinel: Option<&'static str>) -> EventStream<Tok> {
        let items: Vec<Result<Bytes, std::io::Error>> = chunks
            .iter()
            .map(|c| Ok(Bytes::from_static(c.as_bytes())))
            .collect();
        EventStream::new(RawEventStream::new(
            "op",
            sentinel,
            stream::iter(items),
            None,
        ))
    }

    async fn collect<S: Stream + Unpin>(s: S) -> Vec<S::Item> {
        s.collect().await
    }

    #[tokio::test]
    async fn an_event_past_the_limit_ends_the_stream_with_an_error() {
        let small = "data: {\"index\":0,\"text\":\"ok\"}\n\n";
        // A line that never ends, arriving in many chunks: never buffered past the limit.
        let endless = (0..1000).map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![b'x'; 64])));
        let chunks = std::iter::once(Ok(Bytes::from_static(small.as_bytes()))).chain(endless);
        let raw = RawEventStream::new("op", None, stream::iter(chunks), None).with_max_event(1024);
        let items = collect(EventStream::<Tok>::new(raw)).await;
        assert_eq!(items.len(), 2, "{items:?}");
        assert!(matches!(&items[0], Ok(t) if t.text == "ok"));
        match &items[1] {
            Err(Error::Stream { message, .. }) => assert!(message.contains("max_sse_event")),
            other => panic!("{other:?}"),
        }
        // Many data lines of one event count together.
        let lines =
            (0..200).map(|_| Ok::<_, std::io::Error>(Bytes::from_static(b"data: 0123456789\n")));
        let raw = RawEventStream::new("op", None, stream::iter(lines), None).with_max_event(1024);
        let items = collect(raw).await;
        assert!(
            matches!(items.last(), Some(Err(Error::Stream { .. }))),
            "{items:?}"
        );
        // Events under the limit pass whatever their number.
        let many = (0..500).map(|_| Ok::<_, std::io::Error>(Bytes::from_static(small.as_bytes())));
        let raw = RawEventStream::new("op", None, stream::iter(many), None).with_max_event(64);
        let items = collect(EventStream::<Tok>::new(raw)).await;
        assert_eq!(items.iter().filter(|i| i.is_ok()).count(), 500);
    }

    #[tokio::test]
    async fn sentinel_ends_stream_cleanly() {
        let s = typed(
            &[
                "data: {\"index\":0,\"text\":\"a\"}\n\ndata: {\"ind",
                "ex\":1,\"text\":\"b\"}\n\n: ping\n\ndata: [DONE]\n\n",
                "data: {\"index\":9,\"text\":\"after sentinel\"}\n\n",
            ],
            Some("[DONE]"),
        );
        let items = collect(s).await;
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].as_ref().unwrap().text, "b");
    }

    #[tokio::test]
    async fn enveloped_events_decode_with_their_event_name() {
        #[derive(Debug, serde::Deserialize, PartialEq)]
        #[serde(untagged)]
        enum Envelope {
            Status { event: String, data: Tok },
            Token { data: Tok },
        }
        let items: Vec<Result<Bytes, std::io::Error>> = vec![Ok(Bytes::from_static(
            b"event: tool_status\ndata: {\"index\":1,\"text\":\"s\",\"error\":null}\n\ndata: {\"index\":2,\"text\":\"t\"}\n\ndata: [DONE]\n\n",
        ))];
        let raw = RawEventStream::new("op", Some("[DONE]"), stream::iter(items), None);
        let events: Vec<_> = EventStream::<Envelope>::enveloped(raw).collect().await;
        let events: Vec<Envelope> = events.into_iter().map(|e| e.expect("decodes")).collect();
        assert_eq!(
            events,
            vec![
                Envelope::Status {
                    event: "tool_status".into(),
                    data: Tok {
                        index: 1,
                        text: "s".into()
                    }
                },
                Envelope::Token {
                    data: Tok {
                        index: 2,
                        text: "t".into()
                    }
                },
            ]
        );
    }

    #[tokio::test]
    async fn eof_before_sentinel_is_an_error() {
        let items = collect(typed(
            &["data: {\"index\":0,\"text\":\"a\"}\n\ndata: {"],
            Some("[DONE]"),
        ))
        .await;
        assert_eq!(items.len(), 2);
        assert!(items[0].is_ok());
        match &items[1] {
            Err(Error::Stream { message, .. }) => {
                assert!(
                    message.contains("[DONE]") && message.contains("middle"),
                    "{message}"
                )
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn eof_without_sentinel_configured_is_clean() {
        let items = collect(typed(&["data: {\"index\":0,\"text\":\"a\"}\n\n"], None)).await;
        assert_eq!(items.len(), 1);
        assert!(items[0].is_ok());
    }

    #[tokio::test]
    async fn decode_error_names_path_and_stream_continues() {
        let items = collect(typed(
            &[
                "data: {\"index\":\"x\",\"text\":\"a\"}\n\n",
                "data:\n\n",
                "data: {\"index\":1,\"text\":\"b\"}\n\ndata: [DONE]\n\n",
            ],
            Some("[DONE]"),
        ))
        .await;
        assert_eq!(items.len(), 2);
        match &items[0] {
            Err(Error::Decode { path, body, .. }) => {
                assert_eq!(path, "index");
                assert_eq!(&body[..], br#"{"index":"x","text":"a"}"#);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(items[1].as_ref().unwrap().index, 1);
    }

    #[tokio::test]
    async fn error_payload_mid_stream_is_reported_and_ends() {
        let items = collect(typed(
            &[
                "data: {\"index\":0,\"text\":\"a\"}\n\n",
                "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server\"}}\n\n",
                "data: {\"index\":1,\"text\":\"b\"}\n\n",
            ],
            Some("[DONE]"),
        ))
        .await;
        assert_eq!(items.len(), 2);
        match &items[1] {
            Err(Error::Stream { message, .. }) => assert!(message.contains("overloaded")),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn error_event_is_reported() {
        let items = collect(typed(
            &["event: error\ndata: quota exceeded\n\n"],
            Some("[DONE]"),
        ))
        .await;
        assert_eq!(items.len(), 1);
        assert!(
            items[0]
                .as_ref()
                .unwrap_err()
                .to_string()
                .contains("quota exceeded")
        );
    }

    #[tokio::test]
    async fn transport_error_mid_body_is_an_error() {
        let items: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(Bytes::from_static(
                b"data: {\"index\":0,\"text\":\"a\"}\n\n",
            )),
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "reset by peer",
            )),
        ];
        let s: EventStream<Tok> =
            EventStream::new(RawEventStream::new("op", None, stream::iter(items), None));
        let items = collect(s).await;
        assert_eq!(items.len(), 2);
        let msg = items[1].as_ref().unwrap_err().to_string();
        assert!(msg.contains("reset by peer"), "{msg}");
    }

    #[tokio::test]
    async fn idle_timeout() {
        let body = stream::pending::<Result<Bytes, std::io::Error>>();
        let raw = RawEventStream::new("op", None, body, Some(Duration::from_millis(20)));
        let items = collect(raw).await;
        assert!(matches!(
            items[..],
            [Err(Error::Timeout { operation: "op" })]
        ));
    }

    /// A body that sends a keep-alive comment after each of `gaps`.
    fn chunks_after(gaps: Vec<Duration>) -> RawEventStream {
        let body = stream::iter(gaps).then(|gap| async move {
            tokio::time::sleep(gap).await;
            Ok::<_, std::io::Error>(Bytes::from_static(b": ping\n\n"))
        });
        RawEventStream::new("op", None, body, Some(Duration::from_millis(40)))
    }

    #[tokio::test(start_paused = true)]
    async fn the_idle_timeout_is_reported_after_the_timeout_and_within_an_eighth_more() {
        let started = tokio::time::Instant::now();
        let raw = RawEventStream::new(
            "op",
            None,
            stream::pending::<Result<Bytes, std::io::Error>>(),
            Some(Duration::from_millis(40)),
        );
        let items = collect(raw).await;
        let waited = started.elapsed();
        assert!(matches!(items[..], [Err(Error::Timeout { .. })]));
        assert!(
            waited >= Duration::from_millis(40) && waited <= Duration::from_millis(46),
            "timed out after {waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn gaps_shorter_than_the_idle_timeout_never_end_the_stream() {
        // 39 ms gaps, well past 40 ms in all; then one gap of 41 ms ends it.
        let mut gaps = vec![Duration::from_millis(39); 20];
        assert!(collect(chunks_after(gaps.clone())).await.is_empty());
        gaps.push(Duration::from_millis(41));
        let items = collect(chunks_after(gaps)).await;
        assert!(matches!(items[..], [Err(Error::Timeout { .. })]));
    }

    #[tokio::test(start_paused = true)]
    async fn time_the_caller_spends_between_polls_is_not_idle_time() {
        // Each chunk comes 1 ms after it is asked for, so every poll waits on the body.
        let body = stream::iter(0..5)
            .then(|i| async move {
                tokio::time::sleep(Duration::from_millis(1)).await;
                Ok::<_, std::io::Error>(Bytes::from(format!("data: {i}\n\n")))
            })
            .chain(stream::pending());
        let mut raw = RawEventStream::new("op", None, body, Some(Duration::from_millis(40)));
        for i in 0..5 {
            let event = raw.next().await.expect("an event").expect("not a timeout");
            assert_eq!(event.data, i.to_string().as_bytes());
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(matches!(raw.next().await, Some(Err(Error::Timeout { .. }))));
    }

    #[tokio::test]
    async fn raw_stream_exposes_event_names() {
        let s = typed(
            &["event: delta\ndata: {\"index\":0,\"text\":\"a\"}\n\n"],
            None,
        );
        let items = collect(s.into_raw()).await;
        assert_eq!(items[0].as_ref().unwrap().event_type(), "delta");
    }

    fn typed_bytes(chunks: Vec<Bytes>) -> EventStream<Tok> {
        let items: Vec<Result<Bytes, std::io::Error>> = chunks.into_iter().map(Ok).collect();
        EventStream::new(RawEventStream::new(
            "op",
            Some("[DONE]"),
            stream::iter(items),
            None,
        ))
    }

    #[tokio::test]
    async fn typed_events_are_the_same_at_every_split() {
        // In place (one line, LF), joined (two data lines), CRLF, a named event, a
        // keep-alive, a decode error, and `[DONE]` with and without its blank line.
        let body = "data: {\"index\":0,\"text\":\"a\"}\n\n: ping\n\n\
            data: {\"index\":1,\ndata: \"text\":\"b\"}\n\n\
            data: {\"index\":2,\"text\":\"c\"}\r\n\r\n\
            event: delta\ndata: {\"index\":3,\"text\":\"d\"}\n\n\
            data:\n\n\
            data: {\"index\":\"x\"}\n\n\
            data: {\"index\":4,\"text\":\"e\"}\n\n";
        let summary = |items: Vec<Result<Tok, Error>>| -> Vec<Result<u32, String>> {
            items
                .into_iter()
                .map(|i| i.map(|t| t.index).map_err(|e| e.to_string()))
                .collect()
        };
        for done in ["data: [DONE]\n\n", "data: [DONE]\n", "data: [DONE]"] {
            let whole = Bytes::from(format!("{body}{done}"));
            let want = summary(collect(typed_bytes(vec![whole.clone()])).await);
            assert_eq!(want.len(), 6, "{want:?}");
            assert_eq!(want.iter().filter(|i| i.is_ok()).count(), 5, "{want:?}");
            for i in 0..=whole.len() {
                let chunks = vec![whole.slice(..i), whole.slice(i..)];
                let got = summary(collect(typed_bytes(chunks)).await);
                assert_eq!(got, want, "split at {i}, ending {done:?}");
            }
            let bytes: Vec<Bytes> = (0..whole.len()).map(|i| whole.slice(i..i + 1)).collect();
            assert_eq!(summary(collect(typed_bytes(bytes)).await), want, "{done:?}");
        }
    }

    #[tokio::test]
    async fn raw_events_share_the_received_chunk() {
        let chunk = Bytes::from_static(b"data: {\"index\":0,\"text\":\"a\"}\n\ndata: [DONE]\n\n");
        let items: Vec<Result<Bytes, std::io::Error>> = vec![Ok(chunk.clone())];
        let raw = RawEventStream::new("op", Some("[DONE]"), stream::iter(items), None);
        let events = collect(raw).await;
        assert_eq!(events.len(), 1);
        let data = &events[0].as_ref().unwrap().data;
        assert!(chunk.as_ptr_range().contains(&data.as_ptr()), "not copied");
    }

    #[test]
    fn streams_are_send_and_unpin() {
        fn check<S: Stream + Send + Unpin>() {}
        check::<EventStream<Tok>>();
        check::<RawEventStream>();
    }
}

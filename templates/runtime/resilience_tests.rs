//! Tests of the client's bounds and recovery against local servers (loopback only): call
//! deadlines, connection resets, body limits, compression and tracing.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::client_tests::{CHAT, DEFAULTS, Out, TOKEN, client, fast_retry, json_parts, mock};
use super::*;

/// What the scripted server does with one connection, after reading the request head.
#[derive(Clone)]
enum Conn {
    /// Resets the connection (RST) before any response byte.
    Reset,
    /// Never answers.
    Hang,
    /// Writes these bytes, then reads until the client closes.
    Respond(&'static [u8]),
}

/// A loopback HTTP/1.1 server following `script` (the last entry repeats); returns its URL
/// and a count of accepted connections.
async fn scripted(script: Vec<Conn>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let accepted = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let n = accepted.fetch_add(1, Ordering::SeqCst);
            let conn = script[n.min(script.len() - 1)].clone();
            tokio::spawn(handle(stream, conn));
        }
    });
    (url, count)
}

async fn handle(mut stream: TcpStream, conn: Conn) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    match conn {
        Conn::Reset => {
            let _ = stream.set_zero_linger();
            drop(stream);
        }
        Conn::Hang => std::future::pending::<()>().await,
        Conn::Respond(bytes) => {
            let _ = stream.write_all(bytes).await;
            while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
        }
    }
}

const OK_ID: &[u8] =
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10\r\n\r\n{\"id\":\"r\"}";

fn client_for(url: &str, policy: RetryPolicy) -> Client {
    Client::builder_with(&DEFAULTS)
        .token(TOKEN)
        .base_url(url)
        .retry_policy(policy)
        .build()
        .unwrap()
}

/// Fails the test instead of hanging it when a bound does not hold.
async fn bounded<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(60), f)
        .await
        .expect("the call returned (it must not wait for the retry policy's hour)")
}

#[tokio::test]
async fn reset_before_the_response_is_retried_when_the_policy_says_so() {
    let (url, connections) = scripted(vec![Conn::Reset, Conn::Respond(OK_ID)]).await;
    let out: Out = client_for(&url, fast_retry())
        .execute(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
        .await
        .expect("the second attempt answers");
    assert_eq!(out.id, "r");
    assert_eq!(connections.load(Ordering::SeqCst), 2);

    // `retryConnectionErrors: false`: the reset is returned at once.
    let (url, connections) = scripted(vec![Conn::Reset, Conn::Respond(OK_ID)]).await;
    let err = client_for(&url, fast_retry().retry_connection_errors(false))
        .execute::<Out>(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

/// Retries everything for an hour, like the spec's default policy.
fn patient() -> RetryPolicy {
    RetryPolicy::backoff(
        Duration::from_millis(1),
        Duration::from_millis(10),
        Duration::from_secs(3600),
        2.0,
    )
}

#[tokio::test]
async fn deadline_bounds_the_whole_call_across_retries() {
    let (url, _) = scripted(vec![Conn::Hang]).await;
    let c = Client::builder_with(&DEFAULTS)
        .token(TOKEN)
        .base_url(&url)
        .retry_policy(patient())
        .timeout(Duration::from_millis(40))
        .deadline(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = bounded(c.execute::<Out>(&CHAT, json_parts("/v1/chat"), &RequestOptions::new()))
        .await
        .unwrap_err();
    match &err {
        Error::DeadlineExceeded {
            operation: "chatComplete",
            deadline,
            attempts,
            last_error,
        } => {
            assert_eq!(*deadline, Duration::from_millis(300));
            assert!(*attempts >= 2, "timeouts were retried: {attempts}");
            assert!(
                matches!(last_error.as_deref(), Some(Error::Timeout { .. })),
                "{last_error:?}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("deadline"), "{err}");

    // Without a per-attempt timeout the deadline alone ends the call; per call it wins over
    // the client's.
    let c = client_for(&url, patient());
    let opts = RequestOptions::new().deadline(Duration::from_millis(100));
    let err = bounded(c.execute::<Out>(&CHAT, json_parts("/v1/chat"), &opts))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::DeadlineExceeded {
                attempts: 1,
                last_error: None,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn deadline_stops_retrying_an_error_status_and_keeps_it() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::path("/v1/chat"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "5"))
        .mount(&server)
        .await;
    let policy = RetryPolicy::backoff(
        Duration::from_secs(1),
        Duration::from_secs(60),
        Duration::from_secs(3600),
        2.0,
    );
    let opts = RequestOptions::new().deadline(Duration::from_millis(500));
    // The server asks for 5 s: more than the deadline leaves, so the call ends now.
    let err = bounded(client_for(&server.uri(), policy).execute::<Out>(
        &CHAT,
        json_parts("/v1/chat"),
        &opts,
    ))
    .await
    .unwrap_err();
    match err {
        Error::DeadlineExceeded {
            attempts: 1,
            last_error: Some(last),
            ..
        } => assert_eq!(last.status(), Some(503)),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

fn id_body(len: usize) -> String {
    format!("{{\"id\":\"{}\"}}", "x".repeat(len - 9))
}

fn limited(url: &str, max_response_body: usize) -> Client {
    Client::builder_with(&DEFAULTS)
        .token(TOKEN)
        .base_url(url)
        .max_response_body(max_response_body)
        .build()
        .unwrap()
}

#[tokio::test]
async fn success_bodies_over_the_limit_fail_cleanly() {
    let server = MockServer::start().await;
    mock(&server, 200, &id_body(2000), None).await;
    let out: Out = limited(&server.uri(), 2000)
        .execute(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
        .await
        .unwrap();
    assert_eq!(out.id.len(), 1991);
    let err = limited(&server.uri(), 1999)
        .execute::<Out>(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ResponseTooLarge {
                operation: "chatComplete",
                limit: 1999
            }
        ),
        "{err:?}"
    );

    // Without a Content-Length the limit holds while reading.
    let (url, _) = scripted(vec![Conn::Respond(
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n6\r\n{\"id\":\r\n8\r\n\"abcdef\"\r\n1\r\n}\r\n0\r\n\r\n",
    )])
    .await;
    let out: Out = limited(&url, 15)
        .execute(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
        .await
        .unwrap();
    assert_eq!(out.id, "abcdef");
    let err = limited(&url, 14)
        .execute::<Out>(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
}

#[tokio::test]
async fn error_bodies_are_cut_at_the_limit_and_say_so() {
    let server = MockServer::start().await;
    mock(&server, 500, &"e".repeat(5000), None).await;
    let c = Client::builder_with(&DEFAULTS)
        .token(TOKEN)
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .max_error_body(100)
        .build()
        .unwrap();
    let err = c
        .execute::<Out>(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
        .await
        .unwrap_err();
    let api = err.api_error().expect("an API error");
    assert_eq!(
        (api.status, api.body.len(), api.truncated),
        (500, 100, true)
    );
    assert!(err.to_string().contains("cut after 100 bytes"), "{err}");
    // Within the default limit nothing is cut.
    let err = client(&server)
        .execute::<Out>(
            &CHAT,
            json_parts("/v1/chat"),
            &RequestOptions::new().retries(RetryPolicy::none()),
        )
        .await
        .unwrap_err();
    let api = err.api_error().unwrap();
    assert_eq!((api.body.len(), api.truncated), (5000, false));
}

#[cfg(feature = "gzip")]
#[tokio::test]
async fn gzip_responses_are_requested_and_decoded() {
    // `{"id":"compressed"}`, gzip-compressed.
    const GZIPPED: &[u8] = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\x56\xca\x4c\x51\xb2\x52\x4a\xce\xcf\x2d\x28\x4a\x2d\x2e\x4e\x4d\x51\xaa\x05\x00\x2b\x72\x45\xa3\x13\x00\x00\x00";
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::header_regex(
        "accept-encoding",
        "(^|[ ,])gzip($|[ ,;])",
    ))
    .respond_with(
        ResponseTemplate::new(200)
            .insert_header("content-encoding", "gzip")
            .set_body_raw(GZIPPED, "application/json"),
    )
    .expect(1)
    .mount(&server)
    .await;
    let out: Out = client(&server)
        .execute(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
        .await
        .unwrap();
    assert_eq!(out.id, "compressed");
}

#[cfg(feature = "tracing")]
mod tracing_tests {
    use std::sync::{Mutex, OnceLock};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    use super::*;
    use crate::runtime::client_tests::BEARER;

    type Fields = Vec<(String, String)>;

    /// Records every span's fields (by id) and every event's fields with its explicit parent.
    #[derive(Default)]
    struct Recorder {
        spans: Mutex<Vec<(String, Fields)>>,
        events: Mutex<Vec<(Option<u64>, Fields)>>,
    }

    struct Collect<'a>(&'a mut Fields);

    impl Visit for Collect<'_> {
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.push((field.name().to_owned(), value.to_owned()));
        }

        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0.push((field.name().to_owned(), format!("{value:?}")));
        }
    }

    impl Subscriber for &'static Recorder {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }

        fn new_span(&self, span: &Attributes<'_>) -> Id {
            let mut fields = Vec::new();
            span.record(&mut Collect(&mut fields));
            let mut spans = self.spans.lock().unwrap();
            spans.push((span.metadata().name().to_owned(), fields));
            Id::from_u64(spans.len() as u64)
        }

        fn record(&self, span: &Id, values: &Record<'_>) {
            let mut spans = self.spans.lock().unwrap();
            let fields = &mut spans[span.into_u64() as usize - 1].1;
            values.record(&mut Collect(fields));
        }

        fn record_follows_from(&self, _: &Id, _: &Id) {}

        fn event(&self, event: &Event<'_>) {
            let mut fields = Vec::new();
            event.record(&mut Collect(&mut fields));
            let parent = event.parent().map(Id::into_u64);
            self.events.lock().unwrap().push((parent, fields));
        }

        fn enter(&self, _: &Id) {}

        fn exit(&self, _: &Id) {}
    }

    /// The process-wide subscriber: a thread-local one misses callsites that tests running in
    /// parallel registered first (tracing caches each callsite's interest).
    fn recorder() -> &'static Recorder {
        static RECORDER: OnceLock<&'static Recorder> = OnceLock::new();
        RECORDER.get_or_init(|| {
            let recorder: &'static Recorder = Box::leak(Box::default());
            tracing::subscriber::set_global_default(recorder)
                .expect("no other global subscriber in these tests");
            recorder
        })
    }

    fn get<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
        fields
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// An operation no other test calls, to find this test's span among everyone's.
    static TRACED: OperationSpec = OperationSpec {
        operation_id: "tracedOp",
        method: HttpMethod::Post,
        default_server: "https://api.example.invalid",
        uses_global_server: true,
        sse_sentinel: None,
        sse_envelope: false,
        decode_error: no_typed_error,
        path_template: "/v1/traced/{id}",
        security: BEARER,
        header_params: &[],
    };

    #[tokio::test]
    async fn one_span_per_call_and_an_event_per_retry() {
        let recorder = recorder();
        let server = MockServer::start().await;
        mock(&server, 503, "secret-body-text", Some(1)).await;
        mock(&server, 200, r#"{"id":"ok"}"#, None).await;
        let _: Out = client(&server)
            .execute(&TRACED, json_parts("/v1/chat"), &RequestOptions::new())
            .await
            .unwrap();

        let spans = recorder.spans.lock().unwrap().clone();
        let calls: Vec<(u64, &Fields)> = spans
            .iter()
            .enumerate()
            .filter(|(_, (name, f))| name == "api_call" && get(f, "operation") == Some("tracedOp"))
            .map(|(i, (_, f))| (i as u64 + 1, f))
            .collect();
        assert_eq!(calls.len(), 1, "{spans:?}");
        let (id, call) = calls[0];
        assert_eq!(get(call, "method"), Some("POST"));
        assert_eq!(get(call, "path"), Some("/v1/traced/{id}"));
        assert_eq!(get(call, "attempt"), Some("2"));
        assert_eq!(get(call, "status"), Some("200"));
        assert!(get(call, "elapsed_ms").is_some(), "{call:?}");

        let events = recorder.events.lock().unwrap().clone();
        let retries: Vec<&Fields> = events
            .iter()
            .filter(|(parent, f)| *parent == Some(id) && get(f, "message") == Some("retrying"))
            .map(|(_, f)| f)
            .collect();
        assert_eq!(retries.len(), 1, "{events:?}");
        assert_eq!(get(retries[0], "reason"), Some("HTTP 503"));
        assert_eq!(get(retries[0], "attempt"), Some("1"));
        assert!(get(retries[0], "delay_ms").is_some());

        let everything = format!("{spans:?} {events:?}");
        assert!(!everything.contains(TOKEN), "the token is never recorded");
        assert!(
            !everything.contains("secret-body-text"),
            "bodies are never recorded"
        );
    }
}

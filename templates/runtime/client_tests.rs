//! HTTP tests of the client against local mock servers (loopback only):
//! headers, servers, timeouts, retries, errors. Streams and uploads are in
//! `transfer_tests.rs`.

use std::time::Duration;

use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

pub(super) const TOKEN: &str = "sk-SECRET-token-123";

const BASE_DEFAULTS: SpecDefaults = SpecDefaults {
    server_url: "https://api.example.invalid",
    retry: RetryPolicy::none,
    user_agent: "friendli-rust/test",
    token_env: "FRIENDLI_RT_TEST_TOKEN_UNSET",
    team_env: "FRIENDLI_RT_TEST_TEAM_UNSET",
    team_header: "X-Friendli-Team",
};
pub(super) static DEFAULTS: SpecDefaults = BASE_DEFAULTS;

/// Counts calls for the 422 body of `no_retry_on_400_or_422`. The generated
/// `ErrorBody` may have any shape, so the tests only check that the operation's
/// decoder is consulted with the status and raw body.
static DECODED_422: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn decode_422(status: u16, body: &[u8]) -> Option<crate::ErrorBody> {
    if status == 422 && body.windows(14).any(|w| w == b"field required") {
        DECODED_422.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
    None
}

pub(super) const BEARER: &[&[SecurityScheme]] = &[&[SecurityScheme {
    name: "token",
    kind: SchemeKind::Http { scheme: "Bearer" },
}]];

/// Needs the token and declares the team header, like the spec's cloud operations.
pub(super) static CHAT: OperationSpec = OperationSpec {
    operation_id: "chatComplete",
    method: HttpMethod::Post,
    default_server: "https://api.example.invalid",
    uses_global_server: true,
    sse_sentinel: Some("[DONE]"),
    sse_envelope: false,
    decode_error: decode_422,
    path_template: "/v1/chat",
    security: BEARER,
    header_params: &["X-Friendli-Team"],
};

/// No security and no team header, like the spec's container operations.
pub(super) static LOCAL: OperationSpec = OperationSpec {
    operation_id: "containerOp",
    method: HttpMethod::Get,
    default_server: "http://localhost:8000/",
    uses_global_server: false,
    sse_sentinel: None,
    sse_envelope: false,
    decode_error: no_typed_error,
    path_template: "/slow",
    security: &[],
    header_params: &[],
};

pub(super) fn fast_retry() -> RetryPolicy {
    RetryPolicy::backoff(
        Duration::from_millis(1),
        Duration::from_millis(20),
        Duration::from_secs(5),
        2.0,
    )
    .max_attempts(3)
}

pub(super) fn client(server: &MockServer) -> Client {
    Client::builder_with(&DEFAULTS)
        .token(TOKEN)
        .base_url(server.uri())
        .retry_policy(fast_retry())
        .build()
        .unwrap()
}

pub(super) fn json_parts(p: &str) -> RequestParts {
    RequestParts {
        path: p.into(),
        body: RequestBody::Json(bytes::Bytes::from_static(br#"{"model":"m"}"#)),
        ..RequestParts::default()
    }
}

#[derive(Debug, serde::Deserialize, PartialEq)]
pub(super) struct Out {
    pub(super) id: String,
}

pub(super) async fn mock(server: &MockServer, status: u16, body: &str, times: Option<u64>) {
    let m = Mock::given(path("/v1/chat"))
        .respond_with(ResponseTemplate::new(status).set_body_string(body));
    match times {
        Some(n) => m.up_to_n_times(n).mount(server).await,
        None => m.mount(server).await,
    }
}

#[tokio::test]
async fn sends_auth_team_agent_and_content_headers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat"))
        .and(query_param("tag", "a"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("x-friendli-team", "team-1"))
        .and(header("user-agent", "friendli-rust/test"))
        .and(header("content-type", "application/json"))
        .and(header("accept", "application/json"))
        .and(header("x-extra", "1"))
        .and(body_json(serde_json::json!({"model": "m"})))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"id":"x"}"#))
        .expect(1)
        .mount(&server)
        .await;
    let c = Client::builder_with(&DEFAULTS)
        .token(TOKEN)
        .team("team-1")
        .base_url(format!("{}/", server.uri()))
        .build()
        .unwrap();
    let mut parts = json_parts("/v1/chat");
    parts.query = vec![("tag", "a".into()), ("tag", "b".into())];
    let opts = RequestOptions::new().header("X-Extra", "1");
    let out: Out = c.execute(&CHAT, parts, &opts).await.unwrap();
    assert_eq!(out.id, "x");
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.url.query(), Some("tag=a&tag=b"));
}

#[tokio::test]
async fn operation_team_header_wins_and_options_replace_headers() {
    let server = MockServer::start().await;
    Mock::given(header("x-friendli-team", "from-op"))
        .and(header("user-agent", "custom"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"id":"y"}"#))
        .expect(1)
        .mount(&server)
        .await;
    let c = Client::builder_with(&DEFAULTS)
        .token(TOKEN)
        .team("from-client")
        .base_url(server.uri())
        .build()
        .unwrap();
    let mut parts = RequestParts::new("/v1/chat");
    parts.headers.push(("X-Friendli-Team", "from-op".into()));
    let opts = RequestOptions::new().header("User-Agent", "custom");
    let out: Out = c.execute(&CHAT, parts, &opts).await.unwrap();
    assert_eq!(out.id, "y");
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(req.headers.get_all("x-friendli-team").iter().count(), 1);
    assert!(req.headers.get("content-type").is_none());
}

#[tokio::test]
async fn credentials_and_team_only_where_the_operation_declares_them() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"id":"c"}"#))
        .mount(&server)
        .await;
    let c = Client::builder_with(&DEFAULTS)
        .token(TOKEN)
        .team("team-1")
        .base_url(server.uri())
        .build()
        .unwrap();
    let opts = RequestOptions::new().server_url(server.uri());
    let _: Out = c
        .execute(&LOCAL, RequestParts::new("/v1/chat"), &opts)
        .await
        .unwrap();
    let _: Out = c
        .execute(&CHAT, RequestParts::new("/v1/chat"), &opts)
        .await
        .unwrap();
    let reqs = server.received_requests().await.unwrap();
    // No security, no team parameter: neither the token nor the team is sent.
    assert!(reqs[0].headers.get("authorization").is_none());
    assert!(reqs[0].headers.get("x-friendli-team").is_none());
    let bearer = format!("Bearer {TOKEN}");
    assert_eq!(reqs[1].headers["authorization"], bearer.as_str());
    assert_eq!(reqs[1].headers["x-friendli-team"], "team-1");
}

#[tokio::test]
async fn a_client_without_token_builds_and_calls_what_needs_none() {
    let server = MockServer::start().await;
    mock(&server, 200, r#"{"id":"anon"}"#, None).await;
    let c = Client::builder_with(&DEFAULTS)
        .base_url(server.uri())
        .build()
        .expect("no token is needed to build");
    let opts = RequestOptions::new().server_url(server.uri());
    let out: Out = c
        .execute(&LOCAL, RequestParts::new("/v1/chat"), &opts)
        .await
        .unwrap();
    assert_eq!(out.id, "anon");
    // The operation that needs the token fails before sending anything, naming itself.
    let err = c
        .execute::<Out>(&CHAT, json_parts("/v1/chat"), &opts)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(
        text.contains("`chatComplete`") && text.contains("FRIENDLI_RT_TEST_TOKEN_UNSET"),
        "{text}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert!(Client::from_env_with(&DEFAULTS).is_ok());
}

#[test]
fn server_precedence() {
    let c = Client::builder_with(&DEFAULTS)
        .token(TOKEN)
        .base_url("http://global.test")
        .server_url_for("http://localhost:8000", "http://remapped.test")
        .build()
        .unwrap();
    let none = RequestOptions::new();
    let per_call = RequestOptions::new().server_url("http://call.test");
    assert_eq!(c.server_for(&CHAT, &none), "http://global.test");
    assert_eq!(c.server_for(&LOCAL, &none), "http://remapped.test");
    assert_eq!(c.server_for(&CHAT, &per_call), "http://call.test");
    assert_eq!(c.server_for(&LOCAL, &per_call), "http://call.test");
    let plain = Client::builder_with(&DEFAULTS)
        .token(TOKEN)
        .build()
        .unwrap();
    assert_eq!(plain.server_for(&LOCAL, &none), "http://localhost:8000/");
    assert_eq!(
        plain.server_for(&CHAT, &none),
        "https://api.example.invalid"
    );
}

#[tokio::test]
async fn per_call_server_url_and_timeout() {
    let server = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"id":"s"}"#)
                .set_delay(Duration::from_millis(150)),
        )
        .mount(&server)
        .await;
    // The client points elsewhere and times out quickly; per-call options win.
    let c = Client::builder_with(&DEFAULTS)
        .token(TOKEN)
        .base_url("http://127.0.0.1:9")
        .timeout(Duration::from_millis(20))
        .build()
        .unwrap();
    let opts = RequestOptions::new()
        .server_url(server.uri())
        .timeout(Duration::from_secs(10));
    let out: Out = c
        .execute(&LOCAL, RequestParts::new("/slow"), &opts)
        .await
        .unwrap();
    assert_eq!(out.id, "s");

    let opts = RequestOptions::new()
        .server_url(server.uri())
        .timeout(Duration::from_millis(20));
    let err = c
        .execute::<Out>(&LOCAL, RequestParts::new("/slow"), &opts)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                operation: "containerOp"
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn retries_503_then_succeeds() {
    let server = MockServer::start().await;
    mock(&server, 503, "busy", Some(1)).await;
    mock(&server, 200, r#"{"id":"ok"}"#, None).await;
    let out: Out = client(&server)
        .execute(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
        .await
        .unwrap();
    assert_eq!(out.id, "ok");
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].body, reqs[1].body);
}

#[tokio::test]
async fn retries_429_with_retry_after() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mock(&server, 200, r#"{"id":"later"}"#, None).await;
    // Retry-After (1 s) is capped by max_interval (20 ms) to keep the test fast;
    // `retry::tests` checks that an uncapped Retry-After is used as is.
    let out: Out = client(&server)
        .execute(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
        .await
        .unwrap();
    assert_eq!(out.id, "later");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn gives_up_with_the_last_error() {
    let server = MockServer::start().await;
    mock(&server, 503, "first", Some(2)).await;
    mock(&server, 500, "last", None).await;
    let err = client(&server)
        .execute::<Out>(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
        .await
        .unwrap_err();
    let api = err.api_error().expect("api error");
    assert_eq!((api.status, &api.body[..]), (500, &b"last"[..]));
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn no_retry_on_400_or_422() {
    for (status, body) in [
        (400, "bad"),
        (422, r#"{"detail":[{"msg":"field required"}]}"#),
    ] {
        let server = MockServer::start().await;
        Mock::given(path("/v1/chat"))
            .respond_with(ResponseTemplate::new(status).set_body_string(body))
            .expect(1)
            .mount(&server)
            .await;
        let err = client(&server)
            .execute::<Out>(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(status));
        let api = err.api_error().unwrap();
        assert_eq!(api.body_text(), body);
        assert!(api.typed.is_none());
        assert!(err.to_string().contains(&status.to_string()));
    }
    // The typed-error decoder saw the 422 body exactly once (no retry).
    assert_eq!(DECODED_422.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn per_call_retry_policy_overrides_client() {
    let server = MockServer::start().await;
    mock(&server, 503, "busy", None).await;
    let opts = RequestOptions::new().retries(RetryPolicy::none());
    let err = client(&server)
        .execute::<Out>(&CHAT, json_parts("/v1/chat"), &opts)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

fn refused_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn connection_refused_is_retried_then_transport_error() {
    let c = Client::builder_with(&DEFAULTS)
        .token(TOKEN)
        .base_url(refused_url())
        .retry_policy(fast_retry())
        .build()
        .unwrap();
    let err = c
        .execute::<Out>(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
        .await
        .unwrap_err();
    match &err {
        Error::Transport { operation, source } => {
            assert_eq!(*operation, "chatComplete");
            assert!(source.is_connect());
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = format!("{err} {err:?}");
    assert!(!text.contains(TOKEN), "{text}");
}

#[tokio::test]
async fn secrets_never_printed() {
    let c = Client::builder_with(&DEFAULTS)
        .token(TOKEN)
        .team("t")
        .build()
        .unwrap();
    let dbg = format!("{c:?}");
    assert!(!dbg.contains(TOKEN) && dbg.contains("<redacted>"), "{dbg}");
    let b = Client::builder_with(&DEFAULTS).token(TOKEN);
    assert!(!format!("{b:?}").contains(TOKEN));
    let opts = RequestOptions::new()
        .header("Authorization", TOKEN)
        .header("x-a", "visible");
    let dbg = format!("{opts:?}");
    assert!(!dbg.contains(TOKEN) && dbg.contains("visible"), "{dbg}");

    let server = MockServer::start().await;
    mock(&server, 401, "unauthorized", None).await;
    let err = client(&server)
        .execute::<Out>(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains(TOKEN) && text.contains("401"), "{text}");
    let bad = RequestOptions::new().header("Authorization", format!("{TOKEN}\n"));
    let err = client(&server)
        .execute::<Out>(&CHAT, json_parts("/v1/chat"), &bad)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)) && !err.to_string().contains(TOKEN));
}

#[tokio::test]
async fn a_query_credential_is_sent_but_stays_out_of_error_text() {
    static KEYED: OperationSpec = OperationSpec {
        operation_id: "keyed",
        method: HttpMethod::Get,
        default_server: "https://api.example.invalid",
        uses_global_server: true,
        sse_sentinel: None,
        sse_envelope: false,
        decode_error: no_typed_error,
        path_template: "/v1/chat",
        security: &[&[SecurityScheme {
            name: "q",
            kind: SchemeKind::ApiKeyQuery { name: "api_key" },
        }]],
        header_params: &[],
    };
    let server = MockServer::start().await;
    Mock::given(query_param("api_key", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"id":"k"}"#))
        .expect(1)
        .mount(&server)
        .await;
    let out: Out = client(&server)
        .execute(
            &KEYED,
            RequestParts::new("/v1/chat"),
            &RequestOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(out.id, "k");
    let req = &server.received_requests().await.unwrap()[0];
    assert!(req.headers.get("authorization").is_none());

    let c = Client::builder_with(&DEFAULTS)
        .token(TOKEN)
        .base_url(refused_url())
        .build()
        .unwrap();
    let err = c
        .execute::<Out>(
            &KEYED,
            RequestParts::new("/v1/chat"),
            &RequestOptions::new(),
        )
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(!text.contains(TOKEN), "{text}");
}

#[test]
fn config_errors() {
    let err = Client::builder_with(&DEFAULTS)
        .token(format!("{TOKEN}\n x"))
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)) && !err.to_string().contains(TOKEN));
    let bad = Client::builder_with(&DEFAULTS)
        .token("t")
        .base_url("not a url")
        .build();
    assert!(matches!(bad, Err(Error::Config(_))));
    static PATH_TOKEN: SpecDefaults = SpecDefaults {
        token_env: "PATH",
        ..BASE_DEFAULTS
    };
    // PATH is always set: stands in for FRIENDLI_TOKEN without mutating the environment.
    assert!(Client::from_env_with(&PATH_TOKEN).is_ok());
}

#[tokio::test]
async fn decode_error_names_operation_and_path() {
    let server = MockServer::start().await;
    mock(&server, 200, r#"{"id":5}"#, None).await;
    let err = client(&server)
        .execute::<Out>(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
        .await
        .unwrap_err();
    match &err {
        Error::Decode {
            operation,
            path,
            body,
            ..
        } => {
            assert_eq!((*operation, path.as_str()), ("chatComplete", "id"));
            assert_eq!(&body[..], br#"{"id":5}"#);
        }
        other => panic!("unexpected {other:?}"),
    }
    // Empty 2xx bodies decode as `()`.
    let server = MockServer::start().await;
    mock(&server, 204, "", None).await;
    let () = client(&server)
        .execute(&CHAT, RequestParts::new("/v1/chat"), &RequestOptions::new())
        .await
        .unwrap();
}

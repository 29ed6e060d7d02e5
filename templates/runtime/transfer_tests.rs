//! HTTP tests of uploads and event streams against local servers (loopback only).

use std::io::{Read, Write};
use std::time::Duration;

use futures_util::StreamExt;
use wiremock::matchers::{header, header_exists};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::client_tests::{CHAT, DEFAULTS, Out, TOKEN, client, json_parts, mock};
use super::multipart::tests::{parse_multipart, temp_file};
use super::*;

#[tokio::test]
async fn multipart_sends_exact_bytes_and_resends_on_retry() {
    let server = MockServer::start().await;
    mock(&server, 503, "busy", Some(1)).await;
    mock(&server, 200, r#"{"id":"up"}"#, None).await;
    let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let path = temp_file("upload.jsonl", &data);
    let form = Multipart::new()
        .text("purpose", "fine-tune")
        .file("file", FilePart::from_path(&path))
        .file(
            "extra",
            FilePart::from_bytes("blob.bin", b"\x00\x01raw".to_vec()),
        );
    let parts = RequestParts {
        path: "/v1/chat".into(),
        body: RequestBody::Multipart(form),
        ..RequestParts::default()
    };
    let out: Out = client(&server)
        .execute(&CHAT, parts, &RequestOptions::new())
        .await
        .unwrap();
    assert_eq!(out.id, "up");
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 2);
    for req in &reqs {
        let ct = req.headers.get("content-type").unwrap().to_str().unwrap();
        assert!(ct.starts_with("multipart/form-data; boundary="));
        let fields = parse_multipart(ct, &req.body);
        assert_eq!(fields.len(), 3);
        assert!(fields[0].0.contains("name=\"purpose\""));
        assert_eq!(fields[0].1, b"fine-tune");
        assert!(fields[1].0.contains("filename=\"upload.jsonl\""));
        assert_eq!(fields[1].1, data);
        assert_eq!(fields[2].1, b"\x00\x01raw");
    }
    let _ = std::fs::remove_file(path);
}

#[derive(Debug, serde::Deserialize)]
struct Chunk {
    text: String,
}

#[tokio::test]
async fn stream_over_http() {
    let server = MockServer::start().await;
    let body = "data: {\"text\":\"Hel\"}\r\n\r\n: ping\n\nevent: message\ndata: {\"text\":\"lo\"}\n\ndata: [DONE]\n\n";
    Mock::given(header("accept", "text/event-stream"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/event-stream"))
        .mount(&server)
        .await;
    let s = client(&server)
        .execute_stream::<Chunk>(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
        .await
        .unwrap();
    let items: Vec<_> = s.collect().await;
    let text: String = items.into_iter().map(|c| c.unwrap().text).collect();
    assert_eq!(text, "Hello");
}

#[tokio::test]
async fn stream_error_status_is_api_error() {
    let server = MockServer::start().await;
    mock(&server, 422, r#"{"detail":"bad"}"#, None).await;
    let err = client(&server)
        .execute_stream::<Chunk>(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(422));
}

/// A raw server that answers with a chunked event stream and drops the
/// connection before the terminating chunk and the `[DONE]` event.
fn truncated_stream_server() -> (String, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        let Ok((mut sock, _)) = listener.accept() else {
            return;
        };
        let _ = sock.set_read_timeout(Some(Duration::from_secs(5)));
        let mut req = Vec::new();
        let mut buf = [0u8; 4096];
        // Read the head and the (small) JSON body before answering.
        while !req.windows(4).any(|w| w == b"\r\n\r\n") || !req.ends_with(b"}") {
            match sock.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => req.extend_from_slice(&buf[..n]),
            }
        }
        let event = "data: {\"text\":\"partial\"}\n\ndata: {\"te";
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{event}\r\n",
            event.len()
        );
        let _ = sock.write_all(response.as_bytes());
        let _ = sock.flush();
        // Dropping the socket closes the connection mid-body.
    });
    (format!("http://{addr}"), handle)
}

#[tokio::test]
async fn dropped_connection_before_sentinel_is_an_error() {
    let (url, handle) = truncated_stream_server();
    let c = Client::builder_with(&DEFAULTS)
        .token(TOKEN)
        .base_url(url)
        .build()
        .unwrap();
    let s = c
        .execute_stream::<Chunk>(&CHAT, json_parts("/v1/chat"), &RequestOptions::new())
        .await
        .unwrap();
    let items: Vec<_> = s.collect().await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().text, "partial");
    match &items[1] {
        Err(Error::Stream { operation, message }) => {
            assert_eq!(*operation, "chatComplete");
            assert!(!message.contains(TOKEN));
        }
        other => panic!("unexpected {other:?}"),
    }
    handle.join().unwrap();
}

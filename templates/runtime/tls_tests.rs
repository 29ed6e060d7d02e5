//! TLS on loopback with the default backend (rustls with `ring`): the client the builder makes
//! refuses a certificate nothing vouches for, and a client that trusts that same certificate
//! gets its answer, so the refusal is about trust and not about the test server.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::client_tests::{DEFAULTS, LOCAL, Out};
use super::*;

/// One TLS connection served on loopback with a fresh self-signed certificate for 127.0.0.1.
struct Server {
    url: String,
    certificate: CertificateDer<'static>,
    /// The connection's outcome: `Ok` once an answer was written, else what broke it.
    outcome: std::thread::JoinHandle<Result<(), String>>,
}

fn serve_once() -> Server {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let certificate = cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(signing_key.serialize_der()));
    // The same provider the client installs (deprecated in newer rustls; see `tls.rs`).
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certificate.clone()], key)
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let outcome = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().map_err(|e| e.to_string())?;
        // Only so that a client which never finishes cannot hang the test run.
        socket
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(|e| e.to_string())?;
        let mut connection =
            rustls::ServerConnection::new(Arc::new(config)).map_err(|e| e.to_string())?;
        let mut tls = rustls::Stream::new(&mut connection, &mut socket);
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = tls.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("closed before the request head".into());
            }
            head.extend_from_slice(&buf[..n]);
        }
        let body = br#"{"id":"tls"}"#;
        write!(
            tls,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .and_then(|()| tls.write_all(body))
        .map_err(|e| e.to_string())?;
        tls.conn.send_close_notify();
        tls.flush().map_err(|e| e.to_string())
    });
    Server {
        url,
        certificate,
        outcome,
    }
}

fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

fn parts() -> RequestParts {
    RequestParts {
        path: "/slow".into(),
        ..RequestParts::default()
    }
}

#[tokio::test]
async fn the_default_client_refuses_an_unknown_certificate() {
    let server = serve_once();
    let client = Client::builder_with(&DEFAULTS).build().unwrap();
    let opts = RequestOptions::new().server_url(server.url.clone());
    let error = client
        .execute::<Out>(&LOCAL, parts(), &opts)
        .await
        .unwrap_err();
    let text = chain(&error);
    assert!(matches!(error, Error::Transport { .. }), "{text}");
    assert!(text.contains("UnknownIssuer"), "{text}");
    // The server saw the client's alert, not a request.
    let served = server.outcome.join().unwrap().unwrap_err();
    assert!(served.contains("alert"), "{served}");
}

#[tokio::test]
async fn a_client_that_trusts_the_certificate_gets_the_answer() {
    let server = serve_once();
    // Built before any friendli builder, so the provider is installed by hand.
    tls::ensure_crypto_provider();
    let http = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_der(&server.certificate).unwrap()])
        .build()
        .unwrap();
    let client = Client::builder_with(&DEFAULTS)
        .http_client(http)
        .build()
        .unwrap();
    let opts = RequestOptions::new().server_url(server.url.clone());
    let out: Out = client.execute(&LOCAL, parts(), &opts).await.unwrap();
    assert_eq!(out.id, "tls");
    server.outcome.join().unwrap().unwrap();
}

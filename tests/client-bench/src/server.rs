//! A minimal HTTP/1.1 server on 127.0.0.1 for the benchmarks.
//!
//! It answers every request on a route with the same prebuilt response, keeps
//! connections alive, runs on its own thread or on the client's runtime (see
//! [`Placement`]) and stops when dropped. It can record requests, so a benchmark can check that the
//! generated client and the baseline send the same thing before timing them.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::{AbortHandle, JoinSet};

/// What the server answers to requests for one path.
#[derive(Clone, Debug)]
pub struct Route {
    path: &'static str,
    /// Matches only requests whose JSON body asks for `"stream":true` (and the
    /// other way round), as the chat endpoint serves both kinds.
    streaming: bool,
    response: Bytes,
}

impl Route {
    /// A `200` JSON answer with a `Content-Length`.
    pub fn json(path: &'static str, body: &str) -> Self {
        let mut r = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        r.extend_from_slice(body.as_bytes());
        Route {
            path,
            streaming: false,
            response: r.into(),
        }
    }

    /// A `200` event-stream answer sent with chunked transfer encoding, one HTTP
    /// chunk per piece (as a server flushing each event does).
    pub fn event_stream(path: &'static str, pieces: &[Bytes]) -> Self {
        let mut r = BytesMut::from(
            &b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n"[..],
        );
        for p in pieces.iter().filter(|p| !p.is_empty()) {
            r.extend_from_slice(format!("{:x}\r\n", p.len()).as_bytes());
            r.extend_from_slice(p);
            r.extend_from_slice(b"\r\n");
        }
        r.extend_from_slice(b"0\r\n\r\n");
        Route {
            path,
            streaming: true,
            response: r.freeze(),
        }
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapturedRequest {
    pub method: String,
    pub path: String,
    /// Lower-cased names, sorted.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

struct State {
    routes: Vec<Route>,
    capturing: AtomicBool,
    captured: Mutex<Vec<CapturedRequest>>,
}

/// Where the server runs.
#[derive(Clone, Debug)]
pub enum Placement {
    /// A thread of its own (a single-threaded runtime): client and server run in
    /// parallel, and every request crosses threads twice.
    OwnThread,
    /// Tasks on the given (client's) runtime: with a single-threaded runtime, client
    /// and server take turns on one thread, so wall time is their CPU time with no
    /// cross-thread wake-ups (which cost tens of µs on an idle VM and dominate it).
    Runtime(tokio::runtime::Handle),
}

enum Running {
    Thread(oneshot::Sender<()>, JoinHandle<()>),
    Task(AbortHandle),
}

/// The running server; dropping it stops it and closes its connections.
pub struct LoopbackServer {
    addr: SocketAddr,
    state: Arc<State>,
    running: Option<Running>,
}

impl LoopbackServer {
    /// Binds 127.0.0.1 on a free port and serves `routes` from `place`.
    pub fn start(routes: Vec<Route>, place: Placement) -> Self {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let addr = std_listener.local_addr().expect("local addr");
        let state = Arc::new(State {
            routes,
            capturing: AtomicBool::new(false),
            captured: Mutex::new(Vec::new()),
        });
        let task_state = Arc::clone(&state);
        let running = match place {
            Placement::OwnThread => {
                let (tx, rx) = oneshot::channel::<()>();
                let thread = std::thread::Builder::new()
                    .name("loopback-server".into())
                    .spawn(move || {
                        let rt = tokio::runtime::Builder::new_current_thread()
                            .enable_io()
                            .build()
                            .expect("server runtime");
                        rt.block_on(async move {
                            let listener = TcpListener::from_std(std_listener).expect("listener");
                            tokio::spawn(accept_loop(listener, task_state));
                            // Either an explicit stop or the handle being dropped.
                            let _ = rx.await;
                        });
                        // Dropping the runtime cancels the accept loop and every connection.
                    })
                    .expect("server thread");
                Running::Thread(tx, thread)
            }
            Placement::Runtime(handle) => {
                let _entered = handle.enter();
                let listener = TcpListener::from_std(std_listener).expect("listener");
                Running::Task(
                    handle
                        .spawn(accept_loop(listener, task_state))
                        .abort_handle(),
                )
            }
        };
        LoopbackServer {
            addr,
            state,
            running: Some(running),
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Starts recording requests (off by default, so timing runs pay nothing for it).
    pub fn start_capture(&self) {
        self.state.captured.lock().expect("lock").clear();
        self.state.capturing.store(true, Ordering::SeqCst);
    }

    /// Stops recording and returns what was recorded.
    pub fn take_captured(&self) -> Vec<CapturedRequest> {
        self.state.capturing.store(false, Ordering::SeqCst);
        std::mem::take(&mut *self.state.captured.lock().expect("lock"))
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        match self.running.take() {
            Some(Running::Thread(stop, thread)) => {
                let _ = stop.send(());
                let _ = thread.join();
            }
            // Aborting the accept loop drops its `JoinSet`, which aborts the connections.
            Some(Running::Task(task)) => task.abort(),
            None => {}
        }
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<State>) {
    let mut connections = JoinSet::new();
    loop {
        match listener.accept().await {
            Ok((sock, _)) => {
                while connections.try_join_next().is_some() {}
                connections.spawn(serve_connection(sock, Arc::clone(&state)));
            }
            Err(e) => {
                eprintln!("loopback server: accept failed: {e}");
                return;
            }
        }
    }
}

const NOT_FOUND: &[u8] = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n";

/// Serves keep-alive requests on one connection until the client closes it.
async fn serve_connection(mut sock: TcpStream, state: Arc<State>) {
    if sock.set_nodelay(true).is_err() {
        return;
    }
    let mut buf = BytesMut::with_capacity(16 * 1024);
    loop {
        // The request head.
        let head_end = loop {
            if let Some(p) = find(&buf, b"\r\n\r\n") {
                break p + 4;
            }
            if !read_more(&mut sock, &mut buf).await {
                return;
            }
        };
        let Some(head) = parse_head(&buf[..head_end]) else {
            let _ = sock
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
                )
                .await;
            return;
        };
        // The body (the clients here always send `Content-Length`).
        while buf.len() < head_end + head.content_length {
            if !read_more(&mut sock, &mut buf).await {
                return;
            }
        }
        let request = buf.split_to(head_end + head.content_length);
        let body = &request[head_end..];
        let streaming = find(body, b"\"stream\":true").is_some();
        let response = state
            .routes
            .iter()
            .find(|r| r.path == head.path && r.streaming == streaming)
            .map_or(NOT_FOUND, |r| &r.response[..]);
        if state.capturing.load(Ordering::Relaxed) {
            state.captured.lock().expect("lock").push(CapturedRequest {
                method: head.method,
                path: head.path,
                headers: head.headers,
                body: body.to_vec(),
            });
        }
        if sock.write_all(response).await.is_err() {
            return;
        }
    }
}

/// Reads at least one more byte; `false` at end of input or on error.
async fn read_more(sock: &mut TcpStream, buf: &mut BytesMut) -> bool {
    if buf.capacity() - buf.len() < 4096 {
        buf.reserve(16 * 1024);
    }
    matches!(sock.read_buf(buf).await, Ok(n) if n > 0)
}

struct Head {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    content_length: usize,
}

fn parse_head(head: &[u8]) -> Option<Head> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let path = request_line.next()?.to_owned();
    let mut headers = Vec::new();
    let mut content_length = 0;
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        let name = name.trim().to_ascii_lowercase();
        let value = value.trim().to_owned();
        if name == "content-length" {
            content_length = value.parse().ok()?;
        }
        if name == "transfer-encoding" {
            return None; // chunked request bodies are not needed here
        }
        headers.push((name, value));
    }
    headers.sort();
    Some(Head {
        method,
        path,
        headers,
        content_length,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

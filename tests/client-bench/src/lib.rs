//! Shared pieces of the `client-bench` benchmarks (see `benches/` and README.md):
//! payloads copied from the Friendli spec's examples, a loopback HTTP/1.1 server,
//! identically configured HTTP clients for the generated SDK and the hand-written
//! baseline, the clock choice (`CLIENT_BENCH_CLOCK`), and a summary that turns
//! criterion's medians into ratios.

pub mod measure;
pub mod payloads;
pub mod server;
pub mod summary;

/// Bearer token both clients send.
pub const TOKEN: &str = "flp_bench_token";
/// `User-Agent` both clients send, so that requests are byte-for-byte comparable.
pub const USER_AGENT: &str = "client-bench/0";

/// The one reqwest configuration both sides use: HTTP/1.1 with keep-alive (reqwest's
/// default pool), no proxy lookup. The generated client gets its own instance via
/// `ClientBuilder::http_client`, so the two never share a connection pool.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .http1_only()
        .no_proxy()
        .build()
        .expect("reqwest client")
}

/// The generated client pointed at `base_url`, with retries off.
pub fn generated_client(base_url: &str) -> friendli::Client {
    friendli::Client::builder()
        .token(TOKEN)
        .base_url(base_url)
        .retry_policy(friendli::RetryPolicy::none())
        .user_agent(USER_AGENT)
        .http_client(http_client())
        .build()
        .expect("generated client")
}

/// A single-threaded tokio runtime for the client side of a benchmark (the server
/// runs on its own thread, so on a 2-core machine each side gets about one core).
pub fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Where the loopback server runs (`CLIENT_BENCH_SERVER`):
/// - `runtime`: on the client's single-threaded runtime, so client and server take
///   turns on one thread and wall time carries no cross-thread wake-ups (on an idle
///   VM those cost tens of µs per request, more than the client itself). The default
///   with wall time.
/// - `thread`: a thread of its own, so the benchmark thread's CPU time is the
///   client's alone. The default with `CLIENT_BENCH_CLOCK=cpu`.
pub fn server_placement(rt: &tokio::runtime::Runtime) -> server::Placement {
    let own_thread = match std::env::var("CLIENT_BENCH_SERVER").as_deref() {
        Ok("runtime") => false,
        Ok("thread") => true,
        Err(_) => measure::Clock::from_env() == measure::Clock::ThreadCpu,
        Ok(other) => panic!("CLIENT_BENCH_SERVER must be `runtime` or `thread`, not `{other}`"),
    };
    if own_thread {
        server::Placement::OwnThread
    } else {
        server::Placement::Runtime(rt.handle().clone())
    }
}

/// Whether this process was started by `cargo bench` (criterion's `--bench`), as
/// opposed to `cargo test --benches`, which runs every benchmark once as a test.
pub fn is_bench_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

//! Per-request overhead: the generated client's typed call against a hand-written
//! `reqwest` + `serde_json` call, both against the same loopback HTTP/1.1 server,
//! on warm keep-alive connections, with identically configured reqwest clients.
//!
//! Both sides build the request body from the same generated model type, send the
//! same bytes and headers (checked before timing) and decode the response into
//! the same generated model type, so the ratio isolates the runtime's plumbing:
//! request builder, URL and header assembly, retry loop, body reading and the
//! path-tracking JSON decoder.
//!
//! `cargo bench -p client-bench --bench request_overhead`
//! (`CLIENT_BENCH_CLOCK=cpu` to time client-thread CPU instead of wall time).

use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, SystemTime};

use client_bench::measure::{Clock, ThreadCpuTime};
use client_bench::payloads::{CHAT_COMPLETE_RESPONSE, MODEL, PROMPT, TOKENIZE_RESPONSE};
use client_bench::server::{LoopbackServer, Route};
use client_bench::summary::{self, Pair};
use client_bench::{
    TOKEN, USER_AGENT, client_runtime, generated_client, http_client, server_placement,
};
use criterion::Criterion;
use criterion::measurement::Measurement;
use friendli::models::{
    ChatResult, DedicatedChatCompletionBody, DedicatedTokenizationBody,
    DedicatedTokenizationSuccess, Message, SystemMessage, UserMessage,
};
use reqwest::header;
use serde::Serialize;
use serde::de::DeserializeOwned;

const TOKENIZE_PATH: &str = "/dedicated/v1/tokenize";
const CHAT_PATH: &str = "/dedicated/v1/chat/completions";

type BoxError = Box<dyn Error + Send + Sync>;

/// The hand-written baseline: what a careful user would write with reqwest and
/// serde_json directly.
struct Baseline {
    http: reqwest::Client,
    base_url: String,
    auth: String,
}

impl Baseline {
    fn new(base_url: String) -> Self {
        Baseline {
            http: http_client(),
            base_url,
            auth: format!("Bearer {TOKEN}"),
        }
    }

    async fn post_json<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<R, BoxError> {
        let response = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header(header::AUTHORIZATION, &self.auth)
            .header(header::USER_AGENT, USER_AGENT)
            .header(header::ACCEPT, "application/json")
            .header(header::CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(body)?)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status()).into());
        }
        let bytes = response.bytes().await?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    async fn tokenize(&self) -> Result<DedicatedTokenizationSuccess, BoxError> {
        self.post_json(
            TOKENIZE_PATH,
            &DedicatedTokenizationBody::new(MODEL, PROMPT),
        )
        .await
    }

    async fn chat_complete(&self) -> Result<ChatResult, BoxError> {
        // The generated client pins `stream: false` on the non-streaming twin.
        let body = DedicatedChatCompletionBody {
            model: MODEL.into(),
            messages: messages(),
            stream: false.into(),
            ..Default::default()
        };
        self.post_json(CHAT_PATH, &body).await
    }
}

fn messages() -> Vec<Message> {
    vec![
        Message::System(SystemMessage::new("You are a helpful assistant.")),
        Message::User(UserMessage::new(PROMPT)),
    ]
}

async fn generated_tokenize(c: &friendli::Client) -> DedicatedTokenizationSuccess {
    c.dedicated()
        .token()
        .tokenize(MODEL, PROMPT)
        .send()
        .await
        .expect("generated tokenize")
}

async fn generated_chat_complete(c: &friendli::Client) -> ChatResult {
    c.dedicated()
        .chat()
        .complete(MODEL, messages())
        .send()
        .await
        .expect("generated chat complete")
}

/// Before timing anything: both sides send the same request and get the same value.
async fn check_equivalence(
    server: &LoopbackServer,
    generated: &friendli::Client,
    baseline: &Baseline,
) {
    server.start_capture();
    let g_tok = generated_tokenize(generated).await;
    let b_tok = baseline.tokenize().await.expect("baseline tokenize");
    let g_chat = generated_chat_complete(generated).await;
    let b_chat = baseline
        .chat_complete()
        .await
        .expect("baseline chat complete");
    let captured = server.take_captured();
    assert_eq!(g_tok, b_tok);
    assert_eq!(g_tok.tokens.len(), 7);
    assert_eq!(g_chat, b_chat);
    assert_eq!(g_chat.choices.len(), 1);
    assert_eq!(captured.len(), 4, "{captured:#?}");
    assert_eq!(captured[0], captured[1], "tokenize requests differ");
    assert_eq!(captured[2], captured[3], "chat requests differ");
    let names: Vec<&str> = captured[0]
        .headers
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    println!("checked: both clients send identical requests (headers: {names:?})");
}

fn benchmarks<M: Measurement>(
    mut c: Criterion<M>,
    rt: &tokio::runtime::Runtime,
    generated: &friendli::Client,
    baseline: &Baseline,
) {
    {
        let mut g = c.benchmark_group("overhead_tokenize");
        g.bench_function("generated", |b| {
            b.to_async(rt)
                .iter(|| async { black_box(generated_tokenize(generated).await) })
        });
        g.bench_function("reqwest_serde_json", |b| {
            b.to_async(rt)
                .iter(|| async { black_box(baseline.tokenize().await.expect("baseline")) })
        });
        g.finish();
    }
    {
        let mut g = c.benchmark_group("overhead_chat_complete");
        g.bench_function("generated", |b| {
            b.to_async(rt)
                .iter(|| async { black_box(generated_chat_complete(generated).await) })
        });
        g.bench_function("reqwest_serde_json", |b| {
            b.to_async(rt)
                .iter(|| async { black_box(baseline.chat_complete().await.expect("baseline")) })
        });
        g.finish();
    }
    c.final_summary();
}

fn main() {
    let since = SystemTime::now();
    let clock = Clock::from_env();
    let rt = client_runtime();
    let server = LoopbackServer::start(
        vec![
            Route::json(TOKENIZE_PATH, TOKENIZE_RESPONSE),
            Route::json(CHAT_PATH, CHAT_COMPLETE_RESPONSE),
        ],
        server_placement(&rt),
    );
    let generated = generated_client(&server.base_url());
    let baseline = Baseline::new(server.base_url());
    rt.block_on(check_equivalence(&server, &generated, &baseline));

    let c = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    match clock {
        Clock::Wall => benchmarks(c.configure_from_args(), &rt, &generated, &baseline),
        Clock::ThreadCpu => benchmarks(
            c.with_measurement(ThreadCpuTime).configure_from_args(),
            &rt,
            &generated,
            &baseline,
        ),
    }

    if client_bench::is_bench_run() {
        let pair = |label: &str, group: &str| Pair {
            label: label.into(),
            generated: format!("{group}/generated"),
            baseline: format!("{group}/reqwest_serde_json"),
            events: None,
            bytes: None,
        };
        summary::print(
            &format!(
                "Per-request overhead, one request on a warm keep-alive connection ({})",
                clock.describe()
            ),
            &[
                pair("tokenize (dedicated.token.tokenize)", "overhead_tokenize"),
                pair(
                    "chat complete (dedicated.chat.complete)",
                    "overhead_chat_complete",
                ),
            ],
            since,
        );
    }
    drop(server);
}

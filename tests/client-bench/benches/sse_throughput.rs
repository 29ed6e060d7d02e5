//! SSE parsing throughput over a large recorded chat stream: the runtime's typed
//! `EventStream<StreamedChatData>` against a hand-written parser (split on
//! `"\n\n"`, strip `"data: "`, `serde_json::from_slice` into the same generated
//! type).
//!
//! Groups (each reports events/s and bytes/s; the summary prints ratios):
//! - `sse_typed_16k`, `sse_typed_per_event`: parsing + decoding, no network. The
//!   recorded body is fed from memory as 16 KiB pieces (a fast stream read in
//!   socket-sized reads) or one piece per event (token-by-token arrival).
//! - `sse_framing_16k`, `sse_framing_per_event`: event framing only (the runtime's
//!   `RawEventStream` against the hand-written splitter), to tell framing cost from
//!   decoding cost.
//! - `sse_loopback`: the same body served by a loopback HTTP/1.1 server (chunked,
//!   one HTTP chunk per event), through `client.dedicated().chat().stream(..)`
//!   against reqwest's `bytes_stream` + the hand-written parser.
//!
//! `cargo bench -p client-bench --bench sse_throughput`
//! (`CLIENT_BENCH_CLOCK=cpu` to time client-thread CPU instead of wall time).

use std::convert::Infallible;
use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use client_bench::measure::{Clock, ThreadCpuTime};
use client_bench::payloads::{MODEL, PROMPT, RecordedStream};
use client_bench::server::{LoopbackServer, Route};
use client_bench::summary::{self, Pair};
use client_bench::{
    TOKEN, USER_AGENT, client_runtime, generated_client, http_client, server_placement,
};
use criterion::measurement::Measurement;
use criterion::{BatchSize, Criterion, Throughput};
use friendli::models::{DedicatedChatCompletionStreamBody, Message, StreamedChatData, UserMessage};
use friendli::runtime::{EventStream, RawEventStream};
use futures_util::{Stream, StreamExt, stream};
use reqwest::header;

/// Events in the recorded stream (plus the `[DONE]` marker).
const EVENTS: usize = 20_000;
const CHAT_PATH: &str = "/dedicated/v1/chat/completions";

type BoxError = Box<dyn Error + Send + Sync>;

fn body_stream(chunks: Vec<Bytes>) -> impl Stream<Item = Result<Bytes, Infallible>> + Send + Unpin {
    stream::iter(chunks.into_iter().map(Ok))
}

// ---- the runtime ------------------------------------------------------------

fn runtime_typed(chunks: Vec<Bytes>) -> EventStream<StreamedChatData> {
    EventStream::new(RawEventStream::new(
        "dedicatedChatStream",
        Some("[DONE]"),
        body_stream(chunks),
        None,
    ))
}

async fn drain_typed<S>(mut s: S, mut each: impl FnMut(StreamedChatData)) -> u64
where
    S: Stream<Item = Result<StreamedChatData, friendli::Error>> + Unpin,
{
    let mut n = 0;
    while let Some(item) = s.next().await {
        each(item.expect("runtime event"));
        n += 1;
    }
    n
}

async fn runtime_framing(chunks: Vec<Bytes>) -> u64 {
    let mut s = RawEventStream::new(
        "dedicatedChatStream",
        Some("[DONE]"),
        body_stream(chunks),
        None,
    );
    let mut n = 0;
    while let Some(event) = s.next().await {
        black_box(event.expect("runtime event"));
        n += 1;
    }
    n
}

// ---- the hand-written baseline ----------------------------------------------

/// Splits on `"\n\n"`, strips `"data: "`, stops at `[DONE]` and hands each payload
/// to `each`. Handles only what this server sends (LF line ends, one `data:` line).
async fn baseline_events<S, E>(
    mut body: S,
    mut each: impl FnMut(&[u8]) -> Result<(), BoxError>,
) -> Result<u64, BoxError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Into<BoxError>,
{
    let mut buf: Vec<u8> = Vec::with_capacity(32 * 1024);
    let mut n = 0;
    while let Some(chunk) = body.next().await {
        buf.extend_from_slice(&chunk.map_err(Into::into)?);
        let mut start = 0;
        while let Some(p) = memchr::memmem::find(&buf[start..], b"\n\n") {
            let event = &buf[start..start + p];
            start += p + 2;
            let Some(data) = event.strip_prefix(b"data: ") else {
                continue;
            };
            if data == b"[DONE]" {
                return Ok(n);
            }
            each(data)?;
            n += 1;
        }
        buf.drain(..start);
    }
    Err("stream ended before [DONE]".into())
}

async fn baseline_typed<S, E>(
    body: S,
    mut each: impl FnMut(StreamedChatData),
) -> Result<u64, BoxError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Into<BoxError>,
{
    baseline_events(body, |data| {
        each(serde_json::from_slice(data)?);
        Ok(())
    })
    .await
}

// ---- loopback -----------------------------------------------------------------

async fn loopback_generated(client: &friendli::Client) -> u64 {
    let s = client
        .dedicated()
        .chat()
        .stream(MODEL, vec![Message::User(UserMessage::new(PROMPT))])
        .send()
        .await
        .expect("generated stream");
    drain_typed(s, |v| {
        black_box(v);
    })
    .await
}

async fn loopback_baseline(http: &reqwest::Client, base_url: &str) -> Result<u64, BoxError> {
    let body = DedicatedChatCompletionStreamBody {
        model: MODEL.into(),
        messages: vec![Message::User(UserMessage::new(PROMPT))],
        stream: friendli::OptionalNullable::Value(true),
        ..Default::default()
    };
    let response = http
        .post(format!("{base_url}{CHAT_PATH}"))
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .header(header::USER_AGENT, USER_AGENT)
        .header(header::ACCEPT, "text/event-stream")
        .header(header::CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(&body)?)
        .send()
        .await?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()).into());
    }
    baseline_typed(response.bytes_stream(), |v| {
        black_box(v);
    })
    .await
}

// ---- checks and benchmarks --------------------------------------------------------

/// Before timing: both sides decode every chunking into the same values.
fn check_equivalence(
    rt: &tokio::runtime::Runtime,
    rec: &RecordedStream,
    chunkings: &[(&str, Vec<Bytes>)],
) {
    for (name, chunks) in chunkings {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let na = rt.block_on(drain_typed(runtime_typed(chunks.clone()), |v| a.push(v)));
        let nb = rt
            .block_on(baseline_typed(body_stream(chunks.clone()), |v| b.push(v)))
            .expect("baseline decodes");
        assert_eq!(na, rec.events, "{name}: runtime event count");
        assert_eq!(nb, rec.events, "{name}: baseline event count");
        assert!(a == b, "{name}: decoded values differ");
        let nf = rt.block_on(runtime_framing(chunks.clone()));
        assert_eq!(nf, rec.events, "{name}: framing event count");
    }
    println!(
        "checked: {} events, {} bytes; runtime and baseline decode identical values",
        rec.events,
        rec.bytes.len()
    );
}

/// Everything the benchmarks share, prepared (and checked) before timing.
struct Setup {
    rt: tokio::runtime::Runtime,
    rec: RecordedStream,
    chunkings: [(&'static str, Vec<Bytes>); 2],
    generated: friendli::Client,
    http: reqwest::Client,
    base_url: String,
}

fn benchmarks<M: Measurement>(mut c: Criterion<M>, s: &Setup) {
    let throughput = Throughput::ElementsAndBytes {
        elements: s.rec.events,
        bytes: s.rec.bytes.len() as u64,
    };

    for (name, chunks) in &s.chunkings {
        let mut g = c.benchmark_group(format!("sse_typed_{name}"));
        g.throughput(throughput.clone());
        g.bench_function("generated", |b| {
            b.iter_batched(
                || chunks.clone(),
                |chunks| {
                    s.rt.block_on(drain_typed(runtime_typed(chunks), |v| {
                        black_box(v);
                    }))
                },
                BatchSize::LargeInput,
            )
        });
        g.bench_function("baseline", |b| {
            b.iter_batched(
                || chunks.clone(),
                |chunks| {
                    s.rt.block_on(baseline_typed(body_stream(chunks), |v| {
                        black_box(v);
                    }))
                    .expect("baseline")
                },
                BatchSize::LargeInput,
            )
        });
        g.finish();
    }

    for (name, chunks) in &s.chunkings {
        let mut g = c.benchmark_group(format!("sse_framing_{name}"));
        g.throughput(throughput.clone());
        g.bench_function("generated", |b| {
            b.iter_batched(
                || chunks.clone(),
                |chunks| s.rt.block_on(runtime_framing(chunks)),
                BatchSize::LargeInput,
            )
        });
        g.bench_function("baseline", |b| {
            b.iter_batched(
                || chunks.clone(),
                |chunks| {
                    s.rt.block_on(baseline_events(body_stream(chunks), |data| {
                        black_box(data);
                        Ok(())
                    }))
                    .expect("baseline")
                },
                BatchSize::LargeInput,
            )
        });
        g.finish();
    }

    {
        let mut g = c.benchmark_group("sse_loopback");
        g.throughput(throughput.clone());
        g.bench_function("generated", |b| {
            b.to_async(&s.rt).iter(|| loopback_generated(&s.generated))
        });
        g.bench_function("baseline", |b| {
            b.to_async(&s.rt).iter(|| async {
                loopback_baseline(&s.http, &s.base_url)
                    .await
                    .expect("baseline")
            })
        });
        g.finish();
    }
    c.final_summary();
}

fn main() {
    let since = SystemTime::now();
    let clock = Clock::from_env();
    let rt = client_runtime();
    let rec = RecordedStream::new(EVENTS);
    let total = rec.bytes.len() as u64;
    let chunkings = [
        ("16k", rec.chunks_of(16 * 1024)),
        ("per_event", rec.chunks_per_event()),
    ];
    check_equivalence(&rt, &rec, &chunkings);

    let server = LoopbackServer::start(
        vec![Route::event_stream(CHAT_PATH, &chunkings[1].1)],
        server_placement(&rt),
    );
    let base_url = server.base_url();
    let generated = generated_client(&base_url);
    let http = http_client();
    let n = rt.block_on(loopback_generated(&generated));
    assert_eq!(n, rec.events, "loopback: generated event count");
    let n = rt
        .block_on(loopback_baseline(&http, &base_url))
        .expect("loopback baseline");
    assert_eq!(n, rec.events, "loopback: baseline event count");
    let events = rec.events;
    let setup = Setup {
        rt,
        rec,
        chunkings,
        generated,
        http,
        base_url,
    };

    let c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    match clock {
        Clock::Wall => benchmarks(c.configure_from_args(), &setup),
        Clock::ThreadCpu => benchmarks(
            c.with_measurement(ThreadCpuTime).configure_from_args(),
            &setup,
        ),
    }

    if client_bench::is_bench_run() {
        let pair = |label: &str, group: &str| Pair {
            label: label.into(),
            generated: format!("{group}/generated"),
            baseline: format!("{group}/baseline"),
            events: Some(events),
            bytes: Some(total),
        };
        summary::print(
            &format!(
                "SSE throughput, {events} events + [DONE], {:.2} MB recorded chat stream ({})",
                total as f64 / 1e6,
                clock.describe()
            ),
            &[
                pair("typed, 16 KiB chunks", "sse_typed_16k"),
                pair("typed, one chunk per event", "sse_typed_per_event"),
                pair("framing only, 16 KiB chunks", "sse_framing_16k"),
                pair("framing only, one chunk per event", "sse_framing_per_event"),
                pair("typed, loopback HTTP (chunked)", "sse_loopback"),
            ],
            since,
        );
    }
    drop(server);
    drop(setup);
}

//! Typed SSE over loopback HTTP at the scale of issue 11: 100,000
//! `chat.completion.chunk` events (~21 MB, one HTTP chunk per event) streamed to
//! `client.serverless().chat().stream(..)`, against a hand-written reqwest
//! `bytes_stream()` + `"\n\n"` splitter + `serde_json::from_slice` consumer decoding
//! into the same generated type.
//!
//! Paired runs in one process: each pair runs both sides back to back, alternating
//! which goes first, so load from other processes hits both alike. Each run records
//! wall time and the CPU time of the client thread; the summary gives the medians,
//! the ratio of the medians and the median of the per-pair ratios.
//!
//! `cargo bench -p client-bench --bench sse_loopback_100k`
//! - `CLIENT_BENCH_PAIRS=N` (default 21): number of pairs.
//! - `CLIENT_BENCH_SERVER=thread` (default) or `runtime`: the server on its own thread
//!   (client-thread CPU is then the client's alone) or as tasks on the client's
//!   single-threaded runtime (no cross-thread wake-ups in wall time; CPU time then
//!   includes the server).
//! - `CLIENT_BENCH_ONLY=generated` or `hand-written`: time one side only (for a
//!   profiler; no ratios).
//!
//! Under `cargo test --benches` it checks equivalence and times one pair.

use std::error::Error;
use std::hint::black_box;
use std::time::Instant;

use client_bench::measure::{thread_cpu_ns, thread_sys_ns};
use client_bench::payloads::{MODEL, PROMPT, RecordedStream};
use client_bench::server::{LoopbackServer, Placement, Route};
use client_bench::{TOKEN, USER_AGENT, client_runtime, generated_client, http_client};
use friendli::models::{
    Message, ServerlessChatCompletionStreamBody, StreamedChatData, UserMessage,
};
use futures_util::{Stream, StreamExt};
use reqwest::header;

const EVENTS: usize = 100_000;
const CHAT_PATH: &str = "/serverless/v1/chat/completions";
const DEFAULT_PAIRS: usize = 21;

type BoxError = Box<dyn Error + Send + Sync>;

fn messages() -> Vec<Message> {
    vec![Message::User(UserMessage::new(PROMPT))]
}

async fn generated(client: &friendli::Client, mut each: impl FnMut(StreamedChatData)) -> u64 {
    let mut events = client
        .serverless()
        .chat()
        .stream(MODEL, messages())
        .send()
        .await
        .expect("generated stream");
    let mut n = 0;
    while let Some(item) = events.next().await {
        each(item.expect("generated event"));
        n += 1;
    }
    n
}

/// What a careful user writes by hand for this stream: split on `"\n\n"`, strip
/// `"data: "`, stop at `[DONE]`. It handles only the wire shape this server sends
/// (LF line ends, one `data:` line per event, no comments).
async fn split_events<S, E>(
    mut body: S,
    mut each: impl FnMut(&[u8]) -> Result<(), BoxError>,
) -> Result<u64, BoxError>
where
    S: Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: Into<BoxError>,
{
    let finder = memchr::memmem::Finder::new(b"\n\n");
    let mut buf: Vec<u8> = Vec::with_capacity(32 * 1024);
    let mut n = 0;
    while let Some(chunk) = body.next().await {
        buf.extend_from_slice(&chunk.map_err(Into::into)?);
        let mut start = 0;
        while let Some(p) = finder.find(&buf[start..]) {
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

async fn hand_written(
    http: &reqwest::Client,
    url: &str,
    mut each: impl FnMut(StreamedChatData),
) -> Result<u64, BoxError> {
    let body = ServerlessChatCompletionStreamBody {
        model: MODEL.into(),
        messages: messages(),
        stream: friendli::OptionalNullable::Value(true),
        ..Default::default()
    };
    let response = http
        .post(url)
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
    split_events(response.bytes_stream(), |data| {
        each(serde_json::from_slice(data)?);
        Ok(())
    })
    .await
}

/// Reads one clock of a [`Sample`], in nanoseconds.
type Field = fn(&Sample) -> u64;

#[derive(Clone, Copy, Debug)]
struct Sample {
    wall_ns: u64,
    cpu_ns: u64,
    sys_ns: u64,
}

// Not inlined, so that a profiler can collect inside it alone
// (`valgrind --tool=callgrind --toggle-collect='*timed*'`).
#[inline(never)]
fn timed(run: impl FnOnce() -> u64, expect: u64) -> Sample {
    let (wall, cpu, sys) = (Instant::now(), thread_cpu_ns(), thread_sys_ns());
    let n = run();
    let sample = Sample {
        sys_ns: thread_sys_ns() - sys,
        cpu_ns: thread_cpu_ns() - cpu,
        wall_ns: wall.elapsed().as_nanos() as u64,
    };
    assert_eq!(n, expect, "event count");
    sample
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

fn main() {
    let bench_run = client_bench::is_bench_run();
    let pairs = match std::env::var("CLIENT_BENCH_PAIRS") {
        Ok(n) => n.parse().expect("CLIENT_BENCH_PAIRS must be a number"),
        Err(_) if bench_run => DEFAULT_PAIRS,
        Err(_) => 1,
    };
    let rt = client_runtime();
    let placement = match std::env::var("CLIENT_BENCH_SERVER").as_deref() {
        Ok("thread") | Err(_) => Placement::OwnThread,
        Ok("runtime") => Placement::Runtime(rt.handle().clone()),
        Ok(other) => panic!("CLIENT_BENCH_SERVER must be `thread` or `runtime`, not `{other}`"),
    };
    let placement_name = match placement {
        Placement::OwnThread => "server on its own thread",
        Placement::Runtime(_) => "server on the client's runtime",
    };
    let rec = RecordedStream::new(EVENTS);
    let server = LoopbackServer::start(
        vec![Route::event_stream(CHAT_PATH, &rec.chunks_per_event())],
        placement,
    );
    let base_url = server.base_url();
    let url = format!("{base_url}{CHAT_PATH}");
    let client = generated_client(&base_url);
    let http = http_client();

    // Before timing: the same values on both sides (this also warms both pools).
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let na = rt.block_on(generated(&client, |v| a.push(v)));
    let nb = rt
        .block_on(hand_written(&http, &url, |v| b.push(v)))
        .expect("hand-written stream");
    assert_eq!((na, nb), (rec.events, rec.events), "event counts");
    assert!(a == b, "decoded values differ");
    drop((a, b));
    println!(
        "checked: {} events, {:.2} MB; both sides decode identical values",
        rec.events,
        rec.bytes.len() as f64 / 1e6
    );

    let run_generated = || rt.block_on(generated(&client, |v| drop(black_box(v))));
    let run_hand = || {
        rt.block_on(hand_written(&http, &url, |v| drop(black_box(v))))
            .expect("hand-written stream")
    };
    let only = std::env::var("CLIENT_BENCH_ONLY").ok();
    match only.as_deref() {
        None => {}
        Some(side @ ("generated" | "hand-written")) => {
            let run: &dyn Fn() -> u64 = if side == "generated" {
                &run_generated
            } else {
                &run_hand
            };
            let runs: Vec<Sample> = (0..pairs).map(|_| timed(run, rec.events)).collect();
            let wall = median(runs.iter().map(|s| s.wall_ns as f64 / 1e6).collect());
            let cpu = median(runs.iter().map(|s| s.cpu_ns as f64 / 1e6).collect());
            let sys = median(runs.iter().map(|s| s.sys_ns as f64 / 1e6).collect());
            println!(
                "{side} only, {pairs} runs: wall {wall:.2} ms, client-thread CPU {cpu:.2} ms (system {sys:.2} ms), medians"
            );
            return;
        }
        Some(other) => {
            panic!("CLIENT_BENCH_ONLY must be `generated` or `hand-written`, not `{other}`")
        }
    }
    let (mut gen_runs, mut hand_runs) = (Vec::new(), Vec::new());
    for i in 0..pairs {
        // Alternate the order so that neither side always runs right after the other.
        if i % 2 == 0 {
            gen_runs.push(timed(run_generated, rec.events));
            hand_runs.push(timed(run_hand, rec.events));
        } else {
            hand_runs.push(timed(run_hand, rec.events));
            gen_runs.push(timed(run_generated, rec.events));
        }
    }
    drop(server);

    let ms = |v: &[Sample], f: Field| median(v.iter().map(|s| f(s) as f64 / 1e6).collect());
    let pair_ratio = |f: Field| {
        median(
            gen_runs
                .iter()
                .zip(&hand_runs)
                .map(|(g, h)| f(g) as f64 / f(h) as f64)
                .collect(),
        )
    };
    println!();
    if !bench_run {
        println!("(a smoke test under `cargo test`, unoptimised: not a measurement)");
    }
    println!(
        "## Typed SSE, loopback HTTP, {} events ({:.2} MB), {pairs} paired runs, {placement_name}",
        rec.events,
        rec.bytes.len() as f64 / 1e6
    );
    println!();
    println!(
        "| clock | generated (median) | hand-written (median) | ratio of medians | median of pair ratios |"
    );
    println!("| --- | --- | --- | --- | --- |");
    let clocks: [(&str, Field); 3] = [
        ("wall", |s| s.wall_ns),
        ("client-thread CPU", |s| s.cpu_ns),
        ("of which system", |s| s.sys_ns),
    ];
    for (name, f) in clocks {
        let (g, h) = (ms(&gen_runs, f), ms(&hand_runs, f));
        println!(
            "| {name} | {g:.2} ms ({:.2} M events/s) | {h:.2} ms ({:.2} M events/s) | {:.3} | {:.3} |",
            rec.events as f64 / g / 1e3,
            rec.events as f64 / h / 1e3,
            g / h,
            pair_ratio(f),
        );
    }
    println!();
}

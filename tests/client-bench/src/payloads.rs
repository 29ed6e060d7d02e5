//! Payloads copied from the examples of the Friendli OpenAPI spec
//! (`dedicatedTokenization`, `dedicatedChatComplete`, `dedicatedChatStream`).

use bytes::Bytes;

/// `POST /dedicated/v1/tokenize` 200 example.
pub const TOKENIZE_RESPONSE: &str = r#"{"tokens":[128000,3923,374,1803,1413,15592,30]}"#;

/// `POST /dedicated/v1/chat/completions` 200 example (non-streaming).
pub const CHAT_COMPLETE_RESPONSE: &str = r#"{"id":"chatcmpl-4b71d12c86d94e719c7e3984a7bb7941","model":"(endpoint-id)","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there, how may I assist you today?"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":11,"total_tokens":20},"created":1735722153}"#;

/// Model (endpoint id) and prompt both clients send.
pub const MODEL: &str = "(endpoint-id)";
pub const PROMPT: &str = "What is generative AI?";

/// The first event of the spec's `dedicatedChatStream` example.
const FIRST_CHUNK: &str = r#"{"id":"chatcmpl-4b71d12c86d94e719c7e3984a7bb7941","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"This"},"finish_reason":null,"logprobs":null}],"usage":null,"created":1726294381}"#;
/// A content event of that example, with the token cut out.
const CONTENT_CHUNK: (&str, &str) = (
    r#"{"id":"chatcmpl-4b71d12c86d94e719c7e3984a7bb7941","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":""#,
    r#""},"finish_reason":null,"logprobs":null}],"usage":null,"created":1726294381}"#,
);
/// The `finish_reason: stop` event of that example.
const STOP_CHUNK: &str = r#"{"id":"chatcmpl-4b71d12c86d94e719c7e3984a7bb7941","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop","logprobs":null}],"usage":null,"created":1726294383}"#;
/// The trailing usage event of that example, with the token count cut out.
const USAGE_CHUNK: (&str, &str) = (
    r#"{"id":"chatcmpl-4b71d12c86d94e719c7e3984a7bb7941","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":8,"completion_tokens":"#,
    r#","total_tokens":12},"created":1726294402}"#,
);

/// Tokens cycled through the content events (already JSON-escaped; some need
/// unescaping, as real model output does).
const TOKENS: &[&str] = &[
    " is",
    " a",
    " recorded",
    " chat",
    " stream",
    ",",
    " replayed",
    " token",
    " by",
    " token",
    ".",
    r"\n",
    " It",
    r#" \"quotes\""#,
    " and",
    " caf\u{e9}",
    " text",
    r"\n\n",
];

/// A recorded `text/event-stream` body in the shape the spec documents: one role
/// event, content events, a stop event, a usage event, then `data: [DONE]`.
#[derive(Clone, Debug)]
pub struct RecordedStream {
    /// The whole body.
    pub bytes: Bytes,
    /// Events that decode into `StreamedChatData` (everything but `[DONE]`).
    pub events: u64,
}

impl RecordedStream {
    /// A stream of `events` chunk events (at least 3) plus the `[DONE]` marker.
    pub fn new(events: usize) -> Self {
        assert!(events >= 3, "role, stop and usage events are always there");
        let content = events - 3;
        let mut s = String::with_capacity(events * 240);
        let mut push = |data: &str| {
            s.push_str("data: ");
            s.push_str(data);
            s.push_str("\n\n");
        };
        push(FIRST_CHUNK);
        for i in 0..content {
            push(&format!(
                "{}{}{}",
                CONTENT_CHUNK.0,
                TOKENS[i % TOKENS.len()],
                CONTENT_CHUNK.1
            ));
        }
        push(STOP_CHUNK);
        push(&format!("{}{}{}", USAGE_CHUNK.0, events - 2, USAGE_CHUNK.1));
        push("[DONE]");
        RecordedStream {
            bytes: Bytes::from(s),
            events: events as u64,
        }
    }

    /// The body cut into `size`-byte pieces, as socket reads deliver a fast stream.
    pub fn chunks_of(&self, size: usize) -> Vec<Bytes> {
        (0..self.bytes.len())
            .step_by(size)
            .map(|at| self.bytes.slice(at..(at + size).min(self.bytes.len())))
            .collect()
    }

    /// One piece per event (`data: ...\n\n`), as a token-by-token stream arrives.
    pub fn chunks_per_event(&self) -> Vec<Bytes> {
        let b = &self.bytes;
        let mut out = Vec::with_capacity(self.events as usize + 1);
        let mut start = 0;
        while start < b.len() {
            let end = b[start..]
                .windows(2)
                .position(|w| w == b"\n\n")
                .map_or(b.len(), |p| start + p + 2);
            out.push(b.slice(start..end));
            start = end;
        }
        out
    }
}

//! Memory bounds: how much of a response body the client buffers.

use bytes::{Bytes, BytesMut};

use super::error::Error;

/// Default for [`ClientBuilder::max_response_body`](super::ClientBuilder::max_response_body):
/// room for large base64 images, far below what would hurt a server process.
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 64 * 1024 * 1024;

/// Default for [`ClientBuilder::max_error_body`](super::ClientBuilder::max_error_body): error
/// bodies are diagnostics, and an endless one must not be buffered.
pub const DEFAULT_MAX_ERROR_BODY: usize = 64 * 1024;

/// Default for [`ClientBuilder::max_sse_event`](super::ClientBuilder::max_sse_event): one
/// server-sent event (a chat chunk is a few hundred bytes; a base64 image can be megabytes).
pub const DEFAULT_MAX_SSE_EVENT: usize = 16 * 1024 * 1024;

/// The client's limits; each is a builder setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Limits {
    pub(super) response_body: usize,
    pub(super) error_body: usize,
    pub(super) sse_event: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            response_body: DEFAULT_MAX_RESPONSE_BODY,
            error_body: DEFAULT_MAX_ERROR_BODY,
            sse_event: DEFAULT_MAX_SSE_EVENT,
        }
    }
}

/// The next chunk of a body, from a response or (in tests) anything else.
pub(super) trait Chunks {
    fn declared_len(&self) -> Option<u64>;
    fn next_chunk(&mut self) -> impl Future<Output = Result<Option<Bytes>, reqwest::Error>> + Send;
}

impl Chunks for reqwest::Response {
    fn declared_len(&self) -> Option<u64> {
        self.content_length()
    }

    fn next_chunk(&mut self) -> impl Future<Output = Result<Option<Bytes>, reqwest::Error>> + Send {
        self.chunk()
    }
}

/// Why a bounded read stopped early.
pub(super) enum ReadError {
    TooLarge,
    Transport(reqwest::Error),
}

/// The whole body, failing as soon as it is known to exceed `limit` (from `Content-Length`
/// before reading anything, else while reading). A body in one chunk is not copied.
pub(super) async fn read_all(body: &mut impl Chunks, limit: usize) -> Result<Bytes, ReadError> {
    let declared = body.declared_len();
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(ReadError::TooLarge);
    }
    let Some(first) = body.next_chunk().await.map_err(ReadError::Transport)? else {
        return Ok(Bytes::new());
    };
    if first.len() > limit {
        return Err(ReadError::TooLarge);
    }
    let Some(second) = body.next_chunk().await.map_err(ReadError::Transport)? else {
        return Ok(first);
    };
    let capacity = declared.map_or(first.len() + second.len(), |len| len as usize);
    let mut buf = BytesMut::with_capacity(capacity.min(limit));
    let mut chunk = Some(first);
    let mut pending = Some(second);
    while let Some(c) = chunk {
        if buf.len() + c.len() > limit {
            return Err(ReadError::TooLarge);
        }
        buf.extend_from_slice(&c);
        chunk = match pending.take() {
            Some(p) => Some(p),
            None => body.next_chunk().await.map_err(ReadError::Transport)?,
        };
    }
    Ok(buf.freeze())
}

/// At most `limit` bytes of the body, and whether there was more. The rest is never read, so
/// an endless error body costs nothing; a failure mid-body keeps what arrived.
pub(super) async fn read_prefix(body: &mut impl Chunks, limit: usize) -> (Bytes, bool) {
    let mut buf = BytesMut::new();
    while let Ok(Some(chunk)) = body.next_chunk().await {
        let room = limit - buf.len();
        if chunk.len() > room {
            buf.extend_from_slice(&chunk[..room]);
            return (buf.freeze(), true);
        }
        buf.extend_from_slice(&chunk);
    }
    (buf.freeze(), false)
}

/// The error for a body over the limit.
pub(super) fn too_large(operation: &'static str, limit: usize) -> Error {
    Error::ResponseTooLarge { operation, limit }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake {
        declared: Option<u64>,
        chunks: std::collections::VecDeque<&'static [u8]>,
        polled: usize,
    }

    fn fake(declared: Option<u64>, chunks: &[&'static [u8]]) -> Fake {
        Fake {
            declared,
            chunks: chunks.iter().copied().collect(),
            polled: 0,
        }
    }

    impl Chunks for Fake {
        fn declared_len(&self) -> Option<u64> {
            self.declared
        }

        fn next_chunk(
            &mut self,
        ) -> impl Future<Output = Result<Option<Bytes>, reqwest::Error>> + Send {
            self.polled += 1;
            std::future::ready(Ok(self.chunks.pop_front().map(Bytes::from_static)))
        }
    }

    #[tokio::test]
    async fn read_all_within_and_over_the_limit() {
        let got = read_all(&mut fake(None, &[b"ab", b"cd", b"e"]), 5).await;
        assert!(matches!(got, Ok(b) if &b[..] == b"abcde"));
        let got = read_all(&mut fake(None, &[b"abc"]), 3).await;
        assert!(matches!(got, Ok(b) if &b[..] == b"abc"));
        assert!(matches!(read_all(&mut fake(None, &[]), 0).await, Ok(b) if b.is_empty()));
        // Over the limit while reading: stops at the chunk that crosses it.
        let mut body = fake(None, &[b"ab", b"cd", b"ef", b"gh"]);
        assert!(matches!(
            read_all(&mut body, 5).await,
            Err(ReadError::TooLarge)
        ));
        assert_eq!(body.polled, 3);
        // A declared length over the limit fails before reading anything.
        let mut body = fake(Some(6), &[b"abcdef"]);
        assert!(matches!(
            read_all(&mut body, 5).await,
            Err(ReadError::TooLarge)
        ));
        assert_eq!(body.polled, 0);
    }

    #[tokio::test]
    async fn read_prefix_keeps_the_start_and_notes_the_cut() {
        let mut body = fake(None, &[b"abc", b"defg", b"hij"]);
        let (kept, cut) = read_prefix(&mut body, 5).await;
        assert_eq!((&kept[..], cut), (&b"abcde"[..], true));
        assert_eq!(body.polled, 2, "the rest is not read");
        let (kept, cut) = read_prefix(&mut fake(None, &[b"abc", b"de"]), 5).await;
        assert_eq!((&kept[..], cut), (&b"abcde"[..], false));
    }
}

//! Incremental server-sent events parser (WHATWG "event stream interpretation").
//!
//! Built for throughput: network chunks are appended to one `BytesMut`, line ends
//! are found with a word-at-a-time scan, lines are never copied into `String`s,
//! and the only per-event allocation is the data payload (split off a reused buffer).

use bytes::{Buf, BufMut, Bytes, BytesMut};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One dispatched server-sent event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` name; `None` means the default type `message`.
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub data: Bytes,
    /// The last event id seen on the stream (`id:` persists across events).
    pub id: Option<String>,
}

impl SseEvent {
    /// The event type, `message` when the server named none.
    pub fn event_type(&self) -> &str {
        self.event.as_deref().unwrap_or("message")
    }

    /// The data as text.
    pub fn data_str(&self) -> Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(&self.data)
    }
}

/// Push parser: [`feed`](Self::feed) bytes as they arrive, then drain complete
/// events with [`next_event`](Self::next_event).
#[derive(Debug, Default)]
pub struct SseParser {
    buf: BytesMut,
    /// Prefix of `buf` already known to hold no line end (avoids rescanning long lines).
    scanned: usize,
    /// The previous line ended with a CR that was the last buffered byte; a LF
    /// arriving next belongs to that line end.
    skip_lf: bool,
    bom_checked: bool,
    state: EventState,
}

#[derive(Debug, Default)]
struct EventState {
    data: BytesMut,
    has_data: bool,
    event: Option<String>,
    last_id: Option<String>,
    retry: Option<u64>,
}

impl SseParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        SseParser::default()
    }

    /// Appends received bytes.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
    }

    /// The next complete event, or `None` when more input is needed.
    pub fn next_event(&mut self) -> Option<SseEvent> {
        loop {
            if self.skip_lf {
                let first = *self.buf.first()?;
                if first == b'\n' {
                    self.buf.advance(1);
                }
                self.skip_lf = false;
            }
            if !self.bom_checked {
                if self.buf.len() < BOM.len() && BOM.starts_with(&self.buf) {
                    return None;
                }
                if self.buf.starts_with(BOM) {
                    self.buf.advance(BOM.len());
                }
                self.bom_checked = true;
            }
            let Some(off) = find_eol(&self.buf[self.scanned..]) else {
                self.scanned = self.buf.len();
                return None;
            };
            let eol = self.scanned + off;
            let next = if self.buf[eol] == b'\n' {
                eol + 1
            } else {
                match self.buf.get(eol + 1) {
                    Some(b'\n') => eol + 2,
                    Some(_) => eol + 1,
                    None => {
                        self.skip_lf = true;
                        eol + 1
                    }
                }
            };
            let event = self.state.process_line(&self.buf[..eol]);
            self.buf.advance(next);
            self.scanned = 0;
            if event.is_some() {
                return event;
            }
        }
    }

    /// At end of input: the event the input ended inside of, as if a blank line followed.
    /// The SSE standard drops such an event; callers use it only to recognise a final
    /// end-of-stream marker that a server sent without the closing blank line.
    pub fn finish(&mut self) -> Option<SseEvent> {
        if !self.buf.is_empty() {
            let rest = self.buf.split();
            if let Some(event) = self.state.process_line(&rest) {
                return Some(event);
            }
        }
        self.state.dispatch()
    }

    /// The last `retry:` value (milliseconds) the server sent.
    pub fn retry(&self) -> Option<u64> {
        self.state.retry
    }

    /// The last event id the server sent.
    pub fn last_event_id(&self) -> Option<&str> {
        self.state.last_id.as_deref()
    }

    /// Bytes held for the event being read: its unfinished line and the data lines so far.
    /// Read once [`next_event`](Self::next_event) has returned `None`, it is the size of the
    /// one unfinished event.
    pub fn pending_len(&self) -> usize {
        self.buf.len() + self.state.data.len()
    }

    /// Whether bytes or a partial event are pending (i.e. the input ended mid-event).
    pub fn has_partial(&self) -> bool {
        self.state.has_data || !self.buf.is_empty()
    }
}

impl EventState {
    fn process_line(&mut self, line: &[u8]) -> Option<SseEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line[0] == b':' {
            return None; // comment / keep-alive
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(i) => {
                let v = &line[i + 1..];
                (&line[..i], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (line, &b""[..]),
        };
        match field {
            b"data" => {
                if self.has_data {
                    self.data.put_u8(b'\n');
                }
                self.data.extend_from_slice(value);
                self.has_data = true;
            }
            b"event" => {
                self.event =
                    (!value.is_empty()).then(|| String::from_utf8_lossy(value).into_owned());
            }
            b"id" if !value.contains(&0) => {
                self.last_id =
                    (!value.is_empty()).then(|| String::from_utf8_lossy(value).into_owned());
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                self.retry = std::str::from_utf8(value).ok().and_then(|s| s.parse().ok());
            }
            // Unknown fields, ids containing NUL and non-numeric retries are ignored.
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = self.event.take();
        if !self.has_data {
            return None;
        }
        self.has_data = false;
        Some(SseEvent {
            event,
            data: self.data.split().freeze(),
            id: self.last_id.clone(),
        })
    }
}

/// Index of the first `\n` or `\r` (memchr's vectorised search).
#[inline]
fn find_eol(h: &[u8]) -> Option<usize> {
    memchr::memchr2(b'\n', b'\r', h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Vec<SseEvent> {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        for c in chunks {
            p.feed(c);
            while let Some(e) = p.next_event() {
                out.push(e);
            }
        }
        out
    }

    fn parse(s: &str) -> Vec<SseEvent> {
        parse_chunks([s.as_bytes()])
    }

    fn ev(event: Option<&str>, data: &str, id: Option<&str>) -> SseEvent {
        SseEvent {
            event: event.map(Into::into),
            data: Bytes::copy_from_slice(data.as_bytes()),
            id: id.map(Into::into),
        }
    }

    const SAMPLE: &str = "\u{FEFF}: keep-alive\r\n\
        data: {\"a\":1}\r\n\r\n\
        event: token\nid: 7\ndata: first\ndata:second\ndata\n\n\
        retry: 1500\r: comment\rdata:  two spaces\r\r\
        event: ignored-no-data\n\n\
        unknown: field\ndata: é\n\n\
        data: [DONE]\n\n";

    fn sample_events() -> Vec<SseEvent> {
        vec![
            ev(None, "{\"a\":1}", None),
            ev(Some("token"), "first\nsecond\n", Some("7")),
            ev(None, " two spaces", Some("7")),
            ev(None, "é", Some("7")),
            ev(None, "[DONE]", Some("7")),
        ]
    }

    #[test]
    fn parses_fields_comments_and_line_ends() {
        let events = parse(SAMPLE);
        assert_eq!(events, sample_events());
        assert_eq!(events[1].event_type(), "token");
        assert_eq!(events[0].event_type(), "message");
        assert_eq!(events[3].data_str().unwrap(), "é");
    }

    #[test]
    fn split_at_every_byte_boundary() {
        let bytes = SAMPLE.as_bytes();
        let want = sample_events();
        for i in 0..=bytes.len() {
            let (a, b) = bytes.split_at(i);
            assert_eq!(parse_chunks([a, b]), want, "split at {i}");
            for j in i..=bytes.len() {
                let (b1, b2) = b.split_at(j - i);
                assert_eq!(parse_chunks([a, b1, b2]), want, "split at {i},{j}");
            }
        }
        assert_eq!(parse_chunks(bytes.chunks(1)), want);
    }

    #[test]
    fn crlf_split_between_cr_and_lf_is_one_line_end() {
        let events = parse_chunks([&b"data: a\r"[..], b"\n", b"\r", b"\n"]);
        assert_eq!(events, vec![ev(None, "a", None)]);
        // CR CR is two line ends even across chunks.
        let events = parse_chunks([&b"data: b\r"[..], b"\r"]);
        assert_eq!(events, vec![ev(None, "b", None)]);
    }

    #[test]
    fn empty_data_and_field_edge_cases() {
        assert_eq!(parse("data\n\n"), vec![ev(None, "", None)]);
        assert_eq!(parse("data:\ndata:\n\n"), vec![ev(None, "\n", None)]);
        assert_eq!(parse("data:x:y\n\n"), vec![ev(None, "x:y", None)]);
        assert_eq!(parse("\n\n\n"), vec![]);
        assert_eq!(parse("id: 1\0\ndata: x\n\n")[0].id, None);
        let mut p = SseParser::new();
        p.feed(b"retry: 12x\nretry: 3000\n");
        assert!(p.next_event().is_none());
        assert_eq!(p.retry(), Some(3000));
    }

    #[test]
    fn finish_dispatches_an_unterminated_last_event() {
        let mut parser = SseParser::new();
        parser.feed(b"data: a\n\ndata: [DONE]\n");
        assert_eq!(
            parser.next_event().map(|e| e.data),
            Some(Bytes::from_static(b"a"))
        );
        assert!(parser.next_event().is_none());
        assert_eq!(
            parser.finish().map(|e| e.data),
            Some(Bytes::from_static(b"[DONE]"))
        );
        let mut parser = SseParser::new();
        parser.feed(b"data: [DONE]");
        assert_eq!(
            parser.finish().map(|e| e.data),
            Some(Bytes::from_static(b"[DONE]"))
        );
    }

    #[test]
    fn incomplete_event_is_pending_not_dispatched() {
        let mut p = SseParser::new();
        p.feed(b"data: never terminated\n");
        assert!(p.next_event().is_none());
        assert!(p.has_partial());
        p.feed(b"\n");
        assert_eq!(p.next_event(), Some(ev(None, "never terminated", None)));
        assert!(!p.has_partial());
    }

    #[test]
    fn long_line_across_many_chunks() {
        let payload = "x".repeat(100_000);
        let text = format!("data: {payload}\n\n");
        let events = parse_chunks(text.as_bytes().chunks(997));
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].data.len(), 100_000);
    }

    #[test]
    fn find_eol_matches_naive() {
        let mut buf = vec![b'a'; 40];
        assert_eq!(find_eol(&buf), None);
        for i in 0..40 {
            for c in [b'\n', b'\r'] {
                buf[i] = c;
                // Bytes that differ from LF/CR by one bit must not match.
                for j in (i + 1)..40 {
                    buf[j] = [0x0B, 0x0C, 0x8A, 0x8D, 0x00, 0xFF][j % 6];
                }
                assert_eq!(find_eol(&buf), Some(i));
                assert_eq!(find_eol(&buf[i + 1..]), None, "{i}");
                buf[i] = 0x09;
            }
        }
    }
}

//! Incremental server-sent events parser (WHATWG "event stream interpretation").
//!
//! Built for throughput: received chunks are kept as they are and parsed in place. An
//! event that lies inside one chunk costs one vectorised line-end scan per line and no
//! copy: its data is handed out as a slice of the chunk (or a `Bytes` sharing it). Bytes
//! are copied only where the stream forces it: a line cut by a chunk boundary, and data
//! that spans several `data:` lines or chunks.

use std::collections::VecDeque;

use bytes::Bytes;

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

/// A dispatched event borrowed from the parser, valid until the parser is used again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EventRef<'a> {
    pub(crate) event: Option<&'a str>,
    pub(crate) data: &'a [u8],
    pub(crate) id: Option<&'a str>,
}

/// Push parser: [`feed`](Self::feed) bytes as they arrive, then drain complete
/// events with [`next_event`](Self::next_event).
#[derive(Debug, Default)]
pub struct SseParser {
    /// The chunk being parsed, from `pos`.
    current: Bytes,
    pos: usize,
    /// Chunks fed while `current` still had unparsed bytes.
    queued: VecDeque<Bytes>,
    /// The unfinished last line: what followed the last line end once a chunk ran out.
    /// It never holds a line end. Before the BOM check it holds the part of a BOM seen.
    line: Vec<u8>,
    /// The previous line ended with a CR that was the last byte of a chunk; a LF
    /// starting the next chunk belongs to that line end.
    skip_lf: bool,
    bom_checked: bool,
    state: EventState,
    /// The event the last [`advance`](Self::advance) dispatched, if not yet taken.
    ready: Option<Ready>,
}

/// Where a dispatched event's data is.
#[derive(Clone, Copy, Debug)]
enum Data {
    /// `current[start..end]`: the event's one data line, read in place.
    Span(usize, usize),
    /// `state.data`.
    Joined,
}

#[derive(Debug)]
struct Ready {
    data: Data,
    event: Option<String>,
}

#[derive(Debug, Default)]
struct EventState {
    /// The data of the event being read while it is one line inside `current`.
    span: Option<(usize, usize)>,
    /// The data so far, joined with `\n`, once it spans lines or chunks.
    data: Vec<u8>,
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

    /// Appends received bytes (copied; [`feed_bytes`](Self::feed_bytes) takes them as they are).
    pub fn feed(&mut self, chunk: &[u8]) {
        self.feed_bytes(Bytes::copy_from_slice(chunk));
    }

    /// Appends a received chunk without copying it.
    #[inline]
    pub fn feed_bytes(&mut self, chunk: Bytes) {
        if chunk.is_empty() {
            return;
        }
        if self.pos == self.current.len() && self.queued.is_empty() && self.ready.is_none() {
            self.current = chunk;
            self.pos = 0;
        } else {
            self.queued.push_back(chunk);
        }
    }

    /// The next complete event, or `None` when more input is needed.
    pub fn next_event(&mut self) -> Option<SseEvent> {
        if self.advance() {
            self.take_ready()
        } else {
            None
        }
    }

    /// Parses up to the end of the next event; `true` when one was dispatched, to be
    /// read with [`ready`](Self::ready) or [`take_ready`](Self::take_ready). Drops the
    /// previous one.
    #[inline]
    pub(crate) fn advance(&mut self) -> bool {
        if let Some(previous) = self.ready.take()
            && let Data::Joined = previous.data
        {
            self.state.data.clear();
        }
        let rest = &self.current[self.pos..];
        if rest.is_empty() && self.queued.is_empty() {
            // Reading stops only where a chunk ends, and a span never outlives its chunk.
            debug_assert!(self.state.span.is_none());
            // Let the chunk go before more input is read: it shares the HTTP client's
            // read buffer, which can then be reused in place instead of reallocated.
            self.current = Bytes::new();
            self.pos = 0;
            return false;
        }
        if rest.starts_with(b"data:")
            && self.bom_checked
            && !self.skip_lf
            && self.line.is_empty()
            && !self.state.has_data
        {
            let eol = find_eol(rest);
            if let Some(eol) = eol
                && self.dispatch_one_line(eol)
            {
                return true;
            }
            return self.advance_lines(Some(eol));
        }
        self.advance_lines(None)
    }

    /// The usual event, `data: …` and a blank line, LF-terminated, at `current[pos..]`
    /// whose first line end is at `eol`: dispatched at once rather than line by line.
    #[inline]
    fn dispatch_one_line(&mut self, eol: usize) -> bool {
        let rest = &self.current[self.pos..];
        if !(rest[eol] == b'\n' && rest.get(eol + 1) == Some(&b'\n')) {
            return false;
        }
        debug_assert!(rest.starts_with(b"data:") && !self.state.has_data && self.line.is_empty());
        let start = self.pos;
        let value_at = 5 + usize::from(rest[5] == b' ');
        self.pos += eol + 2;
        self.ready = Some(Ready {
            data: Data::Span(start + value_at, start + eol),
            event: self.state.event.take(),
        });
        true
    }

    /// [`advance`](Self::advance) line by line. `first_eol`, when given, is the line-end
    /// search already done at `pos`.
    #[inline(never)]
    fn advance_lines(&mut self, mut first_eol: Option<Option<usize>>) -> bool {
        loop {
            if self.pos == self.current.len() {
                // The chunk is used up: keep what the event being read holds of it.
                if let Some((start, end)) = self.state.span.take() {
                    self.state.data.extend_from_slice(&self.current[start..end]);
                }
                let Some(next) = self.queued.pop_front() else {
                    return false;
                };
                self.current = next;
                self.pos = 0;
            }
            let rest = &self.current[self.pos..];
            if self.skip_lf {
                self.skip_lf = false;
                if rest[0] == b'\n' {
                    self.pos += 1;
                    continue;
                }
            }
            if !self.bom_checked {
                let seen = self.line.len();
                let n = (BOM.len() - seen).min(rest.len());
                if rest[..n] == BOM[seen..seen + n] {
                    self.pos += n;
                    if seen + n < BOM.len() {
                        self.line.extend_from_slice(&rest[..n]);
                        continue;
                    }
                    self.line.clear();
                }
                // Not a BOM: the bytes seen (none of them a line end) start the first line.
                self.bom_checked = true;
                continue;
            }
            // A blank line ends every event: look at its first byte before scanning.
            let eol = match (first_eol.take(), rest[0]) {
                (Some(eol), _) => eol,
                (None, b'\n' | b'\r') => Some(0),
                (None, _) => find_eol(rest),
            };
            let Some(eol) = eol else {
                self.line.extend_from_slice(rest);
                self.pos = self.current.len();
                continue;
            };
            if rest.starts_with(b"data:")
                && !self.state.has_data
                && self.line.is_empty()
                && self.dispatch_one_line(eol)
            {
                return true;
            }
            let rest = &self.current[self.pos..];
            let start = self.pos;
            self.pos += line_end(rest, eol, &mut self.skip_lf);
            let dispatched = if self.line.is_empty() {
                self.state
                    .process_line(&self.current, start, start + eol, true)
            } else {
                // The line began in an earlier chunk. It is not empty, so it never ends
                // an event; its data goes to `state.data`.
                self.line.extend_from_slice(&rest[..eol]);
                let line = std::mem::take(&mut self.line);
                let dispatched = self.state.process_line(&line, 0, line.len(), false);
                self.line = line;
                self.line.clear();
                dispatched
            };
            if let Some(data) = dispatched {
                self.ready = Some(Ready {
                    data,
                    event: self.state.event.take(),
                });
                return true;
            }
        }
    }

    /// The data of the event the last [`advance`](Self::advance) dispatched (empty if none).
    #[inline]
    pub(crate) fn ready_data(&self) -> &[u8] {
        match self.ready {
            Some(Ready {
                data: Data::Span(start, end),
                ..
            }) => &self.current[start..end],
            Some(Ready {
                data: Data::Joined, ..
            }) => &self.state.data,
            None => &[],
        }
    }

    /// The event the last [`advance`](Self::advance) dispatched.
    #[inline]
    pub(crate) fn ready(&self) -> Option<EventRef<'_>> {
        let ready = self.ready.as_ref()?;
        Some(EventRef {
            event: ready.event.as_deref(),
            data: match ready.data {
                Data::Span(start, end) => &self.current[start..end],
                Data::Joined => &self.state.data,
            },
            id: self.state.last_id.as_deref(),
        })
    }

    /// The event the last [`advance`](Self::advance) dispatched, owned; its data shares
    /// the received chunk when it was read in place.
    pub(crate) fn take_ready(&mut self) -> Option<SseEvent> {
        let ready = self.ready.take()?;
        Some(SseEvent {
            event: ready.event,
            data: match ready.data {
                Data::Span(start, end) => self.current.slice(start..end),
                Data::Joined => Bytes::from(std::mem::take(&mut self.state.data)),
            },
            id: self.state.last_id.clone(),
        })
    }

    /// At end of input: the event the input ended inside of, as if a blank line followed
    /// (complete events still buffered are passed over; drain them with
    /// [`next_event`](Self::next_event) first). The SSE standard drops such an event;
    /// callers use it only to recognise a final end-of-stream marker that a server sent
    /// without the closing blank line.
    pub fn finish(&mut self) -> Option<SseEvent> {
        // Parses all input, so the event's data is in `state.data` and `line`.
        while self.advance() {}
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            // A non-empty line never dispatches.
            self.state.process_line(&line, 0, line.len(), false);
        }
        let data = self.state.dispatch()?;
        self.ready = Some(Ready {
            data,
            event: self.state.event.take(),
        });
        self.take_ready()
    }

    /// The last `retry:` value (milliseconds) the server sent.
    pub fn retry(&self) -> Option<u64> {
        self.state.retry
    }

    /// The last event id the server sent.
    pub fn last_event_id(&self) -> Option<&str> {
        self.state.last_id.as_deref()
    }

    /// Bytes held for the event being read: its unfinished line and the data lines so far,
    /// plus any input not parsed yet. Read once [`next_event`](Self::next_event) has
    /// returned `None`, it is the size of the one unfinished event.
    #[inline]
    pub fn pending_len(&self) -> usize {
        let mut unparsed = self.current.len() - self.pos;
        if !self.queued.is_empty() {
            unparsed += self.queued.iter().map(Bytes::len).sum::<usize>();
        }
        let data = match self.ready {
            Some(Ready {
                data: Data::Joined, ..
            }) => 0,
            _ => self.state.data.len(),
        };
        let span = self.state.span.map_or(0, |(start, end)| end - start);
        self.line.len() + data + span + unparsed
    }

    /// Whether bytes or a partial event are pending (i.e. the input ended mid-event).
    pub fn has_partial(&self) -> bool {
        self.state.has_data
            || !self.line.is_empty()
            || self.pos < self.current.len()
            || !self.queued.is_empty()
    }
}

/// The length of the line starting `rest` through its line end, which starts at `eol`
/// (CR, LF or CRLF). A CR that ends `rest` sets `skip_lf`.
#[inline]
fn line_end(rest: &[u8], eol: usize, skip_lf: &mut bool) -> usize {
    if rest[eol] == b'\n' {
        return eol + 1;
    }
    match rest.get(eol + 1) {
        Some(b'\n') => eol + 2,
        Some(_) => eol + 1,
        None => {
            *skip_lf = true;
            eol + 1
        }
    }
}

impl EventState {
    /// Processes the line `buf[start..end]`. With `in_place`, `buf` is the parser's
    /// current chunk and a first data line is kept as a span of it instead of copied.
    #[inline]
    fn process_line(
        &mut self,
        buf: &[u8],
        start: usize,
        end: usize,
        in_place: bool,
    ) -> Option<Data> {
        let line = &buf[start..end];
        let Some(&first) = line.first() else {
            return self.dispatch();
        };
        if first == b':' {
            return None; // comment / keep-alive
        }
        let (field, value_at) = match line.iter().position(|&b| b == b':') {
            Some(i) => (
                &line[..i],
                i + 1 + usize::from(line.get(i + 1) == Some(&b' ')),
            ),
            None => (line, line.len()),
        };
        let value = &line[value_at..];
        match field {
            b"data" => {
                if !self.has_data {
                    self.has_data = true;
                    if in_place {
                        self.span = Some((start + value_at, end));
                    } else {
                        self.data.extend_from_slice(value);
                    }
                } else {
                    if let Some((s, e)) = self.span.take() {
                        // Spans only live while their chunk is parsed, so `buf` is it.
                        debug_assert!(in_place);
                        self.data.extend_from_slice(&buf[s..e]);
                    }
                    self.data.push(b'\n');
                    self.data.extend_from_slice(value);
                }
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

    /// Ends the event at a blank line: its data's place, or `None` when it had no data
    /// (the event name is then dropped).
    fn dispatch(&mut self) -> Option<Data> {
        if !self.has_data {
            self.event = None;
            return None;
        }
        self.has_data = false;
        Some(match self.span.take() {
            Some((start, end)) => Data::Span(start, end),
            None => Data::Joined,
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

    /// The event stream interpretation written plainly over the whole input, to check
    /// the incremental parser against.
    fn reference(input: &[u8]) -> Vec<SseEvent> {
        let input = input.strip_prefix(BOM).unwrap_or(input);
        let mut lines = Vec::new();
        let (mut start, mut i) = (0, 0);
        while i < input.len() {
            match input[i] {
                b'\n' => {
                    lines.push(&input[start..i]);
                    i += 1;
                    start = i;
                }
                b'\r' => {
                    lines.push(&input[start..i]);
                    i += if input.get(i + 1) == Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                    start = i;
                }
                _ => i += 1,
            }
        }
        let (mut out, mut data, mut has_data) = (Vec::new(), Vec::new(), false);
        let (mut event, mut id) = (None::<String>, None::<String>);
        for line in lines {
            if line.is_empty() {
                if has_data {
                    out.push(SseEvent {
                        event: event.take(),
                        data: Bytes::from(std::mem::take(&mut data)),
                        id: id.clone(),
                    });
                }
                (event, has_data) = (None, false);
                continue;
            }
            if line[0] == b':' {
                continue;
            }
            let (field, mut value) = match line.iter().position(|&b| b == b':') {
                Some(i) => (&line[..i], &line[i + 1..]),
                None => (line, &b""[..]),
            };
            if value.first() == Some(&b' ') {
                value = &value[1..];
            }
            let text = || (!value.is_empty()).then(|| String::from_utf8_lossy(value).into());
            match field {
                b"data" => {
                    if has_data {
                        data.push(b'\n');
                    }
                    data.extend_from_slice(value);
                    has_data = true;
                }
                b"event" => event = text(),
                b"id" if !value.contains(&0) => id = text(),
                _ => {}
            }
        }
        out
    }

    /// Feeds `chunks` without copying, draining after each one or only at the end.
    fn parse_bytes(chunks: &[Bytes], drain_each: bool) -> Vec<SseEvent> {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        for c in chunks {
            p.feed_bytes(c.clone());
            while drain_each && let Some(e) = p.next_event() {
                out.push(e);
            }
        }
        while let Some(e) = p.next_event() {
            out.push(e);
        }
        out
    }

    /// Splits `whole` at the given ascending offsets.
    fn cut(whole: &Bytes, at: &[usize]) -> Vec<Bytes> {
        let mut edges = vec![0];
        edges.extend_from_slice(at);
        edges.push(whole.len());
        edges.windows(2).map(|w| whole.slice(w[0]..w[1])).collect()
    }

    /// A stream of many field kinds and all three line ends, from a seeded generator.
    fn mixed_stream(seed: u64, lines: usize) -> Vec<u8> {
        const LINES: &[&str] = &[
            "data: {\"a\":1}",
            "data: {\"choices\":[{\"delta\":{\"content\":\" caf\u{e9}\"}}]}",
            "data",
            "data:",
            "data:  two spaces",
            "data:x:y",
            "event: token",
            "id: 7",
            ": keep-alive",
            "retry: 100",
            "unknown: field",
            "",
            "",
            "",
        ];
        const ENDS: &[&str] = &["\n", "\r", "\r\n"];
        let mut state = seed;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize % n
        };
        let mut out = String::from(if seed.is_multiple_of(2) {
            "\u{FEFF}"
        } else {
            ""
        });
        for _ in 0..lines {
            out.push_str(LINES[next(LINES.len())]);
            out.push_str(ENDS[next(ENDS.len())]);
        }
        out.push_str("\n\n");
        out.into_bytes()
    }

    #[test]
    fn matches_the_reference_at_every_split() {
        let mut inputs: Vec<Vec<u8>> = vec![SAMPLE.as_bytes().to_vec()];
        inputs.extend((0..6).map(|seed| mixed_stream(seed, 40)));
        for input in inputs {
            let whole = Bytes::from(input);
            let want = reference(&whole);
            assert!(want.len() > 3, "the input has events");
            assert_eq!(
                parse_bytes(std::slice::from_ref(&whole), true),
                want,
                "whole buffer"
            );
            for i in 0..=whole.len() {
                for drain_each in [true, false] {
                    let got = parse_bytes(&cut(&whole, &[i]), drain_each);
                    assert_eq!(got, want, "split at {i}, drain_each={drain_each}");
                }
            }
            let bytes: Vec<Bytes> = (0..whole.len()).map(|i| whole.slice(i..i + 1)).collect();
            assert_eq!(parse_bytes(&bytes, true), want, "one byte per chunk");
        }
    }

    #[test]
    fn matches_the_reference_for_random_chunkings() {
        for seed in 0..40 {
            let whole = Bytes::from(mixed_stream(seed, 200));
            let want = reference(&whole);
            let mut state = seed;
            let mut at = Vec::new();
            let mut edge = 0;
            loop {
                state = state
                    .wrapping_mul(2862933555777941757)
                    .wrapping_add(3037000493);
                edge += 1 + (state >> 40) as usize % 40;
                if edge >= whole.len() {
                    break;
                }
                at.push(edge);
            }
            let chunks = cut(&whole, &at);
            assert_eq!(parse_bytes(&chunks, true), want, "seed {seed}");
            assert_eq!(parse_bytes(&chunks, false), want, "seed {seed}, queued");
        }
    }

    #[test]
    fn an_event_inside_one_chunk_is_not_copied() {
        let chunk =
            Bytes::from_static(b"data: one\n\nevent: e\ndata: two\r\n\r\ndata: a\ndata: b\n\n");
        let mut p = SseParser::new();
        p.feed_bytes(chunk.clone());
        let inside = |data: &Bytes| chunk.as_ptr_range().contains(&data.as_ptr());
        let one = p.next_event().unwrap();
        assert_eq!((&one.data[..], inside(&one.data)), (&b"one"[..], true));
        assert!(p.advance());
        let two = p.ready().unwrap();
        assert_eq!(two.event, Some("e"));
        assert_eq!(two.data, b"two");
        assert!(chunk.as_ptr_range().contains(&two.data.as_ptr()));
        // Two data lines must be joined, so that event is copied.
        let joined = p.next_event().unwrap();
        assert_eq!(
            (&joined.data[..], inside(&joined.data)),
            (&b"a\nb"[..], false)
        );
        assert!(p.next_event().is_none());
        assert!(!p.has_partial());
        assert_eq!(p.pending_len(), 0);
    }

    #[test]
    fn ready_and_take_ready_agree() {
        let whole = Bytes::from(mixed_stream(3, 300));
        let want = reference(&whole);
        for size in [1, 7, 64, whole.len()] {
            let mut p = SseParser::new();
            let mut got = Vec::new();
            for chunk in whole.chunks(size) {
                p.feed_bytes(Bytes::copy_from_slice(chunk));
                while p.advance() {
                    let view = p.ready().unwrap();
                    let view = (
                        view.event.map(str::to_owned),
                        view.data.to_vec(),
                        view.id.map(str::to_owned),
                    );
                    let owned = p.take_ready().unwrap();
                    assert_eq!(
                        view,
                        (owned.event.clone(), owned.data.to_vec(), owned.id.clone())
                    );
                    assert!(p.ready().is_none());
                    got.push(owned);
                }
            }
            assert_eq!(got, want, "chunks of {size}");
        }
    }

    #[test]
    fn pending_len_counts_the_unfinished_event() {
        let mut p = SseParser::new();
        p.feed(b"data: 12345\ndata: 678");
        assert!(p.next_event().is_none());
        // "12345" joined so far, and the unfinished line "data: 678".
        assert_eq!(p.pending_len(), 5 + 9);
        assert!(p.has_partial());
        p.feed(b"\n\ndata: x\n\n");
        assert_eq!(
            p.next_event().unwrap().data,
            Bytes::from_static(b"12345\n678")
        );
        assert_eq!(p.next_event().unwrap().data, Bytes::from_static(b"x"));
        assert!(p.next_event().is_none());
        assert_eq!(p.pending_len(), 0);
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

//! The single error type of the SDK.
//!
//! No variant ever holds the API token, so `Display` and `Debug` are safe to log.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;

/// How many bytes of a response body `Display` shows; the full body stays available.
const DISPLAY_BODY_LIMIT: usize = 512;

/// Everything that can go wrong when calling the API.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The client is misconfigured (no token, bad URL, invalid header value, ...).
    Config(String),
    /// The request could not be sent or the response could not be read.
    Transport {
        /// The failing operation.
        operation: &'static str,
        /// The underlying error.
        source: reqwest::Error,
    },
    /// The request (or, for streams, the wait for the next chunk) exceeded the timeout.
    Timeout {
        /// The failing operation.
        operation: &'static str,
    },
    /// The call's deadline (see `ClientBuilder::deadline`) passed: retries and backoff
    /// included, the call took longer than allowed.
    DeadlineExceeded {
        /// The failing operation.
        operation: &'static str,
        /// The deadline that passed.
        deadline: Duration,
        /// Attempts started, the cut one included.
        attempts: u32,
        /// Why the last finished attempt failed, when one did.
        last_error: Option<Box<Error>>,
    },
    /// A success body was longer than the client accepts (`ClientBuilder::max_response_body`).
    ResponseTooLarge {
        /// The failing operation.
        operation: &'static str,
        /// The limit in bytes.
        limit: usize,
    },
    /// The server answered with a non-success status.
    Api(Box<ApiError>),
    /// A successful response did not match the expected type.
    Decode {
        /// The failing operation.
        operation: &'static str,
        /// JSON path of the offending value, e.g. `choices[0].index` (`.` for the root).
        path: String,
        /// What was wrong there.
        message: String,
        /// The raw body (or event data), for diagnosis.
        body: Bytes,
    },
    /// An event stream failed: dropped before its end, or the server sent an error event.
    Stream {
        /// The failing operation.
        operation: &'static str,
        /// What happened, including any error payload the server sent.
        message: String,
    },
    /// A local I/O error, e.g. a multipart file that could not be opened.
    Io(std::io::Error),
}

impl Error {
    /// The HTTP status of an [`Error::Api`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            _ => None,
        }
    }

    /// The [`ApiError`] behind an [`Error::Api`].
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The operation that failed, when known.
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Error::Transport { operation, .. }
            | Error::Timeout { operation }
            | Error::DeadlineExceeded { operation, .. }
            | Error::ResponseTooLarge { operation, .. }
            | Error::Decode { operation, .. }
            | Error::Stream { operation, .. } => Some(operation),
            Error::Api(e) => Some(e.operation),
            Error::Config(_) | Error::Io(_) => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(msg) => write!(f, "invalid client configuration: {msg}"),
            Error::Transport { operation, source } => {
                write!(f, "`{operation}`: transport error: {source}")?;
                let mut cause = std::error::Error::source(source);
                while let Some(c) = cause {
                    write!(f, ": {c}")?;
                    cause = c.source();
                }
                Ok(())
            }
            Error::Timeout { operation } => write!(f, "`{operation}`: request timed out"),
            Error::DeadlineExceeded {
                operation,
                deadline,
                attempts,
                last_error,
            } => {
                write!(
                    f,
                    "`{operation}`: gave up after {attempts} attempt(s): the call's {deadline:?} deadline passed"
                )?;
                match last_error {
                    Some(e) => write!(f, "; last error: {e}"),
                    None => Ok(()),
                }
            }
            Error::ResponseTooLarge { operation, limit } => write!(
                f,
                "`{operation}`: the response body is larger than the client's limit of {limit} bytes"
            ),
            Error::Api(e) => fmt::Display::fmt(e, f),
            Error::Decode {
                operation,
                path,
                message,
                ..
            } => write!(
                f,
                "`{operation}`: could not decode response at `{path}`: {message}"
            ),
            Error::Stream { operation, message } => {
                write!(f, "`{operation}`: event stream failed: {message}")
            }
            Error::Io(e) => write!(f, "I/O error: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::Io(e) => Some(e),
            Error::DeadlineExceeded {
                last_error: Some(e),
                ..
            } => Some(&**e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

/// A non-success response, with everything needed to diagnose it.
#[derive(Debug)]
pub struct ApiError {
    /// The failing operation.
    pub operation: &'static str,
    /// HTTP status code.
    pub status: u16,
    /// Response headers (e.g. `Retry-After`, request ids).
    pub headers: http::HeaderMap,
    /// The raw response body, at most the client's `max_error_body` bytes of it.
    pub body: Bytes,
    /// The server sent more than `body` holds; the rest was not read.
    pub truncated: bool,
    /// The body decoded into the error type the spec declares for this status, if any.
    pub typed: Option<crate::ErrorBody>,
}

impl ApiError {
    /// The body as text (lossy UTF-8).
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// Decodes the body as JSON into a caller-chosen type.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: API error (HTTP {})", self.operation, self.status)?;
        if !self.body.is_empty() {
            let text = truncate_utf8(&self.body, DISPLAY_BODY_LIMIT);
            write!(f, ": {}", text.trim_end())?;
            if self.body.len() > DISPLAY_BODY_LIMIT {
                write!(f, "... ({} bytes)", self.body.len())?;
            }
        }
        if self.truncated {
            write!(f, " [body cut after {} bytes]", self.body.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Decodes a JSON body, naming the JSON path that failed and keeping the raw bytes.
///
/// An empty (or all-whitespace) body decodes as `null`, so `()` and `Option<T>`
/// work for operations that answer 204 or nothing.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    operation: &'static str,
    body: &Bytes,
) -> Result<T, Error> {
    let input: &[u8] = if body.trim_ascii().is_empty() {
        b"null"
    } else {
        body
    };
    // Fast path: plain serde_json. Tracking the path allocates a segment per map key
    // and about doubles decoding time (it dominated typed SSE streams), so the
    // tracked decoder runs only to explain a failure. Both decoders see the same
    // input, so the second run fails the same way and names the path.
    let mut de = serde_json::Deserializer::from_slice(input);
    if let Ok(value) =
        <T as serde::Deserialize>::deserialize(&mut de).and_then(|v| de.end().map(|()| v))
    {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(input);
    let result = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| (e.path().to_string(), e.into_inner()))
        .and_then(|v| de.end().map(|()| v).map_err(|e| (".".to_owned(), e)));
    result.map_err(|(path, e)| Error::Decode {
        operation,
        path,
        message: e.to_string(),
        body: body.clone(),
    })
}

/// Lossy text of at most `limit` bytes, cut on a character boundary.
pub(crate) fn truncate_utf8(bytes: &[u8], limit: usize) -> Cow<'_, str> {
    if bytes.len() <= limit {
        return String::from_utf8_lossy(bytes);
    }
    let text = String::from_utf8_lossy(&bytes[..limit]);
    // A multi-byte character cut in half shows up as a trailing replacement char.
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s),
        Cow::Owned(mut s) => {
            if s.ends_with('\u{FFFD}') {
                s.pop();
            }
            Cow::Owned(s)
        }
    }
}

/// Text that is no base64 is a response that did not decode, so `res.image.decode()?` works in
/// a function returning `Result<_, friendli::Error>`.
impl From<base64::DecodeError> for Error {
    fn from(err: base64::DecodeError) -> Self {
        Error::Decode {
            operation: "Base64::decode",
            path: ".".into(),
            message: format!("not base64: {err}"),
            body: bytes::Bytes::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(body: &'static [u8]) -> ApiError {
        ApiError {
            operation: "op",
            status: 422,
            headers: http::HeaderMap::new(),
            body: Bytes::from_static(body),
            truncated: false,
            typed: None,
        }
    }

    #[test]
    fn display_api_error() {
        let e = Error::Api(Box::new(api(b"{\"detail\":\"bad\"}\n")));
        assert_eq!(
            e.to_string(),
            "`op`: API error (HTTP 422): {\"detail\":\"bad\"}"
        );
        assert_eq!(e.status(), Some(422));
        assert_eq!(e.operation(), Some("op"));
    }

    #[test]
    fn display_truncates_long_bodies() {
        let long: &'static [u8] = Box::leak(vec![b'x'; 2000].into_boxed_slice());
        let s = api(long).to_string();
        assert!(s.len() < 700, "{s}");
        assert!(s.ends_with("... (2000 bytes)"));
    }

    #[test]
    fn display_notes_truncation_and_deadline_cause() {
        let mut cut = api(b"partial");
        cut.truncated = true;
        assert!(
            cut.to_string()
                .ends_with("partial [body cut after 7 bytes]"),
            "{cut}"
        );
        let e = Error::DeadlineExceeded {
            operation: "op",
            deadline: Duration::from_secs(2),
            attempts: 3,
            last_error: Some(Box::new(Error::Timeout { operation: "op" })),
        };
        assert_eq!(
            e.to_string(),
            "`op`: gave up after 3 attempt(s): the call's 2s deadline passed; last error: `op`: request timed out"
        );
        assert!(std::error::Error::source(&e).is_some());
        assert_eq!(e.operation(), Some("op"));
    }

    #[test]
    fn truncate_on_char_boundary() {
        let s = "aé".as_bytes(); // 'é' is two bytes
        assert_eq!(truncate_utf8(s, 2), "a");
        assert_eq!(truncate_utf8(s, 3), "aé");
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Item {
        id: u32,
        tags: Vec<String>,
    }

    fn decode_err(body: &'static [u8]) -> (String, String) {
        match decode_json::<Vec<Item>>("op", &Bytes::from_static(body)) {
            Err(Error::Decode {
                operation: "op",
                path,
                message,
                body: kept,
            }) => {
                assert_eq!(&kept[..], body);
                (path, message)
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn decode_json_fast_path_and_error_paths() {
        let ok: Vec<Item> =
            decode_json("op", &Bytes::from_static(br#"[{"id":1,"tags":["a"]}] "#)).unwrap();
        assert_eq!(
            ok,
            vec![Item {
                id: 1,
                tags: vec!["a".into()]
            }]
        );
        let () = decode_json("op", &Bytes::from_static(b" \n")).unwrap();
        let (path, message) = decode_err(br#"[{"id":1,"tags":[]},{"id":2,"tags":[3]}]"#);
        assert_eq!(path, "[1].tags[0]");
        assert!(message.contains("invalid type"), "{message}");
        let (path, message) = decode_err(br#"[{"id":1}]"#);
        assert_eq!(path, "[0]");
        assert!(message.contains("missing field `tags`"), "{message}");
        let (path, message) = decode_err(br#"[] x"#);
        assert_eq!(path, ".");
        assert!(message.contains("trailing characters"), "{message}");
    }

    #[test]
    fn display_decode_names_path() {
        let e = Error::Decode {
            operation: "chat",
            path: "choices[0].index".into(),
            message: "invalid type".into(),
            body: Bytes::new(),
        };
        assert_eq!(
            e.to_string(),
            "`chat`: could not decode response at `choices[0].index`: invalid type"
        );
    }

    #[test]
    fn base64_errors_are_sdk_errors() {
        fn decode(text: &str) -> Result<Vec<u8>, crate::Error> {
            Ok(crate::runtime::Base64::from(text.to_owned()).decode()?)
        }
        assert_eq!(decode("aGk=").unwrap(), b"hi");
        let err = decode("not base64!").unwrap_err();
        assert!(
            matches!(&err, crate::Error::Decode { message, .. } if message.starts_with("not base64")),
            "{err:?}"
        );
    }
}

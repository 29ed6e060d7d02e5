//! Static operation descriptions and per-request values built by generated code.

use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::auth::SecurityScheme;
use super::multipart::Multipart;

/// HTTP methods used by the API; a closed set so generated `static`s stay `const`-constructible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl HttpMethod {
    /// The method name as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }

    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
            HttpMethod::Put => reqwest::Method::PUT,
            HttpMethod::Patch => reqwest::Method::PATCH,
            HttpMethod::Delete => reqwest::Method::DELETE,
        }
    }
}

impl std::fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Static description of one operation, emitted by the generator as a `static`.
///
/// Everything that does not change between calls lives here so that a call only
/// allocates what is really per-request ([`RequestParts`]).
#[derive(Clone, Copy, Debug)]
pub struct OperationSpec {
    /// The spec's `operationId`; named in every error so failures are attributable.
    pub operation_id: &'static str,
    /// HTTP method.
    pub method: HttpMethod,
    /// Path-level server if the spec declares one, else the spec's global server.
    pub default_server: &'static str,
    /// `false` when `default_server` came from a path-level `servers` entry; such
    /// operations ignore [`ClientBuilder::base_url`](super::ClientBuilder::base_url).
    pub uses_global_server: bool,
    /// Data payload that ends an event stream cleanly, e.g. `Some("[DONE]")`.
    pub sse_sentinel: Option<&'static str>,
    /// Events decode from the whole SSE event (`{event, id, data}`), not just its data.
    pub sse_envelope: bool,
    /// Decodes a non-2xx body into the typed error the spec declares for `status`.
    pub decode_error: fn(status: u16, body: &[u8]) -> Option<crate::ErrorBody>,
    /// The path as the spec writes it (`/v1/things/{id}`): logged instead of the real path.
    pub path_template: &'static str,
    /// The effective security: any one requirement authenticates the call, every scheme of
    /// a requirement applies. Empty: the call never sends credentials.
    pub security: &'static [&'static [SecurityScheme]],
    /// Names of the header parameters the operation declares; the client's default for such a
    /// header (e.g. its team) is sent only to operations that declare it.
    pub header_params: &'static [&'static str],
}

/// A `decode_error` for operations whose spec declares no typed error bodies.
pub fn no_typed_error(_status: u16, _body: &[u8]) -> Option<crate::ErrorBody> {
    None
}

/// Per-request values, built by generated code.
#[derive(Clone, Debug, Default)]
pub struct RequestParts {
    /// Already expanded path (starting with `/`); path parameters encoded with [`encode_path_segment`].
    pub path: String,
    /// Already stringified query parameters; repeated keys encode arrays.
    pub query: Vec<(&'static str, String)>,
    /// Operation header parameters (e.g. `X-Friendli-Team`); they win over client defaults.
    pub headers: Vec<(&'static str, String)>,
    /// The request body.
    pub body: RequestBody,
}

impl RequestParts {
    /// Parts for `path` with no query, headers or body.
    pub fn new(path: impl Into<String>) -> Self {
        RequestParts {
            path: path.into(),
            ..RequestParts::default()
        }
    }
}

/// A request body. Bodies are kept in a re-sendable form so every retry attempt
/// sends exactly the same bytes.
#[derive(Clone, Debug, Default)]
pub enum RequestBody {
    /// No body.
    #[default]
    Empty,
    /// Serialized JSON, sent with `Content-Type: application/json`.
    Json(Bytes),
    /// A multipart form; files are re-opened for every attempt.
    Multipart(Multipart),
}

impl RequestBody {
    /// Serializes `value` as a JSON body.
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_vec(value).map(|v| RequestBody::Json(Bytes::from(v)))
    }

    /// Serializes `value` (a body the caller built whole) as a JSON body whose top-level
    /// `stream` flag agrees with how the operation reads its response: set to `true` for an
    /// event stream; for a JSON answer set to `false` where present (absent means the same).
    pub fn json_with_stream_flag<T: serde::Serialize + ?Sized>(
        value: &T,
        streaming: bool,
    ) -> Result<Self, serde_json::Error> {
        let mut value = serde_json::to_value(value)?;
        if let serde_json::Value::Object(object) = &mut value
            && (streaming || object.contains_key("stream"))
        {
            object.insert("stream".to_owned(), serde_json::Value::Bool(streaming));
        }
        RequestBody::json(&value)
    }
}

/// Everything except RFC 3986 `unreserved` (`ALPHA / DIGIT / "-" / "." / "_" / "~"`).
///
/// Reserved characters are legal in a segment, but encoding them too means a value
/// such as `org/model:v1` or `a;b` can never change how the server routes the path.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment (a path parameter value).
///
/// `/`, `?`, `#`, `%` and every other reserved or non-ASCII byte are encoded, so the
/// value always stays inside its segment.
pub fn encode_path_segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segment_encoding() {
        assert_eq!(encode_path_segment("abc-1.2_x~"), "abc-1.2_x~");
        assert_eq!(encode_path_segment("a/b?c#d%e"), "a%2Fb%3Fc%23d%25e");
        assert_eq!(encode_path_segment("a b"), "a%20b");
        assert_eq!(encode_path_segment("é"), "%C3%A9");
        assert_eq!(encode_path_segment(""), "");
    }

    #[test]
    fn method_names() {
        assert_eq!(HttpMethod::Patch.as_str(), "PATCH");
        assert_eq!(HttpMethod::Delete.to_reqwest(), reqwest::Method::DELETE);
        assert_eq!(HttpMethod::Get.to_string(), "GET");
    }

    #[test]
    fn stream_flag_is_pinned_in_whole_bodies() {
        let text = |b: RequestBody| match b {
            RequestBody::Json(b) => String::from_utf8(b.to_vec()).unwrap(),
            other => panic!("unexpected {other:?}"),
        };
        let body = serde_json::json!({"model": "m", "stream": true});
        let json = RequestBody::json_with_stream_flag(&body, false).unwrap();
        assert_eq!(text(json), r#"{"model":"m","stream":false}"#);
        let plain = serde_json::json!({"model": "m"});
        let json = RequestBody::json_with_stream_flag(&plain, false).unwrap();
        assert_eq!(text(json), r#"{"model":"m"}"#);
        let json = RequestBody::json_with_stream_flag(&plain, true).unwrap();
        assert_eq!(text(json), r#"{"model":"m","stream":true}"#);
        let not_an_object = RequestBody::json_with_stream_flag(&[1, 2], true).unwrap();
        assert_eq!(text(not_an_object), "[1,2]");
    }

    #[test]
    fn json_body() {
        let body = RequestBody::json(&serde_json::json!({"a": 1})).unwrap();
        match body {
            RequestBody::Json(b) => assert_eq!(&b[..], br#"{"a":1}"#),
            other => panic!("unexpected {other:?}"),
        }
    }
}

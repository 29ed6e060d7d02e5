//! Multipart forms that can be rebuilt for every retry attempt.
//!
//! A `reqwest::multipart::Form` is consumed when sent, and a streamed file cannot be
//! rewound, so the runtime keeps a *description* of the form and turns it into a
//! fresh `Form` (re-opening files) for each attempt.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use reqwest::multipart::{Form, Part};

use super::error::Error;

/// A file for a `format: binary` multipart field.
///
/// Files given by path are streamed from disk when the request is sent, never
/// read into memory whole.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FilePart {
    source: FileSource,
    file_name: Option<String>,
    mime: Option<String>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum FileSource {
    Path(PathBuf),
    Bytes(Bytes),
}

impl std::fmt::Debug for FileSource {
    // File contents can be large and binary: show their size, not the bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileSource::Path(p) => f.debug_tuple("Path").field(p).finish(),
            FileSource::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
        }
    }
}

impl FilePart {
    /// A file on disk. The file name defaults to the path's last component and the
    /// content type is guessed from the extension (`application/octet-stream` when
    /// unknown). The file is opened only when the request is sent.
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        FilePart {
            source: FileSource::Path(path.into()),
            file_name: None,
            mime: None,
        }
    }

    /// In-memory contents, sent as `application/octet-stream` unless [`mime`](Self::mime) is set.
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        FilePart {
            source: FileSource::Bytes(bytes.into()),
            file_name: Some(file_name.into()),
            mime: None,
        }
    }

    /// Overrides the content type (validated when the request is sent).
    pub fn mime(mut self, mime: &str) -> Self {
        self.mime = Some(mime.to_owned());
        self
    }

    /// Overrides the file name sent to the server.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The path, for files on disk.
    pub fn path(&self) -> Option<&Path> {
        match &self.source {
            FileSource::Path(p) => Some(p),
            FileSource::Bytes(_) => None,
        }
    }

    async fn to_part(&self) -> Result<Part, Error> {
        let part = match &self.source {
            // `Part::file` streams through `tokio::fs::File` + `ReaderStream` with a
            // known length, and guesses the content type from the extension.
            FileSource::Path(path) => Part::file(path).await.map_err(|e| {
                Error::Io(std::io::Error::new(
                    e.kind(),
                    format!("cannot open {}: {e}", path.display()),
                ))
            })?,
            FileSource::Bytes(bytes) => {
                // Bytes is reference counted: this does not copy the contents.
                Part::stream_with_length(bytes.clone(), bytes.len() as u64)
                    .mime_str("application/octet-stream")
                    .map_err(|_| Error::Config("invalid content type".into()))?
            }
        };
        let part = match &self.mime {
            Some(m) => part
                .mime_str(m)
                .map_err(|_| Error::Config(format!("invalid content type `{m}`")))?,
            None => part,
        };
        Ok(match &self.file_name {
            Some(name) => part.file_name(name.clone()),
            None => part,
        })
    }
}

/// An ordered multipart form description.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Multipart {
    parts: Vec<(String, Field)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Field {
    Text(String),
    File(FilePart),
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Self {
        Multipart::default()
    }

    /// Appends a text field.
    pub fn text(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parts.push((name.into(), Field::Text(value.into())));
        self
    }

    /// Appends a file field.
    pub fn file(mut self, name: impl Into<String>, file: FilePart) -> Self {
        self.parts.push((name.into(), Field::File(file)));
        self
    }

    /// Whether the form has no fields.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Builds a fresh form for one attempt, opening files anew.
    pub(crate) async fn to_form(&self) -> Result<Form, Error> {
        let mut form = Form::new();
        for (name, field) in &self.parts {
            form = match field {
                Field::Text(v) => form.text(name.clone(), v.clone()),
                Field::File(f) => form.part(name.clone(), f.to_part().await?),
            };
        }
        Ok(form)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Splits a `multipart/form-data` body into `(headers, content)` pairs.
    pub(crate) fn parse_multipart(content_type: &str, body: &[u8]) -> Vec<(String, Vec<u8>)> {
        let boundary = content_type
            .split("boundary=")
            .nth(1)
            .expect("boundary")
            .trim_matches('"');
        let delim = format!("--{boundary}");
        let mut out = Vec::new();
        let mut rest = body;
        while let Some(start) = find(rest, delim.as_bytes()) {
            rest = &rest[start + delim.len()..];
            if rest.starts_with(b"--") {
                break;
            }
            rest = rest.strip_prefix(b"\r\n").expect("CRLF after boundary");
            let head_end = find(rest, b"\r\n\r\n").expect("part headers");
            let head = String::from_utf8(rest[..head_end].to_vec()).unwrap();
            rest = &rest[head_end + 4..];
            let end = find(rest, format!("\r\n{delim}").as_bytes()).expect("part end");
            out.push((head, rest[..end].to_vec()));
            rest = &rest[end + 2..];
        }
        out
    }

    fn find(h: &[u8], n: &[u8]) -> Option<usize> {
        h.windows(n.len()).position(|w| w == n)
    }

    pub(crate) fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("friendli-rt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    async fn render(form: Form) -> (String, Vec<u8>) {
        use futures_util::StreamExt;
        let ct = format!("multipart/form-data; boundary={}", form.boundary());
        let mut body = Vec::new();
        let mut s = std::pin::pin!(form.into_stream());
        while let Some(chunk) = s.next().await {
            body.extend_from_slice(&chunk.unwrap());
        }
        (ct, body)
    }

    #[tokio::test]
    async fn builds_the_same_form_twice() {
        let data: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        let path = temp_file("twice.png", &data);
        let mp = Multipart::new()
            .text("model", "whisper")
            .file("file", FilePart::from_path(&path))
            .file(
                "raw",
                FilePart::from_bytes("a.bin", vec![0u8, 1, 2]).mime("audio/wav"),
            );
        for _ in 0..2 {
            let (ct, body) = render(mp.to_form().await.unwrap()).await;
            let parts = parse_multipart(&ct, &body);
            assert_eq!(parts.len(), 3);
            assert!(parts[0].0.contains("name=\"model\""));
            assert_eq!(parts[0].1, b"whisper");
            assert!(
                parts[1].0.contains("filename=\"twice.png\""),
                "{}",
                parts[1].0
            );
            assert!(parts[1].0.contains("image/png"), "{}", parts[1].0);
            assert_eq!(parts[1].1, data);
            assert!(parts[2].0.contains("filename=\"a.bin\""));
            assert!(parts[2].0.contains("audio/wav"));
            assert_eq!(parts[2].1, [0, 1, 2]);
        }
        let _ = std::fs::remove_file(path);
    }

    #[tokio::test]
    async fn missing_file_is_io_error_naming_path() {
        let mp = Multipart::new().file("f", FilePart::from_path("/nonexistent/x.jsonl"));
        match mp.to_form().await {
            Err(Error::Io(e)) => {
                assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
                assert!(e.to_string().contains("/nonexistent/x.jsonl"));
            }
            other => panic!("unexpected {:?}", other.map(|_| ())),
        }
    }

    #[tokio::test]
    async fn bad_mime_is_config_error() {
        let mp = Multipart::new().file("f", FilePart::from_bytes("x", "y").mime("not a mime"));
        assert!(matches!(mp.to_form().await, Err(Error::Config(_))));
    }

    #[test]
    fn debug_hides_contents() {
        let f = FilePart::from_bytes("n", vec![7u8; 10]).file_name("m");
        let s = format!("{f:?}");
        assert!(s.contains("10 bytes") && s.contains("\"m\""), "{s}");
        assert_eq!(f.clone(), f);
        assert!(f.path().is_none());
    }
}

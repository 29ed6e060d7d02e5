//! Getting the spec onto the machine: the pinned upstream file (downloaded), a mirror URL or a
//! local copy, always checked against the lock's sha256 before it is placed; and the lookup
//! every task uses (`--spec`, `$FRIENDLI_OPENAPI`, `spec/openapi.yaml`, then the download).

use std::path::{Path, PathBuf};
use std::time::Duration;

use friendli_codegen::spec_lock::{HistorySpec, SpecLock, parse_history};

/// Where the spec comes from.
pub(crate) enum Source {
    /// The repository's raw file at the commit the lock pins.
    Pinned,
    Url(String),
    File(PathBuf),
}

/// The upstream spec is under 1 MB; anything far larger is not it.
const MAX_SPEC_BYTES: u64 = 64 << 20;

/// Reads the spec from `source`, verifies it against the lock's sha256 and places it at
/// `target`; nothing is written unless the checksum matches. The pinned file is downloaded
/// only when `target` does not already hold it.
pub(crate) fn fetch(source: &Source, lock: &SpecLock, target: &Path) -> Result<(), String> {
    if matches!(source, Source::Pinned) && holds(target, &lock.sha256) {
        eprintln!("{} already holds the pinned spec", target.display());
        return Ok(());
    }
    fetch_verified(source, lock, &lock.sha256, "spec/friendli.lock", target)
}

fn holds(path: &Path, sha256: &str) -> bool {
    std::fs::read(path).is_ok_and(|bytes| friendli_codegen::spec::sha256_hex(&bytes) == sha256)
}

fn fetch_verified(
    source: &Source,
    lock: &SpecLock,
    sha256: &str,
    pin_file: &str,
    target: &Path,
) -> Result<(), String> {
    let (bytes, origin) = read_source(source, lock)?;
    let actual = friendli_codegen::spec::sha256_hex(&bytes);
    if actual != sha256 {
        return Err(format!(
            "{origin} has sha256 {actual}, but {pin_file} pins {sha256}: it is not the pinned \
             spec (another commit, a mirror serving another version, or a damaged download), so \
             nothing was written. Check the source and try again; to move the project to this \
             spec on purpose, run `cargo xtask bump-spec --from PATH` instead."
        ));
    }
    place(&bytes, target)?;
    eprintln!("verified {origin} and placed it at {}", target.display());
    Ok(())
}

/// Where the history specs come from.
pub(crate) enum HistorySource {
    /// Each from the lock's repository at its commit.
    Download,
    /// `<name>.yaml` files in a local directory.
    Dir(PathBuf),
}

/// Places every spec of `spec/history.lock` that `dir` lacks (or holds in another version).
pub(crate) fn fetch_history(
    lock: &SpecLock,
    history: &[HistorySpec],
    source: &HistorySource,
    dir: &Path,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for spec in history {
        let file = format!("{}.yaml", spec.name);
        let target = dir.join(&file);
        if holds(&target, &spec.sha256) {
            continue;
        }
        let source = match source {
            HistorySource::Download => Source::Url(lock.url_at(&spec.commit)?),
            HistorySource::Dir(from) => Source::File(from.join(&file)),
        };
        fetch_verified(&source, lock, &spec.sha256, "spec/history.lock", &target)?;
    }
    Ok(())
}

pub(crate) fn history_lock() -> Result<Vec<HistorySpec>, String> {
    let path = crate::root().join("spec/history.lock");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_history(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The history specs: `$FRIENDLI_OPENAPI_HISTORY`, else `spec/history/`, completed by download.
pub(crate) fn history_dir(explicit: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(dir) =
        explicit.or_else(|| std::env::var_os("FRIENDLI_OPENAPI_HISTORY").map(PathBuf::from))
    {
        return Ok(dir);
    }
    let dir = crate::root().join("spec/history");
    fetch_history(
        &crate::lock()?,
        &history_lock()?,
        &HistorySource::Download,
        &dir,
    )?;
    Ok(dir)
}

/// The bytes of a source and a label for messages.
pub(crate) fn read_source(source: &Source, lock: &SpecLock) -> Result<(Vec<u8>, String), String> {
    match source {
        Source::File(path) => std::fs::read(path)
            .map(|b| (b, path.display().to_string()))
            .map_err(|e| {
                format!(
                    "cannot read {}: {e}. Pass the path of a copy of the spec with --from PATH.",
                    path.display()
                )
            }),
        Source::Url(url) => download(url).map(|b| (b, url.clone())),
        Source::Pinned => {
            let url = lock.download_url()?;
            download(&url).map(|b| (b, url))
        }
    }
}

/// Writes through a temporary file beside `target`, so an interrupted run leaves no half file.
pub(crate) fn place(bytes: &[u8], target: &Path) -> Result<(), String> {
    let tmp = target.with_extension("yaml.partial");
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, target))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("cannot write {}: {e}", target.display())
        })
}

/// A blocking GET; every failure is one paragraph naming what to do next.
pub(crate) fn download(url: &str) -> Result<Vec<u8>, String> {
    let offline = "If this machine has no network access, copy the spec from one that has and \
                   run `cargo xtask fetch-spec --from PATH`, or pass `--spec PATH` (or set \
                   FRIENDLI_OPENAPI) to use a local file directly.";
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into();
    eprintln!("downloading {url}");
    let mut response = agent.get(url).call().map_err(|err| match err {
        ureq::Error::StatusCode(status) => format!(
            "{url} answered HTTP {status}{}. Check `repository`, `commit` and `file` in \
             spec/friendli.lock, or pass a mirror with `cargo xtask fetch-spec --url URL`. {offline}",
            if status == 404 {
                " (not found: the pinned commit or file is not at that address)"
            } else {
                ""
            }
        ),
        other => format!("could not download {url}: {other}. {offline}"),
    })?;
    response
        .body_mut()
        .with_config()
        .limit(MAX_SPEC_BYTES)
        .read_to_vec()
        .map_err(|err| format!("the download of {url} broke off: {err}. Try again. {offline}"))
}

/// What the lookup decided.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    Found(PathBuf),
    /// Nothing local: download the pinned spec to this path.
    Download(PathBuf),
}

/// `--spec`, then `$FRIENDLI_OPENAPI`, then `spec/openapi.yaml` if present, else download there.
pub(crate) fn lookup(
    explicit: Option<PathBuf>,
    env: Option<std::ffi::OsString>,
    local: &Path,
) -> Lookup {
    if let Some(path) = explicit.or_else(|| env.map(PathBuf::from)) {
        return Lookup::Found(path);
    }
    if local.exists() {
        return Lookup::Found(local.to_path_buf());
    }
    Lookup::Download(local.to_path_buf())
}

/// The spec every task reads, fetching the pinned one when there is none.
pub(crate) fn spec_path(explicit: Option<PathBuf>) -> Result<PathBuf, String> {
    let local = crate::root().join("spec/openapi.yaml");
    match lookup(explicit, std::env::var_os("FRIENDLI_OPENAPI"), &local) {
        Lookup::Found(path) => Ok(path),
        Lookup::Download(target) => {
            eprintln!(
                "no spec given (--spec, FRIENDLI_OPENAPI) and none at {}: fetching the pinned one",
                target.display()
            );
            fetch(&Source::Pinned, &crate::lock()?, &target)?;
            Ok(target)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    /// Serves one request on 127.0.0.1 with the given status line and body.
    fn serve_once(status: &'static str, body: &'static [u8]) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/friendliai/openapi.yaml",
            listener.local_addr().unwrap()
        );
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap() > 2 {
                line.clear();
            }
            let mut stream = stream;
            write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            )
            .unwrap();
            stream.write_all(body).unwrap();
        });
        url
    }

    const SPEC: &[u8] = b"openapi: 3.1.0\n";

    fn lock_for(bytes: &[u8]) -> SpecLock {
        SpecLock {
            repository: "https://github.com/friendliai/friendli-openapi".into(),
            commit: "c996231".into(),
            date: "2026-07-22".into(),
            file: "openapi.yaml".into(),
            sha256: friendli_codegen::spec::sha256_hex(bytes),
            crate_version: "0.1.0".into(),
        }
    }

    fn assert_one_paragraph(message: &str, advice: &str) {
        assert!(!message.contains("\n\n"), "{message}");
        assert!(message.contains(advice), "{message}");
    }

    #[test]
    fn a_served_file_with_the_pinned_checksum_is_placed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("openapi.yaml");
        let url = serve_once("200 OK", SPEC);
        fetch(&Source::Url(url), &lock_for(SPEC), &target).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), SPEC);
    }

    #[test]
    fn a_wrong_checksum_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("openapi.yaml");
        let url = serve_once("200 OK", b"openapi: 3.1.0\n# tampered\n");
        let err = fetch(&Source::Url(url), &lock_for(SPEC), &target).unwrap_err();
        assert_one_paragraph(&err, "bump-spec");
        assert!(err.contains("pins"), "{err}");
        assert!(!target.exists());
    }

    #[test]
    fn not_found_says_to_check_the_lock_or_use_a_mirror() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("openapi.yaml");
        let url = serve_once("404 Not Found", b"404: Not Found");
        let err = fetch(&Source::Url(url), &lock_for(SPEC), &target).unwrap_err();
        assert_one_paragraph(&err, "--url URL");
        assert!(err.contains("HTTP 404"), "{err}");
        assert!(!target.exists());
    }

    #[test]
    fn connection_refused_says_how_to_work_offline() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("openapi.yaml");
        // A port that was just free: nothing listens on it any more.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/openapi.yaml");
        let err = fetch(&Source::Url(url), &lock_for(SPEC), &target).unwrap_err();
        assert_one_paragraph(&err, "--from PATH");
        assert!(err.contains("could not download"), "{err}");
        assert!(!target.exists());
    }

    #[test]
    fn history_specs_are_verified_and_only_missing_ones_fetched() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("from"), dir.path().join("to"));
        std::fs::create_dir_all(&from).unwrap();
        let spec = |name: &str, sha256: String| HistorySpec {
            name: name.into(),
            commit: name.rsplit_once('-').unwrap().1.into(),
            sha256,
        };
        let other: &[u8] = b"openapi: 3.1.0\n# older\n";
        std::fs::write(from.join("2026-06-01-aaaaaaa.yaml"), SPEC).unwrap();
        std::fs::write(from.join("2026-06-08-bbbbbbb.yaml"), other).unwrap();
        let history = vec![
            spec(
                "2026-06-01-aaaaaaa",
                friendli_codegen::spec::sha256_hex(SPEC),
            ),
            spec(
                "2026-06-08-bbbbbbb",
                friendli_codegen::spec::sha256_hex(other),
            ),
        ];
        let source = HistorySource::Dir(from.clone());
        fetch_history(&lock_for(SPEC), &history, &source, &to).unwrap();
        assert_eq!(
            std::fs::read(to.join("2026-06-08-bbbbbbb.yaml")).unwrap(),
            other
        );
        // Present and verified files are not read again: the source may go away.
        std::fs::remove_dir_all(&from).unwrap();
        fetch_history(&lock_for(SPEC), &history, &source, &to).unwrap();
        // A damaged copy is replaced only by a verified one.
        std::fs::write(to.join("2026-06-01-aaaaaaa.yaml"), b"damaged").unwrap();
        std::fs::create_dir_all(&from).unwrap();
        std::fs::write(from.join("2026-06-01-aaaaaaa.yaml"), other).unwrap();
        let err = fetch_history(&lock_for(SPEC), &history, &source, &to).unwrap_err();
        assert_one_paragraph(&err, "spec/history.lock pins");
        assert_eq!(
            std::fs::read(to.join("2026-06-01-aaaaaaa.yaml")).unwrap(),
            b"damaged"
        );
    }

    #[test]
    fn lookup_order_is_flag_env_local_then_download() {
        let dir = tempfile::tempdir().unwrap();
        let local = dir.path().join("openapi.yaml");
        let flag = Some(PathBuf::from("flag.yaml"));
        let env = Some(std::ffi::OsString::from("env.yaml"));
        assert_eq!(
            lookup(flag.clone(), env.clone(), &local),
            Lookup::Found("flag.yaml".into())
        );
        assert_eq!(lookup(None, env, &local), Lookup::Found("env.yaml".into()));
        assert_eq!(lookup(None, None, &local), Lookup::Download(local.clone()));
        std::fs::write(&local, SPEC).unwrap();
        assert_eq!(lookup(None, None, &local), Lookup::Found(local));
    }
}

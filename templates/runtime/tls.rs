//! The TLS backend, chosen by Cargo feature.
//!
//! - `rustls-ring` (default): rustls with the `ring` crypto provider, the quickest to build.
//!   reqwest's `rustls-no-provider` leaves the provider to the process, so one is installed
//!   here (see [`ensure_crypto_provider`]).
//! - `rustls-aws-lc`: rustls with `aws-lc-rs`, reqwest's own default (a large C build).
//! - `native-tls`: the platform's TLS (OpenSSL on Linux, which needs its headers to build).
//!
//! Both rustls options verify certificates against the platform's roots
//! (`rustls-platform-verifier`). With both rustls options, `ring` is installed and used; with
//! `native-tls` and a rustls option, reqwest uses `native-tls`. With none of them the crate speaks plain `http` only (a local container,
//! a proxy): an `https` call then fails with a transport error.

/// Installs the `ring` provider as rustls' process-wide default when the process has none yet,
/// and does nothing otherwise (and nothing at all without the `rustls-ring` feature).
///
/// The client builders call it, so only a `reqwest::Client` built before any of them for
/// [`ClientBuilder::http_client`](super::ClientBuilder::http_client) needs it called first.
/// A provider the application installed earlier is kept: install yours before the first client
/// to use another one.
pub fn ensure_crypto_provider() {
    #[cfg(feature = "rustls-ring")]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another installer is fine: either way the process has a provider,
        // and the one already there is left alone rather than panicking. Newer rustls releases
        // deprecate ring's provider (no post-quantum key exchange); it is still the quickest to
        // build, which is why it is the default, so the warning is allowed here only.
        #[allow(deprecated)]
        let provider = rustls::crypto::ring::default_provider();
        let _ = provider.install_default();
    }
}

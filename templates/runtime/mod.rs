//! Hand-written HTTP runtime shared by every generated operation.
//!
//! Generated code describes each operation with a static [`OperationSpec`] and
//! the per-call values with [`RequestParts`]; [`Client`] does everything else:
//! server selection, credentials from each operation's security, retries with backoff,
//! timeouts and deadlines, bounded body reads,
//! multipart uploads, server-sent events and error decoding.

/// Module declarations (a `cfg` on the call applies to them all): `pub mod a, b` declares
/// public modules, `mod a, b` private ones, and `pub use mod a, b` private ones whose items
/// are re-exported.
#[allow(unused_macros)]
macro_rules! modules {
    (pub use mod $($module:ident),* $(,)?) => {
        $(mod $module; pub use $module::*;)*
    };
    (pub mod $($module:ident),* $(,)?) => {
        $(pub mod $module;)*
    };
    (mod $($module:ident),* $(,)?) => {
        $(mod $module;)*
    };
}
#[allow(unused_imports)]
pub(crate) use modules;

pub mod auth;
pub mod client;
pub mod config;
pub mod error;
pub mod limits;
pub mod multipart;
pub mod operation;
pub mod params;
pub mod request;
pub mod retry;
pub mod serde_support;
pub mod sse;
pub mod stream;
#[doc(hidden)]
pub mod testing;
pub mod tls;
mod trace;

#[cfg(test)]
mod client_tests;
#[cfg(test)]
mod resilience_tests;
// The test server speaks rustls with `ring`; native-tls, when also enabled, takes over the client.
#[cfg(all(test, feature = "rustls-ring", not(feature = "native-tls")))]
mod tls_tests;
#[cfg(test)]
mod transfer_tests;

pub use auth::{SchemeKind, SecurityScheme};
pub use client::Client;
pub use config::{ClientBuilder, RequestOptions, SpecDefaults};
pub use error::{ApiError, Error};
pub use limits::{DEFAULT_MAX_ERROR_BODY, DEFAULT_MAX_RESPONSE_BODY, DEFAULT_MAX_SSE_EVENT};
pub use multipart::{FilePart, Multipart};
pub use operation::{
    HttpMethod, OperationSpec, RequestBody, RequestParts, encode_path_segment, no_typed_error,
};
pub use retry::{RetryPolicy, parse_retry_after};
pub use sse::{SseEvent, SseParser};
pub use stream::{EventStream, RawEventStream};

pub use params::ParamValue;
pub use request::{Events, Json, JsonBody, ModelBody, NoContent, Operation, Request};
pub use serde_support::{Base64, OptionalNullable};

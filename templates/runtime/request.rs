//! The one request builder every operation shares.
//!
//! A call is a [`Request<Op, B, K>`]: `Op` is the operation's generated parameter struct
//! (its [`Operation`] impl says how they become [`RequestParts`]), `B` the body (a model, a
//! whole body, or `()`), `K` how the response is read ([`Json`], [`Events`], [`NoContent`]).
//! Options and `send*` are written once here; generated code adds only what differs per
//! operation (parameter setters) and per body model (field setters, shared by every
//! operation that sends that model). Each `K` and each `B` gets its own inherent `impl`, so
//! the methods of one never clash with another's.

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::config::RequestOptions;
use super::operation::{OperationSpec, RequestBody, RequestParts};
use super::stream::EventStream;
use super::{Client, Error, RetryPolicy};

/// What one operation's generated parameter struct provides.
pub trait Operation: Clone {
    /// What the body is: a model whose fields have setters, a whole body, or `()`.
    type Body;
    /// The operation's static description (method, path template, servers, security).
    const SPEC: &'static OperationSpec;
    /// The per-call request: path, query, headers and the encoded body.
    fn parts(&self, body: &Self::Body) -> Result<RequestParts, Error>;
    /// Sets what the operation pins in its body (a `stream` flag that must agree with how
    /// the response is read); called whenever a body is given.
    fn pin_body(_body: &mut Self::Body) {}
}

/// Operations whose body is JSON, so a body of the caller's own type can be sent instead.
pub trait JsonBody: Operation {}

/// A request body that is a model with one setter per field (see [`Request::body`]).
pub trait ModelBody {}

/// The setters of a body model's fields, on every request that sends the model. The
/// generator lays the input out as trait items so that it can be formatted:
/// `type Body = Model;`, then per field `fn setter(value: T) -> Kind<field>;` where `Kind`
/// says what the field stores: `Optional` (`Some`), `Nullable` (`OptionalNullable::Value`;
/// `Nullable<field, null_setter>` adds the setter that sends `null`), or either one `Boxed`.
/// Prettyplease may break a long item over lines, with trailing commas: the rules take them.
// A spec may have no body model with setters: the macro and its path are then unused.
#[allow(unused_macros)]
macro_rules! body_setters {
    (
        $(#[$impl_attr:meta])*
        type Body = $body:ty;
        $(
            $(#[$attr:meta])*
            fn $setter:ident(value: $value:ty $(,)?) -> $kind:ident<$($name:ident),+ $(,)?>;
        )*
    ) => {
        impl $crate::runtime::ModelBody for $body {}
        $(#[$impl_attr])*
        impl<Op, K> $crate::runtime::Request<Op, $body, K> {
            $($crate::runtime::request::body_setters!(
                @setter [$(#[$attr])*] $setter $value, $kind [$($name),+]
            );)*
        }
    };
    (@setter [$(#[$attr:meta])*] $setter:ident $value:ty, $kind:ident [$field:ident]) => {
        $(#[$attr])*
        pub fn $setter(mut self, value: impl Into<$value>) -> Self {
            self.body.$field = $crate::runtime::request::body_setters!(@$kind value.into());
            self
        }
    };
    (@setter [$(#[$attr:meta])*] $setter:ident $value:ty, $kind:ident [$field:ident, $null:ident]) => {
        $crate::runtime::request::body_setters!(@setter [$(#[$attr])*] $setter $value, $kind [$field]);
        #[doc = concat!(
            " Sends the field that [`Self::", stringify!($setter),
            "`] sets as `null` explicitly (for example to clear a setting)."
        )]
        pub fn $null(mut self) -> Self {
            self.body.$field = $crate::OptionalNullable::Null;
            self
        }
    };
    (@Optional $value:expr) => { Some($value) };
    (@OptionalBoxed $value:expr) => { Some(Box::new($value)) };
    (@Nullable $value:expr) => { $crate::OptionalNullable::Value($value) };
    (@NullableBoxed $value:expr) => { $crate::OptionalNullable::Value(Box::new($value)) };
}
#[allow(unused_imports)]
pub(crate) use body_setters;

/// The response is JSON, decoded into `T` (or a type of your own with `send_as`).
#[derive(Debug)]
pub struct Json<T>(PhantomData<fn() -> T>);

/// The response is a server-sent event stream of `T`.
#[derive(Debug)]
pub struct Events<T>(PhantomData<fn() -> T>);

/// The response has no body.
#[derive(Debug)]
pub struct NoContent;

/// A request builder: required values were given when it was made; set optional ones with
/// its setters, then call `send`.
#[must_use = "a request does nothing until it is sent with `.send().await`"]
pub struct Request<Op, B, K> {
    client: Client,
    pub(crate) params: Op,
    pub(crate) body: B,
    options: RequestOptions,
    kind: PhantomData<fn() -> K>,
}

impl<Op: Clone, B: Clone, K> Clone for Request<Op, B, K> {
    fn clone(&self) -> Self {
        Request {
            client: self.client.clone(),
            params: self.params.clone(),
            body: self.body.clone(),
            options: self.options.clone(),
            kind: PhantomData,
        }
    }
}

impl<Op: std::fmt::Debug, B: std::fmt::Debug, K> std::fmt::Debug for Request<Op, B, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("params", &self.params)
            .field("body", &self.body)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn encode_json<T: Serialize + ?Sized>(body: &T) -> Result<RequestBody, Error> {
    RequestBody::json(body)
        .map_err(|err| Error::Config(format!("cannot encode the request body: {err}")))
}

impl RequestBody {
    /// [`RequestBody::json`] with the error the client reports.
    pub fn encode<T: Serialize + ?Sized>(body: &T) -> Result<Self, Error> {
        encode_json(body)
    }

    /// [`RequestBody::json_with_stream_flag`] with the error the client reports.
    pub fn encode_with_stream_flag<T: Serialize + ?Sized>(
        body: &T,
        streaming: bool,
    ) -> Result<Self, Error> {
        RequestBody::json_with_stream_flag(body, streaming)
            .map_err(|err| Error::Config(format!("cannot encode the request body: {err}")))
    }
}

impl<Op: Operation<Body = B>, B, K> Request<Op, B, K> {
    /// A builder with the operation's required values; the body's pinned fields are set.
    pub(crate) fn new(client: Client, params: Op, mut body: B) -> Self {
        Op::pin_body(&mut body);
        Request {
            client,
            params,
            body,
            options: RequestOptions::default(),
            kind: PhantomData,
        }
    }

    /// Retry policy for this call only (the SDK's `retries`).
    pub fn retries(mut self, policy: RetryPolicy) -> Self {
        self.options.retries = Some(policy);
        self
    }

    /// Sends this call to another server (the SDK's `server_url`).
    pub fn server_url(mut self, url: impl Into<String>) -> Self {
        self.options.server_url = Some(url.into());
        self
    }

    /// Time limit for each attempt of this call (for streams: also the longest wait for the
    /// next chunk). Retries start a new attempt; see [`deadline`](Self::deadline) for a bound
    /// on the whole call.
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Time limit for the whole call: every attempt, retry and backoff wait (for streams: until
    /// the response starts). When it passes, the call fails with `Error::DeadlineExceeded`.
    pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
        self.options.deadline = Some(deadline);
        self
    }

    /// An extra header for this call.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.headers.push((name.into(), value.into()));
        self
    }

    /// Sends the request and returns the raw HTTP response (status already checked).
    pub async fn send_raw(self) -> Result<reqwest::Response, Error> {
        let parts = self.params.parts(&self.body)?;
        self.client
            .execute_raw(Op::SPEC, parts, &self.options)
            .await
    }

    /// The request with a body of the caller's own type in place of the generated one.
    fn parts_with_body<T: Serialize + ?Sized>(&self, body: &T) -> Result<RequestParts, Error> {
        let mut parts = self.params.parts(&self.body)?;
        parts.body = encode_json(body)?;
        Ok(parts)
    }
}

impl<Op: Operation<Body = B>, B: ModelBody, K> Request<Op, B, K> {
    /// Replaces the whole request body; what the operation pins in it (a `stream` flag that
    /// must agree with how the response is read) keeps its value.
    pub fn body(mut self, body: B) -> Self {
        self.body = body;
        Op::pin_body(&mut self.body);
        self
    }
}

impl<Op: Operation<Body = B>, B, T: DeserializeOwned> Request<Op, B, Json<T>> {
    /// Sends the request and decodes the response.
    pub async fn send(self) -> Result<T, Error> {
        self.send_as().await
    }

    /// Sends the request and decodes the response into a type of your own.
    pub async fn send_as<R: DeserializeOwned>(self) -> Result<R, Error> {
        let parts = self.params.parts(&self.body)?;
        self.client.execute(Op::SPEC, parts, &self.options).await
    }

    /// Sends a body of your own (any `Serialize`) with this call's parameters and options,
    /// and decodes the response into a type of your own.
    pub async fn send_with_body<Own: Serialize + ?Sized, R: DeserializeOwned>(
        self,
        body: &Own,
    ) -> Result<R, Error>
    where
        Op: JsonBody,
    {
        let parts = self.parts_with_body(body)?;
        self.client.execute(Op::SPEC, parts, &self.options).await
    }
}

impl<Op: Operation<Body = B>, B, T: DeserializeOwned + Send + 'static> Request<Op, B, Events<T>> {
    /// Sends the request and returns the stream of events.
    pub async fn send(self) -> Result<EventStream<T>, Error> {
        self.send_as().await
    }

    /// Sends the request and decodes each event into a type of your own.
    pub async fn send_as<R: DeserializeOwned + Send + 'static>(
        self,
    ) -> Result<EventStream<R>, Error> {
        let parts = self.params.parts(&self.body)?;
        self.client
            .execute_stream(Op::SPEC, parts, &self.options)
            .await
    }

    /// Sends a body of your own (any `Serialize`) with this call's parameters and options,
    /// and decodes each event into a type of your own.
    pub async fn send_with_body<Own: Serialize + ?Sized, R: DeserializeOwned + Send + 'static>(
        self,
        body: &Own,
    ) -> Result<EventStream<R>, Error>
    where
        Op: JsonBody,
    {
        let parts = self.parts_with_body(body)?;
        self.client
            .execute_stream(Op::SPEC, parts, &self.options)
            .await
    }
}

impl<Op: Operation<Body = B>, B> Request<Op, B, NoContent> {
    /// Sends the request.
    pub async fn send(self) -> Result<(), Error> {
        self.send_raw().await.map(|_| ())
    }

    /// Sends a body of your own (any `Serialize`) with this call's parameters and options,
    /// and decodes the response into a type of your own.
    pub async fn send_with_body<Own: Serialize + ?Sized, R: DeserializeOwned>(
        self,
        body: &Own,
    ) -> Result<R, Error>
    where
        Op: JsonBody,
    {
        let parts = self.parts_with_body(body)?;
        self.client.execute(Op::SPEC, parts, &self.options).await
    }
}

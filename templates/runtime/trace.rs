//! Optional instrumentation (the `tracing` feature): one span per call, with the operation,
//! method, path template, attempt, status and elapsed time, and one event per retry with its
//! reason and delay. Nothing recorded carries the token, a header or a body; paths are the
//! spec's templates, so values the caller put in a path stay out of logs too.

use std::time::Duration;

use super::error::Error;
use super::operation::OperationSpec;

/// A call's span; without the `tracing` feature every method does nothing.
pub(super) struct CallTrace {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

/// A failure in a few words, never a body (an API error's body may hold anything).
#[cfg(feature = "tracing")]
fn reason(error: &Error) -> String {
    match error {
        Error::Api(e) => format!("HTTP {}", e.status),
        Error::Timeout { .. } => "attempt timed out".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(feature = "tracing")]
impl CallTrace {
    pub(super) fn start(op: &OperationSpec) -> Self {
        let span = tracing::info_span!(
            "api_call",
            operation = op.operation_id,
            method = op.method.as_str(),
            path = op.path_template,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            error = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        CallTrace { span }
    }

    pub(super) async fn run<F: Future>(&self, future: F) -> F::Output {
        use tracing::Instrument as _;
        future.instrument(self.span.clone()).await
    }

    pub(super) fn attempt(&self, attempt: u32) {
        self.span.record("attempt", attempt);
    }

    pub(super) fn retry(&self, attempt: u32, error: &Error, delay: Duration) {
        tracing::info!(
            parent: &self.span,
            attempt,
            reason = %reason(error),
            delay_ms = delay.as_millis() as u64,
            "retrying"
        );
    }

    pub(super) fn finish(&self, outcome: Result<u16, &Error>, elapsed: Duration) {
        match outcome {
            Ok(status) => {
                self.span.record("status", status);
            }
            Err(error) => {
                if let Some(status) = error.status() {
                    self.span.record("status", status);
                }
                self.span
                    .record("error", tracing::field::display(reason(error)));
            }
        }
        let elapsed_ms = elapsed.as_millis() as u64;
        self.span.record("elapsed_ms", elapsed_ms);
        tracing::debug!(parent: &self.span, elapsed_ms, "call finished");
    }
}

#[cfg(not(feature = "tracing"))]
impl CallTrace {
    pub(super) fn start(_op: &OperationSpec) -> Self {
        CallTrace {}
    }

    pub(super) async fn run<F: Future>(&self, future: F) -> F::Output {
        future.await
    }

    pub(super) fn attempt(&self, _attempt: u32) {}

    pub(super) fn retry(&self, _attempt: u32, _error: &Error, _delay: Duration) {}

    pub(super) fn finish(&self, _outcome: Result<u16, &Error>, _elapsed: Duration) {}
}

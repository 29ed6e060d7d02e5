//! What a mock server answers each operation with, in the generated end-to-end tests and in
//! the docs' runnable examples alike.

use super::sample::sample;
use crate::ir::*;

/// What the mock server answers an operation with: status, and body with its content type
/// (the spec's example response, else a minimal valid one). Also used by the docs test.
pub fn mock_response(op: &Operation, types: &[TypeDef]) -> (u16, Option<(String, &'static str)>) {
    match &op.response {
        Response::Json {
            status,
            ty,
            example,
        } => (
            *status,
            Some((
                example
                    .clone()
                    .unwrap_or_else(|| sample(ty, types, 0))
                    .to_string(),
                "application/json",
            )),
        ),
        Response::EventStream {
            ty,
            example,
            sentinel,
            ..
        } => {
            let text = example.clone().unwrap_or_else(|| {
                let done = sentinel
                    .as_ref()
                    .map(|s| format!("data: {s}\n\n"))
                    .unwrap_or_default();
                format!("data: {}\n\n{done}", sample(ty, types, 0))
            });
            (200, Some((text, "text/event-stream")))
        }
        Response::Empty { status } => (*status, None),
    }
}

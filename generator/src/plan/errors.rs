//! Typed error bodies: one `ErrorBody` variant per distinct error schema.

use crate::ir::*;

/// The distinct typed error bodies of all generated operations.
pub fn error_variants(api: &Api) -> Vec<(TypeRef, String)> {
    let mut variants: Vec<(TypeRef, String)> = Vec::new();
    for op in api.operations.iter().filter(|o| !o.ignored) {
        for e in &op.errors {
            if let Some(TypeRef::Named(id)) = &e.ty
                && !variants.iter().any(|(t, _)| t == &TypeRef::Named(*id))
            {
                variants.push((TypeRef::Named(*id), api.types[id.0].name.clone()));
            }
        }
    }
    variants
}

/// Which statuses a declared error response covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusMatch {
    Code(u16),
    /// `4XX`: every status from `low` to `high`.
    Range(u16, u16),
    /// `default`: every status not declared otherwise.
    Default,
}

/// One typed error an operation decodes: the statuses, the `ErrorBody` variant and its type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedError {
    pub status: StatusMatch,
    pub variant: String,
    pub ty: TypeRef,
}

/// The typed errors of one operation, in the spec's order; statuses that are neither a code,
/// a `NXX` range nor `default` carry no typed body.
pub fn typed_errors(op: &Operation, variants: &[(TypeRef, String)]) -> Vec<TypedError> {
    op.errors
        .iter()
        .filter_map(|e| {
            let ty = e.ty.as_ref()?;
            let (_, name) = variants.iter().find(|(t, _)| t == ty)?;
            let status = match e.status.as_str() {
                "default" => StatusMatch::Default,
                s if s.len() == 3 && s.ends_with("XX") => {
                    let first: u16 = s[..1].parse().ok()?;
                    StatusMatch::Range(first * 100, first * 100 + 99)
                }
                s => StatusMatch::Code(s.parse().ok()?),
            };
            Some(TypedError {
                status,
                variant: name.clone(),
                ty: ty.clone(),
            })
        })
        .collect()
}

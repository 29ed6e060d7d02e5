//! Credentials per operation, from the security the spec declares for it.

use reqwest::Url;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

use super::error::Error;
use super::operation::OperationSpec;

/// One security scheme of the spec, as the generated code describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecurityScheme {
    /// The scheme's key in `components.securitySchemes`, named in errors.
    pub name: &'static str,
    /// How the client's token is sent.
    pub kind: SchemeKind,
}

/// Where a scheme puts the credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: <scheme> <token>`, e.g. `Bearer`.
    Http {
        /// The auth scheme word.
        scheme: &'static str,
    },
    /// The token as the value of a header.
    ApiKeyHeader {
        /// Header name.
        name: &'static str,
    },
    /// The token as a query parameter.
    ApiKeyQuery {
        /// Parameter name.
        name: &'static str,
    },
}

impl SchemeKind {
    /// The header this scheme sets, if it sets one.
    fn header(self) -> Option<&'static str> {
        match self {
            SchemeKind::Http { .. } => Some(AUTHORIZATION.as_str()),
            SchemeKind::ApiKeyHeader { name } => Some(name),
            SchemeKind::ApiKeyQuery { .. } => None,
        }
    }
}

/// Whether credentials of `op` could end up in its URL (and so in transport error text).
pub(super) fn puts_secret_in_url(op: &OperationSpec) -> bool {
    op.security
        .iter()
        .flat_map(|r| r.iter())
        .any(|s| matches!(s.kind, SchemeKind::ApiKeyQuery { .. }))
}

/// Adds the credentials `op` asks for: `token` goes into every scheme of the first requirement
/// that has any. An operation without security gets nothing; one that needs a token and has
/// none fails here, before anything is sent, unless the caller supplies the scheme's headers
/// itself (`extra_headers`, the per-call headers).
pub(super) fn apply(
    op: &OperationSpec,
    token: Option<&str>,
    token_env: &str,
    extra_headers: &[(String, String)],
    headers: &mut HeaderMap,
    url: &mut Url,
) -> Result<(), Error> {
    let Some(requirement) = op.security.iter().find(|r| !r.is_empty()) else {
        return Ok(());
    };
    let Some(token) = token else {
        let optional = op.security.iter().any(|r| r.is_empty());
        let supplied = op.security.iter().any(|r| {
            r.iter().all(|s| {
                s.kind.header().is_some_and(|h| {
                    extra_headers
                        .iter()
                        .any(|(name, _)| name.eq_ignore_ascii_case(h))
                })
            })
        });
        if optional || supplied {
            return Ok(());
        }
        let schemes: Vec<&str> = requirement.iter().map(|s| s.name).collect();
        return Err(Error::Config(format!(
            "`{}` needs an API token (security scheme `{}`): set {token_env} or call ClientBuilder::token",
            op.operation_id,
            schemes.join("` + `")
        )));
    };
    for scheme in *requirement {
        match scheme.kind {
            SchemeKind::Http { scheme: word } => {
                headers.insert(AUTHORIZATION, secret(format!("{word} {token}"))?);
            }
            SchemeKind::ApiKeyHeader { name } => {
                let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    Error::Config(format!(
                        "security scheme `{}`: invalid header name",
                        scheme.name
                    ))
                })?;
                headers.insert(name, secret(token.to_owned())?);
            }
            SchemeKind::ApiKeyQuery { name } => {
                url.query_pairs_mut().append_pair(name, token);
            }
        }
    }
    Ok(())
}

/// A header value holding a credential: marked sensitive, and never echoed in errors.
fn secret(value: String) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::try_from(value).map_err(|_| {
        Error::Config("the API token contains characters not allowed in a header".into())
    })?;
    value.set_sensitive(true);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::{HttpMethod, no_typed_error};

    const BEARER: SecurityScheme = SecurityScheme {
        name: "token",
        kind: SchemeKind::Http { scheme: "Bearer" },
    };
    const KEY_HEADER: SecurityScheme = SecurityScheme {
        name: "key",
        kind: SchemeKind::ApiKeyHeader { name: "X-Api-Key" },
    };
    const KEY_QUERY: SecurityScheme = SecurityScheme {
        name: "q",
        kind: SchemeKind::ApiKeyQuery { name: "api_key" },
    };

    fn op(security: &'static [&'static [SecurityScheme]]) -> OperationSpec {
        OperationSpec {
            operation_id: "someOp",
            method: HttpMethod::Get,
            default_server: "",
            uses_global_server: true,
            sse_sentinel: None,
            sse_envelope: false,
            decode_error: no_typed_error,
            path_template: "/x",
            security,
            header_params: &[],
        }
    }

    fn run(
        op: &OperationSpec,
        token: Option<&str>,
        extra: &[(String, String)],
    ) -> Result<(HeaderMap, Url), Error> {
        let mut headers = HeaderMap::new();
        let mut url = Url::parse("http://h.test/x").unwrap();
        apply(op, token, "TOKEN_ENV", extra, &mut headers, &mut url)?;
        Ok((headers, url))
    }

    #[test]
    fn schemes_are_applied_from_data() {
        let (h, url) = run(&op(&[&[BEARER]]), Some("t1"), &[]).unwrap();
        assert_eq!(h["authorization"], "Bearer t1");
        assert!(h["authorization"].is_sensitive());
        assert_eq!(url.query(), None);
        let (h, url) = run(&op(&[&[KEY_HEADER, KEY_QUERY]]), Some("t2"), &[]).unwrap();
        assert_eq!(h["x-api-key"], "t2");
        assert!(h.get("authorization").is_none());
        assert_eq!(url.query(), Some("api_key=t2"));
        assert!(puts_secret_in_url(&op(&[&[KEY_HEADER, KEY_QUERY]])));
        assert!(!puts_secret_in_url(&op(&[&[BEARER]])));
    }

    #[test]
    fn no_security_sends_nothing_even_with_a_token() {
        let (h, url) = run(&op(&[]), Some("t"), &[]).unwrap();
        assert!(h.is_empty() && url.query().is_none());
        // Optional security: the token is sent when there is one, nothing fails without.
        let optional = op(&[&[], &[BEARER]]);
        assert_eq!(
            run(&optional, Some("t"), &[]).unwrap().0["authorization"],
            "Bearer t"
        );
        assert!(run(&optional, None, &[]).unwrap().0.is_empty());
    }

    #[test]
    fn missing_token_names_the_operation_and_scheme() {
        let err = run(&op(&[&[BEARER]]), None, &[]).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
        assert!(
            text.contains("`someOp`") && text.contains("`token`") && text.contains("TOKEN_ENV"),
            "{text}"
        );
        // A caller-supplied Authorization header stands in for the token.
        let own = [("authorization".to_owned(), "Bearer mine".to_owned())];
        assert!(run(&op(&[&[BEARER]]), None, &own).is_ok());
    }
}

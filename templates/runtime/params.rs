//! Encoding of parameter values: query and header values, path segments and multipart text
//! fields. Generated enums implement [`ParamValue`] through their wire string.

use super::multipart::Multipart;
use super::serde_support::{Base64, OptionalNullable};

/// A value that can be sent as a query or header parameter.
pub trait ParamValue {
    /// The single-value text form, `None` for "leave the parameter out".
    fn param_text(&self) -> Option<String>;

    /// Appends `name=value` pairs; arrays repeat the name (OpenAPI's default `form`, exploded).
    fn append_to(&self, name: &'static str, out: &mut Vec<(&'static str, String)>) {
        if let Some(text) = self.param_text() {
            out.push((name, text));
        }
    }
}

macro_rules! display_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn param_text(&self) -> Option<String> {
                Some(self.to_string())
            }
        }
    )*};
}
display_param!(String, str, bool, i32, i64, u32, u64, f64);

impl ParamValue for chrono::DateTime<chrono::Utc> {
    fn param_text(&self) -> Option<String> {
        Some(self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

impl ParamValue for Base64 {
    fn param_text(&self) -> Option<String> {
        Some(self.as_str().to_owned())
    }
}

impl ParamValue for serde_json::Value {
    fn param_text(&self) -> Option<String> {
        match self {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }
}

impl<T: ParamValue + ?Sized> ParamValue for &T {
    fn param_text(&self) -> Option<String> {
        (**self).param_text()
    }

    fn append_to(&self, name: &'static str, out: &mut Vec<(&'static str, String)>) {
        (**self).append_to(name, out);
    }
}

impl<T: ParamValue> ParamValue for Option<T> {
    fn param_text(&self) -> Option<String> {
        self.as_ref().and_then(ParamValue::param_text)
    }

    fn append_to(&self, name: &'static str, out: &mut Vec<(&'static str, String)>) {
        if let Some(value) = self {
            value.append_to(name, out);
        }
    }
}

impl<T: ParamValue> ParamValue for OptionalNullable<T> {
    fn param_text(&self) -> Option<String> {
        self.as_ref().and_then(ParamValue::param_text)
    }

    fn append_to(&self, name: &'static str, out: &mut Vec<(&'static str, String)>) {
        if let OptionalNullable::Value(value) = self {
            value.append_to(name, out);
        }
    }
}

impl<T: ParamValue> ParamValue for Vec<T> {
    /// A whole array in one value (path segments): comma-separated, OpenAPI's `simple` style.
    fn param_text(&self) -> Option<String> {
        let parts: Vec<String> = self.iter().filter_map(ParamValue::param_text).collect();
        Some(parts.join(","))
    }

    fn append_to(&self, name: &'static str, out: &mut Vec<(&'static str, String)>) {
        for value in self {
            value.append_to(name, out);
        }
    }
}

/// A structured value sent as a parameter: its JSON text.
pub struct Json<'a, T: serde::Serialize>(pub &'a T);

impl<T: serde::Serialize> ParamValue for Json<'_, T> {
    fn param_text(&self) -> Option<String> {
        serde_json::to_value(self.0)
            .ok()
            .and_then(|v| v.param_text())
    }
}

/// The path segment for a path parameter, percent-encoded.
pub fn path_segment<T: ParamValue + ?Sized>(value: &T) -> String {
    super::encode_path_segment(&value.param_text().unwrap_or_default())
}

/// Adds a non-file multipart field: strings as they are, other values as JSON text, arrays as
/// repeated fields, absent and `null` values left out.
pub fn multipart_field<T: serde::Serialize + ?Sized>(
    form: Multipart,
    name: &str,
    value: &T,
) -> Result<Multipart, crate::Error> {
    fn add(form: Multipart, name: &str, value: serde_json::Value) -> Multipart {
        match value {
            serde_json::Value::Null => form,
            serde_json::Value::String(s) => form.text(name, s),
            serde_json::Value::Array(items) => items
                .into_iter()
                .fold(form, |form, item| add(form, name, item)),
            other => form.text(name, other.to_string()),
        }
    }
    let value = serde_json::to_value(value)
        .map_err(|err| crate::Error::Config(format!("cannot encode field `{name}`: {err}")))?;
    Ok(add(form, name, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_encode_as_openapi_expects() {
        let mut out = Vec::new();
        vec!["a".to_owned(), "b".to_owned()].append_to("ids", &mut out);
        Some(3_i64).append_to("limit", &mut out);
        None::<i64>.append_to("page", &mut out);
        OptionalNullable::<bool>::Null.append_to("flag", &mut out);
        let at = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .map(|d| d.to_utc())
            .ok();
        at.append_to("start_time", &mut out);
        assert_eq!(
            out,
            vec![
                ("ids", "a".to_owned()),
                ("ids", "b".to_owned()),
                ("limit", "3".to_owned()),
                ("start_time", "2026-01-02T03:04:05Z".to_owned()),
            ]
        );
        assert_eq!(path_segment("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn multipart_fields_skip_absent_and_encode_json() {
        let form = Multipart::new();
        let form = multipart_field(form, "language", &OptionalNullable::<String>::Absent).unwrap();
        assert!(form.is_empty());
        let form = multipart_field(form, "temperature", &Some(0.5)).unwrap();
        let form =
            multipart_field(form, "strategy", &serde_json::json!({"type": "server_vad"})).unwrap();
        assert!(!form.is_empty());
    }
}

//! Serde helpers the generated models rely on: the tri-state for optional nullable fields,
//! base64 text, required-but-nullable fields, and tagged unions with an open catch-all.

use std::fmt;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field that is optional *and* nullable: absent, explicitly `null`, or a value.
///
/// Absent fields are left out of the request; `Null` sends `null` (for example to clear a
/// setting). `From<T>` makes the common case, setting a value, a plain `.into()`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum OptionalNullable<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<T> OptionalNullable<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// The value, if one is set.
    pub fn as_ref(&self) -> Option<&T> {
        match self {
            Self::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The value, if one is set; `Absent` and `Null` both give `None`.
    pub fn into_option(self) -> Option<T> {
        match self {
            Self::Value(v) => Some(v),
            _ => None,
        }
    }
}

impl<T> From<T> for OptionalNullable<T> {
    fn from(value: T) -> Self {
        Self::Value(value)
    }
}

impl<T> From<Option<T>> for OptionalNullable<T> {
    /// `None` becomes an explicit `null`.
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Self::Value)
    }
}

impl<T: Serialize> Serialize for OptionalNullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Value(v) => v.serialize(serializer),
            Self::Absent | Self::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OptionalNullable<T> {
    /// Only called when the field is present (absent fields take `Default`).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.map_or(Self::Null, Self::Value))
    }
}

/// For `Option<T>` fields that are required but nullable: a missing field is an error (serde
/// would otherwise quietly read it as `None`), which also keeps untagged unions precise.
pub fn required_nullable<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)
}

/// `format: binary` carried as base64 text in JSON. Keeps the text exactly as received, so a
/// round trip is lossless; [`Base64::decode`] gives the bytes.
#[derive(Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Base64(pub String);

impl Base64 {
    /// Encodes bytes as standard base64.
    pub fn encode(bytes: impl AsRef<[u8]>) -> Self {
        use base64::Engine as _;
        Self(base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    /// Decodes standard or URL-safe base64, with or without padding.
    pub fn decode(&self) -> Result<Vec<u8>, base64::DecodeError> {
        use base64::Engine as _;
        use base64::engine::general_purpose::{
            STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD,
        };
        let text = self.0.trim();
        STANDARD
            .decode(text)
            .or_else(|_| STANDARD_NO_PAD.decode(text))
            .or_else(|_| URL_SAFE.decode(text))
            .or_else(|_| URL_SAFE_NO_PAD.decode(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Base64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 32;
        match self.0.char_indices().nth(SHOWN) {
            Some((cut, _)) => write!(f, "Base64({:?}… {} chars)", &self.0[..cut], self.0.len()),
            None => write!(f, "Base64({:?})", self.0),
        }
    }
}

impl From<String> for Base64 {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl From<&str> for Base64 {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl fmt::Display for Base64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads a tagged union's object and its tag. The object is buffered so the variant can be
/// chosen by tag, whatever the key order, and so an unknown tag keeps the whole value.
pub fn read_tagged<'de, D: Deserializer<'de>>(
    deserializer: D,
    tag: &str,
) -> Result<(Option<String>, serde_json::Value), D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    if !value.is_object() {
        return Err(D::Error::custom(format_args!(
            "expected an object with a `{tag}` field, found {}",
            kind_of(&value)
        )));
    }
    let found = value
        .get(tag)
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned);
    Ok((found, value))
}

/// Decodes a buffered tagged object into its variant's type.
pub fn from_tagged<T: DeserializeOwned, E: serde::de::Error>(
    value: serde_json::Value,
) -> Result<T, E> {
    serde_json::from_value(value).map_err(E::custom)
}

/// Serializes a variant whose struct does not hold the tag: the tag first, then its fields.
pub fn serialize_tagged<S: Serializer, T: Serialize>(
    serializer: S,
    tag: &'static str,
    value: &'static str,
    inner: &T,
) -> Result<S::Ok, S::Error> {
    use serde::ser::{Error as _, SerializeMap};
    let fields = match serde_json::to_value(inner).map_err(S::Error::custom)? {
        serde_json::Value::Object(fields) => fields,
        other => {
            return Err(S::Error::custom(format_args!(
                "a tagged variant must serialize to an object, not {}",
                kind_of(&other)
            )));
        }
    };
    let mut map = serializer.serialize_map(Some(fields.len() + 1))?;
    map.serialize_entry(tag, value)?;
    for (key, field) in &fields {
        if key != tag {
            map.serialize_entry(key, field)?;
        }
    }
    map.end()
}

/// The serde impls of a tagged union, from its tag field, its variants and its unknown
/// variant (which keeps an object with any other tag verbatim). Each variant is
/// `Variant => how "tag" | "other tag"`: `tagged` variants' structs do not hold the tag, so it
/// is written first (with the first tag value); `inline` ones serialize their own tag field.
#[allow(unused_macros)]
macro_rules! tagged_union {
    ($name:ident, $tag:literal, $unknown:ident {
        $($variant:ident => $how:ident $first:literal $(| $more:literal)*),* $(,)?
    }) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    $(Self::$variant(value) => $crate::runtime::serde_support::tagged_union!(
                        @serialize $how serializer, $tag, $first, value
                    ),)*
                    Self::$unknown(value) => ::serde::Serialize::serialize(value, serializer),
                }
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let (tag, value) = $crate::runtime::serde_support::read_tagged(deserializer, $tag)?;
                match tag.as_deref() {
                    $(::std::option::Option::Some($first $(| $more)*) => {
                        $crate::runtime::serde_support::from_tagged(value).map(Self::$variant)
                    })*
                    _ => ::std::result::Result::Ok(Self::$unknown(value)),
                }
            }
        }
    };
    (@serialize tagged $serializer:ident, $tag:literal, $value:literal, $inner:ident) => {
        $crate::runtime::serde_support::serialize_tagged($serializer, $tag, $value, $inner)
    };
    (@serialize inline $serializer:ident, $tag:literal, $value:literal, $inner:ident) => {
        ::serde::Serialize::serialize($inner, $serializer)
    };
}
#[allow(unused_imports)]
pub(crate) use tagged_union;

/// `From` each listed variant's payload type, so that `value.into()` makes the enum. The
/// generator lays the input out as trait items so that it can be formatted: `type Enum =
/// Name;`, then per variant `fn Variant(value: Type);` (a boxed variant takes the unboxed type).
#[allow(unused_macros)]
macro_rules! variant_from {
    (type Enum = $name:ident; $(fn $variant:ident(value: $ty:ty $(,)?);)*) => {
        $(impl ::std::convert::From<$ty> for $name {
            fn from(value: $ty) -> Self {
                Self::$variant(::std::convert::Into::into(value))
            }
        })*
    };
}
#[allow(unused_imports)]
pub(crate) use variant_from;

/// The methods and serde impls of an open string enum, from its known values and its unknown
/// variant (which keeps any other value verbatim): `as_str`, `Display`, `Serialize` as the
/// wire string and `Deserialize` by matching it; with `param` first, also `ParamValue` (the
/// whole crate has it, models alone do not). Written by hand rather than derived: the
/// derive of an enum with an untagged catch-all buffers every value before it matches, and
/// costs far more to compile than a string match.
// A spec may have no string enum: the macro and its path are then unused.
#[allow(unused_macros)]
macro_rules! open_enum {
    (param $name:ident, $unknown:ident { $($variant:ident => $wire:literal),* $(,)? }) => {
        $crate::runtime::serde_support::open_enum!($name, $unknown { $($variant => $wire),* });
        impl $crate::runtime::ParamValue for $name {
            fn param_text(&self) -> Option<String> {
                Some(self.as_str().to_owned())
            }
        }
    };
    ($name:ident, $unknown:ident { $($variant:ident => $wire:literal),* $(,)? }) => {
        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::$unknown(value) => value,
                }
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let value = $crate::runtime::serde_support::wire_str(deserializer)?;
                ::std::result::Result::Ok(match &*value {
                    $($wire => Self::$variant,)*
                    _ => Self::$unknown(value.into_owned()),
                })
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use open_enum;

/// Reads a string, borrowed from the input where the input allows: the wire value of an open
/// enum, which the enum matches against its known values (or keeps as its unknown variant).
pub fn wire_str<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<std::borrow::Cow<'de, str>, D::Error> {
    struct WireStr;
    impl<'de> serde::de::Visitor<'de> for WireStr {
        type Value = std::borrow::Cow<'de, str>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Self::Value, E> {
            Ok(std::borrow::Cow::Borrowed(value))
        }
        fn visit_str<E>(self, value: &str) -> Result<Self::Value, E> {
            Ok(std::borrow::Cow::Owned(value.to_owned()))
        }
        fn visit_string<E>(self, value: String) -> Result<Self::Value, E> {
            Ok(std::borrow::Cow::Owned(value))
        }
    }
    deserializer.deserialize_str(WireStr)
}

fn kind_of(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize, Default)]
    struct Probe {
        #[serde(default, skip_serializing_if = "OptionalNullable::is_absent")]
        field: OptionalNullable<i64>,
        #[serde(deserialize_with = "required_nullable")]
        required: Option<i64>,
    }

    #[test]
    fn optional_nullable_has_three_states() {
        let absent: Probe = serde_json::from_str(r#"{"required": null}"#).unwrap();
        assert_eq!(absent.field, OptionalNullable::Absent);
        let null: Probe = serde_json::from_str(r#"{"field": null, "required": 1}"#).unwrap();
        assert_eq!(null.field, OptionalNullable::Null);
        let value: Probe = serde_json::from_str(r#"{"field": 3, "required": 1}"#).unwrap();
        assert_eq!(value.field, OptionalNullable::Value(3));
        assert_eq!(
            serde_json::to_string(&absent).unwrap(),
            r#"{"required":null}"#
        );
        assert_eq!(
            serde_json::to_string(&null).unwrap(),
            r#"{"field":null,"required":1}"#
        );
    }

    #[test]
    fn required_nullable_field_must_be_present() {
        assert!(serde_json::from_str::<Probe>("{}").is_err());
    }

    #[test]
    fn wire_str_borrows_where_it_can_and_refuses_non_strings() {
        let mut de = serde_json::Deserializer::from_str(r#""stop""#);
        assert!(matches!(
            wire_str(&mut de).unwrap(),
            std::borrow::Cow::Borrowed("stop")
        ));
        // An escape cannot be borrowed; the value is still the text.
        let mut de = serde_json::Deserializer::from_str(r#""a\u0062c""#);
        assert_eq!(wire_str(&mut de).unwrap(), "abc");
        let value = serde_json::json!("owned");
        assert_eq!(wire_str(&value).unwrap(), "owned");
        let err = wire_str(&serde_json::json!(7)).unwrap_err();
        assert!(err.to_string().contains("expected a string"), "{err}");
    }

    #[test]
    fn base64_keeps_text_and_decodes() {
        let b: Base64 = serde_json::from_str(r#""aGVsbG8=""#).unwrap();
        assert_eq!(b.decode().unwrap(), b"hello");
        assert_eq!(serde_json::to_string(&b).unwrap(), r#""aGVsbG8=""#);
        assert_eq!(Base64::encode(b"hello"), b);
    }
}

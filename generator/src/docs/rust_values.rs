//! A JSON value of a known type as the Rust expression a user would write for it:
//! `models::ImageInput::new("https://…")`, `vec![…]`, `Some(…)`, enum variants, union variants,
//! struct update syntax for optional fields. Built with `quote!`, so the result always parses;
//! the docs test (`tests/doc_examples.rs`) proves it also type-checks.
//!
//! Paths: models as `models::X` (the snippet starts with `use friendli::models;`, the way
//! Python users write `models.X`), runtime types as `friendli::X`, std prelude names bare.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::ir::*;
use crate::plan::sample::sample;
use crate::plan::{Presence, filled_by_default};
use crate::rust_syntax::ident;

use super::example_values::fits;

/// Where an expression goes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Position {
    /// An `impl Into<T>` argument: `"text"` is enough for a `String`.
    Into,
    /// A place that needs a `T` itself (struct fields, `vec!` items).
    Exact,
}

pub(crate) struct RustValues<'a> {
    types: &'a [TypeDef],
    /// The crate's name in Rust paths (`friendli`), for the runtime types. A `String`, not an
    /// `Ident`: the docs context is shared across threads, token types are not `Sync`.
    root: String,
}

impl<'a> RustValues<'a> {
    pub(crate) fn new(types: &'a [TypeDef], crate_ident: &str) -> Self {
        Self {
            types,
            root: crate_ident.to_owned(),
        }
    }

    fn types(&self) -> &'a [TypeDef] {
        self.types
    }

    fn model_path(&self, id: TypeId) -> TokenStream {
        let name = format_ident!("{}", self.types()[id.0].name);
        quote!(models::#name)
    }

    pub(crate) fn expr(&self, ty: &TypeRef, value: &Value, pos: Position) -> TokenStream {
        let root = format_ident!("{}", self.root);
        match ty {
            TypeRef::String => match value.as_str() {
                Some(s) if pos == Position::Into => quote!(#s),
                Some(s) => quote!(#s.to_owned()),
                None => {
                    let text = value.to_string();
                    quote!(#text.to_owned())
                }
            },
            TypeRef::Integer { .. } => {
                let n = value
                    .as_i64()
                    .or_else(|| value.as_f64().map(|f| f as i64))
                    .unwrap_or(1);
                let lit = Literal::i64_unsuffixed(n);
                quote!(#lit)
            }
            TypeRef::Number => {
                let lit = Literal::f64_unsuffixed(value.as_f64().unwrap_or(0.5));
                quote!(#lit)
            }
            TypeRef::Boolean => {
                let b = value.as_bool().unwrap_or(true);
                quote!(#b)
            }
            TypeRef::DateTime => {
                let text = value.as_str().map(str::to_owned).unwrap_or_else(|| {
                    sample(ty, self.types(), 0)
                        .as_str()
                        .unwrap_or_default()
                        .to_owned()
                });
                quote!(#text.parse::<chrono::DateTime<chrono::Utc>>().expect("a valid RFC 3339 date-time"))
            }
            TypeRef::Base64 => {
                let text = value.as_str().unwrap_or_default();
                if pos == Position::Into {
                    quote!(#text)
                } else {
                    quote!(#root::Base64::from(#text))
                }
            }
            TypeRef::File => {
                // curl's `@file` spelling, which request examples use, names the file after the `@`.
                let path = value
                    .as_str()
                    .map(|s| s.trim_start_matches('@'))
                    .filter(|s| !s.is_empty() && !s.contains('\n'))
                    .unwrap_or("input.bin");
                quote!(#root::FilePart::from_path(#path))
            }
            TypeRef::Any => {
                let json = json_tokens(value);
                quote!(serde_json::json!(#json))
            }
            TypeRef::Array(item) => match value.as_array() {
                Some(items) if !items.is_empty() => {
                    let items = items.iter().map(|v| self.expr(item, v, Position::Exact));
                    quote!(vec![#(#items),*])
                }
                _ => quote!(Vec::new()),
            },
            TypeRef::Tuple(items) => {
                let values = value.as_array();
                let exprs = items.iter().enumerate().map(|(i, t)| {
                    let v = values
                        .and_then(|a| a.get(i))
                        .cloned()
                        .unwrap_or_else(|| sample(t, self.types(), 0));
                    self.expr(t, &v, Position::Exact)
                });
                quote!((#(#exprs),*))
            }
            TypeRef::Map(inner) => match value.as_object() {
                Some(entries) if !entries.is_empty() => {
                    let pairs = entries.iter().map(|(k, v)| {
                        let v = self.expr(inner, v, Position::Exact);
                        quote!((#k.to_owned(), #v))
                    });
                    quote!(std::collections::BTreeMap::from([#(#pairs),*]))
                }
                _ => quote!(std::collections::BTreeMap::new()),
            },
            TypeRef::Nullable(inner) => {
                if value.is_null() {
                    quote!(None)
                } else {
                    let inner = self.expr(inner, value, Position::Exact);
                    quote!(Some(#inner))
                }
            }
            TypeRef::Named(id) => self.named(*id, value, pos),
        }
    }

    fn named(&self, id: TypeId, value: &Value, pos: Position) -> TokenStream {
        self.named_as(id, id, value, pos)
    }

    /// The value of type `id` written through the name of `path`: an alias of a named type (a
    /// merged inline type) keeps its own name in the example, with the target's shape.
    fn named_as(&self, path: TypeId, id: TypeId, value: &Value, pos: Position) -> TokenStream {
        let def = &self.types()[id.0];
        match &def.kind {
            TypeKind::Alias(TypeRef::Named(inner)) => self.named_as(path, *inner, value, pos),
            TypeKind::Alias(inner) => self.expr(inner, value, pos),
            TypeKind::Enum(e) => {
                let path = self.model_path(path);
                let wire = value
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| value.to_string());
                match e.values.iter().find(|v| v.wire == wire) {
                    Some(v) => {
                        let variant = format_ident!("{}", v.rust_name);
                        quote!(#path::#variant)
                    }
                    None => {
                        let unknown = format_ident!("{}", e.unknown_variant);
                        quote!(#path::#unknown(#wire.to_owned()))
                    }
                }
            }
            TypeKind::Struct(s) => self.struct_expr(path, s, value),
            TypeKind::TaggedUnion(u) => {
                let tag = value.get(&u.tag).and_then(Value::as_str);
                match u
                    .variants
                    .iter()
                    .position(|v| tag.is_some_and(|t| v.tags.iter().any(|x| x == t)))
                {
                    Some(index) => self.union_variant_as(path, id, index, value),
                    None if !u.variants.is_empty() => self.union_variant_as(
                        path,
                        id,
                        0,
                        &sample(&TypeRef::Named(id), self.types(), 0),
                    ),
                    None => {
                        let unknown = format_ident!("{}", u.unknown_variant);
                        let path = self.model_path(path);
                        let json = json_tokens(value);
                        quote!(#path::#unknown(serde_json::json!(#json)))
                    }
                }
            }
            TypeKind::UntaggedUnion(u) => {
                let Some(index) = u
                    .variants
                    .iter()
                    .position(|v| fits(self.types(), &v.ty, value, 0))
                else {
                    return match u.variants.first() {
                        Some(v) => {
                            self.union_variant_as(path, id, 0, &sample(&v.ty, self.types(), 0))
                        }
                        None => quote!(Default::default()),
                    };
                };
                let variant = &u.variants[index];
                // `From<&str>` exists for unions with a string variant: `"text"` is enough.
                if pos == Position::Into && variant.ty == TypeRef::String && !variant.boxed {
                    let s = value.as_str().unwrap_or_default();
                    return quote!(#s);
                }
                self.union_variant_as(path, id, index, value)
            }
        }
    }

    /// `models::Union::Variant(…)` for variant `index` of a union, holding `value` (which
    /// other variants may fit too: `1` is an integer and a number).
    pub(crate) fn union_variant(&self, id: TypeId, index: usize, value: &Value) -> TokenStream {
        self.union_variant_as(id, id, index, value)
    }

    fn union_variant_as(
        &self,
        path: TypeId,
        id: TypeId,
        index: usize,
        value: &Value,
    ) -> TokenStream {
        let (name, ty, boxed, value) = match &self.types()[id.0].kind {
            TypeKind::TaggedUnion(u) => {
                let v = &u.variants[index];
                let mut value = value.clone();
                // The union writes the tag itself unless the variant's struct keeps it.
                if !v.tag_in_struct
                    && let Value::Object(object) = &mut value
                {
                    object.remove(&u.tag);
                }
                (&v.rust_name, TypeRef::Named(v.ty), v.boxed, value)
            }
            TypeKind::UntaggedUnion(u) => {
                let v = &u.variants[index];
                (&v.rust_name, v.ty.clone(), v.boxed, value.clone())
            }
            _ => return self.expr(&TypeRef::Named(id), value, Position::Exact),
        };
        let inner = self.expr(&ty, &value, Position::Exact);
        let inner = if boxed {
            quote!(Box::new(#inner))
        } else {
            inner
        };
        let path = self.model_path(path);
        let name = format_ident!("{}", name);
        quote!(#path::#name(#inner))
    }

    /// `models::X::new(required…)`, with `X { optional: …, ..models::X::new(…) }` around it
    /// when the value sets optional fields.
    fn struct_expr(&self, id: TypeId, s: &Struct, value: &Value) -> TokenStream {
        let object = value.as_object();
        let get = |f: &Field| object.and_then(|o| o.get(&f.wire_name));
        let args: Vec<TokenStream> = s
            .fields
            .iter()
            .filter(|f| !filled_by_default(self.types, f))
            .map(|f| {
                // Values come complete (examples are valid, samples have every required field).
                let v = get(f)
                    .cloned()
                    .unwrap_or_else(|| sample(&f.ty, self.types(), 0));
                self.constructor_arg(f, &v)
            })
            .collect();
        let path = self.model_path(id);
        let constructor = quote!(#path::new(#(#args),*));
        let mut updates: Vec<TokenStream> = s
            .fields
            .iter()
            .filter(|f| !f.required && f.ty != TypeRef::File)
            .filter_map(|f| {
                let v = get(f)?;
                let expr = self.optional_field(f, v)?;
                let name = ident(&f.rust_name);
                Some(quote!(#name: #expr))
            })
            .collect();
        if let (Some(extra_ty), Some(object)) = (&s.additional, object) {
            let extra: Vec<TokenStream> = object
                .iter()
                .filter(|(k, _)| !s.fields.iter().any(|f| &f.wire_name == *k))
                .map(|(k, v)| {
                    let v = self.expr(extra_ty, v, Position::Exact);
                    quote!((#k.to_owned(), #v))
                })
                .collect();
            if !extra.is_empty() {
                updates.push(
                    quote!(additional_properties: std::collections::BTreeMap::from([#(#extra),*])),
                );
            }
        }
        if updates.is_empty() {
            constructor
        } else {
            let path = self.model_path(id);
            quote!(#path { #(#updates,)* ..#constructor })
        }
    }

    /// An argument of `new`, which takes `impl Into<field type>`.
    fn constructor_arg(&self, f: &Field, value: &Value) -> TokenStream {
        let nullable = Presence::of_field(f).is_nullable();
        if nullable && value.is_null() {
            return quote!(None);
        }
        if f.boxed {
            // `Option<Box<T>>: From<Box<T>>`, `Box<T>: From<T>`.
            let inner = self.expr(&f.ty, value, Position::Exact);
            return if nullable {
                quote!(Box::new(#inner))
            } else {
                inner
            };
        }
        // `Option<T>: From<T>` only for `T` itself, not for what converts into `T`.
        self.expr(
            &f.ty,
            value,
            if nullable {
                Position::Exact
            } else {
                Position::Into
            },
        )
    }

    /// The value of an optional field in struct update syntax; `None` leaves it unset.
    fn optional_field(&self, f: &Field, value: &Value) -> Option<TokenStream> {
        let nullable = Presence::of_field(f).is_nullable();
        let root = format_ident!("{}", self.root);
        if value.is_null() {
            return nullable.then(|| quote!(#root::OptionalNullable::Null));
        }
        let inner = self.expr(&f.ty, value, Position::Exact);
        let inner = if f.boxed {
            quote!(Box::new(#inner))
        } else {
            inner
        };
        Some(if nullable {
            quote!(#root::OptionalNullable::Value(#inner))
        } else {
            quote!(Some(#inner))
        })
    }
}

/// A JSON value as `serde_json::json!` input. Built token by token: JSON string escapes
/// (`\u00e9`, `\b`) are not Rust string escapes.
fn json_tokens(value: &Value) -> TokenStream {
    match value {
        Value::Null => quote!(null),
        Value::Bool(b) => quote!(#b),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => {
                let lit = Literal::i64_unsuffixed(i);
                quote!(#lit)
            }
            (_, Some(u), _) => {
                let lit = Literal::u64_unsuffixed(u);
                quote!(#lit)
            }
            (_, _, Some(f)) => {
                let lit = Literal::f64_unsuffixed(f);
                quote!(#lit)
            }
            _ => quote!(null),
        },
        Value::String(s) => quote!(#s),
        Value::Array(items) => {
            let items = items.iter().map(json_tokens);
            quote!([#(#items),*])
        }
        Value::Object(entries) => {
            let pairs = entries.iter().map(|(k, v)| {
                let v = json_tokens(v);
                quote!(#k: #v)
            });
            quote!({ #(#pairs),* })
        }
    }
}

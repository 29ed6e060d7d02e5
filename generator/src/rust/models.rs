//! Model types: one `quote!` item group per IR type.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::doc_attrs;
use crate::ir::*;
use crate::plan::{ClientPlan, Presence, filled_by_default};
use crate::rust_syntax::{field_type as field_type_of, ident, type_tokens};

/// Lints the spec's own content can trip in model code (its docs, its names, its shapes),
/// allowed once for the models module, whichever way the models are emitted.
pub(crate) const MODEL_LINTS: &str = "clippy::large_enum_variant, clippy::doc_lazy_continuation, clippy::doc_overindented_list_items, clippy::disallowed_names";

/// `#![allow(..)]` with [`MODEL_LINTS`].
pub(crate) fn model_lints() -> TokenStream {
    let lints: TokenStream = MODEL_LINTS.parse().expect("lint paths are tokens");
    quote!(#![allow(#lints)])
}

/// `cfg(any(feature = ..))` for a type only some API families use.
pub(crate) fn type_cfg(plan: &ClientPlan<'_>, id: TypeId) -> Option<TokenStream> {
    super::bodies::families_cfg(plan, &plan.type_families[id.0])
}

pub(crate) struct ModelContext<'a> {
    pub types: &'a [TypeDef],
    pub defaultable: &'a [bool],
    /// False when emitting models alone (for `include!`), without the HTTP runtime.
    pub with_runtime: bool,
}

pub(crate) fn type_item(cx: &ModelContext<'_>, id: TypeId) -> TokenStream {
    let def = &cx.types[id.0];
    let name = format_ident!("{}", def.name);
    let docs = doc_attrs(def.docs.as_deref());
    match &def.kind {
        TypeKind::Struct(s) => struct_item(cx, id, &name, docs, s),
        TypeKind::Enum(e) => enum_item(&name, docs, e, cx.with_runtime),
        TypeKind::TaggedUnion(u) => tagged_item(cx, &name, docs, u),
        TypeKind::UntaggedUnion(u) => untagged_item(cx, &name, docs, u),
        TypeKind::Alias(ty) => {
            let ty = type_tokens(ty, cx.types);
            quote! { #docs pub type #name = #ty; }
        }
    }
}

fn boxed(inner: TokenStream, boxed: bool) -> TokenStream {
    if boxed { quote!(Box<#inner>) } else { inner }
}

fn field_type(cx: &ModelContext<'_>, f: &Field) -> TokenStream {
    field_type_of(f, cx.types)
}

fn field_serde_attrs(f: &Field) -> TokenStream {
    let rename = (f.rust_name.trim_start_matches("r#") != f.wire_name).then(|| {
        let wire = &f.wire_name;
        quote!(rename = #wire,)
    });
    let presence = match (Presence::of_field(f), &f.ty) {
        (_, TypeRef::File) => quote!(skip,),
        (Presence::Required, _) => quote!(),
        (Presence::RequiredNullable, _) => {
            quote!(deserialize_with = "crate::runtime::serde_support::required_nullable",)
        }
        (Presence::Optional, _) => quote!(default, skip_serializing_if = "Option::is_none",),
        (Presence::OptionalNullable, _) => quote!(
            default,
            skip_serializing_if = "crate::OptionalNullable::is_absent",
        ),
    };
    if rename.is_none() && presence.is_empty() {
        return TokenStream::new();
    }
    quote!(#[serde(#rename #presence)])
}

fn struct_item(
    cx: &ModelContext<'_>,
    id: TypeId,
    name: &syn::Ident,
    docs: TokenStream,
    s: &Struct,
) -> TokenStream {
    let derive_default = cx.defaultable[id.0].then(|| quote!(Default,));
    let fields = s.fields.iter().map(|f| {
        let docs = doc_attrs(f.docs.as_deref());
        let serde = field_serde_attrs(f);
        let field_name = ident(&f.rust_name);
        let ty = field_type(cx, f);
        quote! { #docs #serde pub #field_name: #ty, }
    });
    let additional = s.additional.as_ref().map(|ty| {
        let ty = type_tokens(ty, cx.types);
        quote! {
            /// Properties beyond the ones named above.
            #[serde(flatten)]
            pub additional_properties: ::std::collections::BTreeMap<String, #ty>,
        }
    });

    // `new` takes the required fields in spec order and fills the rest with defaults.
    let given: Vec<&Field> = s
        .fields
        .iter()
        .filter(|f| !filled_by_default(cx.types, f))
        .collect();
    let params = given.iter().map(|f| {
        let field_name = ident(&f.rust_name);
        let ty = field_type(cx, f);
        quote!(#field_name: impl Into<#ty>)
    });
    let given_inits = given.iter().map(|f| {
        let field_name = ident(&f.rust_name);
        quote!(#field_name: #field_name.into(),)
    });
    let rest = if given.len() == s.fields.len() && s.additional.is_none() {
        quote!()
    } else if cx.defaultable[id.0] {
        quote!(..Default::default())
    } else {
        let fields = s
            .fields
            .iter()
            .filter(|f| filled_by_default(cx.types, f))
            .map(|f| ident(&f.rust_name));
        let additional = s
            .additional
            .as_ref()
            .map(|_| quote!(additional_properties: Default::default(),));
        quote!(#(#fields: Default::default(),)* #additional)
    };
    let allow = super::client::too_many_arguments(given.len());
    let constructor = quote! {
        impl #name {
            /// Builds a value from its required fields; optional fields start unset.
            #allow
            pub fn new(#(#params),*) -> Self {
                Self { #(#given_inits)* #rest }
            }
        }
    };
    // File parts are sent as multipart, never read back, so such structs only serialize.
    let has_file = s.fields.iter().any(|f| f.ty == TypeRef::File);
    let deserialize = (!has_file).then(|| quote!(::serde::Deserialize));
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #derive_default ::serde::Serialize, #deserialize)]
        pub struct #name {
            #(#fields)*
            #additional
        }
        #constructor
    }
}

/// An open string enum: the known values, and the unknown variant that keeps any other value
/// verbatim; its methods and serde impls (and `ParamValue`, with the runtime) come from the
/// runtime's `open_enum!`.
fn enum_item(name: &syn::Ident, docs: TokenStream, e: &Enum, with_runtime: bool) -> TokenStream {
    let unknown = format_ident!("{}", e.unknown_variant);
    let variants = e.values.iter().map(|v| {
        let variant = format_ident!("{}", v.rust_name);
        let default = (e.default.as_deref() == Some(v.wire.as_str())).then(|| quote!(#[default]));
        quote! { #default #variant, }
    });
    let wire_values = e.values.iter().map(|v| {
        let variant = format_ident!("{}", v.rust_name);
        let wire = &v.wire;
        quote!(#variant => #wire)
    });
    let derive_default = e.default.as_ref().map(|_| quote!(Default,));
    // Only the whole crate has `ParamValue`; models alone (`include!`) do not.
    let param = with_runtime.then(|| quote!(param));
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, #derive_default)]
        pub enum #name {
            #(#variants)*
            /// A value this SDK version does not know yet; kept verbatim.
            #unknown(String),
        }
        crate::runtime::serde_support::open_enum!(#param #name, #unknown { #(#wire_values),* });
    }
}

/// `From` impls for variants whose payload type appears once, so `value.into()` works.
fn from_impls<'v>(
    name: &syn::Ident,
    variants: impl Iterator<Item = (&'v str, TokenStream)>,
) -> TokenStream {
    let variants: Vec<(&str, TokenStream)> = variants.collect();
    let unique = variants.iter().filter(|(_, ty)| {
        variants
            .iter()
            .filter(|(_, other)| other.to_string() == ty.to_string())
            .count()
            == 1
    });
    let listed: Vec<TokenStream> = unique
        .map(|(variant, ty)| {
            let variant = format_ident!("{}", variant);
            quote!(fn #variant(value: #ty);)
        })
        .collect();
    if listed.is_empty() {
        return quote!();
    }
    // The runtime's `variant_from!`, as a stand-in trait (see `MACRO_STAND_INS`).
    quote! {
        trait VariantFrom {
            type Enum = #name;
            #(#listed)*
        }
    }
}

fn tagged_item(
    cx: &ModelContext<'_>,
    name: &syn::Ident,
    docs: TokenStream,
    u: &TaggedUnion,
) -> TokenStream {
    let tag = &u.tag;
    let unknown = format_ident!("{}", u.unknown_variant);
    let variants = u.variants.iter().map(|v| {
        let variant = format_ident!("{}", v.rust_name);
        let ty = boxed(type_tokens(&TypeRef::Named(v.ty), cx.types), v.boxed);
        let tags: Vec<String> = v
            .tags
            .iter()
            .map(|t| crate::neutralise::inline_code(t))
            .collect();
        let doc = format!(
            " {}: {}",
            crate::neutralise::inline_code(tag),
            tags.join(", ")
        );
        quote! { #[doc = #doc] #variant(#ty), }
    });
    let arms = u.variants.iter().map(|v| {
        let variant = format_ident!("{}", v.rust_name);
        let how = if v.tag_in_struct {
            format_ident!("inline")
        } else {
            format_ident!("tagged")
        };
        let tags = &v.tags;
        quote!(#variant => #how #(#tags)|*)
    });
    let from = from_impls(
        name,
        u.variants.iter().map(|v| {
            (
                v.rust_name.as_str(),
                type_tokens(&TypeRef::Named(v.ty), cx.types),
            )
        }),
    );
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
            /// An object whose tag this SDK version does not know yet; kept verbatim.
            #unknown(::serde_json::Value),
        }
        crate::runtime::serde_support::tagged_union!(#name, #tag, #unknown { #(#arms),* });
        #from
    }
}

fn untagged_item(
    cx: &ModelContext<'_>,
    name: &syn::Ident,
    docs: TokenStream,
    u: &UntaggedUnion,
) -> TokenStream {
    let variants = u.variants.iter().map(|v| {
        let variant = format_ident!("{}", v.rust_name);
        let ty = boxed(type_tokens(&v.ty, cx.types), v.boxed);
        quote!(#variant(#ty),)
    });
    let from = from_impls(
        name,
        u.variants
            .iter()
            .map(|v| (v.rust_name.as_str(), type_tokens(&v.ty, cx.types))),
    );
    let from_str = u
        .variants
        .iter()
        .find(|v| v.ty == TypeRef::String)
        .map(|v| {
            let variant = format_ident!("{}", v.rust_name);
            quote! {
                impl From<&str> for #name {
                    fn from(value: &str) -> Self {
                        Self::#variant(value.to_owned())
                    }
                }
            }
        });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(untagged)]
        pub enum #name {
            #(#variants)*
        }
        #from
        #from_str
    }
}

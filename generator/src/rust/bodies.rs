//! Setters of request body fields, once per body model: every operation that sends the model
//! gets them through one `impl<Op, K> Request<Op, Model, K>`.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::client::input_value_type;
use super::docs::doc_attrs;
use crate::ir::*;
use crate::neutralise::inline_code;
use crate::plan::{BodyModelPlan, ClientPlan, InputKind, Presence};
use crate::rust_syntax::{ident, type_tokens};

/// `cfg(any(feature = ..))` for code only some families use; `None` when all do.
pub(crate) fn families_cfg(
    plan: &ClientPlan<'_>,
    families: &BTreeSet<String>,
) -> Option<TokenStream> {
    if families.is_empty() || families.len() == plan.families.len() {
        return None;
    }
    if families.len() == 1 {
        let name = families.iter().next();
        return Some(quote!(#[cfg(feature = #name)]));
    }
    let names = families.iter();
    Some(quote!(#[cfg(any(#(feature = #names),*))]))
}

/// (module, the families that send any of its models, the models).
pub(crate) type BodyModule<'p, 'a> = (String, BTreeSet<String>, Vec<&'p BodyModelPlan<'a>>);

/// The body models grouped by the model module they live in: (module, the families that
/// send any of them, the models). Grouping needs no tokens, so each group's file can be made
/// on its own thread.
pub(crate) fn body_modules<'p, 'a>(plan: &'p ClientPlan<'a>) -> Vec<BodyModule<'p, 'a>> {
    let mut modules: Vec<BodyModule<'p, 'a>> = Vec::new();
    for model in &plan.body_models {
        let module = &plan.api.types[model.id.0].module;
        match modules.iter_mut().find(|(m, _, _)| m == module) {
            Some((_, families, models)) => {
                families.extend(model.families.iter().cloned());
                models.push(model);
            }
            None => modules.push((module.clone(), model.families.clone(), vec![model])),
        }
    }
    modules
}

/// The file of one body module (see [`body_modules`]): the setters of its models.
pub(crate) fn body_file(plan: &ClientPlan<'_>, models: &[&BodyModelPlan<'_>]) -> TokenStream {
    let items = models.iter().map(|model| body_setters(plan, model));
    quote! {
        //! Setters of request body fields, shared by every operation that sends the body.
        #(#items)*
    }
}

/// `bodies/mod.rs`: one module per body module, behind the features of its senders.
pub(crate) fn bodies_mod(plan: &ClientPlan<'_>, modules: &[BodyModule<'_, '_>]) -> TokenStream {
    let body_mods = modules.iter().map(|(module, families, _)| {
        let cfg = families_cfg(plan, families);
        let m = format_ident!("{}", module);
        quote!(#cfg mod #m;)
    });
    quote! {
        //! Setters of request body fields, once per body model.
        #(#body_mods)*
    }
}

fn body_setters(plan: &ClientPlan<'_>, model: &BodyModelPlan<'_>) -> TokenStream {
    let ty = type_tokens(&TypeRef::Named(model.id), &plan.api.types);
    let cfg = families_cfg(plan, &model.families);
    let setters = model.setters.iter().map(|input| {
        let InputKind::Field(f) = input.kind else {
            return quote!();
        };
        let name = ident(&input.setter);
        let value_ty = input_value_type(plan, input);
        let docs = doc_attrs(f.docs.as_deref());
        let field = ident(&f.rust_name);
        let value = if f.boxed {
            quote!(Box::new(value.into()))
        } else {
            quote!(value.into())
        };
        let store = if input.presence == Presence::OptionalNullable {
            quote!(crate::OptionalNullable::Value(#value))
        } else {
            quote!(Some(#value))
        };
        let null_setter = input.null_setter().map(|null_name| {
            let null_name = format_ident!("{}", null_name);
            let doc = format!(
                " Sends {} explicitly (for example to clear a setting).",
                inline_code(&format!("{}: null", input.wire))
            );
            quote! {
                #[doc = #doc]
                pub fn #null_name(mut self) -> Self {
                    self.body.#field = crate::OptionalNullable::Null;
                    self
                }
            }
        });
        quote! {
            #docs
            pub fn #name(mut self, value: impl Into<#value_ty>) -> Self {
                self.body.#field = #store;
                self
            }
            #null_setter
        }
    });
    let doc = format!(
        " Setters of the {} fields, for every operation that sends it.",
        inline_code(&plan.api.types[model.id.0].name)
    );
    quote! {
        #cfg
        impl crate::runtime::ModelBody for #ty {}

        #cfg
        #[doc = #doc]
        impl<Op, K> crate::runtime::Request<Op, #ty, K> {
            #(#setters)*
        }
    }
}

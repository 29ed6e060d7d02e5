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
    let body_mods = super::module_groups(
        plan,
        quote!(mod),
        modules
            .iter()
            .map(|(module, families, _)| (families.clone(), module.clone())),
    );
    quote! {
        //! Setters of request body fields, once per body model.
        #body_mods
    }
}

/// One model's setters, as the input of the runtime's `body_setters!` laid out as a stand-in
/// trait (see `MACRO_STAND_INS`): the macro writes the per-field code every setter shares,
/// the generator only says what differs.
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
        let kind = match (input.presence == Presence::OptionalNullable, f.boxed) {
            (false, false) => format_ident!("Optional"),
            (false, true) => format_ident!("OptionalBoxed"),
            (true, false) => format_ident!("Nullable"),
            (true, true) => format_ident!("NullableBoxed"),
        };
        let null_setter = input
            .null_setter()
            .map(|null_name| format_ident!("{}", null_name));
        let stored = match null_setter {
            Some(null_name) => quote!(#kind<#field, #null_name>),
            None => quote!(#kind<#field>),
        };
        quote! {
            #docs
            fn #name(value: #value_ty) -> #stored;
        }
    });
    let doc = format!(
        " Setters of the {} fields, for every operation that sends it.",
        inline_code(&plan.api.types[model.id.0].name)
    );
    quote! {
        #cfg
        trait BodySetters {
            #[doc = #doc]
            type Body = #ty;
            #(#setters)*
        }
    }
}

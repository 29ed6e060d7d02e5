//! Rust emitter: IR → `quote!` token streams → `syn::File` → prettyplease text, one file per
//! model module, plus the crate manifest, `lib.rs` and the hand-written runtime.

mod bodies;
pub(crate) mod client;
mod docs;
mod e2e_tests;
mod example_tests;
pub(crate) mod models;
mod operations;
mod runtime_files;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use rayon::prelude::*;

use crate::ir::*;
use crate::output::FileSet;
use crate::plan::ClientPlan;
use crate::rust_syntax::{format_file, header};
pub use runtime_files::{EXAMPLE_FILES, RUNTIME_FILES};

/// Emits the crate's Rust files (manifest, models, client, operations, runtime, tests,
/// examples) from the plan.
pub fn emit_crate(plan: &ClientPlan<'_>) -> Result<FileSet, String> {
    let api = plan.api;
    let rs_header = header(api, "//");
    let cx = models::ModelContext {
        types: &api.types,
        defaultable: &plan.defaultable,
        with_runtime: true,
    };
    let modules = model_modules(api);
    // Formatting is most of the work and every file stands alone, so each file is a job for
    // the rayon pool. Token streams cannot cross threads: a job builds its own tokens and
    // returns text. Results come back in job order, so the output does not depend on which
    // thread made what.
    type Job<'j> = Box<dyn Fn() -> Result<(String, String), String> + Send + Sync + 'j>;
    let one = |path: String, tokens: TokenStream| {
        let text = with_macro_calls(format_file(&path, tokens)?);
        Ok((path, text))
    };
    let body_modules = bodies::body_modules(plan);
    let mut jobs: Vec<Job<'_>> = Vec::new();
    for (module, ids) in &modules {
        let cx = &cx;
        jobs.push(Box::new(move || {
            one(
                format!("src/models/{module}.rs"),
                model_file(plan, cx, ids)?,
            )
        }));
    }
    jobs.push(Box::new(|| {
        one(
            "tests/spec_examples.rs".into(),
            example_tests::example_tests(api, &cx, &{
                let name = format_ident!("{}", plan.config.crate_ident());
                quote!(#name)
            }),
        )
    }));
    jobs.push(Box::new(|| {
        one("src/models/mod.rs".into(), models_mod(plan, &modules))
    }));
    jobs.push(Box::new(|| one("src/lib.rs".into(), lib_rs(plan))));
    jobs.push(Box::new(|| one("src/client.rs".into(), client_rs(plan))));
    for op in &plan.operations {
        jobs.push(Box::new(move || {
            one(
                format!("src/operations/{}.rs", op.module),
                operations::operation_file(plan, op),
            )
        }));
    }
    jobs.push(Box::new(|| {
        let operation_mods = module_groups(
            plan,
            quote!(pub mod),
            plan.operations
                .iter()
                .map(|op| (BTreeSet::from([op.family.clone()]), op.module.clone())),
        );
        let security = operations::security_consts(plan);
        one(
            "src/operations/mod.rs".into(),
            quote! {
                //! One request builder per operation, returned by the resource handles.
                #operation_mods
                #security
            },
        )
    }));
    jobs.push(Box::new(|| {
        one(
            "src/bodies/mod.rs".into(),
            bodies::bodies_mod(plan, &body_modules),
        )
    }));
    for (module, _, models) in &body_modules {
        jobs.push(Box::new(move || {
            one(
                format!("src/bodies/{module}.rs"),
                bodies::body_file(plan, models),
            )
        }));
    }
    for family in &plan.families {
        jobs.push(Box::new(move || {
            one(
                format!("tests/operations/{family}.rs"),
                e2e_tests::family_test_file(plan, family),
            )
        }));
    }
    jobs.push(Box::new(|| {
        one(
            "tests/operations/main.rs".into(),
            e2e_tests::operations_test_main(plan),
        )
    }));
    jobs.push(Box::new(|| {
        one(
            "tests/operations/support.rs".into(),
            e2e_tests::support_module(plan),
        )
    }));
    for family in &plan.families {
        jobs.push(Box::new(move || {
            one(
                format!("src/resources/{family}.rs"),
                client::resource_file(
                    plan,
                    std::slice::from_ref(family),
                    &plan.tree.children[family],
                ),
            )
        }));
    }
    jobs.push(Box::new(|| {
        let resource_mods = plan.families.iter().map(|family| {
            let m = format_ident!("{}", family);
            quote!(#[cfg(feature = #family)] pub mod #m;)
        });
        one(
            "src/resources/mod.rs".into(),
            quote! {
                //! Resource handles, one module per API family (each behind a Cargo feature of its name).
                #(#resource_mods)*
            },
        )
    }));
    let made: Vec<Result<(String, String), String>> = jobs
        .par_iter()
        .map(|job| {
            let (path, text) = job()?;
            Ok((path, format!("{rs_header}{text}")))
        })
        .collect();
    let mut files = FileSet::default();
    for result in made {
        let (path, text) = result?;
        files.insert(&path, text);
    }
    files.insert(
        "Cargo.toml",
        format!("{}{}", header(api, "#"), manifest(plan)),
    );
    for (name, text) in RUNTIME_FILES {
        files.insert(&format!("src/runtime/{name}"), format!("{rs_header}{text}"));
    }
    for (name, text) in EXAMPLE_FILES
        .iter()
        .filter(|(_, text)| example_applies(api, text))
    {
        files.insert(&format!("examples/{name}"), format!("{rs_header}{text}"));
    }
    Ok(files)
}

/// Model modules in the order their first type appears, with their types.
fn model_modules(api: &Api) -> Vec<(&str, Vec<TypeId>)> {
    let mut modules: Vec<(&str, Vec<TypeId>)> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, def) in api.types.iter().enumerate() {
        let slot = *index.entry(def.module.as_str()).or_insert_with(|| {
            modules.push((def.module.as_str(), Vec::new()));
            modules.len() - 1
        });
        modules[slot].1.push(TypeId(i));
    }
    modules
}

/// The families a model module's types are used by; empty when some type is always compiled.
fn module_families(plan: &ClientPlan<'_>, ids: &[TypeId]) -> BTreeSet<String> {
    if ids.iter().any(|id| plan.type_always_compiled(*id)) {
        return BTreeSet::new();
    }
    ids.iter()
        .flat_map(|id| plan.type_families[id.0].iter().cloned())
        .collect()
}

/// One model module: each type behind the `cfg` of the families that use it, where that is
/// narrower than the module's own.
fn model_file(
    plan: &ClientPlan<'_>,
    cx: &models::ModelContext<'_>,
    ids: &[TypeId],
) -> Result<TokenStream, String> {
    let module = module_families(plan, ids);
    let mut items = Vec::new();
    for id in ids {
        let tokens = models::type_item(cx, *id);
        let own = if plan.type_always_compiled(*id) {
            BTreeSet::new()
        } else {
            plan.type_families[id.0].clone()
        };
        if own == module {
            items.push(tokens);
            continue;
        }
        let cfg = bodies::families_cfg(plan, &own);
        let file: syn::File = syn::parse2(tokens).map_err(|err| err.to_string())?;
        for item in file.items {
            items.push(quote!(#cfg #item));
        }
    }
    Ok(quote!(#(#items)*))
}

/// An example names the operations it calls on its first line
/// (`// uses operations: a, b`); it is emitted only for specs that have them all.
fn example_applies(api: &Api, text: &str) -> bool {
    let Some(list) = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("// uses operations:"))
    else {
        return true;
    };
    list.split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .all(|id| {
            api.operations
                .iter()
                .any(|op| !op.ignored && op.operation_id == id)
        })
}

/// Macro calls that the emitters write as stand-in traits, so that prettyplease formats their
/// input as items, one per line, rather than as a packed token stream: after formatting, each
/// stand-in's header becomes its call. Only an item starts a line with `trait` (a doc comment
/// starts with `///`, and a string literal keeps its line breaks escaped).
const MACRO_STAND_INS: &[(&str, &str)] = &[
    (
        "trait BodySetters {\n",
        "crate::runtime::request::body_setters! {\n",
    ),
    (
        "trait VariantFrom {\n",
        "crate::runtime::serde_support::variant_from! {\n",
    ),
];

fn with_macro_calls(formatted: String) -> String {
    // A leading line break lets a stand-in on the first line match like any other.
    let text = MACRO_STAND_INS
        .iter()
        .fold(format!("\n{formatted}"), |text, (stand_in, call)| {
            text.replace(&format!("\n{stand_in}"), &format!("\n{call}"))
        });
    text[1..].to_owned()
}

/// Module declarations as `crate::runtime::modules!` calls (`declare` is its `mod`,
/// `pub mod` or `pub use mod`), one call per set of families behind that set's features, so
/// that each module's `cfg` is written once per group rather than once per module.
fn module_groups(
    plan: &ClientPlan<'_>,
    declare: TokenStream,
    modules: impl IntoIterator<Item = (BTreeSet<String>, String)>,
) -> TokenStream {
    let mut groups: BTreeMap<BTreeSet<String>, Vec<syn::Ident>> = BTreeMap::new();
    for (families, module) in modules {
        let always = families.is_empty() || families.len() == plan.families.len();
        let key = if always { BTreeSet::new() } else { families };
        groups
            .entry(key)
            .or_default()
            .push(format_ident!("{}", module));
    }
    let calls = groups.iter().map(|(families, modules)| {
        let cfg = bodies::families_cfg(plan, families);
        quote!(#cfg crate::runtime::modules! { #declare #(#modules),* })
    });
    quote!(#(#calls)*)
}

fn models_mod(plan: &ClientPlan<'_>, modules: &[(&str, Vec<TypeId>)]) -> TokenStream {
    let lints = models::model_lints();
    let mods = module_groups(
        plan,
        quote!(pub use mod),
        modules
            .iter()
            .map(|(m, ids)| (module_families(plan, ids), m.to_string())),
    );
    quote! {
        //! Request and response types, one module per component schema (inline schemas live
        //! beside the schema that holds them); all re-exported here. Types only some API
        //! families use are compiled with those families' features.
        #lints
        #mods
    }
}

fn lib_rs(plan: &ClientPlan<'_>) -> TokenStream {
    let api = plan.api;
    let config = &plan.config;
    // One line: a title with line breaks could start a doctest fence in the crate docs.
    let one_line = crate::neutralise::one_line;
    let title = format!(
        " Rust SDK for the {} ({}).",
        one_line(&api.title),
        one_line(&api.version)
    );
    let example = [
        " ```no_run".to_owned(),
        format!(
            " # async fn run() -> Result<(), {}::Error> {{",
            config.crate_ident()
        ),
        format!(
            " let client = {}::Client::from_env()?; // {}, optional {}",
            config.crate_ident(),
            config.token_env,
            config.team_env
        ),
        " # let _ = client;".to_owned(),
        " # Ok(())".to_owned(),
        " # }".to_owned(),
        " ```".to_owned(),
    ];
    let error_body = client::error_body_enum(plan);
    quote! {
        #![doc = #title]
        //!
        #(#![doc = #example])*
        #![allow(rustdoc::bare_urls, rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags, rustdoc::invalid_rust_codeblocks)]

        mod bodies;
        mod client;
        pub mod models;
        pub mod operations;
        pub mod resources;
        pub mod runtime;

        pub use runtime::{ApiError, Base64, Client, ClientBuilder, Error, EventStream, FilePart, OptionalNullable, RequestOptions, RetryPolicy};

        #error_body
    }
}

fn client_rs(plan: &ClientPlan<'_>) -> TokenStream {
    let api = plan.api;
    let config = &plan.config;
    let server = &api.server_url;
    let team_header = &config.team_header;
    let user_agent = format!("{}/", config.user_agent);
    let (token_env, team_env) = (&config.token_env, &config.team_env);
    let from_env_doc = format!(
        " A client from `{token_env}` and `{team_env}`, both optional: operations whose spec requires a token fail at call time without one."
    );
    let retry = match &api.retry {
        Some(r) => {
            let (initial, max, elapsed, exponent) = (
                r.initial_interval_ms,
                r.max_interval_ms,
                r.max_elapsed_ms,
                r.exponent,
            );
            let codes = &r.status_codes;
            let connection_errors = r
                .retry_connection_errors
                .map(|retry| quote!(.retry_connection_errors(#retry)));
            quote! {
                crate::RetryPolicy::backoff(
                    ::std::time::Duration::from_millis(#initial),
                    ::std::time::Duration::from_millis(#max),
                    ::std::time::Duration::from_millis(#elapsed),
                    #exponent,
                )
                .status_codes([#(#codes),*])
                #connection_errors
            }
        }
        None => quote!(crate::RetryPolicy::default()),
    };
    let accessors = plan.families.iter().map(|family| {
        let method = crate::rust_syntax::ident(&crate::lower::field_ident(family));
        let handle = format_ident!("{}", crate::plan::handle_name(std::slice::from_ref(family)));
        let module = format_ident!("{}", family);
        let doc = format!(" The `{family}` operations.");
        quote! {
            #[cfg(feature = #family)]
            #[doc = #doc]
            pub fn #method(&self) -> crate::resources::#module::#handle {
                crate::resources::#module::#handle { client: self.clone() }
            }
        }
    });
    quote! {
        //! The spec's defaults and the entry points into the resource tree.

        fn default_retry_policy() -> crate::RetryPolicy {
            #retry
        }

        static SPEC_DEFAULTS: crate::runtime::SpecDefaults = crate::runtime::SpecDefaults {
            server_url: #server,
            retry: default_retry_policy,
            user_agent: ::std::concat!(#user_agent, ::std::env!("CARGO_PKG_VERSION")),
            token_env: #token_env,
            team_env: #team_env,
            team_header: #team_header,
        };

        impl crate::Client {
            /// A builder starting from the spec's defaults (server, retry policy).
            pub fn builder() -> crate::ClientBuilder {
                Self::builder_with(&SPEC_DEFAULTS)
            }

            #[doc = #from_env_doc]
            pub fn from_env() -> Result<Self, crate::Error> {
                Self::from_env_with(&SPEC_DEFAULTS)
            }

            #(#accessors)*
        }
    }
}

fn manifest(plan: &ClientPlan<'_>) -> String {
    let config = &plan.config;
    let families = &plan.families;
    let family_features: String = families.iter().map(|f| format!("{f} = []\n")).collect();
    let default_features: String = families.iter().map(|f| format!(", \"{f}\"")).collect();
    format!(
        r#"[package]
name = {package}
version = {crate_version}
edition = "2024"
rust-version = "1.88"
description = {description}
license = {license}
publish = false

[features]
default = ["rustls-ring", "gzip"{default_features}]
# TLS: rustls with the `ring` provider (default: the quickest to build), rustls with `aws-lc-rs`
# (reqwest's own default, a large C build), or the platform's TLS (OpenSSL on Linux: needs its
# headers, libssl-dev, and pkg-config). Both rustls options verify certificates against the
# platform's roots. With native-tls and a rustls option, native-tls is used; with none, the
# client speaks plain http only (a local container) and https calls fail.
rustls-ring = ["reqwest/rustls-no-provider", "dep:rustls"]
rustls-aws-lc = ["reqwest/rustls"]
native-tls = ["reqwest/native-tls"]
# `rustls-ring` under the name the default TLS feature had before the choice.
rustls = ["rustls-ring"]
# Sends `Accept-Encoding: gzip` and decodes compressed responses.
gzip = ["reqwest/gzip"]
# One `tracing` span per call and an event per retry (never the token or bodies).
tracing = ["dep:tracing"]
# API families: build only what you call.
{family_features}
[dependencies]
base64 = "0.22"
bytes = "1"
chrono = {{ version = "0.4", default-features = false, features = ["std", "serde"] }}
futures-core = "0.3"
futures-util = "0.3"
http = "1"
http-body-util = "0.1"
memchr = "2"
percent-encoding = "2"
fastrand = "2"
reqwest = {{ version = "0.13", default-features = false, features = ["json", "stream", "multipart", "charset", "http2"] }}
rustls = {{ version = "0.23", optional = true, default-features = false, features = ["std", "tls12", "ring"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
serde_path_to_error = "0.1"
tokio = {{ version = "1", features = ["time", "fs"] }}
tracing = {{ version = "0.1", optional = true, default-features = false, features = ["std"] }}

[dev-dependencies]
tokio = {{ version = "1", features = ["macros", "rt-multi-thread", "net", "io-util", "test-util"] }}
wiremock = "0.6"
tempfile = "3"
rcgen = {{ version = "0.14", default-features = false, features = ["crypto", "ring"] }}
futures-util = "0.3"
"#,
        package = crate::neutralise::toml_string(&config.package),
        license = crate::neutralise::toml_string(&config.license),
        description = crate::neutralise::toml_string(&format!(
            "Rust SDK for the {} (spec version {}), generated by friendli-codegen",
            plan.api.title, plan.api.version
        )),
        crate_version = crate::neutralise::toml_string(&config.crate_version),
    )
}

/// The models as one file for `include!` at a crate root (the `build.rs` use): `models`, the
/// serde support module and its re-exports, nothing that needs the HTTP runtime.
pub fn emit_models_module(plan: &ClientPlan<'_>) -> Result<String, String> {
    let api = plan.api;
    if api.types.iter().any(|def| matches!(&def.kind, TypeKind::Struct(s) if s.fields.iter().any(|f| f.ty == TypeRef::File))) {
        return Err("this spec has multipart file fields, which need the HTTP runtime: generate the whole crate with `write_crate` instead of `models_rs`".into());
    }
    let cx = models::ModelContext {
        types: &api.types,
        defaultable: &plan.defaultable,
        with_runtime: false,
    };
    let items = (0..api.types.len()).map(|i| models::type_item(&cx, TypeId(i)));
    let lints = models::model_lints();
    let models = with_macro_calls(format_file(
        "models",
        quote! {
            #lints
            #(#items)*
        },
    )?);
    let serde_support = RUNTIME_FILES
        .iter()
        .find(|(name, _)| *name == "serde_support.rs")
        .map(|(_, text)| *text)
        .unwrap_or_default();
    Ok(format!(
        "{}pub mod models {{\n{models}}}\npub mod runtime {{\npub mod serde_support {{\n{serde_support}}}\n}}\npub use runtime::serde_support::{{Base64, OptionalNullable}};\n",
        header(api, "//")
    ))
}

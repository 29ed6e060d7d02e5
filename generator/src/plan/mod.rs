//! The client plan: everything the Rust and docs emitters both need to know about the client,
//! decided once from the IR. Per operation: its module, builder and parameter-struct names,
//! resource path, positional inputs and setters with their presence, body kind and the
//! `stream` flag it pins, typed errors; per type: `Default`, constructor arguments, which API
//! families use it; per body model: its shared setters; and the resource tree. The emitters
//! read the plan and never call each other.

pub mod defaults;
pub mod errors;
pub mod inputs;
pub mod mock;
pub mod resources;
pub mod sample;

use std::collections::BTreeSet;

use heck::ToUpperCamelCase;

use crate::config::Config;
use crate::ir::*;
pub use defaults::{defaultable_types, filled_by_default, has_default};
pub use errors::{StatusMatch, TypedError};
pub use inputs::{Input, InputKind, Presence};
pub use resources::{ResourceNode, handle_name};

/// The plan of the whole client.
pub struct ClientPlan<'a> {
    pub api: &'a Api,
    pub config: Config,
    /// Generated (not ignored) operations, in the spec's order.
    pub operations: Vec<OperationPlan<'a>>,
    pub tree: ResourceNode<'a>,
    /// The API families (top-level resources), in the spec's order; each is a Cargo feature.
    pub families: Vec<String>,
    /// Error schema → `ErrorBody` variant name.
    pub error_variants: Vec<(TypeRef, String)>,
    /// Per type: whether it implements `Default`.
    pub defaultable: Vec<bool>,
    /// Per type: the families whose operations reach it (through parameters, bodies,
    /// responses and typed errors, following fields, items and variants).
    pub type_families: Vec<BTreeSet<String>>,
    /// Per type: the families whose features compile it; empty when it is always compiled
    /// (no operation reaches it, so nothing says which feature it belongs to). Everything an
    /// always-compiled type names is always compiled too.
    pub type_features: Vec<BTreeSet<String>>,
    /// The struct bodies operations send, once each, with the setters all of them share.
    pub body_models: Vec<BodyModelPlan<'a>>,
}

/// One operation as the client exposes it.
pub struct OperationPlan<'a> {
    pub op: &'a Operation,
    /// The module under `operations/` (decided in lowering).
    pub module: String,
    /// The public builder type: `<Module>Request`.
    pub builder: String,
    /// The parameter struct that implements `runtime::Operation`: `<Module>`.
    pub params_type: String,
    /// The Cargo feature the operation lives behind (its top-level resource).
    pub family: String,
    /// Inputs in positional order, then the setters.
    pub inputs: Vec<Input<'a>>,
    pub body: BodyPlan<'a>,
    pub typed_errors: Vec<TypedError>,
}

/// What an operation sends as its body.
pub enum BodyPlan<'a> {
    None,
    /// A struct whose fields have setters (shared per model, see [`BodyModelPlan`]).
    Model {
        id: TypeId,
        model: &'a Struct,
        multipart: bool,
        /// The `stream` field and the value the operation pins it to.
        pinned: Option<(&'a Field, bool)>,
    },
    /// A body given whole: positional when required, a `body(..)` setter when optional.
    Whole {
        body: &'a RequestBody,
        /// The top-level `stream` flag pinned while encoding (see `whole_body_stream_flag`).
        stream_flag: Option<bool>,
    },
}

/// A struct body and the setters of its optional fields, emitted once for every operation
/// that sends it.
pub struct BodyModelPlan<'a> {
    pub id: TypeId,
    pub model: &'a Struct,
    pub setters: Vec<Input<'a>>,
    /// The families of the operations that send it.
    pub families: BTreeSet<String>,
}

impl<'a> OperationPlan<'a> {
    pub fn required_inputs(&self) -> impl Iterator<Item = &Input<'a>> {
        self.inputs.iter().filter(|i| i.required())
    }

    pub fn setters(&self) -> impl Iterator<Item = &Input<'a>> {
        self.inputs.iter().filter(|i| !i.required())
    }

    /// Optional parameters and an optional whole body: the setters that are this operation's
    /// own (body field setters belong to the model).
    pub fn own_setters(&self) -> impl Iterator<Item = &Input<'a>> {
        self.setters()
            .filter(|i| !matches!(i.kind, InputKind::Field(_)))
    }
}

impl ClientPlan<'_> {
    pub fn operation(&self, op: &Operation) -> &OperationPlan<'_> {
        self.operations
            .iter()
            .find(|p| std::ptr::eq(p.op, op))
            .expect("every generated operation has a plan")
    }

    /// Whether code for type `id` is compiled with every feature set (no `cfg` needed).
    pub fn type_always_compiled(&self, id: TypeId) -> bool {
        let families = &self.type_features[id.0];
        families.is_empty() || families.len() == self.families.len()
    }
}

/// The public builder type of an operation.
pub fn builder_name(op: &Operation) -> String {
    format!("{}Request", op.module.to_upper_camel_case())
}

/// Decides the client from the IR and the configuration.
pub fn plan<'a>(api: &'a Api, config: &Config) -> ClientPlan<'a> {
    let types = &api.types;
    let tree = resources::resource_tree(api);
    let families = tree.child_order.clone();
    let error_variants = errors::error_variants(api);
    let operations: Vec<OperationPlan<'a>> = api
        .operations
        .iter()
        .filter(|o| !o.ignored)
        .map(|op| operation_plan(op, types, &error_variants))
        .collect();
    let type_families = type_families(api, &operations);
    let type_features = type_features(api, &operations, &type_families);
    let body_models = body_models(&operations);
    ClientPlan {
        api,
        config: config.clone(),
        operations,
        tree,
        families,
        error_variants,
        defaultable: defaultable_types(types),
        type_families,
        type_features,
        body_models,
    }
}

fn operation_plan<'a>(
    op: &'a Operation,
    types: &'a [TypeDef],
    error_variants: &[(TypeRef, String)],
) -> OperationPlan<'a> {
    let body = match (inputs::body_struct(op, types), &op.body) {
        (Some((id, model)), Some(b)) => BodyPlan::Model {
            id,
            model,
            multipart: b.content_type == BodyKind::Multipart,
            pinned: model
                .fields
                .iter()
                .find_map(|f| Some((f, inputs::forced_stream_flag(op, f)?))),
        },
        (_, Some(body)) => BodyPlan::Whole {
            body,
            stream_flag: inputs::whole_body_stream_flag(op, types),
        },
        (_, None) => BodyPlan::None,
    };
    OperationPlan {
        op,
        module: op.module.clone(),
        builder: builder_name(op),
        // Through the one type-name sanitiser: an operation `self` names `SelfType`.
        params_type: crate::lower::type_name_ident(&op.module),
        family: op.resource[0].clone(),
        inputs: inputs::inputs(op, types),
        body,
        typed_errors: errors::typed_errors(op, error_variants),
    }
}

fn body_models<'a>(operations: &[OperationPlan<'a>]) -> Vec<BodyModelPlan<'a>> {
    let mut models: Vec<BodyModelPlan<'a>> = Vec::new();
    for plan in operations {
        let BodyPlan::Model { id, model, .. } = plan.body else {
            continue;
        };
        if let Some(existing) = models.iter_mut().find(|m| m.id == id) {
            existing.families.insert(plan.family.clone());
            continue;
        }
        let setters = plan
            .setters()
            .filter(|i| matches!(i.kind, InputKind::Field(_)))
            .cloned()
            .collect();
        models.push(BodyModelPlan {
            id,
            model,
            setters,
            families: BTreeSet::from([plan.family.clone()]),
        });
    }
    models
}

/// Per type, the families whose operations reach it through parameters, bodies, responses
/// and typed errors, following fields, items and variants.
fn type_families(api: &Api, operations: &[OperationPlan<'_>]) -> Vec<BTreeSet<String>> {
    let types = &api.types;
    let mut families = vec![BTreeSet::new(); types.len()];
    for plan in operations {
        let op = plan.op;
        let mut roots: Vec<&TypeRef> = op.parameters.iter().map(|p| &p.ty).collect();
        roots.extend(op.body.iter().map(|b| &b.ty));
        match &op.response {
            Response::Json { ty, .. } | Response::EventStream { ty, .. } => roots.push(ty),
            Response::Empty { .. } => {}
        }
        roots.extend(op.errors.iter().filter_map(|e| e.ty.as_ref()));
        let mut stack: Vec<TypeId> = Vec::new();
        for root in roots {
            named_in(root, &mut stack);
        }
        reach(types, stack, &plan.family, &mut families);
    }
    families
}

fn type_features(
    api: &Api,
    operations: &[OperationPlan<'_>],
    type_families: &[BTreeSet<String>],
) -> Vec<BTreeSet<String>> {
    let types = &api.types;
    let mut families = type_families.to_vec();
    // A type no operation reaches is always compiled, and so must be everything it names.
    let always: Vec<TypeId> = (0..types.len())
        .filter(|i| families[*i].is_empty())
        .map(TypeId)
        .collect();
    let mut seeds = Vec::new();
    for id in always {
        seeds.extend(referenced(&types[id.0].kind));
    }
    let all: BTreeSet<&String> = operations.iter().map(|p| &p.family).collect();
    for family in all {
        reach(types, seeds.clone(), family, &mut families);
    }
    families
}

/// Adds `family` to every type reachable from `stack`.
fn reach(
    types: &[TypeDef],
    mut stack: Vec<TypeId>,
    family: &str,
    families: &mut [BTreeSet<String>],
) {
    while let Some(id) = stack.pop() {
        if !families[id.0].insert(family.to_owned()) {
            continue;
        }
        stack.extend(referenced(&types[id.0].kind));
    }
}

/// The named types a type's definition refers to directly.
fn referenced(kind: &TypeKind) -> Vec<TypeId> {
    let mut out = Vec::new();
    match kind {
        TypeKind::Struct(s) => {
            for f in &s.fields {
                named_in(&f.ty, &mut out);
            }
            if let Some(extra) = &s.additional {
                named_in(extra, &mut out);
            }
        }
        TypeKind::Enum(_) => {}
        TypeKind::TaggedUnion(u) => out.extend(u.variants.iter().map(|v| v.ty)),
        TypeKind::UntaggedUnion(u) => {
            for v in &u.variants {
                named_in(&v.ty, &mut out);
            }
        }
        TypeKind::Alias(ty) => named_in(ty, &mut out),
    }
    out
}

fn named_in(ty: &TypeRef, out: &mut Vec<TypeId>) {
    match ty {
        TypeRef::Named(id) => out.push(*id),
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
            named_in(inner, out)
        }
        TypeRef::Tuple(items) => items.iter().for_each(|t| named_in(t, out)),
        _ => {}
    }
}

//! Operation changes (calls, arguments, setters, responses, errors, servers) and crate-wide
//! ones (features, `ErrorBody`, defaults).

use std::collections::BTreeSet;

use super::crate_view::{ApiView, Arg, OperationView};
use super::{CRATE_SECTION, Change, Class, Line, Recorder, Subject, line};

/// `client.a().b().method(x, y)`.
fn call_text(op: &OperationView<'_>) -> String {
    let args: Vec<&str> = op.positional.iter().map(|a| a.name.as_str()).collect();
    format!("{}({})", op.call, args.join(", "))
}

fn route(op: &OperationView<'_>) -> String {
    format!("{} {}", op.op.method.as_str(), op.op.path)
}

/// The recorder of an operation's changes; `renamed_from` is its old id when that differs.
fn recorder(op: &OperationView<'_>, renamed_from: Option<String>, link: bool) -> Recorder {
    Recorder::new(
        &op.family,
        Subject::Operation {
            operation_id: op.op.operation_id.clone(),
            call: op.call.clone(),
            renamed_from,
        },
        &call_text(op),
        op.link.clone().filter(|_| link),
    )
}

/// An operation that exists on one side only.
fn one_sided(op: &OperationView<'_>, added: bool) -> Vec<Change> {
    let (class, kind, what) = match (added, op.streaming_twin) {
        (true, true) => (
            Class::Additive,
            "streaming-twin-added",
            "new streaming variant",
        ),
        (true, false) => (Class::Additive, "operation-added", "new operation"),
        (false, true) => (
            Class::Breaking,
            "streaming-twin-removed",
            "streaming variant removed",
        ),
        (false, false) => (Class::Breaking, "operation-removed", "operation removed"),
    };
    // A removed operation has no page in the new crate.
    let mut rec = recorder(op, None, added);
    rec.push(
        class,
        kind,
        line().text(what).text(" (").code(route(op)).text(")"),
        None,
    );
    rec.out
}

pub(crate) fn compare(old: &ApiView<'_>, new: &ApiView<'_>) -> Vec<Change> {
    let mut out = Vec::new();
    let (pairs, removed, added) = match_operations(old, new);
    for &o in &removed {
        out.extend(one_sided(&old.operations[o], false));
    }
    for &n in &added {
        out.extend(one_sided(&new.operations[n], true));
    }
    for (o, n) in pairs {
        out.extend(compare_operation(&old.operations[o], &new.operations[n]));
    }
    out
}

/// Pairs by operation id; operations whose id changed are paired by HTTP method and path key.
fn match_operations(
    old: &ApiView<'_>,
    new: &ApiView<'_>,
) -> (Vec<(usize, usize)>, Vec<usize>, Vec<usize>) {
    let mut pairs = Vec::new();
    let mut used_new = BTreeSet::new();
    let mut unmatched_old = Vec::new();
    for (i, o) in old.operations.iter().enumerate() {
        match new
            .operations
            .iter()
            .position(|n| n.op.operation_id == o.op.operation_id)
        {
            Some(j) => {
                pairs.push((i, j));
                used_new.insert(j);
            }
            None => unmatched_old.push(i),
        }
    }
    let mut removed = Vec::new();
    for i in unmatched_old {
        let o = &old.operations[i];
        match new.operations.iter().enumerate().position(|(j, n)| {
            !used_new.contains(&j) && n.op.method == o.op.method && n.op.path_key == o.op.path_key
        }) {
            Some(j) => {
                pairs.push((i, j));
                used_new.insert(j);
            }
            None => removed.push(i),
        }
    }
    let added = (0..new.operations.len())
        .filter(|j| !used_new.contains(j))
        .collect();
    (pairs, removed, added)
}

fn compare_operation(old: &OperationView<'_>, new: &OperationView<'_>) -> Vec<Change> {
    let renamed_from =
        (old.op.operation_id != new.op.operation_id).then(|| old.op.operation_id.clone());
    let mut rec = recorder(new, renamed_from, true);
    if old.call != new.call {
        rec.push(
            Class::Breaking,
            "operation-renamed",
            line().text("renamed from ").code(call_text(old)),
            None,
        );
    }
    if old.op.operation_id != new.op.operation_id {
        rec.push(
            Class::Breaking,
            "builder-renamed",
            line()
                .text("request builder ")
                .code(crate::plan::builder_name(old.op))
                .text(" is now ")
                .code(crate::plan::builder_name(new.op)),
            Some(line().text("only code that names the builder type breaks")),
        );
    }
    if route(old) != route(new) {
        rec.push(
            Class::DocsOnly,
            "route-changed",
            line()
                .text("sends ")
                .code(route(new))
                .text(" instead of ")
                .code(route(old)),
            Some(line().text("no change to the Rust API")),
        );
    }
    compare_arguments(&mut rec, old, new);
    if old.response != new.response {
        rec.push(
            Class::Breaking,
            "response-type-changed",
            line()
                .code("send()")
                .text(" returns ")
                .code(&new.response)
                .text(" instead of ")
                .code(&old.response),
            None,
        );
    }
    let statuses: BTreeSet<&String> = old.errors.keys().chain(new.errors.keys()).collect();
    for status in statuses {
        let summary = match (old.errors.get(status), new.errors.get(status)) {
            (Some(a), Some(b)) if a == b => continue,
            (Some(a), Some(b)) => line()
                .text("typed error for status ")
                .code(status)
                .text(" is ")
                .code(b)
                .text(" instead of ")
                .code(a),
            (None, Some(b)) => line()
                .text("typed error for status ")
                .code(status)
                .text(": ")
                .code(b),
            (Some(a), None) => line()
                .text("no typed error for status ")
                .code(status)
                .text(" (was ")
                .code(a)
                .text(")"),
            (None, None) => continue,
        };
        rec.on(status).push(
            Class::DocsOnly,
            "typed-error-changed",
            summary,
            Some(
                line()
                    .text("decoded into ")
                    .code("ApiError::typed")
                    .text(" at run time; the Rust API is unchanged"),
            ),
        );
    }
    if old.server != new.server {
        rec.push(
            Class::DocsOnly,
            "server-changed",
            line()
                .text("default server ")
                .code(&new.server)
                .text(" instead of ")
                .code(&old.server),
            None,
        );
    }
    if old.op.summary != new.op.summary || old.op.description != new.op.description {
        rec.push(
            Class::DocsOnly,
            "docs-changed",
            line().text("documentation changed"),
            None,
        );
    }
    rec.out
}

fn arg_text(a: &Arg) -> String {
    format!("{}: {}", a.name, a.ty)
}

fn setter_text(name: &str, ty: &str) -> String {
    if ty.is_empty() {
        format!(".{name}()")
    } else {
        format!(".{name}({ty})")
    }
}

fn compare_arguments(rec: &mut Recorder, old: &OperationView<'_>, new: &OperationView<'_>) {
    let (op, np) = (&old.positional, &new.positional);
    let types = |args: &[Arg]| args.iter().map(|a| a.ty.clone()).collect::<Vec<_>>();
    if op != np && types(op) == types(np) {
        rec.push(
            Class::DocsOnly,
            "argument-renamed",
            line()
                .text("positional arguments renamed (types and order unchanged) from ")
                .code(call_text(old)),
            None,
        );
    } else if op != np {
        for (k, arg) in np.iter().enumerate() {
            if op.iter().any(|a| a.name == arg.name) {
                continue;
            }
            let position = format!(" (position {})", k + 1);
            if let Some(ty) = old.setters.get(&arg.name) {
                rec.on(&arg.name).push(
                    Class::Breaking,
                    "argument-now-required",
                    line()
                        .text("the setter ")
                        .code(setter_text(&arg.name, ty))
                        .text(" became the required argument ")
                        .code(arg_text(arg))
                        .text(&position),
                    None,
                );
            } else {
                rec.on(&arg.name).push(
                    Class::Breaking,
                    "argument-added",
                    line()
                        .text("new required argument ")
                        .code(arg_text(arg))
                        .text(&position),
                    Some(line().text("every existing call must pass it")),
                );
            }
        }
        for arg in op {
            if np.iter().any(|a| a.name == arg.name) {
                continue;
            }
            if let Some(ty) = new.setters.get(&arg.name) {
                rec.on(&arg.name).push(
                    Class::Breaking,
                    "argument-now-optional",
                    line()
                        .text("the required argument ")
                        .code(arg_text(arg))
                        .text(" became optional: set it with ")
                        .code(setter_text(&arg.name, ty)),
                    None,
                );
            } else {
                rec.on(&arg.name).push(
                    Class::Breaking,
                    "argument-removed",
                    line()
                        .text("required argument ")
                        .code(arg_text(arg))
                        .text(" removed"),
                    None,
                );
            }
        }
        for arg in np {
            if let Some(before) = op.iter().find(|a| a.name == arg.name && a.ty != arg.ty) {
                rec.on(&arg.name).push(
                    Class::Breaking,
                    "argument-type-changed",
                    line()
                        .text("argument ")
                        .code(&arg.name)
                        .text(" takes ")
                        .code(&arg.ty)
                        .text(" instead of ")
                        .code(&before.ty),
                    None,
                );
            }
        }
        let common = |args: &[Arg], other: &[Arg]| -> Vec<String> {
            args.iter()
                .filter(|a| other.iter().any(|b| b.name == a.name))
                .map(|a| a.name.clone())
                .collect()
        };
        if common(op, np) != common(np, op) {
            rec.push(
                Class::Breaking,
                "arguments-reordered",
                line()
                    .text("positional arguments reordered, from ")
                    .code(call_text(old)),
                None,
            );
        }
    }
    for (name, ty) in &new.setters {
        match old.setters.get(name) {
            Some(before) if before != ty => rec.on(name).push(
                Class::Breaking,
                "setter-type-changed",
                line()
                    .text("setter ")
                    .code(setter_text(name, ty))
                    .text(" instead of ")
                    .code(setter_text(name, before)),
                None,
            ),
            Some(_) => {}
            None if op.iter().any(|a| &a.name == name) => {}
            None => rec.on(name).push(
                Class::Additive,
                "setter-added",
                line().text("new setter ").code(setter_text(name, ty)),
                None,
            ),
        }
    }
    for (name, ty) in &old.setters {
        if !new.setters.contains_key(name) && !np.iter().any(|a| &a.name == name) {
            rec.on(name).push(
                Class::Breaking,
                "setter-removed",
                line()
                    .text("setter ")
                    .code(setter_text(name, ty))
                    .text(" removed"),
                None,
            );
        }
    }
}

/// Cargo features, `ErrorBody`, the spec's defaults.
pub(crate) fn compare_crate(old: &ApiView<'_>, new: &ApiView<'_>) -> Vec<Change> {
    let mut out = Vec::new();
    let mut push = |class, kind, member: Option<&str>, summary: Line, note: Option<Line>| {
        out.push(Change {
            class,
            section: CRATE_SECTION.into(),
            subject: Subject::Crate,
            kind,
            member: member.map(str::to_owned),
            summary,
            note,
            link: None,
        })
    };
    for family in new.families.iter().filter(|f| !old.families.contains(f)) {
        push(
            Class::Additive,
            "feature-added",
            Some(family),
            line()
                .text("new API family and Cargo feature ")
                .code(family)
                .text(" (on by default)"),
            None,
        );
    }
    for family in old.families.iter().filter(|f| !new.families.contains(f)) {
        push(
            Class::Breaking,
            "feature-removed",
            Some(family),
            line()
                .text("API family and Cargo feature ")
                .code(family)
                .text(" removed"),
            Some(line().text("a dependency that names the feature no longer resolves")),
        );
    }
    for variant in new
        .error_variants
        .iter()
        .filter(|v| !old.error_variants.contains(v))
    {
        push(
            Class::Additive,
            "error-body-variant-added",
            Some(variant),
            line()
                .text("new typed error ")
                .code(format!("ErrorBody::{variant}")),
            Some(
                line()
                    .code("ErrorBody")
                    .text(" is ")
                    .code("#[non_exhaustive]"),
            ),
        );
    }
    for variant in old
        .error_variants
        .iter()
        .filter(|v| !new.error_variants.contains(v))
    {
        push(
            Class::Breaking,
            "error-body-variant-removed",
            Some(variant),
            line()
                .text("typed error ")
                .code(format!("ErrorBody::{variant}"))
                .text(" removed"),
            None,
        );
    }
    if old.api.server_url != new.api.server_url {
        push(
            Class::DocsOnly,
            "server-changed",
            None,
            line()
                .text("default server ")
                .code(&new.api.server_url)
                .text(" instead of ")
                .code(&old.api.server_url),
            None,
        );
    }
    if old.api.retry != new.api.retry {
        push(
            Class::DocsOnly,
            "retry-defaults-changed",
            None,
            line().text("the spec's default retry policy changed"),
            None,
        );
    }
    if old.api.version != new.api.version {
        push(
            Class::DocsOnly,
            "spec-version-changed",
            None,
            line()
                .text("spec version ")
                .code(&new.api.version)
                .text(" (was ")
                .code(&old.api.version)
                .text(")"),
            None,
        );
    }
    out
}

//! Model changes: types added, removed or renamed; struct fields (with what a change of
//! required/nullable does to the Rust type), constructors and `Default`; enum values; union
//! variants; aliases.

use std::collections::BTreeSet;

use super::crate_view::{ApiView, Arg, FieldView, TypeView};
use super::{Change, Class, Line, MODELS_SECTION, Recorder, Subject, line};
use crate::ir::*;

fn kind_name(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "struct",
        TypeKind::Enum(_) => "enum",
        TypeKind::TaggedUnion(_) => "tagged union enum",
        TypeKind::UntaggedUnion(_) => "untagged union enum",
        TypeKind::Alias(_) => "type alias",
    }
}

/// What a type is to the code that uses it: a named alias (a merged inline type, a streaming
/// twin) has the fields, values and variants of the type it names, and is compared as that.
fn through_aliases<'v, 'a>(api: &'v ApiView<'a>, view: &'v TypeView<'a>) -> &'v TypeView<'a> {
    let TypeKind::Alias(ty) = &view.def.kind else {
        return view;
    };
    match crate::ir::through_aliases(ty, &api.api.types) {
        TypeRef::Named(id) => api.type_named(&api.api.types[id.0].name).unwrap_or(view),
        _ => view,
    }
}

fn with_article(kind: &str) -> String {
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {kind}")
}

fn section(view: &TypeView<'_>) -> String {
    match view.families.len() {
        1 => view.families.iter().next().cloned().unwrap_or_default(),
        _ => MODELS_SECTION.into(),
    }
}

fn recorder(view: &TypeView<'_>, link: bool) -> Recorder {
    Recorder::new(
        &section(view),
        Subject::Model {
            name: view.def.name.clone(),
        },
        &view.def.name,
        link.then(|| view.link.clone()),
    )
}

/// A match arm adds no protection: these enums are not `#[non_exhaustive]`.
fn exhaustive_match_note(name: &str) -> Line {
    line()
        .text("a ")
        .code("match")
        .text(" on ")
        .code(name)
        .text(" without a ")
        .code("_")
        .text(" arm must handle it (the enum is not ")
        .code("#[non_exhaustive]")
        .text(")")
}

pub(crate) fn compare(old: &ApiView<'_>, new: &ApiView<'_>) -> Vec<Change> {
    let mut out = Vec::new();
    let removed: Vec<&TypeView<'_>> = old
        .types
        .iter()
        .filter(|t| new.type_named(&t.def.name).is_none())
        .collect();
    let added: Vec<&TypeView<'_>> = new
        .types
        .iter()
        .filter(|t| old.type_named(&t.def.name).is_none())
        .collect();
    // A type whose schema stayed where it was but whose name changed is a rename.
    let renamed: Vec<(&TypeView<'_>, &TypeView<'_>)> = removed
        .iter()
        .filter_map(|o| {
            let candidates: Vec<&&TypeView<'_>> = added
                .iter()
                .filter(|n| {
                    n.def.pointer == o.def.pointer
                        && kind_name(&through_aliases(new, n).def.kind)
                            == kind_name(&through_aliases(old, o).def.kind)
                })
                .collect();
            match candidates[..] {
                [n] => Some((*o, *n)),
                _ => None,
            }
        })
        .collect();
    let renamed_old: BTreeSet<&str> = renamed.iter().map(|(o, _)| o.def.name.as_str()).collect();
    let renamed_new: BTreeSet<&str> = renamed.iter().map(|(_, n)| n.def.name.as_str()).collect();

    for view in added
        .iter()
        .filter(|t| !renamed_new.contains(t.def.name.as_str()))
    {
        let mut rec = recorder(view, true);
        rec.push(
            Class::Additive,
            "type-added",
            line()
                .text("new ")
                .text(kind_name(&through_aliases(new, view).def.kind)),
            None,
        );
        out.extend(rec.out);
    }
    for view in removed
        .iter()
        .filter(|t| !renamed_old.contains(t.def.name.as_str()))
    {
        let mut rec = recorder(view, false);
        rec.push(
            Class::Breaking,
            "type-removed",
            line()
                .text(kind_name(&through_aliases(old, view).def.kind))
                .text(" removed"),
            None,
        );
        out.extend(rec.out);
    }
    for (o, n) in &renamed {
        let mut rec = recorder(n, true);
        rec.on(&o.def.name).push(
            Class::Breaking,
            "type-renamed",
            line().text("renamed from ").code(&o.def.name),
            None,
        );
        compare_type(&mut rec, o, n, old, new);
        out.extend(rec.out);
    }
    for n in &new.types {
        let Some(o) = old.type_named(&n.def.name) else {
            continue;
        };
        let mut rec = recorder(n, true);
        compare_type(&mut rec, o, n, old, new);
        out.extend(rec.out);
    }
    out
}

fn compare_type(
    rec: &mut Recorder,
    o: &TypeView<'_>,
    n: &TypeView<'_>,
    old: &ApiView<'_>,
    new: &ApiView<'_>,
) {
    let name = &n.def.name;
    let (o, n) = (through_aliases(old, o), through_aliases(new, n));
    match (&o.def.kind, &n.def.kind) {
        (TypeKind::Struct(_), TypeKind::Struct(_)) => compare_struct(rec, o, n),
        (TypeKind::Enum(a), TypeKind::Enum(b)) => compare_enum(rec, name, a, b),
        (TypeKind::TaggedUnion(a), TypeKind::TaggedUnion(b)) => {
            compare_tagged(rec, name, (o.def, a), (n.def, b), old, new)
        }
        (TypeKind::UntaggedUnion(_), TypeKind::UntaggedUnion(_)) => {
            compare_untagged(rec, name, o.def, n.def, old, new)
        }
        (TypeKind::Alias(a), TypeKind::Alias(b)) => {
            let (a, b) = (old.type_text(a), new.type_text(b));
            if a != b {
                rec.push(
                    Class::Breaking,
                    "alias-changed",
                    line()
                        .text("now an alias of ")
                        .code(b)
                        .text(" instead of ")
                        .code(a),
                    None,
                );
            }
        }
        (a, b) => rec.push(
            Class::Breaking,
            "type-kind-changed",
            line()
                .text("now ")
                .text(&with_article(kind_name(b)))
                .text(", was ")
                .text(&with_article(kind_name(a))),
            None,
        ),
    }
    match (o.default_impl, n.default_impl) {
        (true, false) => rec.push(
            Class::Breaking,
            "default-removed",
            line().text("no longer implements ").code("Default"),
            None,
        ),
        (false, true) => rec.push(
            Class::Additive,
            "default-added",
            line().text("now implements ").code("Default"),
            None,
        ),
        _ => {}
    }
    // Fields added or removed are reported as such; only the docs of kept fields count here.
    let field_docs_changed = n.fields.iter().any(|f| {
        o.fields
            .iter()
            .find(|g| field_key(g) == field_key(f))
            .is_some_and(|g| {
                g.field.and_then(|g| g.docs.as_ref()) != f.field.and_then(|f| f.docs.as_ref())
            })
    });
    if o.def.docs != n.def.docs || field_docs_changed {
        rec.push(
            Class::DocsOnly,
            "docs-changed",
            line().text("documentation changed"),
            None,
        );
    }
}

fn field_key<'f>(f: &'f FieldView<'_>) -> &'f str {
    f.field.map_or("", |f| f.wire_name.as_str())
}

/// How a field is declared, in words: `required`, `optional, nullable`, ...
fn presence(f: &FieldView<'_>) -> String {
    match f.field {
        Some(f) => format!(
            "{}{}",
            if f.required { "required" } else { "optional" },
            if f.nullable { " and nullable" } else { "" }
        ),
        None => "flattened map".into(),
    }
}

fn args_text(name: &str, args: &[Arg]) -> String {
    let args: Vec<&str> = args.iter().map(|a| a.name.as_str()).collect();
    format!("{name}::new({})", args.join(", "))
}

fn compare_struct(rec: &mut Recorder, o: &TypeView<'_>, n: &TypeView<'_>) {
    let name = &n.def.name;
    let before = rec.breaking_count();
    for f in &n.fields {
        match o.fields.iter().find(|g| field_key(g) == field_key(f)) {
            None if n.constructor.iter().any(|a| a.name == f.name) => rec.on(&f.name).push(
                Class::Breaking,
                "field-added-required",
                line()
                    .text("new required field ")
                    .code(format!("{}: {}", f.name, f.ty)),
                Some(
                    line()
                        .code(format!("{name}::new(..)"))
                        .text(" takes it as a new argument; struct literals must set it"),
                ),
            ),
            None => rec.on(&f.name).push(
                Class::Additive,
                "field-added",
                line()
                    .text("new ")
                    .text(&presence(f))
                    .text(" field ")
                    .code(format!("{}: {}", f.name, f.ty)),
                Some(
                    line()
                        .code(format!("{name}::new(..)"))
                        .text(" is unaffected; a struct literal ")
                        .code(format!("{name} {{ .. }}"))
                        .text(" without ")
                        .code("..Default::default()")
                        .text(" or an exhaustive pattern must name it"),
                ),
            ),
            Some(g) => compare_field(rec, g, f),
        }
    }
    for g in o
        .fields
        .iter()
        .filter(|g| !n.fields.iter().any(|f| field_key(f) == field_key(g)))
    {
        rec.on(&g.name).push(
            Class::Breaking,
            "field-removed",
            line()
                .text("field ")
                .code(format!("{}: {}", g.name, g.ty))
                .text(" removed"),
            None,
        );
    }
    if rec.breaking_count() == before && o.constructor != n.constructor {
        rec.push(
            Class::Breaking,
            "constructor-changed",
            line()
                .code(args_text(name, &n.constructor))
                .text(" instead of ")
                .code(args_text(name, &o.constructor)),
            None,
        );
    }
}

fn compare_field(rec: &mut Recorder, g: &FieldView<'_>, f: &FieldView<'_>) {
    if g.name != f.name {
        rec.on(&g.name).push(
            Class::Breaking,
            "field-renamed",
            line()
                .text("field ")
                .code(&g.name)
                .text(" is now ")
                .code(&f.name),
            None,
        );
    }
    if g.ty != f.ty {
        let (was, is) = (presence(g), presence(f));
        let note = (was != is).then(|| {
            line()
                .text("was ")
                .text(&was)
                .text(", is ")
                .text(&is)
                .text("; code reading or setting the field must change")
        });
        rec.on(&g.name).push(
            Class::Breaking,
            "field-type-changed",
            line()
                .text("field ")
                .code(&f.name)
                .text(" is ")
                .code(&f.ty)
                .text(" instead of ")
                .code(&g.ty),
            note,
        );
        return;
    }
    let (Some(a), Some(b)) = (g.field, f.field) else {
        return;
    };
    if a.required != b.required || a.nullable != b.nullable {
        rec.on(&g.name).push(
            Class::DocsOnly,
            "field-presence-changed",
            line()
                .text("field ")
                .code(&f.name)
                .text(" is ")
                .text(&presence(f))
                .text(", was ")
                .text(&presence(g)),
            Some(line().text("same Rust type")),
        );
    }
    if a.default != b.default {
        rec.on(&g.name).push(
            Class::DocsOnly,
            "field-default-changed",
            line()
                .text("default of field ")
                .code(&f.name)
                .text(" changed"),
            None,
        );
    }
}

fn compare_enum(rec: &mut Recorder, name: &str, a: &Enum, b: &Enum) {
    for v in &b.values {
        match a.values.iter().find(|w| w.wire == v.wire) {
            None => rec.on(&v.rust_name).push(
                Class::Additive,
                "enum-value-added",
                line()
                    .text("new value ")
                    .code(format!("{name}::{}", v.rust_name))
                    .text(" (")
                    .code(&v.wire)
                    .text(")"),
                Some(
                    line()
                        .text("it arrived as ")
                        .code(format!("{name}::{}(..)", b.unknown_variant))
                        .text(" before; ")
                        .append(exhaustive_match_note(name)),
                ),
            ),
            Some(w) if w.rust_name != v.rust_name => rec.on(&w.rust_name).push(
                Class::Breaking,
                "enum-variant-renamed",
                line()
                    .code(format!("{name}::{}", w.rust_name))
                    .text(" is now ")
                    .code(format!("{name}::{}", v.rust_name)),
                None,
            ),
            Some(_) => {}
        }
    }
    for w in a
        .values
        .iter()
        .filter(|w| !b.values.iter().any(|v| v.wire == w.wire))
    {
        rec.on(&w.rust_name).push(
            Class::Breaking,
            "enum-value-removed",
            line()
                .text("value ")
                .code(format!("{name}::{}", w.rust_name))
                .text(" (")
                .code(&w.wire)
                .text(") removed"),
            Some(
                line()
                    .text("the value now arrives as ")
                    .code(format!("{name}::{}(..)", b.unknown_variant)),
            ),
        );
    }
    if a.unknown_variant != b.unknown_variant {
        rec.on(&a.unknown_variant).push(
            Class::Breaking,
            "enum-variant-renamed",
            line()
                .code(format!("{name}::{}", a.unknown_variant))
                .text(" is now ")
                .code(format!("{name}::{}", b.unknown_variant)),
            None,
        );
    }
    if a.default.is_some() && b.default.is_some() && a.default != b.default {
        rec.push(
            Class::DocsOnly,
            "default-changed",
            line()
                .code(format!("{name}::default()"))
                .text(" is ")
                .code(b.default.clone().unwrap_or_default())
                .text(" instead of ")
                .code(a.default.clone().unwrap_or_default()),
            None,
        );
    }
}

fn compare_variants(
    rec: &mut Recorder,
    name: &str,
    old: &[(String, String)],
    new: &[(String, String)],
) {
    for (variant, ty) in new {
        match old.iter().find(|(v, _)| v == variant) {
            None => rec.on(variant).push(
                Class::Additive,
                "union-variant-added",
                line()
                    .text("new variant ")
                    .code(format!("{name}::{variant}({ty})")),
                Some(exhaustive_match_note(name)),
            ),
            Some((_, before)) if before != ty => rec.on(variant).push(
                Class::Breaking,
                "union-variant-type-changed",
                line()
                    .text("variant ")
                    .code(format!("{name}::{variant}"))
                    .text(" holds ")
                    .code(ty)
                    .text(" instead of ")
                    .code(before),
                None,
            ),
            Some(_) => {}
        }
    }
    for (variant, ty) in old.iter().filter(|(v, _)| !new.iter().any(|(w, _)| w == v)) {
        rec.on(variant).push(
            Class::Breaking,
            "union-variant-removed",
            line()
                .text("variant ")
                .code(format!("{name}::{variant}({ty})"))
                .text(" removed"),
            None,
        );
    }
}

fn compare_tagged(
    rec: &mut Recorder,
    name: &str,
    (o, a): (&TypeDef, &TaggedUnion),
    (n, b): (&TypeDef, &TaggedUnion),
    old: &ApiView<'_>,
    new: &ApiView<'_>,
) {
    compare_variants(rec, name, &old.union_variants(o), &new.union_variants(n));
    let tags = |u: &TaggedUnion| -> Vec<(String, Vec<String>)> {
        u.variants
            .iter()
            .map(|v| (v.rust_name.clone(), v.tags.clone()))
            .collect()
    };
    if a.tag != b.tag || tags(a) != tags(b) {
        rec.push(
            Class::DocsOnly,
            "union-tags-changed",
            line()
                .text("the tag values (property ")
                .code(&b.tag)
                .text(") that select the variants changed"),
            Some(line().text("wire format only")),
        );
    }
}

fn compare_untagged(
    rec: &mut Recorder,
    name: &str,
    o: &TypeDef,
    n: &TypeDef,
    old: &ApiView<'_>,
    new: &ApiView<'_>,
) {
    let (va, vb) = (old.union_variants(o), new.union_variants(n));
    compare_variants(rec, name, &va, &vb);
    let order = |vs: &[(String, String)], other: &[(String, String)]| -> Vec<String> {
        vs.iter()
            .filter(|(v, _)| other.iter().any(|(w, _)| w == v))
            .map(|(v, _)| v.clone())
            .collect()
    };
    if order(&va, &vb) != order(&vb, &va) {
        rec.push(
            Class::DocsOnly,
            "union-order-changed",
            line().text("variants are tried in a different order when decoding"),
            None,
        );
    }
}

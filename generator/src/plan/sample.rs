//! Minimal values that are valid for a type: what tests send and answer with when the spec
//! gives no example. Required fields only, first enum value, first union variant; a field's
//! `pattern`, `format`, lengths and bounds are honoured ([`constrained`]), so a validating
//! server accepts what the tests and docs send.
//!
//! Recursive types end: near the top a value shows the shape (one list item, the first
//! variant); past [`SHAPE_DEPTH`], or once [`NODE_BUDGET`] values are built, every choice
//! follows [`Heights`] to the smallest value (empty lists and maps, `null`, the union member
//! that ends soonest), which lowering guarantees exists and nests at most `MAX_HEIGHT` deep.

use std::cell::Cell;

use serde_json::{Map, Value, json};

use crate::finite::{Heights, MAX_HEIGHT};
use crate::ir::*;

/// Nesting that shows a type's shape before the value turns to the smallest one.
const SHAPE_DEPTH: usize = 12;

/// Values built before the rest turns to the smallest one (wide recursive types grow fast).
const NODE_BUDGET: usize = 2_000;

pub fn sample(ty: &TypeRef, types: &[TypeDef], depth: usize) -> Value {
    let sampler = Sampler {
        types,
        heights: Heights::reachable(ty, types),
        built: Cell::new(0),
    };
    sampler.value(ty, depth)
}

/// The smallest valid value of a type.
pub fn smallest(ty: &TypeRef, types: &[TypeDef]) -> Value {
    sample(ty, types, SHAPE_DEPTH + 1)
}

struct Sampler<'a> {
    types: &'a [TypeDef],
    heights: Heights,
    built: Cell<usize>,
}

impl Sampler<'_> {
    fn value(&self, ty: &TypeRef, depth: usize) -> Value {
        // Unreachable for lowered types (their smallest values are shallower); a guard.
        if depth > SHAPE_DEPTH + MAX_HEIGHT + 1 {
            return Value::Null;
        }
        self.built.set(self.built.get() + 1);
        let smallest = depth > SHAPE_DEPTH || self.built.get() > NODE_BUDGET;
        let types = self.types;
        // An alias adds no level to a value: a merged inline type samples as the type itself.
        match through_aliases(ty, types) {
            TypeRef::String => json!("sample"),
            TypeRef::Integer { .. } => json!(1),
            TypeRef::Number => json!(0.5),
            TypeRef::Boolean => json!(true),
            TypeRef::DateTime => json!("2026-01-02T03:04:05Z"),
            TypeRef::Base64 => json!("c2FtcGxl"),
            TypeRef::File | TypeRef::Any => json!({}),
            // Past the top levels an empty array ends recursive shapes (`children: [Node]`).
            TypeRef::Array(_) if depth > 3 || smallest => json!([]),
            TypeRef::Array(item) => json!([self.value(item, depth + 1)]),
            TypeRef::Tuple(items) => {
                Value::Array(items.iter().map(|t| self.value(t, depth + 1)).collect())
            }
            TypeRef::Map(_) if smallest => json!({}),
            TypeRef::Map(value) => json!({ "key": self.value(value, depth + 1) }),
            TypeRef::Nullable(_) if smallest => Value::Null,
            TypeRef::Nullable(inner) => self.value(inner, depth + 1),
            TypeRef::Named(id) => match &types[id.0].kind {
                TypeKind::Struct(s) => {
                    let mut object = Map::new();
                    for f in s.fields.iter().filter(|f| f.required) {
                        let value = if f.nullable && (depth > 4 || smallest) {
                            Value::Null
                        } else {
                            constrained(self.value(&f.ty, depth + 1), &f.constraints)
                        };
                        object.insert(f.wire_name.clone(), value);
                    }
                    Value::Object(object)
                }
                TypeKind::Enum(e) => e
                    .values
                    .first()
                    .map(|v| json!(v.wire))
                    .unwrap_or(json!("sample")),
                TypeKind::TaggedUnion(u) => {
                    match self.choose(&u.variants, smallest, |v| TypeRef::Named(v.ty)) {
                        Some(v) => {
                            let mut value = self.value(&TypeRef::Named(v.ty), depth + 1);
                            if let Value::Object(object) = &mut value {
                                object.insert(u.tag.clone(), json!(v.tags[0]));
                            }
                            value
                        }
                        None => json!({}),
                    }
                }
                TypeKind::UntaggedUnion(u) => self
                    .choose(&u.variants, smallest, |v| v.ty.clone())
                    .map(|v| self.value(&v.ty, depth + 1))
                    .unwrap_or(Value::Null),
                TypeKind::Alias(inner) => self.value(inner, depth + 1),
            },
        }
    }

    /// The first variant that has a finite value, or when `smallest`, the one that ends soonest.
    fn choose<'v, V>(
        &self,
        variants: &'v [V],
        smallest: bool,
        ty: impl Fn(&V) -> TypeRef,
    ) -> Option<&'v V> {
        let height = |v: &&V| self.heights.of_ref(&ty(v));
        if smallest {
            variants
                .iter()
                .filter(|v| height(v).is_some())
                .min_by_key(|v| height(v))
                .or(variants.first())
        } else {
            variants
                .iter()
                .find(|v| height(v).is_some())
                .or(variants.first())
        }
    }
}

/// `value` made to satisfy the constraints it breaks (a value that satisfies them is kept):
/// a string of the `format`, a match of the `pattern`, the length, number and item bounds.
pub fn constrained(value: Value, c: &Constraints) -> Value {
    match value {
        Value::String(s) => Value::String(constrained_string(s, c)),
        Value::Number(n) => constrained_number(n, c),
        Value::Array(mut items) => {
            if let (Some(min), Some(last)) = (c.min_items, items.last().cloned()) {
                while (items.len() as u64) < min {
                    items.push(last.clone());
                }
            }
            if let Some(max) = c.max_items {
                items.truncate(usize::try_from(max).unwrap_or(usize::MAX));
            }
            Value::Array(items)
        }
        other => other,
    }
}

fn constrained_string(mut s: String, c: &Constraints) -> String {
    if let Some(format) = &c.format
        && let Some((valid, example)) = FORMATS
            .iter()
            .find(|(name, _)| name == format)
            .map(|(_, f)| *f)
        && !valid(&s)
    {
        s = example.to_owned();
    }
    if let Some(pattern) = &c.pattern {
        if !matches(pattern, &s)
            && let Some(generated) = pattern_match(pattern)
        {
            s = generated;
        }
        return s;
    }
    let len = s.chars().count() as u64;
    if let Some(min) = c.min_length.filter(|min| len < *min) {
        s.extend(std::iter::repeat_n('x', (min - len) as usize));
    }
    if let Some(max) = c.max_length.filter(|max| len > *max) {
        s = s.chars().take(max as usize).collect();
    }
    s
}

type FormatCheck = (fn(&str) -> bool, &'static str);

/// Formats with a recognisable shape: how to tell one, and a value of it.
const FORMATS: &[(&str, FormatCheck)] = &[
    ("uri", (|s| s.contains("://"), "https://example.com")),
    ("url", (|s| s.contains("://"), "https://example.com")),
    ("email", (|s| s.contains('@'), "user@example.com")),
    (
        "uuid",
        (
            |s| s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4,
            "00000000-0000-4000-8000-000000000000",
        ),
    ),
    (
        "date",
        (|s| s.len() == 10 && s.as_bytes()[4] == b'-', "2026-01-02"),
    ),
    (
        "hostname",
        (|s| !s.is_empty() && !s.contains(' '), "example.com"),
    ),
    ("ipv4", (|s| s.split('.').count() == 4, "127.0.0.1")),
];

fn constrained_number(n: serde_json::Number, c: &Constraints) -> Value {
    let below = |v: f64, b: &Bound| {
        let lo = b.value.as_f64().unwrap_or(f64::MIN);
        v < lo || (b.exclusive && v == lo)
    };
    let above = |v: f64, b: &Bound| {
        let hi = b.value.as_f64().unwrap_or(f64::MAX);
        v > hi || (b.exclusive && v == hi)
    };
    let v = n.as_f64().unwrap_or(0.0);
    let low = c.minimum.as_ref().filter(|b| below(v, b));
    let high = c.maximum.as_ref().filter(|b| above(v, b));
    if low.is_none() && high.is_none() {
        return Value::Number(n);
    }
    let lo = c.minimum.as_ref().and_then(|b| b.value.as_f64());
    let hi = c.maximum.as_ref().and_then(|b| b.value.as_f64());
    if n.is_f64() {
        let value = match (lo, hi) {
            (Some(lo), Some(hi)) => (lo + hi) / 2.0,
            (Some(lo), None) => lo + 1.0,
            (None, Some(hi)) => hi - 1.0,
            (None, None) => v,
        };
        return json!(value);
    }
    // An integer: the nearest one inside the bounds.
    let value = match (low, high) {
        (Some(b), _) => {
            let lo = lo.unwrap_or(0.0).ceil();
            if b.exclusive && Some(lo) == b.value.as_f64() {
                lo + 1.0
            } else {
                lo
            }
        }
        (None, Some(b)) => {
            let hi = hi.unwrap_or(0.0).floor();
            if b.exclusive && Some(hi) == b.value.as_f64() {
                hi - 1.0
            } else {
                hi
            }
        }
        (None, None) => v,
    };
    json!(value as i64)
}

fn matches(pattern: &str, s: &str) -> bool {
    regex::Regex::new(pattern).is_ok_and(|re| re.is_match(s))
}

/// A short string matching `pattern` (ECMA-262 as JSON Schema writes it, read by the `regex`
/// crate): the first alternative, each repetition at its minimum (at least once), a class's
/// most ordinary member. `None` when the pattern is beyond that (the `regex` crate cannot
/// read it, or the result does not match).
pub fn pattern_match(pattern: &str) -> Option<String> {
    let hir = regex_syntax::parse(pattern).ok()?;
    let mut out = String::new();
    write_match(&hir, &mut out)?;
    matches(pattern, &out).then_some(out)
}

fn write_match(hir: &regex_syntax::hir::Hir, out: &mut String) -> Option<()> {
    use regex_syntax::hir::{Class, HirKind};
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(std::str::from_utf8(&literal.0).ok()?),
        HirKind::Class(Class::Unicode(class)) => out.push(ordinary(
            class.ranges().iter().map(|r| (r.start(), r.end())),
        )?),
        HirKind::Class(Class::Bytes(class)) => out.push(ordinary(
            class
                .ranges()
                .iter()
                .filter(|r| r.start().is_ascii())
                .map(|r| (char::from(r.start()), char::from(r.end().min(0x7f)))),
        )?),
        HirKind::Repetition(rep) => {
            let times = rep.min.max(1).min(rep.max.unwrap_or(u32::MAX));
            for _ in 0..times {
                write_match(&rep.sub, out)?;
            }
        }
        HirKind::Capture(capture) => write_match(&capture.sub, out)?,
        HirKind::Concat(parts) => {
            for part in parts {
                write_match(part, out)?;
            }
        }
        HirKind::Alternation(choices) => write_match(choices.first()?, out)?,
    }
    Some(())
}

/// `a`, `0` or `A` when the class has it, else its first printable member.
fn ordinary(ranges: impl Iterator<Item = (char, char)> + Clone) -> Option<char> {
    let has = |c: char| ranges.clone().any(|(lo, hi)| lo <= c && c <= hi);
    ['a', '0', 'A'].into_iter().find(|c| has(*c)).or_else(|| {
        ranges
            .clone()
            .flat_map(|(lo, hi)| lo..=hi)
            .find(|c| !c.is_control())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finite::test_types::*;

    /// `Tree { children: [Tree], next: Tree | string }`, both required.
    fn tree() -> Vec<TypeDef> {
        let me = || TypeRef::Named(TypeId(0));
        vec![
            def(
                "Tree",
                object(vec![
                    field("children", TypeRef::Array(Box::new(me())), true, false),
                    field("next", TypeRef::Named(TypeId(1)), true, false),
                ]),
            ),
            def("Next", or_string(me())),
        ]
    }

    fn depth(value: &Value) -> usize {
        match value {
            Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
            Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
            _ => 0,
        }
    }

    #[test]
    fn recursive_samples_end_with_the_shortest_way_out() {
        let types = tree();
        let value = sample(&TypeRef::Named(TypeId(0)), &types, 0);
        // The first member (`Tree`) shows the shape near the top; deeper down the string ends it.
        assert!(value["next"].is_object(), "{value}");
        assert!(depth(&value) <= SHAPE_DEPTH + 2, "{value}");
        let mut innermost = &value;
        while innermost["next"].is_object() {
            innermost = &innermost["next"];
        }
        assert_eq!(innermost["next"], json!("sample"), "{value}");
        assert_eq!(
            smallest(&TypeRef::Named(TypeId(0)), &types),
            json!({"children": [], "next": "sample"})
        );
    }

    fn string(
        pattern: Option<&str>,
        format: Option<&str>,
        min: Option<u64>,
        max: Option<u64>,
    ) -> Constraints {
        Constraints {
            pattern: pattern.map(str::to_owned),
            format: format.map(str::to_owned),
            min_length: min,
            max_length: max,
            ..Constraints::default()
        }
    }

    #[test]
    fn strings_follow_pattern_format_and_length() {
        let digest = string(Some("^[a-zA-Z0-9_+.-]+:[a-fA-F0-9]+$"), None, None, None);
        assert_eq!(constrained(json!("sample"), &digest), json!("a:a"));
        assert_eq!(
            constrained(json!("sha256:ab12"), &digest),
            json!("sha256:ab12")
        );
        assert_eq!(
            pattern_match("^(foo|bar)-[0-9]{3}$").as_deref(),
            Some("foo-000")
        );
        assert_eq!(
            pattern_match("^x(?=y)"),
            None,
            "look-ahead is beyond the regex crate"
        );
        let uri = string(None, Some("uri"), Some(1), None);
        assert_eq!(
            constrained(json!("sample"), &uri),
            json!("https://example.com")
        );
        let at_least_8 = string(None, None, Some(8), None);
        assert_eq!(constrained(json!("sample"), &at_least_8), json!("samplexx"));
        let at_most_3 = string(None, None, None, Some(3));
        assert_eq!(constrained(json!("sample"), &at_most_3), json!("sam"));
        let unknown = string(None, Some("unheard-of"), None, None);
        assert_eq!(constrained(json!("sample"), &unknown), json!("sample"));
    }

    #[test]
    fn numbers_and_arrays_follow_bounds() {
        let bound = |v: Value, exclusive| {
            Some(Bound {
                value: serde_json::from_value(v).unwrap(),
                exclusive,
            })
        };
        let range = |lo, hi| Constraints {
            minimum: lo,
            maximum: hi,
            ..Constraints::default()
        };
        let at_least_5 = range(bound(json!(5), false), None);
        assert_eq!(constrained(json!(1), &at_least_5), json!(5));
        let above_1 = range(bound(json!(1), true), None);
        assert_eq!(constrained(json!(1), &above_1), json!(2));
        let at_most_0 = range(None, bound(json!(0), false));
        assert_eq!(constrained(json!(1), &at_most_0), json!(0));
        let zero_to_ten = range(bound(json!(0), false), bound(json!(10), false));
        assert_eq!(constrained(json!(1), &zero_to_ten), json!(1));
        let one_to_two = range(bound(json!(1), false), bound(json!(2), false));
        assert_eq!(constrained(json!(0.5), &one_to_two), json!(1.5));
        let below_half = range(None, bound(json!(0.5), true));
        assert_eq!(constrained(json!(0.5), &below_half), json!(-0.5));
        let items = Constraints {
            min_items: Some(3),
            ..Constraints::default()
        };
        assert_eq!(constrained(json!([1]), &items), json!([1, 1, 1]));
    }

    /// Every sample struct of the real spec and the fixtures satisfies its schema's patterns,
    /// formats, lengths and bounds, checked by an independent JSON Schema validator.
    #[test]
    fn samples_satisfy_their_schemas() {
        use jsonschema::error::ValidationErrorKind as Kind;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut specs = vec![root.join("../shared/spec/friendli-openapi.yaml")];
        specs.extend(
            std::fs::read_dir(root.join("spec/fixtures"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "yaml")),
        );
        let mut checked = 0;
        let mut problems = Vec::new();
        for spec in specs {
            let generator = crate::Generator::from_path(&spec).unwrap_or_else(|e| panic!("{e}"));
            let doc = &generator.spec().root;
            let types = &generator.api().types;
            for (id, def) in types.iter().enumerate() {
                if !matches!(def.kind, TypeKind::Struct(_)) {
                    continue;
                }
                let Some(mut schema) = doc.pointer(&def.pointer).cloned() else {
                    continue;
                };
                // `$ref`s inside point into the document's components.
                if let Value::Object(object) = &mut schema {
                    let components = doc.get("components").cloned().unwrap_or_default();
                    object.insert("components".into(), components);
                }
                let validator = jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .should_validate_formats(true)
                    .build(&schema)
                    .unwrap_or_else(|e| panic!("{}: {e}", def.pointer));
                let value = sample(&TypeRef::Named(TypeId(id)), types, 0);
                checked += 1;
                for err in validator.iter_errors(&value) {
                    if matches!(
                        err.kind(),
                        Kind::Pattern { .. }
                            | Kind::Format { .. }
                            | Kind::MinLength { .. }
                            | Kind::MaxLength { .. }
                            | Kind::Minimum { .. }
                            | Kind::Maximum { .. }
                            | Kind::ExclusiveMinimum { .. }
                            | Kind::ExclusiveMaximum { .. }
                            | Kind::MinItems { .. }
                            | Kind::MaxItems { .. }
                    ) {
                        problems.push(format!(
                            "{} {}: {err} at {}",
                            spec.display(),
                            def.name,
                            err.instance_path()
                        ));
                    }
                }
            }
        }
        assert!(checked > 200, "{checked} samples checked");
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

//! A deterministic spec mutator: one seed, one mutant. It damages an OpenAPI document the ways a
//! careless or hostile author would (references, types, unions, names, strings, paths,
//! discriminators, security, nesting) so the CLI can be checked to end with a crate or located
//! errors on every one. Shared by `generator/tests/mutation.rs` and `cargo xtask fuzz`.

use serde_json::{Map, Value, json};

/// SplitMix64: small, fast and the same on every platform, so a seed names one mutant forever.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x5DEE_CE66_D1CE_5EED)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.below(items.len())])
        }
    }
}

/// Names that are valid to some naming code and not to rustc, a file system or a reader.
pub fn odd_names() -> Vec<String> {
    let mut names: Vec<String> = [
        "x²",
        "create½",
        "Ⅻ",
        "٣abc",
        "🚀",
        "a🚀b",
        "é",
        "ß",
        "İstanbul",
        "ǅ",
        "type",
        "self",
        "Self",
        "crate",
        "super",
        "fn",
        "r#type",
        "async",
        "",
        " ",
        "1",
        "_",
        "__",
        "a-b",
        "a.b",
        "A/B",
        "a~b",
        "../../etc",
        "con",
        "NUL",
        "a\u{0}b",
        "x\ny",
        "\u{202E}evil",
        "\"quoted\"",
        "String",
        "Option",
        "Result",
        "Box",
        "Vec",
        "models",
        "runtime",
        "lib",
        "mod",
        "Client",
        "Error",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    names.push("VeryLong".repeat(38));
    names.push(format!("getFoo{}", "x".repeat(290)));
    names
}

/// Strings that end a comment, a TOML string, a markdown block or a page early.
pub fn hostile_strings() -> Vec<String> {
    [
        "\"\n[dependencies.evil]\npath = \"/tmp/evil\"\n",
        "\"\"\"\nevil = 1",
        "```\nfn main() { std::process::exit(3) }\n```",
        "```rust\nassert!(false);\n```",
        "    assert!(false); // indented code",
        "<script>alert(1)</script>",
        "</details><details open>",
        "<!-- unterminated",
        "*/ /* */ //! inner",
        "\u{202E}reversed",
        "nul\u{0}byte",
        "\r\ncrlf\rcr",
        "| a | b |\n|---|---|",
        "# heading\n## another",
        "[link](javascript:alert(1))",
        "{{ template }} {% raw %}",
        "\\u0000 \\n \\\" \\\\",
        "#[doc = \"x\"] #![allow(warnings)]",
        "r#\"raw\"# \"#",
        "💥 한국어 x² ½",
        "\t\ttabs\t",
        "",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect()
}

/// What one mutation did, for the failure report.
pub type Log = Vec<String>;

/// Applies 1 to 3 mutations chosen by `seed` and returns what was done.
pub fn mutate(doc: &mut Value, seed: u64) -> Log {
    let mut rng = Rng::new(seed);
    let mut log = Log::new();
    let count = 1 + rng.below(3);
    for _ in 0..count {
        let kind = rng.below(KINDS.len());
        let (name, apply) = KINDS[kind];
        match apply(doc, &mut rng) {
            Some(detail) => log.push(format!("{name}: {detail}")),
            None => log.push(format!("{name}: no site")),
        }
    }
    log
}

type Mutation = fn(&mut Value, &mut Rng) -> Option<String>;

/// The mutation kinds, weighted by repetition: recursion, references and names matter most.
const KINDS: &[(&str, Mutation)] = &[
    ("ref-delete", ref_delete),
    ("ref-missing", ref_missing),
    ("ref-non-schema", ref_non_schema),
    ("ref-non-schema", ref_non_schema),
    ("ref-duplicate", ref_duplicate),
    ("recursion", recursion),
    ("recursion", recursion),
    ("recursion", recursion),
    ("recursion", recursion),
    ("ref-to-ancestor", ref_to_ancestor),
    ("ref-to-ancestor", ref_to_ancestor),
    ("type-change", type_change),
    ("type-change", type_change),
    ("combinator", combinator),
    ("combinator", combinator),
    ("enum", enum_values),
    ("required", required),
    ("rename-schema", rename_schema),
    ("rename-schema", rename_schema),
    ("rename-property", rename_property),
    ("rename-operation", rename_operation),
    ("rename-tag", rename_tag),
    ("hostile-string", hostile_string),
    ("hostile-string", hostile_string),
    ("path-template", path_template),
    ("discriminator", discriminator),
    ("security", security),
    ("deep-nesting", deep_nesting),
    ("node-type", node_type),
    ("example", example),
];

// ------------------------------------------------------------------------------------------
// Sites

/// JSON pointer tokens of every node, parents before children.
fn paths(doc: &Value) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![(Vec::new(), doc)];
    while let Some((path, node)) = stack.pop() {
        match node {
            Value::Object(map) => {
                for (k, v) in map.iter().rev() {
                    let mut p = path.clone();
                    p.push(k.clone());
                    stack.push((p, v));
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate().rev() {
                    let mut p = path.clone();
                    p.push(i.to_string());
                    stack.push((p, v));
                }
            }
            _ => {}
        }
        out.push(path);
    }
    out
}

fn get<'a>(doc: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(doc, |node, token| match node {
        Value::Object(map) => map.get(token),
        Value::Array(items) => items.get(token.parse::<usize>().ok()?),
        _ => None,
    })
}

fn get_mut<'a>(doc: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(doc, |node, token| match node {
        Value::Object(map) => map.get_mut(token),
        Value::Array(items) => items.get_mut(token.parse::<usize>().ok()?),
        _ => None,
    })
}

fn pointer(path: &[String]) -> String {
    path.iter()
        .map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// A random node (object) for which `keep` holds.
fn pick_object(
    doc: &Value,
    rng: &mut Rng,
    keep: impl Fn(&[String], &Map<String, Value>) -> bool,
) -> Option<Vec<String>> {
    let sites: Vec<Vec<String>> = paths(doc)
        .into_iter()
        .filter(|p| {
            get(doc, p)
                .and_then(Value::as_object)
                .is_some_and(|o| keep(p, o))
        })
        .collect();
    rng.pick(&sites).cloned()
}

fn in_schemas(path: &[String]) -> bool {
    path.len() >= 3 && path[0] == "components" && path[1] == "schemas"
}

/// Nodes that are schemas: under `components/schemas`, or a `schema` of a body or parameter.
fn is_schema(path: &[String], node: &Map<String, Value>) -> bool {
    let schemaish = [
        "type",
        "properties",
        "$ref",
        "items",
        "anyOf",
        "oneOf",
        "allOf",
    ]
    .iter()
    .any(|k| node.contains_key(*k));
    schemaish && (in_schemas(path) || path.iter().any(|t| t == "schema"))
}

fn component_names(doc: &Value) -> Vec<String> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn component_mut<'a>(doc: &'a mut Value, name: &str) -> Option<&'a mut Map<String, Value>> {
    doc.get_mut("components")?
        .get_mut("schemas")?
        .get_mut(name)?
        .as_object_mut()
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{}", name.replace('~', "~0").replace('/', "~1")) })
}

// ------------------------------------------------------------------------------------------
// References

fn ref_delete(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_object(doc, rng, |_, o| o.contains_key("$ref"))?;
    get_mut(doc, &path)?.as_object_mut()?.remove("$ref");
    Some(pointer(&path))
}

/// Points a random `$ref` at one of `targets`.
fn retarget(doc: &mut Value, rng: &mut Rng, targets: &[&str]) -> Option<String> {
    let path = pick_object(doc, rng, |_, o| o.contains_key("$ref"))?;
    let target = rng.pick(targets)?.to_string();
    get_mut(doc, &path)?["$ref"] = json!(target);
    Some(format!("{} -> {target:?}", pointer(&path)))
}

fn ref_missing(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let targets = [
        "#/components/schemas/DoesNotExist",
        "#/components/responses/Nope",
        "#/components/parameters/Nope",
        "#/components/schemas/",
        "other.yaml#/components/schemas/X",
        "https://example.com/schema.json",
        "#/components/schemas/%ZZ",
    ];
    retarget(doc, rng, &targets)
}

fn ref_non_schema(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let targets = [
        "#/servers/0/url",
        "#/info",
        "#/info/title",
        "#/paths",
        "#/components/schemas",
        "#",
        "#/",
        "#components/schemas/X",
        "#/openapi",
        "#/components/securitySchemes",
        "#/paths/~1v1~1missing",
        "",
    ];
    retarget(doc, rng, &targets)
}

fn ref_duplicate(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let from = pick_object(doc, rng, |_, o| o.contains_key("$ref"))?;
    let reference = get(doc, &from)?["$ref"].clone();
    let to = pick_object(doc, rng, is_schema)?;
    let node = get_mut(doc, &to)?.as_object_mut()?;
    if rng.chance(50) {
        // `$ref` beside other keywords (3.1 allows it).
        node.insert("$ref".into(), reference.clone());
    } else {
        *node = Map::from_iter([("$ref".to_owned(), reference.clone())]);
    }
    Some(format!("{} = {reference}", pointer(&to)))
}

/// Makes a component schema refer to itself through a property, `items`, a union member or
/// `allOf`, or two schemas refer to each other; sometimes with examples on the way.
fn recursion(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let names = component_names(doc);
    let name = rng.pick(&names)?.clone();
    let other = rng.pick(&names)?.clone();
    let me = schema_ref(&name);
    let shape = rng.below(9);
    let (field, value) = match shape {
        0 => ("self", me.clone()),
        1 => ("children", json!({ "type": "array", "items": me })),
        2 => ("either", json!({ "oneOf": [me, { "type": "string" }] })),
        3 => ("maybe", json!({ "anyOf": [me, { "type": "null" }] })),
        4 => ("only", json!({ "oneOf": [me] })),
        5 => (
            "nested",
            json!({ "type": "object", "properties": { "inner": me } }),
        ),
        6 => (
            "map",
            json!({ "type": "object", "additionalProperties": me }),
        ),
        7 => ("both", json!({ "allOf": [me] })),
        _ => ("pair", json!({ "type": "array", "prefixItems": [me, me] })),
    };
    let object = component_mut(doc, &name)?;
    let how = rng.below(4);
    let detail = match how {
        // The whole schema becomes `allOf: [itself]` (plus what it had).
        0 => {
            let all_of = object.entry("allOf").or_insert_with(|| json!([]));
            if let Some(items) = all_of.as_array_mut() {
                items.push(me.clone());
            }
            "allOf: [self]".to_owned()
        }
        1 => {
            let members = object
                .entry(if rng.chance(50) { "oneOf" } else { "anyOf" })
                .or_insert_with(|| json!([]));
            if let Some(items) = members.as_array_mut() {
                items.push(me.clone());
                items.push(
                    json!({ "type": "object", "properties": { "leaf": { "type": "string" } } }),
                );
            }
            "oneOf/anyOf: [self, leaf]".to_owned()
        }
        _ => {
            object.insert("type".into(), json!("object"));
            let properties = object.entry("properties").or_insert_with(|| json!({}));
            if !properties.is_object() {
                *properties = json!({});
            }
            properties[field] = value;
            if how == 3 {
                let required = object.entry("required").or_insert_with(|| json!([]));
                if let Some(items) = required.as_array_mut() {
                    items.push(json!(field));
                }
            }
            format!(
                "property {field} ({})",
                if how == 3 { "required" } else { "optional" }
            )
        }
    };
    if rng.chance(30) {
        // Mutual recursion: the other schema points back.
        if let Some(o) = component_mut(doc, &other) {
            let properties = o.entry("properties").or_insert_with(|| json!({}));
            if let Some(p) = properties.as_object_mut() {
                p.insert("back".into(), schema_ref(&name));
            }
        }
    }
    if rng.chance(40) {
        // A nested example, so example validation and the docs walk the recursion.
        let example = json!({ field: { field: { field: [] } }, "children": [{ "children": [] }] });
        if let Some(o) = component_mut(doc, &name) {
            o.insert("example".into(), example);
        }
    }
    Some(format!(
        "{name}: {detail}, shape {shape}, back from {other}"
    ))
}

/// Points a `$ref` inside a component schema at that component (direct recursion wherever the
/// reference was).
fn ref_to_ancestor(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_object(doc, rng, |p, o| in_schemas(p) && o.contains_key("$ref"))?;
    let name = path[2].clone();
    get_mut(doc, &path)?["$ref"] = schema_ref(&name)["$ref"].clone();
    Some(format!("{} -> {name}", pointer(&path)))
}

// ------------------------------------------------------------------------------------------
// Types and unions

fn type_change(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_object(doc, rng, |_, o| o.contains_key("type"))?;
    let to = rng
        .pick(&[
            json!("string"),
            json!("integer"),
            json!("number"),
            json!("boolean"),
            json!("object"),
            json!("array"),
            json!("null"),
            json!([]),
            json!(["string", "null"]),
            json!(["integer", "string"]),
            json!(["object", "array", "null"]),
            json!("strnig"),
            json!(7),
            json!(null),
            json!({ "type": "string" }),
        ])?
        .clone();
    get_mut(doc, &path)?["type"] = to.clone();
    Some(format!("{} type = {to}", pointer(&path)))
}

fn combinator(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let keys = ["oneOf", "anyOf", "allOf"];
    let path = pick_object(doc, rng, |_, o| keys.iter().any(|k| o.contains_key(*k)))?;
    let node = get_mut(doc, &path)?.as_object_mut()?;
    let key = *keys.iter().find(|k| node.contains_key(**k))?;
    let how = rng.below(5);
    let detail = match how {
        0 => {
            node[key] = json!([]);
            "emptied"
        }
        1 => {
            let items = node[key].as_array().cloned().unwrap_or_default();
            let huge: Vec<Value> = items
                .iter()
                .cycle()
                .take(items.len() * 150)
                .cloned()
                .collect();
            node[key] = Value::Array(huge);
            "repeated 150x"
        }
        2 => {
            node[key] = json!({ "not": "a list" });
            "not a list"
        }
        3 => {
            // Members of conflicting types.
            if let Some(items) = node[key].as_array_mut() {
                items.push(
                    json!({ "type": "object", "properties": { "id": { "type": "integer" } } }),
                );
                items.push(
                    json!({ "type": "object", "properties": { "id": { "type": "string" } } }),
                );
            }
            "conflicting members"
        }
        _ => {
            if let Some(items) = node[key].as_array_mut() {
                items.push(json!(true));
                items.push(json!(null));
                items.push(json!({}));
            }
            "odd members"
        }
    };
    Some(format!("{} {key} {detail}", pointer(&path)))
}

fn enum_values(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_object(doc, rng, |_, o| {
        o.contains_key("enum") || o.contains_key("const")
    })?;
    let names = odd_names();
    let hostile = hostile_strings();
    let node = get_mut(doc, &path)?.as_object_mut()?;
    let how = rng.below(5);
    let detail = match how {
        0 => {
            node.insert("enum".into(), json!([]));
            "empty".to_owned()
        }
        1 => {
            let values: Vec<Value> = (0..500).map(|i| json!(format!("v{i}"))).collect();
            node.insert("enum".into(), Value::Array(values));
            "500 values".to_owned()
        }
        2 => {
            let odd = rng.pick(&names)?.clone();
            let values = json!([odd.clone(), odd.to_uppercase(), odd.to_lowercase(), odd]);
            node.insert("enum".into(), values);
            format!("odd values {odd:?}")
        }
        3 => {
            let s = rng.pick(&hostile)?.clone();
            if node.contains_key("const") {
                node.insert("const".into(), json!(s));
            } else {
                node.insert("enum".into(), json!([s.clone(), "ok"]));
            }
            format!("hostile {s:?}")
        }
        _ => {
            node.insert("enum".into(), json!([1, null, true, {}, [], "s", 1.5]));
            "mixed types".to_owned()
        }
    };
    Some(format!("{} {detail}", pointer(&path)))
}

fn required(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_object(doc, rng, |p, o| {
        (o.contains_key("required") || o.contains_key("properties"))
            && !p.iter().any(|t| t == "parameters")
    })?;
    let node = get_mut(doc, &path)?.as_object_mut()?;
    let how = rng.below(4);
    let detail = match how {
        0 => {
            node.remove("required");
            "dropped all"
        }
        1 => {
            let all: Vec<Value> = node
                .get("properties")
                .and_then(Value::as_object)
                .map(|p| p.keys().map(|k| json!(k)).collect())
                .unwrap_or_default();
            node.insert("required".into(), Value::Array(all));
            "all properties required"
        }
        2 => {
            let required = node.entry("required").or_insert_with(|| json!([]));
            if let Some(items) = required.as_array_mut() {
                items.push(json!("not_a_property"));
                items.push(json!("not_a_property"));
            }
            "missing names added"
        }
        _ => {
            node.insert("required".into(), json!(true));
            "not a list"
        }
    };
    Some(format!("{} required {detail}", pointer(&path)))
}

// ------------------------------------------------------------------------------------------
// Names

/// Rewrites every `$ref` string equal to `from` into `to`.
fn retarget_refs(node: &mut Value, from: &str, to: &str) {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if (k == "$ref" || k == "mapping") && v.as_str() == Some(from) {
                        *v = json!(to);
                    } else {
                        stack.push(v);
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::String(s) if s == from => *s = to.to_owned(),
            _ => {}
        }
    }
}

fn odd_name(doc: &Value, rng: &mut Rng, existing: &[String]) -> String {
    // A case-only twin of an existing name collides on case-insensitive file systems.
    if rng.chance(20)
        && let Some(name) = rng.pick(existing)
    {
        let twin: String = name
            .chars()
            .map(|c| {
                if c.is_uppercase() {
                    c.to_lowercase().next().unwrap_or(c)
                } else {
                    c.to_uppercase().next().unwrap_or(c)
                }
            })
            .collect();
        if twin != *name {
            return twin;
        }
    }
    let _ = doc;
    let names = odd_names();
    let base = rng.pick(&names).cloned().unwrap_or_default();
    if rng.chance(30) {
        format!("{base}{}", rng.below(10))
    } else {
        base
    }
}

fn rename_key(map: &mut Map<String, Value>, from: &str, to: &str) {
    let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
    for (k, v) in entries {
        map.insert(if k == from { to.to_owned() } else { k }, v);
    }
}

fn rename_schema(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let names = component_names(doc);
    let from = rng.pick(&names)?.clone();
    let to = odd_name(doc, rng, &names);
    let schemas = doc.pointer_mut("/components/schemas")?.as_object_mut()?;
    rename_key(schemas, &from, &to);
    let old = schema_ref(&from)["$ref"].as_str()?.to_owned();
    let new = schema_ref(&to)["$ref"].as_str()?.to_owned();
    retarget_refs(doc, &old, &new);
    Some(format!("{from} -> {to:?}"))
}

fn rename_property(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_object(doc, rng, |p, o| {
        p.last().is_some_and(|t| t == "properties") && !o.is_empty()
    })?;
    let keys: Vec<String> = get(doc, &path)?.as_object()?.keys().cloned().collect();
    let from = rng.pick(&keys)?.clone();
    let to = odd_name(doc, rng, &keys);
    rename_key(get_mut(doc, &path)?.as_object_mut()?, &from, &to);
    // Keep `required` in step so the rename is all that changed.
    let mut parent = path.clone();
    parent.pop();
    if let Some(required) = get_mut(doc, &parent)
        .and_then(|p| p.get_mut("required"))
        .and_then(Value::as_array_mut)
    {
        for r in required.iter_mut() {
            if r.as_str() == Some(from.as_str()) {
                *r = json!(to);
            }
        }
    }
    Some(format!("{}/{from} -> {to:?}", pointer(&path)))
}

fn operations(doc: &Value) -> Vec<Vec<String>> {
    let methods = [
        "get", "put", "post", "delete", "patch", "options", "head", "trace",
    ];
    let mut out = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (key, item) in paths {
            for method in methods {
                if item.get(method).is_some_and(Value::is_object) {
                    out.push(vec!["paths".to_owned(), key.clone(), method.to_owned()]);
                }
            }
        }
    }
    out
}

fn rename_operation(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let ops = operations(doc);
    let path = rng.pick(&ops)?.clone();
    let ids: Vec<String> = ops
        .iter()
        .filter_map(|p| get(doc, p)?.get("operationId")?.as_str().map(str::to_owned))
        .collect();
    let to = if rng.chance(25)
        && let Some(other) = rng.pick(&ids)
    {
        // Two operations with one id.
        other.clone()
    } else {
        odd_name(doc, rng, &ids)
    };
    let op = get_mut(doc, &path)?.as_object_mut()?;
    op.insert("operationId".into(), json!(to));
    if rng.chance(50) {
        op.insert(
            "x-speakeasy-name-override".into(),
            json!(odd_name(&Value::Null, rng, &[])),
        );
    }
    Some(format!("{} operationId = {to:?}", pointer(&path)))
}

fn rename_tag(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let ops = operations(doc);
    let path = rng.pick(&ops)?.clone();
    let to = match rng.below(5) {
        0 => json!([]),
        4 => json!([rng.pick(&hostile_strings())?.clone()]),
        1 => json!([format!(
            "{}.{}",
            odd_name(doc, rng, &[]),
            odd_name(doc, rng, &[])
        )]),
        2 => json!(["...", "a..b"]),
        _ => json!([odd_name(doc, rng, &[])]),
    };
    get_mut(doc, &path)?["tags"] = to.clone();
    Some(format!("{} tags = {to}", pointer(&path)))
}

// ------------------------------------------------------------------------------------------
// Strings

fn hostile_string(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let keys = [
        "description",
        "summary",
        "title",
        "example",
        "default",
        "url",
        "name",
        "version",
    ];
    let path = pick_object(doc, rng, |_, o| keys.iter().any(|k| o.contains_key(*k)))?;
    let s = rng.pick(&hostile_strings())?.clone();
    let node = get_mut(doc, &path)?.as_object_mut()?;
    let present: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| node.contains_key(*k))
        .collect();
    let key = rng.pick(&present)?.to_string();
    let value = if rng.chance(20) {
        json!(s.repeat(50))
    } else {
        json!(s)
    };
    node.insert(key.clone(), value);
    Some(format!("{}/{key} = {s:?}", pointer(&path)))
}

// ------------------------------------------------------------------------------------------
// Paths, discriminators, security

fn path_template(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let keys: Vec<String> = doc.get("paths")?.as_object()?.keys().cloned().collect();
    let from = rng.pick(&keys)?.clone();
    let to = match rng.below(7) {
        0 => format!("{from}/{{{{id"),
        1 => format!("{from}/{{}}/y"),
        2 => format!("{from}/{{undeclared}}"),
        3 => from.replace('{', ""),
        4 => format!("{from}}}"),
        5 => format!("{from}/{{x²}}/{{x²}}"),
        _ => "no-leading-slash/{id}".to_owned(),
    };
    let paths = doc.get_mut("paths")?.as_object_mut()?;
    rename_key(paths, &from, &to);
    Some(format!("{from:?} -> {to:?}"))
}

fn discriminator(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let existing = pick_object(doc, rng, |_, o| o.contains_key("discriminator"));
    let path = match existing {
        Some(p) => p,
        None => pick_object(doc, rng, |_, o| {
            o.contains_key("oneOf") || o.contains_key("anyOf")
        })?,
    };
    let node = get_mut(doc, &path)?.as_object_mut()?;
    let disc = node
        .entry("discriminator")
        .or_insert_with(|| json!({ "propertyName": "type" }));
    // An earlier mutation may have left something else there.
    if !disc.is_object() {
        *disc = json!({ "propertyName": "type" });
    }
    let how = rng.below(5);
    let detail = match how {
        0 => {
            let mapping = disc
                .as_object_mut()?
                .entry("mapping")
                .or_insert_with(|| json!({}));
            match mapping.as_object_mut() {
                Some(m) if !m.is_empty() => {
                    let k = m.keys().next()?.clone();
                    m.insert(k, json!("#/components/schemas/Gone"));
                }
                _ => *mapping = json!({ "x": "#/components/schemas/Gone" }),
            }
            "mapping target missing"
        }
        1 => {
            disc["mapping"] = json!({ "y": "#/info", "z": "NotASchemaName" });
            "mapping to non-schemas"
        }
        2 => {
            disc.as_object_mut()?.remove("propertyName");
            "no propertyName"
        }
        3 => {
            disc["propertyName"] = json!("not_a_property");
            "propertyName not a property"
        }
        _ => {
            *disc = json!("a string");
            "not an object"
        }
    };
    Some(format!("{} {detail}", pointer(&path)))
}

fn security(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let ops = operations(doc);
    let how = rng.below(4);
    let value = match how {
        0 => json!([{ "undefinedScheme": [] }]),
        1 => json!("token"),
        2 => json!([{}, { "token": ["scope"] }, null]),
        _ => json!([{ "token": "not a list" }]),
    };
    if rng.chance(30) {
        if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
            components.insert("securitySchemes".into(), json!({ "token": "oops" }));
        }
        return Some("components/securitySchemes/token = \"oops\"".into());
    }
    if ops.is_empty() || rng.chance(30) {
        doc.as_object_mut()?
            .insert("security".into(), value.clone());
        return Some(format!("/security = {value}"));
    }
    let path = rng.pick(&ops)?.clone();
    get_mut(doc, &path)?["security"] = value.clone();
    Some(format!("{}/security = {value}", pointer(&path)))
}

// ------------------------------------------------------------------------------------------
// Shape

fn deep_nesting(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_object(doc, rng, is_schema)?;
    let depth = *rng.pick(&[10usize, 40, 120, 300])?;
    let how = rng.below(4);
    let node = get_mut(doc, &path)?;
    let mut value = node.clone();
    for i in 0..depth {
        value = match how {
            0 => {
                json!({ "type": "object", "properties": { format!("p{i}"): value }, "required": [format!("p{i}")] })
            }
            1 => json!({ "type": "array", "items": value }),
            2 => json!({ "allOf": [value] }),
            _ => json!({ "anyOf": [value, { "type": "null" }] }),
        };
    }
    *node = value;
    Some(format!(
        "{} wrapped {depth} deep (shape {how})",
        pointer(&path)
    ))
}

fn node_type(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let all = paths(doc);
    let path = rng.pick(&all[1..])?.clone();
    let to = rng
        .pick(&[
            json!(null),
            json!(7),
            json!("text"),
            json!([]),
            json!({}),
            json!(true),
        ])?
        .clone();
    *get_mut(doc, &path)? = to.clone();
    Some(format!("{} = {to}", pointer(&path)))
}

fn example(doc: &mut Value, rng: &mut Rng) -> Option<String> {
    let path = pick_object(doc, rng, is_schema)?;
    let mut deep = json!("leaf");
    for i in 0..rng.below(60) {
        deep = if i % 2 == 0 {
            json!({ "children": [deep] })
        } else {
            json!({ "self": deep })
        };
    }
    let value = rng
        .pick(&[
            deep,
            json!(null),
            json!({ "unexpected": [1, 2, 3] }),
            json!([[[[[]]]]]),
            json!("x²"),
            json!(12345678901234567890u64),
            json!(-1.5e300),
        ])?
        .clone();
    let node = get_mut(doc, &path)?.as_object_mut()?;
    if rng.chance(50) {
        node.insert("example".into(), value);
    } else {
        node.insert("examples".into(), json!([value, value]));
    }
    Some(format!("{} example", pointer(&path)))
}

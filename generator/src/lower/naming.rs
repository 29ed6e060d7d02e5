//! Rust identifiers from spec names: casing, keywords, leading digits, and collision handling.

use std::collections::HashMap;

use heck::{ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// `snake_case` identifier for a field, parameter, method or module. Keywords become raw
/// identifiers (`r#type`) where Rust allows it, else get a `_` suffix.
pub fn field_ident(name: &str) -> String {
    let mut snake = name.to_snake_case();
    if snake.is_empty() {
        snake = String::from("value");
    }
    if snake.starts_with(|c: char| c.is_ascii_digit()) {
        snake = format!("field_{snake}");
    }
    if NOT_RAW.contains(&snake.as_str()) {
        return format!("{snake}_");
    }
    if is_keyword(&snake) {
        return format!("r#{snake}");
    }
    snake
}

/// A module name: like a field name but never raw (file names cannot carry `r#`).
pub fn module_ident(name: &str) -> String {
    let ident = field_ident(name);
    match ident.strip_prefix("r#") {
        Some(bare) => format!("{bare}_"),
        None => ident,
    }
}

/// `UpperCamelCase` identifier for a type or variant.
pub fn type_ident(name: &str) -> String {
    let mut camel = name.to_upper_camel_case();
    if camel.is_empty() {
        camel = String::from("Value");
    }
    if camel.starts_with(|c: char| c.is_ascii_digit()) {
        camel = format!("V{camel}");
    }
    if camel == "Self" {
        camel = String::from("SelfType");
    }
    camel
}

/// Hands out unique names within one scope, remembering who took each one so a collision can
/// be reported with both locations. Suffixes are numeric and assigned in call order, so the
/// result is deterministic for a deterministic call order.
#[derive(Debug, Default)]
pub struct NameScope {
    taken: HashMap<String, String>,
}

/// The outcome of [`NameScope::claim`] when the wanted name was already taken.
pub struct Collision {
    pub wanted: String,
    pub previous_owner: String,
}

impl NameScope {
    pub fn reserve(&mut self, name: &str, owner: &str) {
        self.taken
            .entry(name.to_owned())
            .or_insert_with(|| owner.to_owned());
    }

    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains_key(name)
    }

    /// Claims `wanted`, or `wanted2`, `wanted3`, ... when taken; reports the collision.
    pub fn claim(&mut self, wanted: &str, owner: &str) -> (String, Option<Collision>) {
        if !self.taken.contains_key(wanted) {
            self.taken.insert(wanted.to_owned(), owner.to_owned());
            return (wanted.to_owned(), None);
        }
        let previous_owner = self.taken[wanted].clone();
        let separator = if wanted.ends_with(|c: char| c.is_ascii_digit())
            || wanted.contains('_')
            || wanted.starts_with(|c: char| c.is_lowercase())
        {
            "_"
        } else {
            ""
        };
        let mut n = 2;
        loop {
            let candidate = format!("{}{separator}{n}", wanted.trim_end_matches('_'));
            if !self.taken.contains_key(&candidate) {
                self.taken.insert(candidate.clone(), owner.to_owned());
                return (
                    candidate,
                    Some(Collision {
                        wanted: wanted.to_owned(),
                        previous_owner,
                    }),
                );
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_valid_rust() {
        assert_eq!(field_ident("type"), "r#type");
        assert_eq!(field_ident("self"), "self_");
        assert_eq!(field_ident("1st_place"), "field_1st_place");
        assert_eq!(field_ident("foo-bar"), "foo_bar");
        assert_eq!(field_ident("$schema"), "schema");
        assert_eq!(field_ident("X-Friendli-Team"), "x_friendli_team");
        assert_eq!(module_ident("type"), "type_");
        assert_eq!(type_ident("Self"), "SelfType");
        assert_eq!(type_ident("1024x1024"), "V1024x1024");
        assert_eq!(type_ident("math:calculator"), "MathCalculator");
        assert_eq!(type_ident("HTTPValidationError"), "HttpValidationError");
    }

    #[test]
    fn collisions_get_numbered_suffixes() {
        let mut scope = NameScope::default();
        assert_eq!(scope.claim("Foo", "/a").0, "Foo");
        let (name, collision) = scope.claim("Foo", "/b");
        assert_eq!(name, "Foo2");
        assert_eq!(
            collision.map(|c| c.previous_owner),
            Some(String::from("/a"))
        );
        assert_eq!(scope.claim("foo", "/c").0, "foo");
        assert_eq!(scope.claim("foo", "/d").0, "foo_2");
    }
}

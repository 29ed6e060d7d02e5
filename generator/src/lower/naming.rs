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

/// Identifiers longer than this (in bytes, all ASCII) are cut and given a hash suffix, so
/// every module and file name stays far below file-system limits (255 bytes per component).
pub const MAX_IDENT_LEN: usize = 96;

/// The one place a spec name becomes the raw material of a Rust identifier: transliterated to
/// ASCII (`Café` → `Cafe`, `x²` → `x2`, emoji → their names), every other character a word
/// break. Rust accepts some non-ASCII identifiers but not as module file names (E0754), and
/// `char::is_alphanumeric` accepts characters (`²`, `½`) that no identifier may hold, so only
/// `[A-Za-z0-9]` survives.
fn ascii_words(name: &str) -> String {
    deunicode::deunicode(name)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// Cuts an over-long identifier and appends a stable hash of the whole spec name, so two long
/// names that share a prefix stay distinct and the same name always gives the same result.
fn capped(ident: String, name: &str, separator: &str) -> String {
    if ident.len() <= MAX_IDENT_LEN {
        return ident;
    }
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(name.as_bytes());
    let hash: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    let keep = MAX_IDENT_LEN - hash.len() - separator.len();
    format!("{}{separator}{hash}", ident[..keep].trim_end_matches('_'))
}

/// `snake_case` identifier for a field, parameter, method or module. Keywords become raw
/// identifiers (`r#type`) where Rust allows it, else get a `_` suffix.
pub fn field_ident(name: &str) -> String {
    let mut snake = ascii_words(name).to_snake_case();
    if snake.is_empty() {
        snake = String::from("value");
    }
    if snake.starts_with(|c: char| c.is_ascii_digit()) {
        snake = format!("field_{snake}");
    }
    let snake = capped(snake, name, "_");
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
    let mut camel = ascii_words(name).to_upper_camel_case();
    if camel.is_empty() {
        camel = String::from("Value");
    }
    if camel.starts_with(|c: char| c.is_ascii_digit()) {
        camel = format!("V{camel}");
    }
    let camel = capped(camel, name, "");
    if camel == "Self" {
        return String::from("SelfType");
    }
    camel
}

/// Names the generated code takes from Rust's prelude without a path (`Option<String>`,
/// `impl Into<T>`, `Default::default()`, `Ok(..)`): a type of the spec by one of these names
/// would shadow it in the module that defines it.
pub const PRELUDE_NAMES: &[&str] = &[
    "Box", "Default", "Err", "From", "Into", "None", "Ok", "Option", "Result", "Some", "String",
    "Vec",
];

/// `UpperCamelCase` identifier for a type: [`type_ident`], with a `Type` suffix on the
/// [`PRELUDE_NAMES`] (variants keep them: `ToolChoice::None` shadows nothing).
pub fn type_name_ident(name: &str) -> String {
    let ident = type_ident(name);
    if PRELUDE_NAMES.contains(&ident.as_str()) {
        format!("{ident}Type")
    } else {
        ident
    }
}

/// Hands out unique names within one scope, remembering who took each one so a collision can
/// be reported with both locations. Suffixes are numeric and assigned in call order, so the
/// result is deterministic for a deterministic call order. Names are compared without case:
/// they become file names (`docs/models/FooBar.md`, `src/operations/get_foo.rs`), and on a
/// case-insensitive file system `FooBar` and `Foobar` would be one file.
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
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| owner.to_owned());
    }

    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains_key(&name.to_ascii_lowercase())
    }

    /// Claims `wanted`, or `wanted2`, `wanted3`, ... when taken; reports the collision.
    pub fn claim(&mut self, wanted: &str, owner: &str) -> (String, Option<Collision>) {
        if !self.is_taken(wanted) {
            self.reserve(wanted, owner);
            return (wanted.to_owned(), None);
        }
        let previous_owner = self.taken[&wanted.to_ascii_lowercase()].clone();
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
            if !self.is_taken(&candidate) {
                self.reserve(&candidate, owner);
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
        assert_eq!(type_name_ident("string"), "StringType");
        assert_eq!(type_name_ident("result"), "ResultType");
        assert_eq!(type_ident("none"), "None");
        assert_eq!(type_name_ident("Options"), "Options");
        assert_eq!(type_ident("1024x1024"), "V1024x1024");
        assert_eq!(type_ident("math:calculator"), "MathCalculator");
        assert_eq!(type_ident("HTTPValidationError"), "HttpValidationError");
    }

    #[test]
    fn unicode_names_become_ascii_identifiers() {
        assert_eq!(type_ident("x²"), "X2");
        assert_eq!(field_ident("create½"), "create1_2");
        assert_eq!(type_ident("Café"), "Cafe");
        assert_eq!(field_ident("名前"), "ming_qian");
        assert!(type_ident("🚀 launch").is_ascii());
        for name in [
            "x²",
            "create½",
            "🚀",
            "Ⅻ",
            "٣",
            "\u{202e}evil",
            "\0",
            "a\u{301}b",
            "ǅ",
        ] {
            for ident in [type_ident(name), field_ident(name), module_ident(name)] {
                let bare = ident.trim_start_matches("r#");
                assert!(
                    !bare.is_empty()
                        && bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && !bare.starts_with(|c: char| c.is_ascii_digit()),
                    "{name:?} gave {ident:?}"
                );
                assert!(syn::parse_str::<syn::Ident>(&ident).is_ok() || ident.starts_with("r#"));
            }
        }
    }

    #[test]
    fn long_names_are_cut_with_a_stable_hash() {
        let long = "a".repeat(300);
        let other = format!("{}b", "a".repeat(299));
        for ident in [field_ident(&long), type_ident(&long), module_ident(&long)] {
            assert!(ident.len() <= MAX_IDENT_LEN, "{ident}");
        }
        assert_ne!(field_ident(&long), field_ident(&other));
        assert_eq!(field_ident(&long), field_ident(&long.clone()));
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
        assert_eq!(scope.claim("bar", "/c").0, "bar");
        assert_eq!(scope.claim("bar", "/d").0, "bar_2");
    }

    #[test]
    fn names_that_differ_only_in_case_collide() {
        let mut scope = NameScope::default();
        assert_eq!(scope.claim("FooBar", "/a").0, "FooBar");
        let (name, collision) = scope.claim("Foobar", "/b");
        assert_eq!(name, "Foobar2");
        assert!(collision.is_some());
    }
}

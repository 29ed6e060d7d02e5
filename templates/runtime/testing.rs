//! Helpers for the tests this crate ships with (its spec-example round trips, end-to-end and
//! docs tests). Public so integration tests can reach them; not part of the SDK's API.

/// JSON equality where numbers compare by value: `1` and `1.0` are the same number, which a
/// round trip through an `f64` field may turn one into the other.
pub fn json_equivalent(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_equivalent(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equivalent(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::json_equivalent;

    #[test]
    fn numbers_compare_by_value_and_keys_by_set() {
        let a = serde_json::json!({"x": 1, "y": [1.0, "a"]});
        assert!(json_equivalent(
            &a,
            &serde_json::json!({"y": [1, "a"], "x": 1.0})
        ));
        assert!(!json_equivalent(
            &a,
            &serde_json::json!({"x": 1, "y": [1.0, "b"]})
        ));
        assert!(!json_equivalent(&a, &serde_json::json!({"x": 1})));
    }
}

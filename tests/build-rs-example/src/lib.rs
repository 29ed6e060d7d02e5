//! Models generated at build time from `spec/fixtures/discriminator.yaml`.

include!(concat!(env!("OUT_DIR"), "/models.rs"));

#[cfg(test)]
mod tests {
    use super::models::*;

    #[test]
    fn generated_tagged_union_round_trips() {
        let json = serde_json::json!({"type": "document", "source": "a.pdf"});
        let block: ContentBlock = serde_json::from_value(json.clone()).expect("decodes");
        assert!(
            matches!(block, ContentBlock::CompatibilityBlock(_)),
            "{block:?}"
        );
        let text: ContentBlock =
            serde_json::from_value(serde_json::json!({"type": "text", "text": "hi"})).unwrap();
        assert_eq!(
            serde_json::to_value(&text).unwrap(),
            serde_json::json!({"type": "text", "text": "hi"})
        );
        let unknown: ContentBlock =
            serde_json::from_value(serde_json::json!({"type": "new_kind", "x": 1})).unwrap();
        assert!(matches!(unknown, ContentBlock::Unknown(_)));
    }

    #[test]
    fn generated_struct_has_a_constructor() {
        let body = MessagesBody::new(vec![Message::from(UserMessage::new("hello"))]);
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"messages": [{"role": "user", "content": "hello"}]})
        );
    }
}

//! Doc comments from spec text. Each line becomes its own `#[doc]` attribute (so no text can
//! end a comment early), and code fences are relabelled `text` and indentation removed outside
//! them, so nothing in a description is compiled as a doctest.

use proc_macro2::TokenStream;
use quote::quote;

pub(crate) fn doc_attrs(text: Option<&str>) -> TokenStream {
    let Some(text) = text else {
        return TokenStream::new();
    };
    let lines = sanitize(text);
    quote!(#(#[doc = #lines])*)
}

pub(crate) fn sanitize(text: &str) -> Vec<String> {
    // Doc comments are markdown too: rustdoc would pass raw HTML into the crate's pages.
    let text = crate::neutralise::markdown(text);
    let mut in_fence = false;
    let mut out: Vec<String> = Vec::new();
    for line in text.trim().lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            out.push(if in_fence { " ```" } else { " ```text" }.to_owned());
            in_fence = !in_fence;
            continue;
        }
        let kept = if in_fence {
            line.trim_end()
        } else {
            trimmed.trim_end()
        };
        out.push(if kept.is_empty() {
            String::new()
        } else {
            format!(" {kept}")
        });
    }
    if in_fence {
        out.push(" ```".to_owned());
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn fences_become_text_and_indentation_goes() {
        let lines = sanitize("Intro\n```rust\nfn broken( {\n```\n    indented code\n*/ end");
        assert_eq!(
            lines,
            vec![
                " Intro",
                " ```text",
                " fn broken( {",
                " ```",
                " indented code",
                " */ end"
            ]
        );
    }

    #[test]
    fn unterminated_fence_is_closed() {
        assert_eq!(sanitize("```\nx").last().map(String::as_str), Some(" ```"));
    }
}

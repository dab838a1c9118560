//! IDL doc comments as rustdoc. Rustdoc reads docs as Markdown and runs code blocks as tests,
//! so blocks in IDL comments (fenced or indented) are fenced as `text`.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "…"]` attributes for an IDL doc comment.
pub(super) fn doc_attrs(doc: Option<&str>) -> TokenStream {
    let Some(doc) = doc else {
        return TokenStream::new();
    };
    let lines = sanitize(doc).into_iter().map(|line| {
        if line.is_empty() {
            line
        } else {
            format!(" {line}")
        }
    });
    quote!(#(#[doc = #lines])*)
}

/// The lines of `doc` with every code block fenced as ```` ```text ````.
fn sanitize(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    let mut indented = false;
    let mut previous_blank = true;
    for line in doc.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            out.push(if fenced {
                "```".into()
            } else {
                "```text".into()
            });
            fenced = !fenced;
            previous_blank = false;
            continue;
        }
        if !fenced {
            let is_code = line.starts_with("    ") || line.starts_with('\t');
            if is_code && !indented && previous_blank {
                out.push("```text".into());
                indented = true;
            } else if indented && !is_code && !line.trim().is_empty() {
                close_indented(&mut out);
                indented = false;
            }
        }
        previous_blank = line.trim().is_empty();
        out.push(line.trim_end().to_owned());
    }
    if indented {
        close_indented(&mut out);
    }
    if fenced {
        out.push("```".into());
    }
    out
}

/// Ends an indented block before the blank lines that ended it.
fn close_indented(out: &mut Vec<String>) {
    let blanks = out.iter().rev().take_while(|l| l.is_empty()).count();
    out.insert(out.len() - blanks, "```".into());
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn code_blocks_become_text_blocks() {
        let doc = "Example:\n\n    let x = 1;\n    x + 1\n\nAfter.\n```\nfenced\n```";
        assert_eq!(
            sanitize(doc),
            [
                "Example:",
                "",
                "```text",
                "    let x = 1;",
                "    x + 1",
                "```",
                "",
                "After.",
                "```text",
                "fenced",
                "```",
            ]
        );
    }

    #[test]
    fn unclosed_blocks_are_closed() {
        assert_eq!(sanitize("```\nx"), ["```text", "x", "```"]);
        assert_eq!(
            sanitize("a\n\n    code"),
            ["a", "", "```text", "    code", "```"]
        );
    }
}

//! The nesting check that runs before the parser: the parser, and every stage after it, walk
//! nested brackets recursively, so a file nested deeper than [`MAX_NESTING`] is reported here
//! and never parsed.
//!
//! Input: a file's text. Output: a diagnostic at the first bracket over the limit, if any.
//! Brackets in comments and string literals do not count.

use crate::diagnostics::{Code, Diagnostic};
use crate::limits::MAX_NESTING;
use crate::source::{FileId, Span};

/// The diagnostic for the first bracket in `text` nested deeper than [`MAX_NESTING`].
pub(super) fn check(file: FileId, text: &str) -> Option<Diagnostic> {
    let bytes = text.as_bytes();
    let (mut depth, mut at) = (0usize, 0);
    while let Some(&byte) = bytes.get(at) {
        at += match byte {
            b'<' | b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(too_deep(Span::new(file, at..at + 1)));
                }
                1
            }
            b'>' | b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                1
            }
            b'"' | b'\'' => string_len(&bytes[at..], byte),
            b'#' => line_len(&bytes[at..]),
            b'/' if bytes.get(at + 1) == Some(&b'/') => line_len(&bytes[at..]),
            b'/' if bytes.get(at + 1) == Some(&b'*') => comment_len(&bytes[at..]),
            _ => 1,
        };
    }
    None
}

/// The length of the string literal at the start of `rest` (to its end, or to the end of
/// the line, where the parser reports it unterminated).
fn string_len(rest: &[u8], quote: u8) -> usize {
    let mut at = 1;
    while let Some(&byte) = rest.get(at) {
        at += 1;
        match byte {
            b'\\' => at += 1,
            b'\n' => break,
            _ if byte == quote => break,
            _ => {}
        }
    }
    at.min(rest.len())
}

fn line_len(rest: &[u8]) -> usize {
    rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len())
}

fn comment_len(rest: &[u8]) -> usize {
    rest.windows(2)
        .skip(2)
        .position(|w| w == b"*/")
        .map_or(rest.len(), |end| end + 4)
}

fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::NestingTooDeep,
        format!("brackets nested deeper than the limit of {MAX_NESTING}"),
    )
    .primary(span, "this one is too deep")
    .help("nest types and values less deeply: give inner parts names with typedefs and constants")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_error_at(text: &str) -> Option<usize> {
        check(FileId::from_index(0), text).map(|d| d.labels[0].span.start)
    }

    #[test]
    fn brackets_count_outside_comments_and_strings() {
        let deep = |n| format!("{}{}", "<".repeat(n), ">".repeat(n));
        assert_eq!(depth_error_at(&deep(MAX_NESTING)), None);
        assert_eq!(depth_error_at(&deep(MAX_NESTING + 1)), Some(MAX_NESTING));
        let hidden = "<".repeat(MAX_NESTING + 1);
        for text in [
            format!("// {hidden}\n"),
            format!("# {hidden}\n"),
            format!("/* {hidden} */"),
            format!("\"{hidden}\""),
            format!("'{hidden}'"),
            format!("\"a\\\" {hidden}\""),
        ] {
            assert_eq!(depth_error_at(&text), None, "{text}");
        }
        // What follows a comment or string counts again.
        let after = format!("/* x */ \"y\" {}", deep(MAX_NESTING + 1));
        assert_eq!(depth_error_at(&after), Some(12 + MAX_NESTING));
    }
}

//! Turns a pest grammar failure into one readable diagnostic: what was expected, what was
//! found, where, and a hint for the common mistakes.

use std::collections::BTreeSet;
use std::sync::Once;

use pest::error::{Error, ErrorVariant, InputLocation};

use super::Rule;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// Asks pest to record the tokens it tried at the failure point (used for "expected …").
pub(super) fn enable_detail() {
    static DETAIL: Once = Once::new();
    DETAIL.call_once(|| pest::set_error_detail(true));
}

/// The diagnostic for a text that does not follow the grammar.
pub(super) fn syntax_error(file: FileId, text: &str, err: &Error<Rule>) -> Diagnostic {
    let rule_pos = match err.location {
        InputLocation::Pos(p) | InputLocation::Span((p, _)) => p,
    };
    // Literal tokens can fail further on than any rule; that is where the mistake is.
    // (Attempts inside atomic rules, such as a string's closing quote, do not count.)
    let token_pos = err
        .parse_attempts()
        .filter(|a| {
            a.expected_tokens()
                .iter()
                .any(|t| PUNCTUATION.contains(&t.to_string().as_str()))
        })
        .map_or(0, |a| a.max_position);
    let pos = rule_pos.max(token_pos).min(text.len());
    let rest = &text[pos..];
    if rest.starts_with("/*") {
        return Diagnostic::error(Code::UnterminatedComment, "unterminated block comment")
            .primary(
                Span::new(file, pos..pos + 2),
                "this comment is never closed",
            )
            .help("close it with `*/`");
    }
    if let Some((quote, line_end)) = unterminated_string(rest) {
        return Diagnostic::error(Code::UnterminatedString, "unterminated string literal")
            .primary(
                Span::new(file, pos..pos + line_end),
                "the string is not closed on this line",
            )
            .help(format!(
                "add the closing `{quote}`; strings cannot span lines"
            ));
    }
    let found = found_token(rest);
    let expected = expected(err, token_pos > rule_pos);
    let message = match expected.as_slice() {
        [] => format!("unexpected {}", found.describe()),
        [one] => format!("expected {one}, found {}", found.describe()),
        many => format!("expected one of {}, found {}", join(many), found.describe()),
    };
    let span = Span::new(file, pos..pos + found.len);
    let mut diagnostic =
        Diagnostic::error(Code::Syntax, message).primary(span, Found::label(&expected));
    if let Some(help) = hint(text, pos, &found, &expected) {
        diagnostic = diagnostic.help(help);
    }
    diagnostic
}

/// The quote and the length of the line, when `rest` starts a string not closed on its line.
fn unterminated_string(rest: &str) -> Option<(char, usize)> {
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let mut escaped = false;
    for c in rest[1..line_end].chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == quote => return None,
            _ => {}
        }
    }
    Some((quote, line_end))
}

/// The token at the failure point.
struct Found<'t> {
    text: &'t str,
    len: usize,
}

impl Found<'_> {
    fn describe(&self) -> String {
        if self.text.is_empty() {
            "end of file".to_owned()
        } else {
            format!("`{}`", self.text)
        }
    }

    fn label(expected: &[String]) -> String {
        match expected {
            [one] => format!("expected {one}"),
            _ => "unexpected here".to_owned(),
        }
    }
}

fn found_token(rest: &str) -> Found<'_> {
    let Some(first) = rest.chars().next() else {
        return Found { text: "", len: 0 };
    };
    let len = if first == '"' || first == '\'' {
        // A whole literal (this is only reached for strings closed on their line).
        rest[1..].find(first).map_or(1, |end| end + 2)
    } else if first.is_ascii_alphanumeric() || first == '_' {
        rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len())
    } else {
        first.len_utf8()
    };
    Found {
        text: &rest[..len],
        len,
    }
}

/// What the grammar would have accepted, in words, sorted and without repeats.
fn expected(err: &Error<Rule>, tokens_only: bool) -> Vec<String> {
    let mut out = BTreeSet::new();
    if let ErrorVariant::ParsingError { positives, .. } = &err.variant {
        if !tokens_only {
            out.extend(positives.iter().filter_map(|rule| describe(*rule)));
        }
    }
    if let Some(attempts) = err.parse_attempts() {
        // Only punctuation: words and ranges are named better by the rules above.
        for token in attempts.expected_tokens().iter().map(ToString::to_string) {
            if PUNCTUATION.contains(&token.as_str()) {
                out.insert(format!("`{token}`"));
            }
        }
    }
    // Annotations may follow almost anything; mention them only when nothing else fits.
    if out.len() > 1 {
        out.remove("`(`");
    }
    out.into_iter().collect()
}

/// The punctuation of the grammar.
const PUNCTUATION: &[&str] = &["{", "}", "(", ")", "<", ">", "[", "]", "=", ":", ",", ";"];

/// How a rule reads in a message; `None` for rules too small or too rare to mention.
fn describe(rule: Rule) -> Option<String> {
    let text = match rule {
        Rule::EOI => "end of file",
        Rule::identifier | Rule::word => "a name",
        Rule::int_constant => "an integer",
        Rule::double_constant => "a number",
        Rule::literal => "a string literal",
        Rule::field_type | Rule::base_type | Rule::function_type => "a type",
        Rule::const_value => "a value",
        Rule::field | Rule::field_id | Rule::requiredness => "a field",
        Rule::function | Rule::oneway => "a function",
        Rule::enum_value => "an enum member",
        Rule::header | Rule::definition => "a definition",
        Rule::annotations => "`(`",
        Rule::void_type => "`void`",
        Rule::extends => "`extends`",
        Rule::throws => "`throws`",
        Rule::map_entry => "a map entry",
        _ => return None,
    };
    Some(text.to_owned())
}

fn join(items: &[String]) -> String {
    match items {
        [init @ .., last] if !init.is_empty() => format!("{} or {last}", init.join(", ")),
        _ => items.join(""),
    }
}

/// A hint for the mistakes people make most.
fn hint(text: &str, pos: usize, found: &Found<'_>, expected: &[String]) -> Option<String> {
    let before = text[..pos].trim_end();
    let wants = |what: &str| expected.iter().any(|e| e == what);
    if matches!(found.text, "include" | "namespace" | "cpp_include") {
        return Some("headers must come before definitions".to_owned());
    }
    if before.ends_with(':') && wants("a type") && found.text.chars().all(|c| c.is_ascii_digit()) {
        return Some("a field reads `<id>: <type> <name>`".to_owned());
    }
    if found.text.is_empty() && wants("`}`") {
        return Some("a `{` is never closed".to_owned());
    }
    if wants("a name") && is_keyword(found.text) {
        return Some(format!(
            "`{}` is a reserved word in Thrift; choose another name",
            found.text
        ));
    }
    None
}

fn is_keyword(word: &str) -> bool {
    use pest::Parser as _;
    super::ThriftParser::parse(Rule::keyword, word).is_ok_and(|p| p.as_str() == word)
}

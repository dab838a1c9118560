//! Rendering diagnostics for people (rustc-style text, via codespan-reporting) and for tools
//! (one JSON object per diagnostic).

use codespan_reporting::diagnostic as cs;
use codespan_reporting::term::{self, termcolor};
use serde_json::{json, Value};

use super::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};

/// Renders diagnostics as rustc does: `error[E0201]: …`, `--> file:line:col`, the snippet with
/// carets and labels, then notes and help. `color` adds ANSI colours.
pub fn text(sources: &SourceMap, diagnostics: &[Diagnostic], color: bool) -> String {
    let mut out = if color {
        termcolor::Buffer::ansi()
    } else {
        termcolor::Buffer::no_color()
    };
    let config = term::Config {
        chars: term::Chars::ascii(),
        ..term::Config::default()
    };
    for diagnostic in diagnostics {
        // Spans always come from this map, so emitting cannot fail; should it ever, the
        // message is still shown without its snippet.
        if term::emit(&mut out, &config, sources, &to_codespan(diagnostic)).is_err() {
            out.clear();
            return fallback(diagnostics);
        }
    }
    String::from_utf8_lossy(out.as_slice()).into_owned()
}

/// Renders one diagnostic as a single-line JSON object (for editors and tools): code, severity,
/// message, primary location, every label with 1-based line/column, notes, help, and the
/// plain-text rendering.
pub fn json(sources: &SourceMap, diagnostic: &Diagnostic) -> String {
    let location = diagnostic
        .location()
        .map_or(Value::Null, |span| position(sources, span));
    let labels: Vec<Value> = diagnostic
        .labels
        .iter()
        .map(|label| {
            let mut value = position(sources, label.span);
            value["message"] = json!(label.message);
            value["primary"] = json!(label.primary);
            value
        })
        .collect();
    json!({
        "code": diagnostic.code.as_str(),
        "severity": severity_name(diagnostic.severity),
        "message": diagnostic.message,
        "location": location,
        "labels": labels,
        "notes": diagnostic.notes,
        "help": diagnostic.help,
        "rendered": text(sources, std::slice::from_ref(diagnostic), false),
    })
    .to_string()
}

fn position(sources: &SourceMap, span: Span) -> Value {
    let file = sources.get(span.file);
    let (line, column) = file.line_col(span.start);
    let (end_line, end_column) = file.line_col(span.end);
    json!({
        "file": file.name(),
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "byte_start": span.start,
        "byte_end": span.end,
    })
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn to_codespan(diagnostic: &Diagnostic) -> cs::Diagnostic<crate::source::FileId> {
    let base = match diagnostic.severity {
        Severity::Error => cs::Diagnostic::error(),
        Severity::Warning => cs::Diagnostic::warning(),
    };
    let labels = diagnostic
        .labels
        .iter()
        .map(|label| {
            let style = if label.primary {
                cs::LabelStyle::Primary
            } else {
                cs::LabelStyle::Secondary
            };
            cs::Label::new(style, label.span.file, label.span.range()).with_message(&label.message)
        })
        .collect();
    let notes = diagnostic
        .notes
        .iter()
        .map(|note| format!("note: {note}"))
        .chain(diagnostic.help.iter().map(|help| format!("help: {help}")))
        .collect();
    base.with_code(diagnostic.code.as_str())
        .with_message(&diagnostic.message)
        .with_labels(labels)
        .with_notes(notes)
}

fn fallback(diagnostics: &[Diagnostic]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for d in diagnostics {
        let severity = severity_name(d.severity);
        let _ = writeln!(out, "{severity}[{}]: {}", d.code.as_str(), d.message);
    }
    out
}

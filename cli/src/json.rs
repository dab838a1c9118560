//! Diagnostics for tools: one single-line JSON object per diagnostic (code, severity, message,
//! primary location, every label with 1-based line and column, notes, help, and the rustc-style
//! rendering), for editors and scripts reading `thrift-bidi check --message-format json`.

use serde_json::{json, Value};
use thrift_bidi_build::diagnostics::render;
use thrift_bidi_build::source::{SourceMap, Span};
use thrift_bidi_build::Diagnostic;

/// One diagnostic as a JSON line (without the newline).
pub(crate) fn diagnostic(sources: &SourceMap, diagnostic: &Diagnostic) -> String {
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
        "severity": diagnostic.severity.name(),
        "message": diagnostic.message,
        "location": location,
        "labels": labels,
        "notes": diagnostic.notes,
        "help": diagnostic.help,
        "rendered": render::text(sources, std::slice::from_ref(diagnostic), false),
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

//! Rendering diagnostics for people: rustc-style text, via codespan-reporting. (The command
//! line, `thrift-bidi-cli`, renders them as JSON for tools.)

use codespan_reporting::diagnostic as cs;
use codespan_reporting::term::{self, termcolor};

use super::{Diagnostic, Severity};
use crate::source::SourceMap;

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
        let severity = d.severity.name();
        let _ = writeln!(out, "{severity}[{}]: {}", d.code.as_str(), d.message);
    }
    out
}

//! Doc comments: `/** … */` right before a definition, field, enum member or function.
//!
//! The grammar treats every comment as blank space, so a separate scan (aware of string
//! literals and line comments) finds the doc comments and indexes each by the offset of the
//! first token after it; an item whose span starts there is documented by it.

use std::collections::HashMap;

use super::ast::{Document, Header};

/// The doc comments of one file, by the offset of the token each one documents.
#[derive(Debug, Default)]
pub(super) struct DocComments {
    by_next_token: HashMap<usize, String>,
    first: Option<(usize, String)>,
}

impl DocComments {
    /// Finds every doc comment in `text`.
    pub(super) fn scan(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut docs = DocComments::default();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                quote @ (b'"' | b'\'') => i = skip_string(bytes, i + 1, quote),
                b'#' => i = skip_line(bytes, i),
                b'/' if bytes.get(i + 1) == Some(&b'/') => i = skip_line(bytes, i),
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    let Some(close) = text[i + 2..].find("*/") else {
                        break;
                    };
                    let end = i + 2 + close + 2;
                    if text[i..].starts_with("/**") && end >= i + 5 {
                        docs.add(i, end, clean(&text[i + 3..end - 2]), bytes);
                    }
                    i = end;
                }
                _ => i += 1,
            }
        }
        docs
    }

    fn add(&mut self, start: usize, end: usize, doc: String, bytes: &[u8]) {
        let next = end
            + bytes[end..]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
        if self.first.is_none() {
            self.first = Some((start, doc.clone()));
        }
        self.by_next_token.insert(next, doc);
    }

    /// The doc comment that ends right before `offset` (only blank space between).
    pub(super) fn before(&self, offset: usize) -> Option<String> {
        self.by_next_token
            .get(&offset)
            .filter(|doc| !doc.is_empty())
            .cloned()
    }

    /// The file's own doc: as in Apache, the first doc comment, when a header follows it.
    pub(super) fn file_doc(&self, document: &Document) -> Option<String> {
        let (start, doc) = self.first.as_ref()?;
        let first_header = document.headers.first().map(|header| match header {
            Header::Include(lit) | Header::CppInclude(lit) | Header::Package(lit) => lit.span.start,
            Header::Namespace(ns) => ns.scope.span.start,
        })?;
        (start < &first_header && !doc.is_empty()).then(|| doc.clone())
    }
}

fn skip_string(bytes: &[u8], mut i: usize, quote: u8) -> usize {
    while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\n' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    i + 1
}

fn skip_line(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |n| i + n)
}

/// Strips the comment's leading stars and common indentation.
fn clean(body: &str) -> String {
    let lines: Vec<&str> = body
        .lines()
        .map(|line| {
            let line = line.trim_start();
            let line = line
                .strip_prefix('*')
                .map_or(line, |rest| rest.strip_prefix(' ').unwrap_or(rest));
            line.trim_end()
        })
        .collect();
    let first = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let last = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(first, |l| l + 1);
    lines[first..last].join("\n")
}

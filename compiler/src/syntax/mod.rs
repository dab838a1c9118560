//! Syntax stage: `.thrift` text → spanned [`ast::Document`].
//!
//! A file nested deeper than the limit is reported by `nesting.rs` and not parsed (the
//! parser and every later stage recurse on nesting). The grammar is `thrift.pest`; [`parse`] runs it and hands the pairs to one `parse_<node>`
//! function per rule (in `build.rs` and `values.rs`), which build the AST, decode literals,
//! attach doc comments and warn about deprecated syntax. A grammar error becomes one
//! diagnostic (`error.rs`); decoding problems (bad escapes, overflowing integers) are collected
//! and parsing goes on.

pub mod ast;
mod build;
mod definitions;
mod docs;
mod error;
mod nesting;
mod values;

use pest::Parser as _;

use crate::diagnostics::Diagnostic;
use crate::source::FileId;

/// The pest parser generated from `thrift.pest` (its `Rule` enum is documented by the grammar).
mod grammar {
    #![allow(missing_docs, unreachable_pub, clippy::pedantic)]
    #[derive(pest_derive::Parser)]
    #[grammar = "syntax/thrift.pest"]
    pub struct ThriftParser;
}
use grammar::{Rule, ThriftParser};

/// What parsing one file produced: the document if the grammar matched, and every diagnostic.
#[derive(Debug)]
pub struct Parsed {
    /// The AST; `None` when the text does not follow the grammar.
    pub document: Option<ast::Document>,
    /// Errors and warnings, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses the text of file `file`. Never panics, whatever the input.
pub fn parse(file: FileId, text: &str) -> Parsed {
    if let Some(too_deep) = nesting::check(file, text) {
        return Parsed {
            document: None,
            diagnostics: vec![too_deep],
        };
    }
    match ThriftParser::parse(Rule::document, text) {
        Ok(mut pairs) => {
            let mut builder = build::Builder::new(file, text);
            let document = pairs.next().map(|pair| builder.parse_document(pair));
            Parsed {
                document,
                diagnostics: builder.into_diagnostics(),
            }
        }
        Err(first) => {
            // Recording what pest tried costs time, so it is switched on only once a parse
            // fails (and stays on); the failing text is parsed again to explain the error.
            error::enable_detail();
            let err = ThriftParser::parse(Rule::document, text)
                .err()
                .unwrap_or(first);
            Parsed {
                document: None,
                diagnostics: vec![error::syntax_error(file, text, &err)],
            }
        }
    }
}

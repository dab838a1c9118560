//! Builds the AST from pest pairs: documents, headers and definitions.

use pest::iterators::Pair;

use super::ast::{Definition, Document, Header, Ident, Meta, Namespace, StructKind};
use super::docs::DocComments;
use super::Rule;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// Walks the pairs of one file, collecting diagnostics as it goes.
pub(super) struct Builder {
    pub(super) file: FileId,
    pub(super) docs: DocComments,
    diagnostics: Vec<Diagnostic>,
}

impl Builder {
    pub(super) fn new(file: FileId, text: &str) -> Self {
        Self {
            file,
            docs: DocComments::scan(text),
            diagnostics: Vec::new(),
        }
    }

    pub(super) fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    pub(super) fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub(super) fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start()..s.end())
    }

    pub(super) fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_owned(),
            span: self.span(pair),
        }
    }

    pub(super) fn deprecated(&mut self, span: Span, what: &str, instead: &str) {
        self.report(
            Diagnostic::warning(Code::Deprecated, format!("{what} is deprecated"))
                .primary(span, "deprecated syntax")
                .help(instead.to_owned()),
        );
    }

    pub(super) fn parse_document(&mut self, pair: Pair<'_, Rule>) -> Document {
        let mut document = Document::default();
        for item in pair.into_inner() {
            match item.as_rule() {
                Rule::header => {
                    let header = self.parse_header(item);
                    if let (Some(header), Some(first)) = (&header, document.definitions.first()) {
                        self.late_header(header, first.name.span);
                    }
                    document.headers.extend(header);
                }
                Rule::definition => document.definitions.push(self.parse_definition(item)),
                _ => {}
            }
        }
        document.doc = self.docs.file_doc(&document);
        document
    }

    fn late_header(&mut self, header: &Header, first_definition: Span) {
        let (what, span) = match header {
            Header::Include(lit) => ("include", lit.span),
            Header::CppInclude(lit) => ("cpp_include", lit.span),
            Header::Namespace(ns) => ("namespace", ns.scope.span.to(ns.name.span)),
            Header::Package(lit) => ("package", lit.span),
        };
        self.report(
            Diagnostic::error(
                Code::LateHeader,
                format!("`{what}` after the first definition"),
            )
            .primary(span, format!("this `{what}` comes too late"))
            .secondary(first_definition, "after this definition")
            .help("move includes and namespaces to the top of the file, before any definition"),
        );
    }

    fn parse_header(&mut self, pair: Pair<'_, Rule>) -> Option<Header> {
        let item = pair.into_inner().next()?;
        let rule = item.as_rule();
        let span = self.span(&item);
        let mut parts = item.into_inner();
        let keyword = parts.next()?;
        let first = parts.next()?;
        Some(match rule {
            Rule::include => Header::Include(self.parse_literal(first)),
            Rule::cpp_include => Header::CppInclude(self.parse_literal(first)),
            Rule::package => Header::Package(self.parse_literal(first)),
            Rule::namespace => Header::Namespace(Namespace {
                scope: self.ident(&first),
                name: self.ident(&parts.next()?),
                annotations: parts
                    .next()
                    .map(|a| self.parse_annotations(a))
                    .unwrap_or_default(),
            }),
            _ => {
                self.legacy_namespace(span, keyword.as_str(), first.as_str());
                return None;
            }
        })
    }

    fn legacy_namespace(&mut self, span: Span, keyword: &str, name: &str) {
        let scope = match keyword {
            "cpp_namespace" => "cpp",
            "java_package" => "java",
            "csharp_namespace" => "csharp",
            "delphi_namespace" => "delphi",
            "php_namespace" => "php",
            "py_module" => "py",
            "perl_package" => "perl",
            "ruby_namespace" => "rb",
            "xsd_namespace" => "xsd",
            _ => "st",
        };
        self.report(
            Diagnostic::error(
                Code::LegacyNamespace,
                format!("`{keyword}` is no longer supported"),
            )
            .primary(span, "old namespace syntax")
            .help(format!("write `namespace {scope} {name}` instead")),
        );
    }

    fn parse_definition(&mut self, pair: Pair<'_, Rule>) -> Definition {
        let span = self.span(&pair);
        let mut meta = Meta {
            doc: self.docs.before(span.start),
            ..Meta::default()
        };
        let mut body = None;
        for item in pair.into_inner() {
            if item.as_rule() == Rule::structured_annotation {
                meta.structured.push(self.parse_structured_annotation(item));
            } else {
                body = Some(item);
            }
        }
        let body = body.expect("the grammar requires a definition body");
        let rule = body.as_rule();
        let mut parts = body.into_inner();
        let keyword = parts
            .next()
            .expect("every definition starts with its keyword");
        let (name, kind) = match rule {
            Rule::const_def => self.parse_const(parts, &mut meta),
            Rule::typedef_def => self.parse_typedef(parts, &mut meta),
            Rule::enum_def => self.parse_enum(parts, &mut meta),
            Rule::senum_def => {
                self.deprecated(self.span(&keyword), "`senum`", "use `string` instead");
                self.parse_senum(parts, &mut meta)
            }
            Rule::struct_def => {
                let kind = if keyword.as_str() == "union" {
                    StructKind::Union
                } else {
                    StructKind::Struct
                };
                self.parse_struct(kind, parts, &mut meta)
            }
            Rule::exception_def => self.parse_struct(StructKind::Exception, parts, &mut meta),
            _ => self.parse_service(parts, &mut meta),
        };
        Definition {
            name,
            meta,
            span,
            kind,
        }
    }
}

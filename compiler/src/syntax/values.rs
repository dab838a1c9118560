//! Builds the AST of the small parts: types, constant values, annotations and literals.

use pest::iterators::Pair;

use super::ast::{
    Annotation, BaseType, ConstKind, ConstValue, IntLit, StrLit, StructuredAnnotation, Type,
    TypeKind,
};
use super::build::Builder;
use super::Rule;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;

impl Builder {
    pub(super) fn parse_type(&mut self, pair: Pair<'_, Rule>) -> Type {
        let mut parts = pair.into_inner();
        let shape = parts.next().expect("a type has a shape");
        let span = self.span(&shape);
        let kind = match shape.as_rule() {
            Rule::base_type => TypeKind::Base(self.parse_base_type(&shape)),
            Rule::identifier => TypeKind::Named(self.ident(&shape)),
            rule => {
                let mut inner: Vec<Type> = shape
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::field_type)
                    .map(|p| self.parse_type(p))
                    .collect();
                let last = Box::new(inner.pop().expect("a container has an element type"));
                match rule {
                    Rule::map_type => {
                        TypeKind::Map(Box::new(inner.pop().expect("a map has a key type")), last)
                    }
                    Rule::set_type => TypeKind::Set(last),
                    _ => TypeKind::List(last),
                }
            }
        };
        let annotations = parts
            .next()
            .map(|a| self.parse_annotations(a))
            .unwrap_or_default();
        Type {
            kind,
            annotations,
            span,
        }
    }

    fn parse_base_type(&mut self, pair: &Pair<'_, Rule>) -> BaseType {
        match pair.as_str() {
            "bool" => BaseType::Bool,
            "byte" | "i8" => BaseType::I8,
            "i16" => BaseType::I16,
            "i32" => BaseType::I32,
            "i64" => BaseType::I64,
            "double" => BaseType::Double,
            "binary" => BaseType::Binary,
            "uuid" => BaseType::Uuid,
            "slist" => {
                self.deprecated(self.span(pair), "`slist`", "use `string` instead");
                BaseType::String
            }
            _ => BaseType::String,
        }
    }

    pub(super) fn parse_const_value(&mut self, pair: Pair<'_, Rule>) -> ConstValue {
        let span = self.span(&pair);
        let inner = pair.into_inner().next().expect("a constant has a value");
        let kind = match inner.as_rule() {
            Rule::int_constant => ConstKind::Int(self.parse_int(&inner).value),
            // The grammar only lets through text that `f64` parses.
            Rule::double_constant => ConstKind::Double(inner.as_str().parse().unwrap_or_default()),
            Rule::bool_constant => ConstKind::Bool(inner.as_str() == "true"),
            Rule::literal => ConstKind::String(self.parse_literal(inner).value),
            Rule::identifier => ConstKind::Ident(inner.as_str().to_owned()),
            Rule::const_list => ConstKind::List(
                inner
                    .into_inner()
                    .map(|v| self.parse_const_value(v))
                    .collect(),
            ),
            _ => ConstKind::Map(
                inner
                    .into_inner()
                    .map(|entry| {
                        let mut kv = entry.into_inner();
                        let key = self.parse_const_value(kv.next().expect("map key"));
                        let value = self.parse_const_value(kv.next().expect("map value"));
                        (key, value)
                    })
                    .collect(),
            ),
        };
        ConstValue { kind, span }
    }

    pub(super) fn parse_annotations(&mut self, pair: Pair<'_, Rule>) -> Vec<Annotation> {
        pair.into_inner()
            .map(|annotation| {
                let span = self.span(&annotation);
                let mut parts = annotation.into_inner();
                let key = self.ident(&parts.next().expect("annotation key"));
                let value = parts.next().map(|v| self.parse_literal(v));
                Annotation { key, value, span }
            })
            .collect()
    }

    pub(super) fn parse_structured_annotation(
        &mut self,
        pair: Pair<'_, Rule>,
    ) -> StructuredAnnotation {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let name = self.ident(&parts.next().expect("annotation name"));
        let fields = parts
            .next()
            .map(|body| {
                body.into_inner()
                    .map(|entry| {
                        let mut kv = entry.into_inner();
                        let key = self.ident(&kv.next().expect("field name"));
                        (key, self.parse_const_value(kv.next().expect("field value")))
                    })
                    .collect()
            })
            .unwrap_or_default();
        StructuredAnnotation { name, fields, span }
    }

    /// Reads an integer literal; one that overflows 64 bits is reported and read as 0.
    pub(super) fn parse_int(&mut self, pair: &Pair<'_, Rule>) -> IntLit {
        let span = self.span(pair);
        let text = pair.as_str();
        let (negative, unsigned) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let magnitude = match unsigned.strip_prefix("0x") {
            Some(hex) => i128::from_str_radix(hex, 16),
            None => unsigned.parse::<i128>(),
        };
        let value = magnitude.ok().map(|m| if negative { -m } else { m });
        match value.and_then(|v| i64::try_from(v).ok()) {
            Some(value) => IntLit { value, span },
            None => {
                self.report(
                    Diagnostic::error(Code::IntegerOverflow, "integer literal is too large")
                        .primary(span, "does not fit in 64 bits")
                        .note(format!("the range is {} to {}", i64::MIN, i64::MAX)),
                );
                IntLit { value: 0, span }
            }
        }
    }

    /// Decodes a string literal; an unknown escape is reported and kept as written.
    pub(super) fn parse_literal(&mut self, pair: Pair<'_, Rule>) -> StrLit {
        let span = self.span(&pair);
        let body = pair.into_inner().next().expect("a literal has a body");
        let start = body.as_span().start();
        let mut value = String::with_capacity(body.as_str().len());
        let mut chars = body.as_str().char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                value.push(c);
                continue;
            }
            let escaped = chars.next().map_or('\\', |(_, e)| e);
            match escaped {
                'n' => value.push('\n'),
                'r' => value.push('\r'),
                't' => value.push('\t'),
                '"' | '\'' | '\\' => value.push(escaped),
                other => {
                    let at = Span::new(self.file, start + i..start + i + 1 + other.len_utf8());
                    self.report(
                        Diagnostic::error(Code::BadEscape, format!("unknown escape `\\{other}`"))
                            .primary(at, "not a valid escape")
                            .help(r#"the escapes are \n \r \t \" \' and \\; write \\ for a backslash"#),
                    );
                    value.push('\\');
                    value.push(other);
                }
            }
        }
        StrLit { value, span }
    }
}

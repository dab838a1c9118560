//! Builds the AST of definition bodies: constants, typedefs, enums, structs, services, their
//! fields and functions.

use pest::iterators::{Pair, Pairs};

use super::ast::{
    DefinitionKind, EnumMember, Field, Function, Ident, Meta, Requiredness, Service, StrLit,
    StructKind,
};
use super::build::Builder;
use super::Rule;

/// A definition's name and body.
type Named = (Ident, DefinitionKind);

impl Builder {
    pub(super) fn parse_const(&mut self, mut parts: Pairs<'_, Rule>, meta: &mut Meta) -> Named {
        let ty = self.parse_type(parts.next().expect("const type"));
        let name = self.ident(&parts.next().expect("const name"));
        let value = self.parse_const_value(parts.next().expect("const value"));
        self.trailing_annotations(parts, meta);
        (name, DefinitionKind::Const { ty, value })
    }

    pub(super) fn parse_typedef(&mut self, mut parts: Pairs<'_, Rule>, meta: &mut Meta) -> Named {
        let ty = self.parse_type(parts.next().expect("typedef target"));
        let name = self.ident(&parts.next().expect("typedef name"));
        self.trailing_annotations(parts, meta);
        (name, DefinitionKind::Typedef(ty))
    }

    pub(super) fn parse_enum(&mut self, mut parts: Pairs<'_, Rule>, meta: &mut Meta) -> Named {
        let name = self.ident(&parts.next().expect("enum name"));
        let mut members = Vec::new();
        for part in parts {
            match part.as_rule() {
                Rule::enum_value => members.push(self.parse_enum_member(part)),
                _ => meta.annotations = self.parse_annotations(part),
            }
        }
        (name, DefinitionKind::Enum(members))
    }

    fn parse_enum_member(&mut self, pair: Pair<'_, Rule>) -> EnumMember {
        let mut meta = Meta {
            doc: self.docs.before(pair.as_span().start()),
            ..Meta::default()
        };
        let mut name = None;
        let mut value = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::structured_annotation => {
                    meta.structured.push(self.parse_structured_annotation(part));
                }
                Rule::identifier => name = Some(self.ident(&part)),
                Rule::int_constant => value = Some(self.parse_int(&part)),
                _ => meta.annotations = self.parse_annotations(part),
            }
        }
        EnumMember {
            name: name.expect("enum member name"),
            value,
            meta,
        }
    }

    pub(super) fn parse_senum(&mut self, mut parts: Pairs<'_, Rule>, meta: &mut Meta) -> Named {
        let name = self.ident(&parts.next().expect("senum name"));
        let mut values: Vec<StrLit> = Vec::new();
        for part in parts {
            match part.as_rule() {
                Rule::literal => values.push(self.parse_literal(part)),
                _ => meta.annotations = self.parse_annotations(part),
            }
        }
        (name, DefinitionKind::Senum(values))
    }

    pub(super) fn parse_struct(
        &mut self,
        kind: StructKind,
        mut parts: Pairs<'_, Rule>,
        meta: &mut Meta,
    ) -> Named {
        let name = self.ident(&parts.next().expect("struct name"));
        let mut fields = Vec::new();
        for part in parts {
            match part.as_rule() {
                Rule::field => fields.push(self.parse_field(part)),
                Rule::xsd_all => {
                    self.deprecated(self.span(&part), "`xsd_all`", "remove it; it has no effect");
                }
                _ => meta.annotations = self.parse_annotations(part),
            }
        }
        (name, DefinitionKind::Struct(kind, fields))
    }

    pub(super) fn parse_service(&mut self, mut parts: Pairs<'_, Rule>, meta: &mut Meta) -> Named {
        let name = self.ident(&parts.next().expect("service name"));
        let mut service = Service {
            extends: None,
            functions: Vec::new(),
        };
        for part in parts {
            match part.as_rule() {
                Rule::extends => {
                    let base = part.into_inner().nth(1).expect("extends target");
                    service.extends = Some(self.ident(&base));
                }
                Rule::function => service.functions.push(self.parse_function(part)),
                _ => meta.annotations = self.parse_annotations(part),
            }
        }
        (name, DefinitionKind::Service(service))
    }

    fn parse_function(&mut self, pair: Pair<'_, Rule>) -> Function {
        let span = self.span(&pair);
        let mut meta = Meta {
            doc: self.docs.before(span.start),
            ..Meta::default()
        };
        let (mut name, mut oneway, mut returns, mut returns_span) = (None, None, None, span);
        let (mut params, mut throws) = (Vec::new(), Vec::new());
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::structured_annotation => {
                    meta.structured.push(self.parse_structured_annotation(part));
                }
                Rule::oneway => {
                    if part.as_str() == "async" {
                        self.deprecated(self.span(&part), "`async`", "write `oneway` instead");
                    }
                    oneway = Some(self.span(&part));
                }
                Rule::function_type => {
                    let inner = part.into_inner().next().expect("return type");
                    returns_span = self.span(&inner);
                    if inner.as_rule() == Rule::field_type {
                        let ty = self.parse_type(inner);
                        returns_span = ty.span;
                        returns = Some(ty);
                    }
                }
                Rule::word => name = Some(self.ident(&part)),
                Rule::field => params.push(self.parse_field(part)),
                Rule::throws => {
                    throws = part
                        .into_inner()
                        .skip(1)
                        .map(|f| self.parse_field(f))
                        .collect();
                }
                _ => meta.annotations = self.parse_annotations(part),
            }
        }
        let name = name.expect("function name");
        Function {
            name,
            oneway,
            returns,
            returns_span,
            params,
            throws,
            meta,
            span,
        }
    }

    fn parse_field(&mut self, pair: Pair<'_, Rule>) -> Field {
        let span = self.span(&pair);
        let mut meta = Meta {
            doc: self.docs.before(span.start),
            ..Meta::default()
        };
        let (mut id, mut requiredness, mut requiredness_span) = (None, Requiredness::Default, None);
        let (mut ty, mut name, mut default) = (None, None, None);
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::structured_annotation => {
                    meta.structured.push(self.parse_structured_annotation(part));
                }
                Rule::field_id => id = part.into_inner().next().map(|p| self.parse_int(&p)),
                Rule::requiredness => {
                    requiredness_span = Some(self.span(&part));
                    requiredness = if part.as_str() == "required" {
                        Requiredness::Required
                    } else {
                        Requiredness::Optional
                    };
                }
                Rule::field_type => ty = Some(self.parse_type(part)),
                Rule::word => name = Some(self.ident(&part)),
                Rule::field_default => {
                    let value = part.into_inner().next().expect("default value");
                    default = Some(self.parse_const_value(value));
                }
                Rule::xsd_optional | Rule::xsd_nillable | Rule::xsd_attrs => {
                    let what = match part.as_rule() {
                        Rule::xsd_optional => "`xsd_optional`",
                        Rule::xsd_nillable => "`xsd_nillable`",
                        _ => "`xsd_attrs`",
                    };
                    self.deprecated(self.span(&part), what, "remove it; it has no effect");
                }
                Rule::annotations => meta.annotations = self.parse_annotations(part),
                _ => {}
            }
        }
        let (ty, name) = (ty.expect("field type"), name.expect("field name"));
        Field {
            id,
            requiredness,
            requiredness_span,
            ty,
            name,
            default,
            meta,
            span,
        }
    }

    fn trailing_annotations(&mut self, parts: Pairs<'_, Rule>, meta: &mut Meta) {
        for part in parts {
            meta.annotations = self.parse_annotations(part);
        }
    }
}

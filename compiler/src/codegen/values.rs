//! Rust expressions for evaluated IDL constants: constant items, field defaults and struct
//! literals. Values were checked against their types by the front end.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::traits::Shape;
use super::types::cg;
use super::Context;
use crate::ir::{BaseType, ConstValue, EnumId, Field, Item, StructId, StructKind, Type};
use crate::naming::ident::to_ident;
use crate::naming::Slot;
use crate::source::FileId;

impl Context<'_> {
    /// The expression for `value` of type `ty`, written in module `from`.
    pub(super) fn value(&self, ty: &Type, value: &ConstValue, from: FileId) -> TokenStream {
        let cg = cg();
        match (self.program.underlying(ty), value) {
            (_, ConstValue::Bool(b)) => quote!(#b),
            (_, ConstValue::Int(i)) => int_literal(*i),
            (_, ConstValue::Double(d)) => double_literal(*d),
            (Type::Base(BaseType::Binary), ConstValue::String(s)) => {
                let bytes = Literal::byte_string(s.as_bytes());
                quote!(#cg::Bytes::from_static(#bytes))
            }
            (Type::Base(BaseType::Uuid), ConstValue::String(s)) => {
                let hex = uuid_literal(s);
                quote!(#cg::Uuid::from_u128(#hex))
            }
            (_, ConstValue::String(s)) => quote!(::core::convert::From::from(#s)),
            (_, ConstValue::List(items)) if items.is_empty() => {
                quote!(::core::default::Default::default())
            }
            (_, ConstValue::Map(entries)) if entries.is_empty() => {
                quote!(::core::default::Default::default())
            }
            (Type::List(t) | Type::Set(t), ConstValue::List(items)) => {
                let items = items.iter().map(|v| self.value(t, v, from));
                quote!(::core::iter::FromIterator::from_iter([#(#items),*]))
            }
            (Type::Map(k, v), ConstValue::Map(entries)) => {
                let entries = entries.iter().map(|(key, value)| {
                    let (key, value) = (self.value(k, key, from), self.value(v, value, from));
                    quote!((#key, #value))
                });
                quote!(::core::iter::FromIterator::from_iter([#(#entries),*]))
            }
            (_, ConstValue::Enum(id, v)) => self.enum_value(*id, *v, from),
            (_, ConstValue::Struct(id, fields)) => self.struct_literal(*id, fields, from),
            _ => quote!(::core::default::Default::default()),
        }
    }

    /// A member of an enum by name, or by number when no member has the value.
    fn enum_value(&self, id: EnumId, value: i32, from: FileId) -> TokenStream {
        let e = &self.program.enums[id.index()];
        let path = self.path(Item::Enum(id), e.file, from);
        match e.members.iter().position(|m| m.value == value) {
            Some(i) => {
                let member = to_ident(self.names.entry(Slot::Members(id), i));
                quote!(#path::#member)
            }
            None => {
                let value = int_literal(i64::from(value));
                quote!(#path(#value))
            }
        }
    }

    fn struct_literal(
        &self,
        id: StructId,
        given: &[(usize, ConstValue)],
        from: FileId,
    ) -> TokenStream {
        let s = &self.program.structs[id.index()];
        let path = self.path(Item::Struct(id), s.file, from);
        let slot = Slot::Fields(id);
        if s.kind == StructKind::Union {
            return match given.first() {
                Some((i, value)) => {
                    let variant = to_ident(self.names.entry(slot, *i));
                    let field = &s.fields[*i];
                    let value = self.value(&field.ty, value, from);
                    let value = wrap(
                        value,
                        Shape {
                            optional: false,
                            boxed: field.boxed,
                        },
                    );
                    quote!(#path::#variant(#value))
                }
                None => quote!(::core::default::Default::default()),
            };
        }
        let fields = s.fields.iter().enumerate().map(|(i, field)| {
            let name = to_ident(self.names.entry(slot, i));
            let value = match given.iter().find(|(g, _)| *g == i) {
                Some((_, value)) => {
                    let value = self.value(&field.ty, value, from);
                    wrap(value, self.traits.shape(field))
                }
                None => self.field_default(field, from),
            };
            quote!(#name: #value)
        });
        let unknown = self.unknown_init(id, &quote!(::core::default::Default::default()));
        let fields = fields.chain(unknown);
        quote!(#path { #(#fields),* })
    }

    /// What a field holds when nothing sets it: its IDL default, else `None` or the default of
    /// its type.
    pub(super) fn field_default(&self, field: &Field, from: FileId) -> TokenStream {
        let shape = self.traits.shape(field);
        match &field.default {
            Some(value) => wrap(self.value(&field.ty, value, from), shape),
            None if shape.optional => quote!(::core::option::Option::None),
            None => quote!(::core::default::Default::default()),
        }
    }
}

/// Boxes and wraps in `Some` as the field's shape says.
fn wrap(mut value: TokenStream, shape: Shape) -> TokenStream {
    if shape.boxed {
        value = quote!(::std::boxed::Box::new(#value));
    }
    if shape.optional {
        value = quote!(::core::option::Option::Some(#value));
    }
    value
}

/// An unsuffixed integer literal (its type comes from where it is used).
pub(super) fn int_literal(value: i64) -> TokenStream {
    let magnitude = Literal::u64_unsuffixed(value.unsigned_abs());
    if value < 0 {
        quote!(-#magnitude)
    } else {
        quote!(#magnitude)
    }
}

fn double_literal(value: f64) -> TokenStream {
    if value.is_nan() {
        return quote!(f64::NAN);
    }
    let magnitude = if value.is_infinite() {
        quote!(f64::INFINITY)
    } else {
        let literal = Literal::f64_unsuffixed(value.abs());
        quote!(#literal)
    };
    if value.is_sign_negative() {
        quote!(-#magnitude)
    } else {
        magnitude
    }
}

/// The 128-bit number of a uuid constant (validated by the front end) as a hex literal.
fn uuid_literal(text: &str) -> syn::LitInt {
    let digits: String = text.chars().filter(char::is_ascii_hexdigit).collect();
    let value = u128::from_str_radix(&digits, 16).unwrap_or(0);
    syn::LitInt::new(&format!("{value:#034x}"), proc_macro2::Span::call_site())
}

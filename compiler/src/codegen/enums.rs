//! Enums are open: a newtype over `i32` with a constant per member, so a value this side does
//! not know survives a round trip instead of failing the decode.

use std::collections::HashSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::doc_attrs;
use super::types::cg;
use super::values::int_literal;
use super::Context;
use crate::ir::{EnumId, Item};
use crate::naming::ident::{allow_case, to_ident, Case};
use crate::naming::Slot;

pub(super) fn generate_enum(cx: &Context<'_>, id: EnumId) -> TokenStream {
    let e = &cx.program.enums[id.index()];
    let cg = cg();
    let rust_name = cx.names.item(Item::Enum(id));
    let (name, allow) = (to_ident(rust_name), allow_case(Case::Type, rust_name));
    let idl_name = &e.name.name;
    let docs = doc_attrs(e.meta.doc.as_deref());
    let attrs = cx.attributes(false, &cx.idl_path(e.file, idl_name));
    let rust_members: Vec<&str> = (0..e.members.len())
        .map(|i| cx.names.entry(Slot::Members(id), i))
        .collect();
    let members: Vec<_> = rust_members.iter().map(|m| to_ident(m)).collect();
    let constants =
        e.members
            .iter()
            .zip(&members)
            .zip(&rust_members)
            .map(|((m, member), rust_member)| {
                let docs = doc_attrs(m.meta.doc.as_deref());
                let allow_member = allow_case(Case::Const, rust_member);
                let docs = quote!(#docs #allow_member);
                let value = int_literal(i64::from(m.value));
                quote!(#docs pub const #member: Self = Self(#value);)
            });
    // The first member with each value names it.
    let mut seen = HashSet::new();
    let named = e.members.iter().filter(|m| seen.insert(m.value));
    let (values, idl_names): (Vec<_>, Vec<_>) = named
        .map(|m| (int_literal(i64::from(m.value)), m.name.name.as_str()))
        .unzip();
    let default = members
        .first()
        .map_or(quote!(Self(0)), |m| quote!(Self::#m));
    let serde = cx
        .serde(&cx.idl_path(e.file, idl_name))
        .then(|| super::serde::generate_enum(&name));
    quote! {
        #docs
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #attrs
        #allow
        pub struct #name(pub i32);

        impl #name {
            #(#constants)*
            /// Every member, in IDL order.
            pub const MEMBERS: &'static [Self] = &[#(Self::#members),*];

            /// The member's IDL name, or `None` for a value the IDL does not name.
            pub fn name(self) -> ::core::option::Option<&'static str> {
                match self.0 {
                    #(#values => ::core::option::Option::Some(#idl_names),)*
                    _ => ::core::option::Option::None,
                }
            }
        }

        /// The first member.
        impl ::core::default::Default for #name {
            fn default() -> Self {
                #default
            }
        }

        impl ::core::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self.name() {
                    ::core::option::Option::Some(name) => f.write_str(name),
                    ::core::option::Option::None => ::core::write!(f, "{}({})", #idl_name, self.0),
                }
            }
        }

        impl ::core::convert::From<i32> for #name {
            fn from(value: i32) -> Self {
                Self(value)
            }
        }

        impl ::core::convert::From<#name> for i32 {
            fn from(value: #name) -> Self {
                value.0
            }
        }

        impl #cg::Value for #name {
            const TTYPE: #cg::TType = #cg::TType::I32;
            fn write<__W: #cg::Writer>(&self, w: &mut __W) {
                w.write_i32(self.0);
            }
            fn read<__R: #cg::Reader>(r: &mut __R) -> ::core::result::Result<Self, #cg::ProtocolError> {
                r.read_i32().map(Self)
            }
        }

        #serde
    }
}

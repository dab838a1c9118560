//! Typedefs and constants. Constants whose value Rust can build at compile time become `const`
//! items (strings as `&str`, binaries as `&[u8]`); containers and structs become `LazyLock`
//! statics built on first use.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::docs::doc_attrs;
use super::types::cg;
use super::Context;
use crate::ir::{BaseType, ConstId, ConstValue, Item, Type, TypedefId};
use crate::naming::ident::{allow_case, to_ident, Case};

pub(super) fn generate_typedef(cx: &Context<'_>, id: TypedefId) -> TokenStream {
    let t = &cx.program.typedefs[id.index()];
    let rust_name = cx.names.item(Item::Typedef(id));
    let (name, allow) = (to_ident(rust_name), allow_case(Case::Type, rust_name));
    let docs = doc_attrs(t.meta.doc.as_deref());
    let docs = quote!(#docs #allow);
    let target = cx.rust_type(&t.target, t.file);
    quote! {
        #docs
        pub type #name = #target;
    }
}

pub(super) fn generate_const(cx: &Context<'_>, id: ConstId) -> TokenStream {
    let c = &cx.program.consts[id.index()];
    let rust_name = cx.names.item(Item::Const(id));
    let (name, allow) = (to_ident(rust_name), allow_case(Case::Const, rust_name));
    let docs = doc_attrs(c.meta.doc.as_deref());
    let docs = quote!(#docs #allow);
    let underlying = cx.program.underlying(&c.ty);
    let (ty, value) = match (underlying, &c.value) {
        (Type::Base(BaseType::String), ConstValue::String(s)) => (quote!(&str), quote!(#s)),
        (Type::Base(BaseType::Binary), ConstValue::String(s)) => {
            let bytes = Literal::byte_string(s.as_bytes());
            (quote!(&[u8]), quote!(#bytes))
        }
        (Type::Base(_) | Type::Enum(_), _) => (
            cx.rust_type(&c.ty, c.file),
            cx.value(&c.ty, &c.value, c.file),
        ),
        _ => {
            let cg = cg();
            let ty = cx.rust_type(&c.ty, c.file);
            let value = cx.value(&c.ty, &c.value, c.file);
            return quote! {
                #docs
                pub static #name: #cg::LazyLock<#ty> = #cg::LazyLock::new(|| #value);
            };
        }
    };
    quote! {
        #docs
        pub const #name: #ty = #value;
    }
}

//! Unions are Rust enums with one variant per field. On the wire a union is a struct with
//! exactly one field set; decoding one with none this side knows, or with several, fails.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::doc_attrs;
use super::types::cg;
use super::values::int_literal;
use super::Context;
use crate::ir::{Item, StructId};
use crate::naming::ident::{allow_case, to_ident, Case};
use crate::naming::Slot;

pub(super) fn generate_union(cx: &Context<'_>, id: StructId) -> TokenStream {
    let cg = cg();
    let s = &cx.program.structs[id.index()];
    let rust_name = cx.names.item(Item::Struct(id));
    let (name, allow) = (to_ident(rust_name), allow_case(Case::Type, rust_name));
    let docs = doc_attrs(s.meta.doc.as_deref());
    let idl_path = cx.idl_path(s.file, &s.name.name);
    let attrs = cx.attributes(false, &idl_path);
    let derives = cx.derives(id, false);
    let owner = &s.name.name;
    let rust_variants: Vec<&str> = (0..s.fields.len())
        .map(|i| cx.names.entry(Slot::Fields(id), i))
        .collect();
    let variants: Vec<_> = rust_variants.iter().map(|v| to_ident(v)).collect();
    let definitions =
        s.fields
            .iter()
            .zip(&variants)
            .zip(&rust_variants)
            .map(|((f, variant), rust_variant)| {
                let docs = doc_attrs(f.meta.doc.as_deref());
                let allow_variant = allow_case(Case::Type, rust_variant);
                let docs = quote!(#docs #allow_variant);
                let attrs = cx.attributes(true, &format!("{idl_path}.{}", f.name.name));
                let mut ty = cx.rust_type(&f.ty, s.file);
                if f.boxed {
                    ty = quote!(::std::boxed::Box<#ty>);
                }
                quote!(#docs #attrs #variant(#ty))
            });
    let writes = s.fields.iter().zip(&variants).map(|(f, variant)| {
        let field_id = int_literal(f.id.into());
        quote!(Self::#variant(value) => #cg::write_field(w, #field_id, value),)
    });
    let reads = s.fields.iter().zip(&variants).map(|(f, variant)| {
        let (field_id, ttype, idl) = (int_literal(f.id.into()), cx.ttype(&f.ty), &f.name.name);
        quote!((#field_id, #ttype) => Self::#variant(#cg::read_field(r, #owner, #idl)?),)
    });
    let value_impl = if s.fields.is_empty() {
        generate_empty_value(&name, owner)
    } else {
        quote! {
            impl #cg::Value for #name {
                const TTYPE: #cg::TType = #cg::TType::Struct;
                fn write<__W: #cg::Writer>(&self, w: &mut __W) {
                    w.write_struct_begin();
                    match self {
                        #(#writes)*
                    }
                    w.write_field_stop();
                    w.write_struct_end();
                }
                fn read<__R: #cg::Reader>(r: &mut __R) -> ::core::result::Result<Self, #cg::ProtocolError> {
                    r.read_struct_begin()?;
                    let mut found = ::core::option::Option::None;
                    let mut count = 0usize;
                    while let ::core::option::Option::Some((ty, id)) = r.read_field_begin()? {
                        let value = match (id, ty) {
                            #(#reads)*
                            _ => {
                                r.skip(ty)?;
                                continue;
                            }
                        };
                        count += 1;
                        found = ::core::option::Option::Some(value);
                    }
                    r.read_struct_end();
                    match found {
                        ::core::option::Option::Some(value) if count == 1 => ::core::result::Result::Ok(value),
                        _ => ::core::result::Result::Err(#cg::bad_union(#owner, count)),
                    }
                }
            }
        }
    };
    let serde = cx
        .serde(&idl_path)
        .then(|| super::serde::generate_union(cx, id, &name, &variants));
    quote! {
        #docs
        #derives
        #attrs
        #allow
        pub enum #name {
            #(#definitions,)*
        }

        #value_impl
        #serde
    }
}

/// A union without fields has no values: it can never be written, and reading one always fails.
fn generate_empty_value(name: &proc_macro2::Ident, owner: &str) -> TokenStream {
    let cg = cg();
    quote! {
        impl #cg::Value for #name {
            const TTYPE: #cg::TType = #cg::TType::Struct;
            fn write<__W: #cg::Writer>(&self, _: &mut __W) {
                match *self {}
            }
            fn read<__R: #cg::Reader>(r: &mut __R) -> ::core::result::Result<Self, #cg::ProtocolError> {
                r.skip(#cg::TType::Struct)?;
                ::core::result::Result::Err(#cg::bad_union(#owner, 0))
            }
        }
    }
}

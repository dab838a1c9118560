//! Unions are Rust enums with one variant per field. On the wire a union is a struct with
//! exactly one field set; decoding one with none this side knows, or with several, fails.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::doc_attrs;
use super::types::cg;
use super::values::int_literal;
use super::Context;
use crate::ir::{Item, StructId};
use crate::naming::ident::{allow_case, to_ident, Case};
use crate::naming::{Slot, UNKNOWN_VARIANT};

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
        quote!((#field_id, #ttype) => ::core::option::Option::Some(Self::#variant(#cg::read_field(r, #owner, #idl)?)),)
    });
    let Kept {
        variant: unknown_variant,
        write: unknown_write,
        init: unknown_init,
        read: unknown_read,
        found,
    } = kept(cx, id, owner);
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
                        #unknown_write
                    }
                    w.write_field_stop();
                    w.write_struct_end();
                }
                fn read<__R: #cg::Reader>(r: &mut __R) -> ::core::result::Result<Self, #cg::ProtocolError> {
                    r.read_struct_begin()?;
                    let mut found = ::core::option::Option::None;
                    let mut count = 0usize;
                    #unknown_init
                    while let ::core::option::Option::Some((ty, id)) = r.read_field_begin()? {
                        let value = match (id, ty) {
                            #(#reads)*
                            _ => {
                                #unknown_read;
                                ::core::option::Option::None
                            }
                        };
                        r.read_field_end()?;
                        if value.is_some() {
                            count += 1;
                            found = value;
                        }
                    }
                    r.read_struct_end()?;
                    #found
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
            #unknown_variant
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

/// The parts of a union's code that differ when it keeps unknown fields
/// (`Config::keep_unknown_fields`): its `_UnknownFields` variant, how that is written, and how
/// reading ends.
struct Kept {
    variant: TokenStream,
    write: TokenStream,
    init: TokenStream,
    read: TokenStream,
    found: TokenStream,
}

fn kept(cx: &Context<'_>, id: StructId, owner: &str) -> Kept {
    let cg = cg();
    let s = &cx.program.structs[id.index()];
    let keeps = cx.keeps_unknown(id) && !s.fields.is_empty();
    let kept = format_ident!("{}", UNKNOWN_VARIANT);
    if keeps {
        Kept {
            variant: quote!(/// A field the IDL does not have, kept to be written back.
                #kept(#cg::UnknownFields),),
            write: quote!(Self::#kept(fields) => fields.write(w),),
            init: quote!(let mut unknown = #cg::UnknownFields::default();),
            read: quote!(unknown.keep(r, id, ty)?),
            found: quote! {
                match found {
                    ::core::option::Option::Some(value) if count == 1 && unknown.is_empty() => ::core::result::Result::Ok(value),
                    ::core::option::Option::None if unknown.len() == 1 => ::core::result::Result::Ok(Self::#kept(unknown)),
                    _ => ::core::result::Result::Err(#cg::bad_union(#owner, count + unknown.len())),
                }
            },
        }
    } else {
        Kept {
            variant: TokenStream::new(),
            write: TokenStream::new(),
            init: TokenStream::new(),
            read: quote!(r.skip(ty)?),
            found: quote! {
                match found {
                    ::core::option::Option::Some(value) if count == 1 => ::core::result::Result::Ok(value),
                    _ => ::core::result::Result::Err(#cg::bad_union(#owner, count)),
                }
            },
        }
    }
}

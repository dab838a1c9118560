//! Structs and exceptions: a Rust struct with public fields, its derives, `Default` with the
//! IDL defaults, and its [`Value`] impl. Unions are in [`super::unions`].
//!
//! Decoding follows Apache: fields may come in any order, unknown fields and fields of an
//! unexpected type are skipped, a missing `required` field is an error naming it, a missing
//! default-requiredness field takes its default.
//!
//! [`Value`]: https://docs.rs/thrift-bidi

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::docs::doc_attrs;
use super::types::cg;
use super::values::int_literal;
use super::{unions, Context};
use crate::ir::{Item, Requiredness, Struct, StructId, StructKind};
use crate::naming::ident::{allow_case, to_ident, Case};
use crate::naming::{Slot, UNKNOWN_FIELD};

pub(super) fn generate_struct(cx: &Context<'_>, id: StructId) -> TokenStream {
    let s = &cx.program.structs[id.index()];
    if s.kind == StructKind::Union {
        return unions::generate_union(cx, id);
    }
    // Field lints fire in derived code too, so a field's allow goes on the struct.
    let field_names = (0..s.fields.len()).map(|i| cx.names.entry(Slot::Fields(id), i));
    let allow_fields = field_names
        .map(|f| allow_case(Case::Value, f))
        .find(|a| !a.is_empty());
    let rust_name = cx.names.item(Item::Struct(id));
    let (name, allow) = (to_ident(rust_name), allow_case(Case::Type, rust_name));
    let docs = doc_attrs(s.meta.doc.as_deref());
    let idl_path = cx.idl_path(s.file, &s.name.name);
    let message = cx.messages.contains(id);
    let attrs = if message {
        quote!(#[doc(hidden)])
    } else {
        cx.attributes(false, &idl_path)
    };
    let derives = cx.derives(id, s.fields.iter().all(|f| f.default.is_none()));
    let fields = s.fields.iter().enumerate().map(|(i, f)| {
        let docs = doc_attrs(f.meta.doc.as_deref());
        let attrs = if message {
            TokenStream::new()
        } else {
            cx.attributes(true, &format!("{idl_path}.{}", f.name.name))
        };
        let field = to_ident(cx.names.entry(Slot::Fields(id), i));
        let ty = cx.field_type(f, s.file);
        quote!(#docs #attrs pub #field: #ty)
    });
    let keeps = cx.keeps_unknown(id);
    let unknown = keeps.then(|| {
        let (cg, field) = (cg(), format_ident!("{}", UNKNOWN_FIELD));
        quote!(/// The fields read that the IDL does not have, written back after the others.
            pub #field: #cg::UnknownFields)
    });
    let fields = fields.chain(unknown);
    let default = generate_default(cx, id, &name);
    let value = generate_value(cx, id, &name);
    let error = (s.kind == StructKind::Exception).then(|| generate_error(&name));
    let serde =
        (!message && cx.serde(&idl_path)).then(|| super::serde::generate_struct(cx, id, &name));
    quote! {
        #docs
        #derives
        #attrs
        #allow
        #allow_fields
        pub struct #name {
            #(#fields,)*
        }
        #default
        #value
        #error
        #serde
    }
}

impl Context<'_> {
    /// `_unknown_fields: value`, for a struct that keeps unknown fields.
    pub(super) fn unknown_init(&self, id: StructId, value: &TokenStream) -> Option<TokenStream> {
        let field = format_ident!("{}", UNKNOWN_FIELD);
        self.keeps_unknown(id).then(|| quote!(#field: #value))
    }

    /// The derive attribute of a struct or union; `Default` only when asked for and possible.
    pub(super) fn derives(&self, id: StructId, derive_default: bool) -> TokenStream {
        let traits = self.traits.of_struct(id);
        let eq = traits.eq.then(|| quote!(Eq,));
        let hash = traits.hash.then(|| quote!(Hash,));
        let ord = traits.ord.then(|| quote!(PartialOrd, Ord,));
        let default = (traits.default && derive_default).then(|| quote!(Default,));
        quote!(#[derive(Clone, Debug, PartialEq, #eq #hash #ord #default)])
    }
}

/// A hand-written `Default` when some field has an IDL default (otherwise it is derived).
fn generate_default(cx: &Context<'_>, id: StructId, name: &Ident) -> TokenStream {
    let s = &cx.program.structs[id.index()];
    if !cx.traits.of_struct(id).default || s.fields.iter().all(|f| f.default.is_none()) {
        return TokenStream::new();
    }
    let fields = s.fields.iter().enumerate().map(|(i, f)| {
        let field = to_ident(cx.names.entry(Slot::Fields(id), i));
        let value = cx.field_default(f, s.file);
        quote!(#field: #value)
    });
    let fields = fields.chain(cx.unknown_init(id, &quote!(::core::default::Default::default())));
    quote! {
        impl ::core::default::Default for #name {
            fn default() -> Self {
                Self { #(#fields,)* }
            }
        }
    }
}

/// The `Value` impl: write in IDL order, read in any order.
fn generate_value(cx: &Context<'_>, id: StructId, name: &Ident) -> TokenStream {
    let cg = cg();
    let s = &cx.program.structs[id.index()];
    let writes = s.fields.iter().enumerate().map(|(i, f)| {
        let field = to_ident(cx.names.entry(Slot::Fields(id), i));
        let field_id = int_literal(f.id.into());
        if cx.traits.shape(f).optional {
            quote! {
                if let ::core::option::Option::Some(value) = &self.#field {
                    #cg::write_field(w, #field_id, value);
                }
            }
        } else {
            quote!(#cg::write_field(w, #field_id, &self.#field);)
        }
    });
    let read = generate_read(cx, id, s);
    let unknown = cx.keeps_unknown(id).then(|| {
        let field = format_ident!("{}", UNKNOWN_FIELD);
        quote!(self.#field.write(w);)
    });
    quote! {
        impl #cg::Value for #name {
            const TTYPE: #cg::TType = #cg::TType::Struct;
            fn write<__W: #cg::Writer>(&self, w: &mut __W) {
                w.write_struct_begin();
                #(#writes)*
                #unknown
                w.write_field_stop();
                w.write_struct_end();
            }
            #read
        }
    }
}

fn generate_read(cx: &Context<'_>, id: StructId, s: &Struct) -> TokenStream {
    let cg = cg();
    let owner = &s.name.name;
    let locals: Vec<Ident> = (0..s.fields.len()).map(|i| format_ident!("f{i}")).collect();
    let arms = s.fields.iter().zip(&locals).map(|(f, local)| {
        let (field_id, ttype, idl) = (int_literal(f.id.into()), cx.ttype(&f.ty), &f.name.name);
        quote!((#field_id, #ttype) => #local = ::core::option::Option::Some(#cg::read_field(r, #owner, #idl)?),)
    });
    let results = s
        .fields
        .iter()
        .enumerate()
        .zip(&locals)
        .map(|((i, f), local)| {
            let field = to_ident(cx.names.entry(Slot::Fields(id), i));
            let idl = &f.name.name;
            let value = match f.requiredness {
                Requiredness::Required => {
                    quote!(#local.ok_or_else(|| #cg::missing_field(#owner, #idl))?)
                }
                _ if cx.traits.shape(f).optional => quote!(#local),
                _ if f.default.is_none() => quote!(#local.unwrap_or_default()),
                _ => {
                    let default = cx.field_default(f, s.file);
                    quote!(#local.unwrap_or_else(|| #default))
                }
            };
            quote!(#field: #value)
        });
    let keeps = cx.keeps_unknown(id);
    let (unknown, other) = if keeps {
        (
            quote!(let mut unknown = #cg::UnknownFields::default();),
            quote!(unknown.keep(r, id, ty)?),
        )
    } else {
        (TokenStream::new(), quote!(r.skip(ty)?))
    };
    let fields = if s.fields.is_empty() && !keeps {
        quote! {
            while let ::core::option::Option::Some((ty, _)) = r.read_field_begin()? {
                r.skip(ty)?;
                r.read_field_end()?;
            }
        }
    } else {
        quote! {
            while let ::core::option::Option::Some((ty, id)) = r.read_field_begin()? {
                match (id, ty) {
                    #(#arms)*
                    _ => #other,
                }
                r.read_field_end()?;
            }
        }
    };
    let results = results.chain(cx.unknown_init(id, &quote!(unknown)));
    quote! {
        fn read<__R: #cg::Reader>(r: &mut __R) -> ::core::result::Result<Self, #cg::ProtocolError> {
            r.read_struct_begin()?;
            #(let mut #locals = ::core::option::Option::None;)*
            #unknown
            #fields
            r.read_struct_end()?;
            ::core::result::Result::Ok(Self { #(#results,)* })
        }
    }
}

/// Exceptions are errors; they display as their fields.
fn generate_error(name: &Ident) -> TokenStream {
    quote! {
        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Debug::fmt(self, f)
            }
        }

        impl ::std::error::Error for #name {}
    }
}

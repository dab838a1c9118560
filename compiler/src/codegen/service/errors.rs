//! The error enum of a function that declares exceptions: a variant per exception and `Rpc`
//! for a failed call.

use proc_macro2::TokenStream;
use quote::quote;

use super::Method;
use crate::codegen::types::cg;
use crate::codegen::Context;
use crate::naming::ident::to_ident;
use crate::naming::RPC_VARIANT;
use crate::source::FileId;

pub(super) fn generate_error(
    cx: &Context<'_>,
    service: &str,
    file: FileId,
    m: &Method<'_>,
) -> TokenStream {
    let cg = cg();
    let name = &m.error_enum;
    let rpc = to_ident(RPC_VARIANT);
    let doc = format!(
        " How `{service}.{}` can fail: its declared exceptions, or a failure of the call itself.",
        m.wire
    );
    let variants = m
        .exceptions
        .iter()
        .zip(&m.function.throws)
        .map(|((_, variant), field)| {
            let ty = cx.rust_type(&field.ty, file);
            quote!(#variant(#ty),)
        });
    let displays = m
        .exceptions
        .iter()
        .map(|(_, variant)| quote!(Self::#variant(e) => ::core::fmt::Display::fmt(e, f),));
    quote! {
        #[doc = #doc]
        #[derive(Debug)]
        pub enum #name {
            #(#variants)*
            /// The call failed (connection, protocol, or an undeclared handler failure).
            #rpc(#cg::Error),
        }
        impl ::core::convert::From<#cg::Error> for #name {
            fn from(error: #cg::Error) -> Self {
                Self::#rpc(error)
            }
        }
        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    #(#displays)*
                    Self::#rpc(e) => ::core::fmt::Display::fmt(e, f),
                }
            }
        }
        impl ::std::error::Error for #name {}
    }
}

//! The error enum of a function that declares exceptions: a variant per exception and `Rpc`
//! for a failed call.

use proc_macro2::TokenStream;
use quote::quote;

use super::Method;
use crate::codegen::types::cg;
use crate::codegen::Context;
use crate::ir::ServiceId;
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

/// For a bidirectional service, `From` conversions from the error of each callback function
/// into the error of each of the service's own functions that declares every exception the
/// callback's does (each once), so a handler rethrows a callback's exception with `?`.
pub(super) fn conversions(cx: &Context<'_>, id: ServiceId, own: &[Method<'_>]) -> TokenStream {
    let s = &cx.program.services[id.index()];
    let Some(callback) = s.callback else {
        return TokenStream::new();
    };
    let rpc = to_ident(RPC_VARIANT);
    let callbacks = cx.methods(callback, s.file);
    let mut out = TokenStream::new();
    for target in own.iter().filter(|m| m.error_enum.is_some()) {
        for source in callbacks.iter().filter(|m| m.error_enum.is_some()) {
            let Some(pairs) = matching_variants(source, target) else {
                continue;
            };
            let (from, to) = (&source.error, &target.error);
            let (arms, variants): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
            out.extend(quote! {
                impl ::core::convert::From<#from> for #to {
                    fn from(error: #from) -> Self {
                        match error {
                            #(#from::#arms(e) => Self::#variants(e),)*
                            #from::#rpc(e) => Self::#rpc(e),
                        }
                    }
                }
            });
        }
    }
    out
}

/// Pairs of variants, `source`'s to `target`'s, when each exception of `source` has a type
/// that exactly one exception of `target` has; otherwise `None`.
fn matching_variants<'m>(
    source: &'m Method<'_>,
    target: &'m Method<'_>,
) -> Option<Vec<(&'m proc_macro2::Ident, &'m proc_macro2::Ident)>> {
    let source_exceptions = source.function.throws.iter().zip(&source.exceptions);
    source_exceptions
        .map(|(exception, (_, from))| {
            let target_exceptions = target.function.throws.iter().zip(&target.exceptions);
            let mut same = target_exceptions.filter(|(t, _)| t.ty == exception.ty);
            let (_, (_, to)) = same.next()?;
            same.next().is_none().then_some((from, to))
        })
        .collect()
}

//! The client of a service: a method per function (its own and inherited) over a `Channel`,
//! and a `try_` method per oneway.

use proc_macro2::TokenStream;
use quote::quote;

use super::Method;
use crate::codegen::types::cg;
use crate::codegen::Context;
use crate::ir::ServiceId;
use crate::naming::ident::to_ident;

pub(super) fn generate_client(cx: &Context<'_>, id: ServiceId) -> TokenStream {
    let cg = cg();
    let s = &cx.program.services[id.index()];
    let name = to_ident(&cx.names.service(id).client);
    let doc = format!(
        " A client of `{}`: cheap to clone, calls from many tasks share one connection.",
        s.name.name
    );
    let methods = cx
        .methods(id, s.file)
        .into_iter()
        .map(|m| generate_client_method(&m));
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug)]
        pub struct #name {
            channel: #cg::Channel,
        }
        impl #name {
            /// A client making its calls on `channel`.
            pub fn new(channel: #cg::Channel) -> Self {
                Self { channel }
            }
            /// The connection the calls go over.
            pub fn channel(&self) -> &#cg::Channel {
                &self.channel
            }
            #(#methods)*
        }
    }
}

fn generate_client_method(m: &Method<'_>) -> TokenStream {
    let (method, returns, error, wire, args) = (&m.name, &m.returns, &m.error, m.wire, &m.args);
    let docs = crate::codegen::docs::doc_attrs(m.function.meta.doc.as_deref());
    let params = m.params.iter().map(|(name, ty)| quote!(#name: #ty));
    let names: Vec<_> = m.params.iter().map(|(name, _)| name).collect();
    let build = quote!(#args { #(#names),* });
    if let Some(try_method) = &m.no_wait {
        let try_doc = format!(
            " Like [`Self::{method}`], without waiting: fails with `Busy` while the peer is behind."
        );
        let params_again = params.clone();
        return quote! {
            #docs
            pub async fn #method(&self, #(#params),*) -> ::core::result::Result<(), #error> {
                self.channel.oneway(#wire, &#build).await
            }
            #[doc = #try_doc]
            pub fn #try_method(&self, #(#params_again),*) -> ::core::result::Result<(), #error> {
                self.channel.try_oneway(#wire, &#build)
            }
        };
    }
    let result = &m.result;
    let thrown = m.exceptions.iter().map(|(field, variant)| {
        quote! {
            if let ::core::option::Option::Some(e) = result.#field {
                return ::core::result::Result::Err(#error::#variant(e));
            }
        }
    });
    let success = if m.has_success {
        let cg = cg();
        let missing = if m.exceptions.is_empty() {
            quote!(#cg::missing_result(#wire))
        } else {
            quote!(#cg::missing_result(#wire).into())
        };
        quote!(result.success.ok_or_else(|| #missing))
    } else {
        quote!(::core::result::Result::Ok(()))
    };
    let binding = if m.has_success || !m.exceptions.is_empty() {
        quote!(result)
    } else {
        quote!(_)
    };
    quote! {
        #docs
        pub async fn #method(&self, #(#params),*) -> ::core::result::Result<#returns, #error> {
            let #binding: #result = self.channel.call(#wire, &#build).await?;
            #(#thrown)*
            #success
        }
    }
}

//! The blocking client of a service, for synchronous code: the async client and a runtime of
//! its own (`thrift_bidi::BlockingRuntime`), each method waiting for the async one; it connects
//! through the `thrift_bidi::BlockingClient` trait.

use proc_macro2::TokenStream;
use quote::quote;

use super::Method;
use crate::codegen::types::cg;
use crate::codegen::Context;
use crate::ir::ServiceId;
use crate::naming::ident::to_ident;

pub(super) fn generate_blocking(cx: &Context<'_>, id: ServiceId) -> TokenStream {
    let cg = cg();
    let s = &cx.program.services[id.index()];
    let derived = cx.names.service(id);
    let (name, client) = (to_ident(&derived.blocking), to_ident(&derived.client));
    let doc = format!(
        " A client of `{}` for synchronous code: each method blocks until its reply, on a \
         runtime of its own whose thread keeps the connection going between calls (and serves \
         callbacks). Do not call it from async code; use [`{}`] there.",
        s.name.name, derived.client
    );
    let methods = cx
        .methods(id, s.file)
        .into_iter()
        .map(|m| generate_method(&m));
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug)]
        pub struct #name {
            client: #client,
            runtime: #cg::BlockingRuntime,
        }
        impl #name {
            /// Makes blocking calls on `channel`, waiting on `runtime` (the one it was
            /// connected on).
            pub fn new(channel: #cg::Channel, runtime: #cg::BlockingRuntime) -> Self {
                Self { client: #client::new(channel), runtime }
            }
            /// The connection the calls go over.
            pub fn channel(&self) -> &#cg::Channel {
                self.client.channel()
            }
            #(#methods)*
        }
        impl #cg::BlockingClient for #name {
            fn from_parts(channel: #cg::Channel, runtime: #cg::BlockingRuntime) -> Self {
                Self::new(channel, runtime)
            }
        }
    }
}

fn generate_method(m: &Method<'_>) -> TokenStream {
    let (method, returns, error) = (&m.name, &m.returns, &m.error);
    let docs = crate::codegen::docs::doc_attrs(m.function.meta.doc.as_deref());
    let (params, names) = (m.typed_params(), m.param_names());
    let no_wait = m.no_wait.as_ref().map(|no_wait| {
        let doc = m.no_wait_doc();
        quote! {
            #[doc = #doc]
            pub fn #no_wait(&self, #(#params),*) -> ::core::result::Result<(), #error> {
                self.client.#no_wait(#(#names),*)
            }
        }
    });
    quote! {
        #docs
        pub fn #method(&self, #(#params),*) -> ::core::result::Result<#returns, #error> {
            self.runtime.block_on(self.client.#method(#(#names),*))
        }
        #no_wait
    }
}

//! The client of a service: a method per function (its own and inherited) over a `Channel`,
//! and a `try_` method per oneway.

use proc_macro2::TokenStream;
use quote::quote;

use super::Method;
use crate::codegen::types::cg;
use crate::codegen::Context;
use crate::ir::{Item, ServiceId};
use crate::naming::ident::to_ident;

pub(super) fn generate_client(cx: &Context<'_>, id: ServiceId) -> TokenStream {
    let cg = cg();
    let s = &cx.program.services[id.index()];
    let name = to_ident(&cx.names.service(id).client);
    let doc = format!(
        " A client of `{}`: cheap to clone, calls from many tasks share one connection.",
        s.name.name
    );
    let typed = typed_callbacks(cx, id);
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
            #typed
            #(#methods)*
        }
    }
}

/// For a bidirectional service, constructors of connection options that serve a handler of
/// its callback service and nothing else, so the wrong handler does not compile.
fn typed_callbacks(cx: &Context<'_>, id: ServiceId) -> TokenStream {
    let s = &cx.program.services[id.index()];
    let Some(callback) = s.callback else {
        return TokenStream::new();
    };
    let cg = cg();
    let c = &cx.program.services[callback.index()];
    let handler = cx.path(Item::Service(callback), c.file, s.file);
    let server = to_ident(&cx.names.service(callback).server);
    let prefix = cx.module_prefix(c.file, s.file);
    let doc = format!(
        " Connection options for a client whose connection serves `handler` to the server's \
         calls back (`{}`): finish with `.connect(…)`, then wrap the channel with `Self::new`.",
        c.name.name
    );
    quote! {
        #[doc = #doc]
        pub fn builder<__H: #handler>(handler: __H) -> #cg::ChannelBuilder<#cg::Ready<#prefix #server<__H>>> {
            #cg::Channel::builder().callbacks(#prefix #server::new(handler))
        }
        /// Like [`Self::builder`], with the handler made from a channel to the server, so
        /// that a callback can call the server in turn.
        pub fn builder_with<__H, __F>(make: __F) -> #cg::ChannelBuilder<impl #cg::MakeCallbacks<Service = #prefix #server<__H>>>
        where
            __H: #handler,
            __F: ::core::ops::FnOnce(&#cg::Channel) -> __H,
        {
            #cg::Channel::builder().callbacks_with(move |channel: &#cg::Channel| #prefix #server::new(make(channel)))
        }
    }
}

fn generate_client_method(m: &Method<'_>) -> TokenStream {
    let (method, returns, error, wire, args) = (&m.name, &m.returns, &m.error, m.wire, &m.args);
    let docs = crate::codegen::docs::doc_attrs(m.function.meta.doc.as_deref());
    let (params, names) = (m.typed_params(), m.param_names());
    let build = quote!(#args { #(#names),* });
    if let Some(try_method) = &m.no_wait {
        let try_doc = m.no_wait_doc();
        return quote! {
            #docs
            pub async fn #method(&self, #(#params),*) -> ::core::result::Result<(), #error> {
                self.channel.oneway(#wire, #build).await
            }
            #[doc = #try_doc]
            pub fn #try_method(&self, #(#params),*) -> ::core::result::Result<(), #error> {
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
    let call = if m.idempotent {
        quote!(call_idempotent)
    } else {
        quote!(call)
    };
    quote! {
        #docs
        pub async fn #method(&self, #(#params),*) -> ::core::result::Result<#returns, #error> {
            let #binding: #result = self.channel.#call(#wire, #build).await?;
            #(#thrown)*
            #success
        }
    }
}

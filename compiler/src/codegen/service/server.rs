//! The server of a service: a `Service` that dispatches incoming calls by method name to a
//! handler, inherited methods going to the parent service's dispatch function.

use proc_macro2::TokenStream;
use quote::quote;

use super::Method;
use crate::codegen::types::cg;
use crate::codegen::Context;
use crate::ir::{Item, ServiceId};
use crate::naming::ident::to_ident;
use crate::naming::RPC_VARIANT;

pub(super) fn generate_server(cx: &Context<'_>, id: ServiceId, own: &[Method<'_>]) -> TokenStream {
    let cg = cg();
    let s = &cx.program.services[id.index()];
    let service = cx.names.item(Item::Service(id));
    let (trait_, name) = (to_ident(service), to_ident(&cx.names.service(id).server));
    let dispatch = dispatch_fn(cx, id);
    let doc = format!(" Serves a [`{service}`] handler: give it to `thrift_bidi::Server`.");
    let arms = own.iter().map(generate_arm);
    let wire_name = &s.name.name;
    // A bidirectional service answers its clients' hellos (docs/bidi.md).
    let callback = s.callback.map(|callback| {
        let callback = &cx.program.services[callback.index()].name.name;
        quote! {
            fn callback(&self) -> ::core::option::Option<&'static str> {
                ::core::option::Option::Some(#callback)
            }
        }
    });
    let fallback = match s.extends {
        Some(parent) => {
            let p = &cx.program.services[parent.index()];
            let prefix = cx.module_prefix(p.file, s.file);
            let parent_dispatch = dispatch_fn(cx, parent);
            quote!(#prefix #parent_dispatch(handler, call).await)
        }
        // (A service without functions has no use for its handler.)
        None if own.is_empty() => quote!({
            let _ = handler;
            call.unknown_method()
        }),
        None => quote!(call.unknown_method()),
    };
    quote! {
        #[doc = #doc]
        #[derive(Debug)]
        pub struct #name<__H>(::std::sync::Arc<__H>);
        impl<__H> #name<__H> {
            /// Serves `handler`.
            pub fn new(handler: __H) -> Self {
                Self(::std::sync::Arc::new(handler))
            }
            /// Serves a shared handler.
            pub fn from_arc(handler: ::std::sync::Arc<__H>) -> Self {
                Self(handler)
            }
        }
        impl<__H> ::core::clone::Clone for #name<__H> {
            fn clone(&self) -> Self {
                Self(self.0.clone())
            }
        }
        impl<__H: #trait_> #cg::Service for #name<__H> {
            async fn call(&self, call: #cg::Incoming) -> ::core::option::Option<#cg::Outgoing> {
                #dispatch(&*self.0, call).await
            }
            fn name(&self) -> &'static str {
                #wire_name
            }
            #callback
        }
        #[doc(hidden)]
        pub async fn #dispatch<__H: #trait_ + ?Sized>(handler: &__H, call: #cg::Incoming) -> ::core::option::Option<#cg::Outgoing> {
            match call.method() {
                #(#arms)*
                _ => #fallback,
            }
        }
    }
}

/// The dispatch function of a service (its server's, and its children's fallback).
fn dispatch_fn(cx: &Context<'_>, id: ServiceId) -> proc_macro2::Ident {
    to_ident(&cx.names.service(id).dispatch)
}

fn generate_arm(m: &Method<'_>) -> TokenStream {
    let (method, wire, args, result) = (&m.name, m.wire, &m.args, &m.result);
    let names = m.param_names();
    let call = quote!(handler.#method(#(args.#names),*).await);
    let args = if names.is_empty() {
        quote!(_: #args)
    } else {
        quote!(args: #args)
    };
    if m.function.oneway.is_some() {
        return quote! {
            #wire => call.run_oneway(|#args| async move { #call }).await,
        };
    }
    let error = &m.error;
    // Struct update syntax only where some field is left to fill.
    let rest = (!m.exceptions.is_empty()).then(|| quote!(..::core::default::Default::default()));
    let success = if m.has_success {
        quote!(#result { success: ::core::option::Option::Some(value), #rest })
    } else {
        quote!({ let () = value; #result::default() })
    };
    let thrown = m.exceptions.iter().map(|(field, variant)| {
        let rest = (m.has_success || m.exceptions.len() > 1)
            .then(|| quote!(..::core::default::Default::default()));
        quote!(::core::result::Result::Err(#error::#variant(e)) => ::core::result::Result::Ok(#result { #field: ::core::option::Option::Some(e), #rest }),)
    });
    let failed = if m.function.throws.is_empty() {
        quote!(::core::result::Result::Err(e) => ::core::result::Result::Err(e),)
    } else {
        let rpc = to_ident(RPC_VARIANT);
        quote!(::core::result::Result::Err(#error::#rpc(e)) => ::core::result::Result::Err(e),)
    };
    quote! {
        #wire => call.run(|#args| async move {
            match #call {
                ::core::result::Result::Ok(value) => ::core::result::Result::Ok(#success),
                #(#thrown)*
                #failed
            }
        }).await,
    }
}

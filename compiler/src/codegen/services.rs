//! Services: per service a handler trait (methods returning `impl Future + Send`), a typed
//! error per function that declares exceptions, a client over a `Channel`, and a server that
//! dispatches by method name (inherited methods go to the parent's dispatcher). The args and
//! result structs come from [`super::messages`].

use proc_macro2::TokenStream;
use quote::quote;

use super::types::cg;
use super::Context;
use crate::ir::{Function, Item, ServiceId};
use crate::naming::ident::to_ident;
use crate::naming::Slot;
use crate::naming::RPC_VARIANT;
use crate::source::FileId;

/// What every generated piece needs to know about one function, as seen from module `from`.
struct Method<'a> {
    function: &'a Function,
    /// The Rust method name.
    name: proc_macro2::Ident,
    /// The IDL name, sent on the wire.
    wire: &'a str,
    params: Vec<(proc_macro2::Ident, TokenStream)>,
    returns: TokenStream,
    args: TokenStream,
    /// The result struct (empty for a oneway, which has none).
    result: TokenStream,
    /// Its error type.
    error: TokenStream,
    /// The name of its error enum, if it declares exceptions.
    error_enum: Option<proc_macro2::Ident>,
    /// The client method that does not wait, for a oneway.
    no_wait: Option<proc_macro2::Ident>,
    /// Result field names of the exceptions, with their variant names.
    exceptions: Vec<(proc_macro2::Ident, proc_macro2::Ident)>,
    has_success: bool,
}

impl Context<'_> {
    fn method(&self, service: ServiceId, f: usize, from: FileId) -> Method<'_> {
        let s = &self.program.services[service.index()];
        let function = &s.functions[f];
        let (args, result) = self.messages.of(service, f);
        let args_struct = &self.program.structs[args.index()];
        let params = (0..function.params.len())
            .map(|i| {
                let name = to_ident(self.names.entry(Slot::Fields(args), i));
                (name, self.field_type(&args_struct.fields[i], from))
            })
            .collect();
        let has_success = function.returns.is_some();
        let derived = &self.names.service(service).functions[f];
        let exceptions = (0..function.throws.len())
            .map(|i| {
                let field = to_ident(self.names.entry(Slot::Throws(service, f), i));
                let variant = to_ident(self.names.entry(Slot::Variants(service, f), i));
                (field, variant)
            })
            .collect();
        let prefix = self.module_prefix(s.file, from);
        let error = match &derived.error {
            Some(name) => {
                let name = to_ident(name);
                quote!(#prefix #name)
            }
            None => {
                let cg = cg();
                quote!(#cg::Error)
            }
        };
        Method {
            function,
            name: to_ident(self.names.entry(Slot::Functions(service), f)),
            wire: &function.name.name,
            params,
            returns: function
                .returns
                .as_ref()
                .map_or_else(|| quote!(()), |ty| self.rust_type(ty, from)),
            args: self.path(Item::Struct(args), s.file, from),
            result: result.map_or_else(TokenStream::new, |result| {
                self.path(Item::Struct(result), s.file, from)
            }),
            error,
            error_enum: derived.error.as_deref().map(to_ident),
            no_wait: derived.try_method.as_deref().map(to_ident),
            exceptions,
            has_success,
        }
    }

    /// Every method of `service`, inherited ones first.
    fn methods(&self, service: ServiceId, from: FileId) -> Vec<Method<'_>> {
        let s = &self.program.services[service.index()];
        let mut methods = s
            .extends
            .map(|parent| self.methods(parent, from))
            .unwrap_or_default();
        methods.extend((0..s.functions.len()).map(|f| self.method(service, f, from)));
        methods
    }
}

/// The handler trait, errors, client and server of `service`.
pub(super) fn generate_service(cx: &Context<'_>, id: ServiceId) -> TokenStream {
    let s = &cx.program.services[id.index()];
    let own: Vec<Method<'_>> = (0..s.functions.len())
        .map(|f| cx.method(id, f, s.file))
        .collect();
    let errors = own
        .iter()
        .filter(|m| !m.function.throws.is_empty())
        .map(|m| generate_error(cx, &s.name.name, s.file, m));
    let trait_ = generate_trait(cx, id, &own);
    let client = generate_client(cx, id);
    let server = generate_server(cx, id, &own);
    quote!(#trait_ #(#errors)* #client #server)
}

fn generate_trait(cx: &Context<'_>, id: ServiceId, own: &[Method<'_>]) -> TokenStream {
    let s = &cx.program.services[id.index()];
    let name = to_ident(cx.names.item(Item::Service(id)));
    let docs = super::docs::doc_attrs(s.meta.doc.as_deref());
    let parent = match s.extends {
        Some(parent) => {
            let p = &cx.program.services[parent.index()];
            cx.path(Item::Service(parent), p.file, s.file)
        }
        None => quote!(::core::marker::Send + ::core::marker::Sync + 'static),
    };
    let methods = own.iter().map(|m| {
        let (method, returns, error) = (&m.name, &m.returns, &m.error);
        let docs = super::docs::doc_attrs(m.function.meta.doc.as_deref());
        let params = m.params.iter().map(|(name, ty)| quote!(#name: #ty));
        quote! {
            #docs
            fn #method(&self, #(#params),*) -> impl ::core::future::Future<Output = ::core::result::Result<#returns, #error>> + ::core::marker::Send;
        }
    });
    quote! {
        #docs
        pub trait #name: #parent {
            #(#methods)*
        }
    }
}

fn generate_error(cx: &Context<'_>, service: &str, file: FileId, m: &Method<'_>) -> TokenStream {
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

fn generate_client(cx: &Context<'_>, id: ServiceId) -> TokenStream {
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
    let docs = super::docs::doc_attrs(m.function.meta.doc.as_deref());
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

fn generate_server(cx: &Context<'_>, id: ServiceId, own: &[Method<'_>]) -> TokenStream {
    let cg = cg();
    let s = &cx.program.services[id.index()];
    let service = cx.names.item(Item::Service(id));
    let (trait_, name) = (to_ident(service), to_ident(&cx.names.service(id).server));
    let dispatch = dispatch_fn(cx, id);
    let doc = format!(" Serves a [`{service}`] handler: give it to `thrift_bidi::Server`.");
    let arms = own.iter().map(generate_arm);
    let wire_name = &s.name.name;
    // A bidirectional service answers its clients' hellos (BIDI.md).
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
        pub struct #name<H>(::std::sync::Arc<H>);
        impl<H> #name<H> {
            /// Serves `handler`.
            pub fn new(handler: H) -> Self {
                Self(::std::sync::Arc::new(handler))
            }
            /// Serves a shared handler.
            pub fn from_arc(handler: ::std::sync::Arc<H>) -> Self {
                Self(handler)
            }
        }
        impl<H> ::core::clone::Clone for #name<H> {
            fn clone(&self) -> Self {
                Self(self.0.clone())
            }
        }
        impl<H: #trait_> #cg::Service for #name<H> {
            async fn call(&self, call: #cg::Incoming) -> ::core::option::Option<#cg::Outgoing> {
                #dispatch(&*self.0, call).await
            }
            fn name(&self) -> &'static str {
                #wire_name
            }
            #callback
        }
        #[doc(hidden)]
        pub async fn #dispatch<H: #trait_ + ?Sized>(handler: &H, call: #cg::Incoming) -> ::core::option::Option<#cg::Outgoing> {
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
    let names: Vec<_> = m.params.iter().map(|(name, _)| name).collect();
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

//! Services: per service a handler trait (methods returning `impl Future + Send`, here), a
//! typed error per function that declares exceptions ([`errors`]), a client over a `Channel`
//! ([`client`]), and a server that dispatches by method name, inherited methods going to the
//! parent's dispatcher ([`server`]), plus a blocking client for synchronous code
//! ([`blocking`]). The args and result structs come from
//! [`super::messages`].

mod blocking;
mod client;
mod errors;
mod server;

use proc_macro2::TokenStream;
use quote::quote;

use super::types::cg;
use super::Context;
use crate::ir::{Function, Item, ServiceId};
use crate::naming::ident::to_ident;
use crate::naming::Slot;
use crate::source::FileId;

/// What every generated piece needs to know about one function, as seen from module `from`.
pub(super) struct Method<'a> {
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
    /// Whether it may be sent twice (`bidi.idempotent`), so retry layers may retry it.
    idempotent: bool,
}

impl Method<'_> {
    /// `name: Type` for each parameter.
    fn typed_params(&self) -> Vec<TokenStream> {
        self.params
            .iter()
            .map(|(name, ty)| quote!(#name: #ty))
            .collect()
    }

    /// The parameters' names.
    fn param_names(&self) -> Vec<&proc_macro2::Ident> {
        self.params.iter().map(|(name, _)| name).collect()
    }

    /// The rustdoc of a oneway's `try_` method.
    fn no_wait_doc(&self) -> String {
        let method = &self.name;
        format!(" Like [`Self::{method}`], without waiting: fails with `Busy` while the peer is behind.")
    }
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
            idempotent: function.is_idempotent(),
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
        .map(|m| errors::generate_error(cx, &s.name.name, s.file, m));
    let conversions = errors::conversions(cx, id, &own);
    let trait_ = generate_trait(cx, id, &own);
    let client = client::generate_client(cx, id);
    let blocking = blocking::generate_blocking(cx, id);
    let server = server::generate_server(cx, id, &own);
    quote!(#trait_ #(#errors)* #conversions #client #blocking #server)
}

fn generate_trait(cx: &Context<'_>, id: ServiceId, own: &[Method<'_>]) -> TokenStream {
    let s = &cx.program.services[id.index()];
    let name = to_ident(cx.names.item(Item::Service(id)));
    let docs = crate::codegen::docs::doc_attrs(s.meta.doc.as_deref());
    let parent = match s.extends {
        Some(parent) => {
            let p = &cx.program.services[parent.index()];
            cx.path(Item::Service(parent), p.file, s.file)
        }
        None => quote!(::core::marker::Send + ::core::marker::Sync + 'static),
    };
    let methods = own.iter().map(|m| {
        let (method, returns, error) = (&m.name, &m.returns, &m.error);
        let docs = crate::codegen::docs::doc_attrs(m.function.meta.doc.as_deref());
        let params = m.typed_params();
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

//! Derived names: what the generator names after the user's names. Per service: its client
//! (`{S}Client`), server (`{S}Server`) and dispatch function (`dispatch_{s}`); per function: its
//! args and result structs (`{S}{F}Args`, `{S}{F}Result`), its error enum (`{S}{F}Error`) and,
//! for a oneway, the `try_{f}` client method. [`clashes`] lists every Rust namespace where
//! derived names meet user names (or each other), so the check can report each clash.

use std::collections::{HashMap, HashSet};

use super::ident::{self, Case};
use super::{Names, Slot};
use crate::ir::{Item, Program, ServiceId, StructId, StructKind};
use crate::source::Span;

/// Methods every generated client has, whatever its service (the typed-callback constructors
/// of a bidirectional client among them: any service can be paired through `Config`).
pub(crate) const CLIENT_METHODS: &[&str] = &["new", "channel", "builder", "builder_with"];

/// Methods every generated blocking client has (its constructors that connect are the
/// `thrift_bidi::BlockingClient` trait's, so they take no function's name).
pub(crate) const BLOCKING_METHODS: &[&str] = &["new", "channel"];

/// The variant of every error enum that holds a failed call.
pub(crate) const RPC_VARIANT: &str = "Rpc";

/// The field of a struct that keeps the fields its IDL does not have
/// (`Config::keep_unknown_fields`).
pub(crate) const UNKNOWN_FIELD: &str = "_unknown_fields";

/// The variant of a union that keeps a field its IDL does not have.
pub(crate) const UNKNOWN_VARIANT: &str = "_UnknownFields";

/// The result struct field of a function's return value.
pub(crate) const SUCCESS_FIELD: &str = "success";

/// The names generated for one service.
#[derive(Clone, Debug, Default)]
pub(crate) struct ServiceNames {
    pub(crate) client: String,
    pub(crate) blocking: String,
    pub(crate) server: String,
    pub(crate) dispatch: String,
    /// By function, in IDL order.
    pub(crate) functions: Vec<FunctionNames>,
}

/// The names generated for one function.
#[derive(Clone, Debug, Default)]
pub(crate) struct FunctionNames {
    pub(crate) args: String,
    /// `None` for a oneway, which has no result.
    pub(crate) result: Option<String>,
    /// `None` when the function declares no exceptions.
    pub(crate) error: Option<String>,
    /// The client method that does not wait, for a oneway.
    pub(crate) try_method: Option<String>,
}

/// The derived names of service `id`, after the user's names in `names`.
pub(crate) fn service_names(program: &Program, names: &Names, id: ServiceId) -> ServiceNames {
    let service = &program.services[id.index()];
    let s = names.item(Item::Service(id)).trim_start_matches("r#");
    let functions = service.functions.iter().enumerate().map(|(i, function)| {
        let f = names.entry(Slot::Functions(id), i).trim_start_matches("r#");
        let derived = |suffix: &str| ident::convert(Case::Type, &format!("{s}_{f}_{suffix}"));
        FunctionNames {
            args: derived("args"),
            result: function.oneway.is_none().then(|| derived("result")),
            error: (!function.throws.is_empty()).then(|| derived("error")),
            try_method: function.oneway.map(|_| ident::try_method(f)),
        }
    });
    ServiceNames {
        client: format!("{s}Client"),
        blocking: format!("{s}BlockingClient"),
        server: format!("{s}Server"),
        dispatch: ident::convert(Case::Value, &format!("dispatch_{s}")),
        functions: functions.collect(),
    }
}

/// The derived names of each namespace that holds user names beside them: a module's types
/// and values, and a function's result fields and error variants.
pub(crate) fn reserved(program: &Program, names: &Names) -> HashMap<Slot, HashSet<String>> {
    let mut out: HashMap<Slot, HashSet<String>> = HashMap::new();
    for (i, s) in program.structs.iter().enumerate() {
        let slot = Slot::Fields(StructId::from_index(i));
        out.insert(slot, HashSet::from([unknown_member(s.kind).0.to_owned()]));
    }
    for (i, service) in program.services.iter().enumerate() {
        let id = ServiceId::from_index(i);
        let derived = names.service(id);
        let types = out.entry(Slot::Types(service.file)).or_default();
        let clients = [derived.client.clone(), derived.blocking.clone()];
        types.extend(clients.into_iter().chain([derived.server.clone()]));
        for f in &derived.functions {
            types.insert(f.args.clone());
            types.extend(f.result.iter().chain(&f.error).cloned());
        }
        let values = out.entry(Slot::Consts(service.file)).or_default();
        values.extend([derived.server.clone(), derived.dispatch.clone()]);
        for (f, function) in service.functions.iter().enumerate() {
            let success = function.returns.as_ref().map(|_| SUCCESS_FIELD.to_owned());
            out.insert(Slot::Throws(id, f), success.into_iter().collect());
            out.insert(
                Slot::Variants(id, f),
                HashSet::from([RPC_VARIANT.to_owned()]),
            );
        }
    }
    out
}

/// One name in a Rust namespace: its Rust spelling, what it is (for messages), where it comes
/// from, and whether the generator derived it.
#[derive(Clone, Debug)]
pub(crate) struct Named {
    pub(crate) rust: String,
    pub(crate) what: String,
    pub(crate) span: Span,
    pub(crate) derived: bool,
}

impl Named {
    fn user(rust: &str, what: String, span: Span) -> Self {
        let rust = rust.to_owned();
        Named {
            rust,
            what,
            span,
            derived: false,
        }
    }

    fn derived(rust: &str, what: String, span: Span) -> Self {
        Named {
            derived: true,
            ..Named::user(rust, what, span)
        }
    }
}

/// Every Rust namespace that holds derived names, with the user names beside them: the types
/// and the values of each module, the methods of each client, the variants of each error enum
/// and the fields of each result struct.
pub(crate) fn clashes(program: &Program, names: &Names) -> Vec<Vec<Named>> {
    let mut out = Vec::new();
    for file in &program.files {
        let (mut types, mut values) = (Vec::new(), Vec::new());
        for item in &file.items {
            let (kind, ident) = describe(program, *item);
            let rust = names.item(*item);
            let user = Named::user(rust, format!("{kind} `{}`", ident.name), ident.span);
            match item {
                Item::Const(_) => values.push(user),
                // An enum is a tuple struct, whose constructor is a value too.
                Item::Enum(_) => {
                    let what = format!("the constructor of enum `{}`", ident.name);
                    values.push(Named::derived(rust, what, ident.span));
                    types.push(user);
                }
                Item::Service(id) => {
                    types.push(user);
                    service_items(program, names, *id, &mut types, &mut values);
                }
                _ => types.push(user),
            }
        }
        out.push(types);
        out.push(values);
    }
    for (i, s) in program.structs.iter().enumerate() {
        let slot = Slot::Fields(StructId::from_index(i));
        let mut fields: Vec<Named> = s
            .fields
            .iter()
            .enumerate()
            .map(|(f, field)| {
                let what = format!("field `{}`", field.name.name);
                Named::user(names.entry(slot, f), what, field.name.span)
            })
            .collect();
        let (kept, what) = unknown_member(s.kind);
        fields.push(Named::derived(kept, what.to_owned(), s.name.span));
        out.push(fields);
    }
    for index in 0..program.services.len() {
        let id = ServiceId::from_index(index);
        out.push(client_methods(
            program,
            names,
            id,
            ("client", CLIENT_METHODS),
        ));
        let blocking = ("blocking client", BLOCKING_METHODS);
        out.push(client_methods(program, names, id, blocking));
        out.extend(function_namespaces(program, names, id));
    }
    out
}

/// The module-level names a service adds: its client, server and per-function structs and
/// errors (types), and its server's constructor and dispatch function (values).
fn service_items(
    program: &Program,
    names: &Names,
    id: ServiceId,
    types: &mut Vec<Named>,
    values: &mut Vec<Named>,
) {
    let service = &program.services[id.index()];
    let derived = names.service(id);
    let (s, span) = (&service.name.name, service.name.span);
    let server = Named::derived(
        &derived.server,
        format!("the server of service `{s}`"),
        span,
    );
    types.push(Named::derived(
        &derived.client,
        format!("the client of service `{s}`"),
        span,
    ));
    types.push(server.clone());
    values.push(server);
    let dispatch = format!("the dispatch function of service `{s}`");
    values.push(Named::derived(&derived.dispatch, dispatch, span));
    for (function, names) in service.functions.iter().zip(&derived.functions) {
        let (f, span) = (&function.name.name, function.name.span);
        let args = format!("the args struct of `{s}.{f}`");
        types.push(Named::derived(&names.args, args, span));
        if let Some(result) = &names.result {
            let what = format!("the result struct of `{s}.{f}`");
            types.push(Named::derived(result, what, span));
        }
        if let Some(error) = &names.error {
            let what = format!("the error enum of `{s}.{f}`");
            types.push(Named::derived(error, what, span));
        }
    }
}

/// The methods of a service's client (or blocking client): the ones every such client has,
/// and per function (its own and inherited) its method and, for a oneway, its `try_` method.
fn client_methods(
    program: &Program,
    names: &Names,
    id: ServiceId,
    (kind, every): (&str, &[&str]),
) -> Vec<Named> {
    let service = &program.services[id.index()];
    let span = service.name.span;
    let mut out: Vec<Named> = every
        .iter()
        .map(|m| Named::derived(m, format!("a method every {kind} has (`{m}`)"), span))
        .collect();
    let mut current = Some(id);
    // Cycles were broken by the `extends` check; the bound is a second guard.
    for _ in 0..program.services.len() {
        let Some(id) = current else { break };
        let service = &program.services[id.index()];
        let derived = names.service(id);
        for (i, function) in service.functions.iter().enumerate() {
            let (f, span) = (&function.name.name, function.name.span);
            let method = names.entry(Slot::Functions(id), i);
            out.push(Named::user(method, format!("function `{f}`"), span));
            if let Some(try_method) = &derived.functions[i].try_method {
                let what = format!("the client method of oneway `{f}` that does not wait");
                out.push(Named::derived(try_method, what, span));
            }
        }
        current = service.extends;
    }
    out
}

/// Per function: the variants of its error enum (its exceptions and `Rpc`) and the fields of
/// its result struct (`success` and its exceptions).
fn function_namespaces(program: &Program, names: &Names, id: ServiceId) -> Vec<Vec<Named>> {
    let service = &program.services[id.index()];
    let mut out = Vec::new();
    for (f, function) in service.functions.iter().enumerate() {
        let name = format!("{}.{}", service.name.name, function.name.name);
        let span = function.name.span;
        let exceptions = |slot: Slot| -> Vec<Named> {
            let throws = function.throws.iter().enumerate();
            throws
                .map(|(i, e)| {
                    let what = format!("exception `{}`", e.name.name);
                    Named::user(names.entry(slot, i), what, e.name.span)
                })
                .collect()
        };
        if !function.throws.is_empty() {
            let mut variants = exceptions(Slot::Variants(id, f));
            let what = format!("the variant of `{name}`'s error for a failed call");
            variants.push(Named::derived(RPC_VARIANT, what, span));
            out.push(variants);
        }
        if function.oneway.is_none() {
            let mut fields = exceptions(Slot::Throws(id, f));
            if function.returns.is_some() {
                let what = format!("the result field of `{name}`'s return value");
                fields.push(Named::derived(SUCCESS_FIELD, what, span));
            }
            out.push(fields);
        }
    }
    out
}

/// The member that keeps unknown fields in a struct or union of this kind.
fn unknown_member(kind: StructKind) -> (&'static str, &'static str) {
    match kind {
        StructKind::Union => (UNKNOWN_VARIANT, "the variant that keeps unknown fields"),
        _ => (UNKNOWN_FIELD, "the field that keeps unknown fields"),
    }
}

/// What kind of definition an item is, and its name.
fn describe(program: &Program, item: Item) -> (&'static str, &crate::ir::Ident) {
    let p = program;
    match item {
        Item::Struct(id) => {
            let s = &p.structs[id.index()];
            (s.kind.keyword(), &s.name)
        }
        Item::Enum(id) => ("enum", &p.enums[id.index()].name),
        Item::Typedef(id) => ("typedef", &p.typedefs[id.index()].name),
        Item::Const(id) => ("constant", &p.consts[id.index()].name),
        Item::Service(id) => ("service", &p.services[id.index()].name),
    }
}

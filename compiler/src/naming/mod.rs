//! Naming stage: IR → the Rust name of every module, definition, field, member and function of
//! a program, decided once through [`ident::assign`] per Rust namespace. The check that reports
//! collisions walks the same namespaces ([`namespaces`]), so what it approves is exactly what
//! codegen emits.

mod derived;
pub mod ident;
mod modules;

use std::collections::{HashMap, HashSet};

use crate::codegen::messages::Messages;
use crate::ir::{EnumId, Ident, Item, Meta, Program, ServiceId, StructId, StructKind};
use crate::source::FileId;
pub(crate) use derived::{
    clashes, Named, ServiceNames, RPC_VARIANT, SUCCESS_FIELD, UNKNOWN_FIELD, UNKNOWN_VARIANT,
};
use ident::{Assigned, Case};
use modules::modules;
pub(crate) use modules::Module;

/// One Rust namespace: where it is, what its names are called in messages, their case, and
/// the names with their annotations in IDL order.
pub(crate) struct Namespace<'a> {
    pub(crate) slot: Slot,
    pub(crate) what: &'static str,
    pub(crate) case: Case,
    pub(crate) names: Vec<(&'a Ident, &'a Meta)>,
    /// The definitions named, for the namespaces of a module.
    items: Vec<Item>,
}

/// Which part of the program a namespace names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Slot {
    /// Structs, enums, typedefs and services of a file, in file order.
    Types(FileId),
    /// Constants of a file.
    Consts(FileId),
    /// Fields of a struct (variants of a union).
    Fields(StructId),
    /// Members of an enum.
    Members(EnumId),
    /// Functions of a service.
    Functions(ServiceId),
    /// Parameters of function `.1` of a service.
    Params(ServiceId, usize),
    /// Exceptions of function `.1` of a service, as fields of its result struct.
    Throws(ServiceId, usize),
    /// Exceptions of function `.1` of a service, as variants of its error enum.
    Variants(ServiceId, usize),
}

/// Every Rust namespace of `program`.
pub(crate) fn namespaces(program: &Program) -> Vec<Namespace<'_>> {
    let mut out = Vec::new();
    for file in &program.files {
        let (mut types, mut consts) = (Vec::new(), Vec::new());
        for item in &file.items {
            match item {
                Item::Const(_) => consts.push(*item),
                _ => types.push(*item),
            }
        }
        out.push(module_namespace(
            program,
            Slot::Types(file.id),
            "type",
            Case::Type,
            types,
        ));
        let slot = Slot::Consts(file.id);
        out.push(module_namespace(
            program,
            slot,
            "constant",
            Case::Const,
            consts,
        ));
    }
    for (i, s) in program.structs.iter().enumerate() {
        let names = s.fields.iter().map(|f| (&f.name, &f.meta)).collect();
        let (what, case) = match s.kind {
            StructKind::Union => ("union variant", Case::Type),
            _ => ("field", Case::Value),
        };
        out.push(namespace(
            Slot::Fields(StructId::from_index(i)),
            what,
            case,
            names,
        ));
    }
    for (i, e) in program.enums.iter().enumerate() {
        let names = e.members.iter().map(|m| (&m.name, &m.meta)).collect();
        let slot = Slot::Members(EnumId::from_index(i));
        out.push(namespace(slot, "enum member", Case::Const, names));
    }
    for (i, service) in program.services.iter().enumerate() {
        let id = ServiceId::from_index(i);
        let names = service
            .functions
            .iter()
            .map(|f| (&f.name, &f.meta))
            .collect();
        out.push(namespace(
            Slot::Functions(id),
            "function",
            Case::Value,
            names,
        ));
        for (f, function) in service.functions.iter().enumerate() {
            let names = function.params.iter().map(|p| (&p.name, &p.meta)).collect();
            out.push(namespace(
                Slot::Params(id, f),
                "parameter",
                Case::Value,
                names,
            ));
            let throws = || function.throws.iter().map(|e| (&e.name, &e.meta)).collect();
            let slot = Slot::Throws(id, f);
            out.push(namespace(slot, "exception", Case::Value, throws()));
            let slot = Slot::Variants(id, f);
            out.push(namespace(slot, "exception", Case::Type, throws()));
        }
    }
    out
}

fn namespace<'a>(
    slot: Slot,
    what: &'static str,
    case: Case,
    names: Vec<(&'a Ident, &'a Meta)>,
) -> Namespace<'a> {
    Namespace {
        slot,
        what,
        case,
        names,
        items: Vec::new(),
    }
}

fn module_namespace<'a>(
    program: &'a Program,
    slot: Slot,
    what: &'static str,
    case: Case,
    items: Vec<Item>,
) -> Namespace<'a> {
    let names = items.iter().map(|item| item_name(program, *item)).collect();
    Namespace {
        items,
        ..namespace(slot, what, case, names)
    }
}

/// The name and annotations of a file's definition.
fn item_name(program: &Program, item: Item) -> (&Ident, &Meta) {
    let p = program;
    match item {
        Item::Struct(id) => (&p.structs[id.index()].name, &p.structs[id.index()].meta),
        Item::Enum(id) => (&p.enums[id.index()].name, &p.enums[id.index()].meta),
        Item::Typedef(id) => (&p.typedefs[id.index()].name, &p.typedefs[id.index()].meta),
        Item::Const(id) => (&p.consts[id.index()].name, &p.consts[id.index()].meta),
        Item::Service(id) => (&p.services[id.index()].name, &p.services[id.index()].meta),
    }
}

impl Namespace<'_> {
    /// The Rust names, in IDL order, around the `reserved` ones.
    fn assign(&self, reserved: &HashSet<String>) -> Vec<Assigned> {
        let names = self.names.iter().map(|(n, m)| (n.name.as_str(), *m));
        ident::assign(self.case, names, reserved)
    }
}

/// Every Rust name of a program, looked up by what it names.
#[derive(Debug, Default)]
pub(crate) struct Names {
    modules: Vec<Module>,
    items: HashMap<Item, String>,
    slots: HashMap<Slot, Vec<String>>,
    assigned: HashMap<Slot, Vec<Assigned>>,
    services: Vec<ServiceNames>,
}

impl Names {
    /// The names of `program`: the user's, the ones derived from them, then the user's again
    /// around the derived ones (a user name that converts to a derived name, and is spelled
    /// otherwise, keeps its IDL spelling).
    pub(crate) fn new(program: &Program) -> Self {
        let mut names = Names {
            modules: modules(program),
            ..Names::default()
        };
        let namespaces = namespaces(program);
        for ns in &namespaces {
            names.set(ns, ns.assign(&HashSet::new()));
        }
        names.services = (0..program.services.len())
            .map(|i| derived::service_names(program, &names, ServiceId::from_index(i)))
            .collect();
        let reserved = derived::reserved(program, &names);
        for ns in &namespaces {
            if let Some(reserved) = reserved.get(&ns.slot) {
                names.set(ns, ns.assign(reserved));
            }
        }
        names
    }

    fn set(&mut self, ns: &Namespace<'_>, assigned: Vec<Assigned>) {
        let rust = assigned.iter().map(|a| a.rust.clone());
        self.items
            .extend(ns.items.iter().copied().zip(rust.clone()));
        self.slots.insert(ns.slot, rust.collect());
        self.assigned.insert(ns.slot, assigned);
    }

    /// The module of every file, by [`FileId`], with whether its spelling was kept.
    pub(crate) fn modules(&self) -> &[Module] {
        &self.modules
    }

    /// How the names of a namespace were assigned (which kept their IDL spelling, and why).
    pub(crate) fn assigned(&self, slot: Slot) -> &[Assigned] {
        self.assigned.get(&slot).map_or(&[], Vec::as_slice)
    }

    /// Names the args and result structs that [`crate::codegen::messages::desugar`] added:
    /// their derived names, the parameters as args fields, and `success` and the exceptions
    /// as result fields.
    pub(crate) fn with_messages(mut self, program: &Program, messages: &Messages) -> Self {
        for (i, service) in program.services.iter().enumerate() {
            let id = ServiceId::from_index(i);
            for (f, function) in service.functions.iter().enumerate() {
                let (args, result) = messages.of(id, f);
                let derived = &self.services[i].functions[f];
                let (args_name, result_name) = (derived.args.clone(), derived.result.clone());
                self.items.insert(Item::Struct(args), args_name);
                let params = self.slots.get(&Slot::Params(id, f)).cloned();
                self.slots
                    .insert(Slot::Fields(args), params.unwrap_or_default());
                let (Some(result), Some(name)) = (result, result_name) else {
                    continue;
                };
                self.items.insert(Item::Struct(result), name);
                let success = function.returns.is_some().then(|| SUCCESS_FIELD.to_owned());
                let throws = self.slots.get(&Slot::Throws(id, f)).cloned();
                let fields = success.into_iter().chain(throws.unwrap_or_default());
                self.slots.insert(Slot::Fields(result), fields.collect());
            }
        }
        self
    }

    /// The names derived for a service.
    pub(crate) fn service(&self, id: ServiceId) -> &ServiceNames {
        &self.services[id.index()]
    }

    /// The module path of a file.
    pub(crate) fn module(&self, file: FileId) -> &[String] {
        &self.modules[file.index()].path
    }

    /// The name of a definition.
    pub(crate) fn item(&self, item: Item) -> &str {
        self.items.get(&item).map_or("", String::as_str)
    }

    /// The name of entry `i` of a namespace (a field, member, function or parameter).
    pub(crate) fn entry(&self, slot: Slot, i: usize) -> &str {
        self.slots
            .get(&slot)
            .and_then(|names| names.get(i))
            .map_or("", String::as_str)
    }
}

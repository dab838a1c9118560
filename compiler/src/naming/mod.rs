//! Naming stage: IR → the Rust name of every module, definition, field, member and function of
//! a program, decided once through [`ident::assign`] per Rust namespace. The check that reports
//! collisions walks the same namespaces ([`namespaces`]), so what it approves is exactly what
//! codegen emits.

pub mod ident;

use std::collections::HashMap;

use crate::ir::{EnumId, Ident, Item, Meta, Program, ServiceId, StructId, StructKind};
use crate::source::FileId;
use ident::{Assigned, Case};

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
    /// The Rust names, in IDL order.
    pub(crate) fn assign(&self) -> Vec<Assigned> {
        ident::assign(
            self.case,
            self.names.iter().map(|(n, m)| (n.name.as_str(), *m)),
        )
    }
}

/// A file's Rust module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Module {
    /// Its path from the root of the generated tree.
    pub(crate) path: Vec<String>,
    /// Set when the last segment keeps the file name's spelling because the converted path,
    /// given here, is another file's too.
    pub(crate) collided: Option<String>,
}

/// The module of every file, by [`FileId`]. Its path is the file's `namespace rs` (dotted, as a
/// module path) and its file name, as Apache's Rust generator places it (`namespace rs transit`
/// in `Buses.thrift`: `transit::buses`; the name is not repeated when the namespace ends with
/// it), or, without a namespace, its directory below the include directory it is found under
/// (see [`crate::resolve::Loaded::dirs`]) and its file name (`base/shared.thrift`:
/// `base::shared`). Two files whose converted paths are the same (`hyphenated-file.thrift`,
/// `hyphenated_file.thrift`) keep their file names' spelling, less what an identifier cannot
/// hold (`hyphenatedfile`), as names in a namespace keep their IDL spelling.
pub(crate) fn modules(program: &Program) -> Vec<Module> {
    let segment = |s: &str| ident::convert(Case::Value, &s.replace('.', "_"));
    let converted: Vec<(Vec<String>, bool)> = program
        .files
        .iter()
        .map(|file| {
            let stem = segment(&file.module);
            let mut path: Vec<String> = match file.namespace_rs() {
                Some(ns) => ns.split('.').map(segment).collect(),
                None => file.dir.iter().map(|d| segment(d)).collect(),
            };
            let named = file.namespace_rs().is_none() || path.last() != Some(&stem);
            if named {
                path.push(stem);
            }
            (path, named)
        })
        .collect();
    let mut count: HashMap<&[String], usize> = HashMap::new();
    for (path, _) in &converted {
        *count.entry(path).or_default() += 1;
    }
    let renamed: Vec<Option<Vec<String>>> = converted
        .iter()
        .zip(&program.files)
        .map(|((path, named), file)| {
            let verbatim = ident::verbatim_module(&file.module);
            let (last, parent) = path.split_last()?;
            (*named && count[path.as_slice()] > 1 && verbatim != *last)
                .then(|| parent.iter().cloned().chain([verbatim]).collect())
        })
        .collect();
    // A kept spelling that is still someone's path helps no one: the error says so instead.
    let mut taken: HashMap<&[String], usize> = HashMap::new();
    for (path, renamed) in converted.iter().zip(&renamed) {
        *taken
            .entry(renamed.as_deref().unwrap_or(&path.0))
            .or_default() += 1;
    }
    let modules = converted.iter().zip(&renamed).map(|((path, _), renamed)| {
        match renamed.as_ref().filter(|r| taken[r.as_slice()] == 1) {
            Some(renamed) => Module {
                path: renamed.clone(),
                collided: Some(path.join("::")),
            },
            None => Module {
                path: path.clone(),
                collided: None,
            },
        }
    });
    modules.collect()
}

/// Every Rust name of a program, looked up by what it names.
#[derive(Debug, Default)]
pub(crate) struct Names {
    modules: Vec<Vec<String>>,
    items: HashMap<Item, String>,
    slots: HashMap<Slot, Vec<String>>,
}

impl Names {
    pub(crate) fn new(program: &Program) -> Self {
        let mut names = Names {
            modules: modules(program).into_iter().map(|m| m.path).collect(),
            ..Names::default()
        };
        for ns in namespaces(program) {
            let assigned: Vec<String> = ns.assign().into_iter().map(|a| a.rust).collect();
            names
                .items
                .extend(ns.items.iter().copied().zip(assigned.iter().cloned()));
            names.slots.insert(ns.slot, assigned);
        }
        names
    }

    /// The module path of a file.
    pub(crate) fn module(&self, file: FileId) -> &[String] {
        &self.modules[file.index()]
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

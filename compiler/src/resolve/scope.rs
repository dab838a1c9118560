//! Symbol tables: what each name means in each file, including `module.Name` through includes
//! and `Enum.MEMBER` for enum values.

use std::collections::HashMap;

use crate::ir::{ConstId, EnumId, Program, ServiceId, StructId, TypedefId};
use crate::source::FileId;

/// What a top-level name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Symbol {
    Struct(StructId),
    Enum(EnumId),
    Typedef(TypedefId),
    Const(ConstId),
    Service(ServiceId),
}

impl Symbol {
    /// The kind of thing, for messages.
    pub(super) fn describe(self) -> &'static str {
        match self {
            Symbol::Struct(_) => "a struct",
            Symbol::Enum(_) => "an enum",
            Symbol::Typedef(_) => "a typedef",
            Symbol::Const(_) => "a constant",
            Symbol::Service(_) => "a service",
        }
    }
}

/// The result of looking a name up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lookup<'n> {
    Found(Symbol),
    /// `prefix.Name` where no include is called `prefix`.
    UnknownModule(&'n str),
    NotFound,
}

/// A value reference in a constant: another constant or an enum member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ValueRef {
    Const(ConstId),
    EnumMember(EnumId, usize),
}

/// The names visible in each file.
#[derive(Debug, Default)]
pub(super) struct Scopes {
    files: Vec<FileScope>,
}

#[derive(Debug, Default)]
struct FileScope {
    symbols: HashMap<String, Symbol>,
    modules: HashMap<String, FileId>,
}

impl Scopes {
    pub(super) fn new(files: usize) -> Self {
        Self {
            files: (0..files).map(|_| FileScope::default()).collect(),
        }
    }

    /// Defines `name` in `file`; returns the earlier symbol of that name, if any.
    pub(super) fn define(&mut self, file: FileId, name: &str, symbol: Symbol) -> Option<Symbol> {
        let symbols = &mut self.files[file.index()].symbols;
        if let Some(existing) = symbols.get(name) {
            return Some(*existing);
        }
        symbols.insert(name.to_owned(), symbol);
        None
    }

    /// Makes `target`'s names visible in `file` as `module.Name`; returns the file already
    /// registered under that module name, if it is a different one.
    pub(super) fn add_module(
        &mut self,
        file: FileId,
        module: &str,
        target: FileId,
    ) -> Option<FileId> {
        let modules = &mut self.files[file.index()].modules;
        match modules.get(module) {
            Some(existing) if *existing != target => Some(*existing),
            _ => {
                modules.insert(module.to_owned(), target);
                None
            }
        }
    }

    /// What `name` means in `file`.
    pub(super) fn lookup<'n>(&self, file: FileId, name: &'n str) -> Lookup<'n> {
        let scope = &self.files[file.index()];
        if let Some(symbol) = scope.symbols.get(name) {
            return Lookup::Found(*symbol);
        }
        // Module names may contain dots themselves (`include "dsn.layer2.thrift"`), so try
        // every split, longest module name first.
        let mut first_prefix = None;
        for (at, _) in name
            .match_indices('.')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            let (prefix, rest) = (&name[..at], &name[at + 1..]);
            first_prefix = Some(prefix);
            if let Some(target) = scope.modules.get(prefix) {
                return match self.files[target.index()].symbols.get(rest) {
                    Some(symbol) => Lookup::Found(*symbol),
                    None => Lookup::NotFound,
                };
            }
        }
        match first_prefix {
            Some(_) => Lookup::UnknownModule(name.split_once('.').map_or(name, |(m, _)| m)),
            None => Lookup::NotFound,
        }
    }

    /// What a value name (`CONST`, `Enum.MEMBER`, with an optional `module.` prefix) means.
    pub(super) fn lookup_value(
        &self,
        program: &Program,
        file: FileId,
        name: &str,
    ) -> Option<ValueRef> {
        if let Lookup::Found(Symbol::Const(id)) = self.lookup(file, name) {
            return Some(ValueRef::Const(id));
        }
        let (head, member) = name.rsplit_once('.')?;
        let Lookup::Found(Symbol::Enum(id)) = self.lookup(file, head) else {
            return None;
        };
        let index = program.enums[id.index()]
            .members
            .iter()
            .position(|m| m.name.name == member)?;
        Some(ValueRef::EnumMember(id, index))
    }

    /// The defined type name in `file` closest to `name`, if one is close enough to be a typo.
    pub(super) fn similar(&self, file: FileId, name: &str) -> Option<&str> {
        let is_type =
            |s: &Symbol| matches!(s, Symbol::Struct(_) | Symbol::Enum(_) | Symbol::Typedef(_));
        self.files[file.index()]
            .symbols
            .iter()
            .filter(|(_, symbol)| is_type(symbol))
            .map(|(candidate, _)| (edit_distance(candidate, name), candidate.as_str()))
            .filter(|(distance, candidate)| {
                *distance <= (candidate.len().max(name.len()) / 3).max(1)
            })
            .min()
            .map(|(_, candidate)| candidate)
    }
}

/// Levenshtein distance over characters, ignoring ASCII case.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

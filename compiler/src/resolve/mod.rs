//! Resolve stage: loaded ASTs → [`Program`].
//!
//! `loader` reads files and includes; [`declare`] gives every definition its id and name;
//! `lower` resolves types and builds fields, enums and services; `consts` evaluates constants
//! and default values against their types. Problems become diagnostics; resolution goes on
//! with [`Type::Unresolved`] so one mistake is reported once.

mod consts;
mod loader;
mod lower;
mod scope;

pub use loader::{load, Loaded, Root};
pub(crate) use lower::IDEMPOTENT_ANNOTATION;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{self, ConstValue, File, Item, Program, Type};
use crate::source::SourceMap;
use crate::syntax::ast::{self, DefinitionKind, Header};
use scope::{Scopes, Symbol};

/// State shared by the resolve passes.
struct Resolver<'a> {
    program: Program,
    scopes: Scopes,
    sources: &'a SourceMap,
    diags: &'a mut Diagnostics,
}

/// Resolves every loaded file into one program.
pub fn resolve(loaded: &Loaded, diags: &mut Diagnostics) -> Program {
    let mut resolver = Resolver {
        program: Program {
            roots: loaded.roots.clone(),
            ..Program::default()
        },
        scopes: Scopes::new(loaded.documents.len()),
        sources: &loaded.sources,
        diags,
    };
    for (id, document) in loaded
        .sources
        .iter()
        .map(|(id, _)| id)
        .zip(&loaded.documents)
    {
        resolver.declare_file(id, document.as_ref(), &loaded.includes[id.index()]);
        let dir = loaded.dirs.get(id.index()).cloned().unwrap_or_default();
        resolver.program.files[id.index()].dir = dir;
    }
    for (id, document) in loaded
        .sources
        .iter()
        .map(|(id, _)| id)
        .zip(&loaded.documents)
    {
        if let Some(document) = document {
            resolver.lower_file(id, document);
        }
    }
    let evaluator = consts::Evaluator::new(&resolver, &loaded.documents);
    evaluator.run(&mut resolver, &loaded.documents);
    resolver.program
}

impl Resolver<'_> {
    fn declare_file(
        &mut self,
        id: crate::source::FileId,
        document: Option<&ast::Document>,
        includes: &[(crate::source::FileId, crate::source::Span)],
    ) {
        let module = module_name(self.sources.get(id).path());
        let mut file = File {
            id,
            module,
            dir: Vec::new(),
            namespaces: Vec::new(),
            includes: includes.iter().map(|(target, _)| *target).collect(),
            items: Vec::new(),
            doc: document.and_then(|d| d.doc.clone()),
        };
        for &(target, span) in includes {
            let name = module_name(self.sources.get(target).path());
            if let Some(other) = self.scopes.add_module(id, &name, target) {
                self.diags.push(
                    Diagnostic::error(
                        Code::AmbiguousInclude,
                        format!("two included files are both called `{name}`"),
                    )
                    .primary(span, format!("`{name}.` would name this file"))
                    .note(format!(
                        "it already names `{}`",
                        self.sources.get(other).name()
                    ))
                    .help(
                        "rename one of the files; Thrift names included definitions by file name",
                    ),
                );
            }
        }
        for header in document.iter().flat_map(|d| &d.headers) {
            if let Header::Namespace(ns) = header {
                file.namespaces
                    .push((ns.scope.name.clone(), ns.name.name.clone()));
            }
        }
        for definition in document.iter().flat_map(|d| &d.definitions) {
            let item = self.declare(id, definition);
            file.items.push(item);
        }
        self.program.files.push(file);
    }

    /// Creates the IR entry of a definition (filled in by `lower`) and defines its name.
    fn declare(&mut self, file: crate::source::FileId, def: &ast::Definition) -> Item {
        let (name, meta, span) = (def.name.clone(), def.meta.clone(), def.span);
        let p = &mut self.program;
        let (item, symbol) = match &def.kind {
            DefinitionKind::Const { .. } => {
                let id = ir::ConstId::from_index(p.consts.len());
                let value = ConstValue::Bool(false);
                p.consts.push(ir::Const {
                    name,
                    file,
                    ty: Type::Unresolved,
                    value,
                    meta,
                    span,
                });
                (Item::Const(id), Symbol::Const(id))
            }
            DefinitionKind::Typedef(_) | DefinitionKind::Senum(_) => {
                let id = ir::TypedefId::from_index(p.typedefs.len());
                p.typedefs.push(ir::Typedef {
                    name,
                    file,
                    target: Type::Unresolved,
                    meta,
                    span,
                });
                (Item::Typedef(id), Symbol::Typedef(id))
            }
            DefinitionKind::Enum(_) => {
                let id = ir::EnumId::from_index(p.enums.len());
                p.enums.push(ir::Enum {
                    name,
                    file,
                    members: Vec::new(),
                    meta,
                    span,
                });
                (Item::Enum(id), Symbol::Enum(id))
            }
            DefinitionKind::Struct(kind, _) => {
                let id = ir::StructId::from_index(p.structs.len());
                p.structs.push(ir::Struct {
                    kind: *kind,
                    name,
                    file,
                    fields: Vec::new(),
                    meta,
                    span,
                });
                (Item::Struct(id), Symbol::Struct(id))
            }
            DefinitionKind::Service(_) => {
                let id = ir::ServiceId::from_index(p.services.len());
                let service = ir::Service {
                    name,
                    file,
                    extends: None,
                    functions: Vec::new(),
                    callback: None,
                    meta,
                    span,
                };
                p.services.push(service);
                (Item::Service(id), Symbol::Service(id))
            }
        };
        if let Some(earlier) = self.scopes.define(file, &def.name.name, symbol) {
            let first = self.symbol_span(earlier);
            self.diags.push(
                Diagnostic::error(
                    Code::DuplicateDefinition,
                    format!("`{}` is defined twice", def.name.name),
                )
                .primary(def.name.span, "defined again here")
                .secondary(first, "first defined here")
                .help("names of types, constants and services must be unique within a file"),
            );
        }
        item
    }

    fn symbol_span(&self, symbol: Symbol) -> crate::source::Span {
        let p = &self.program;
        match symbol {
            Symbol::Struct(id) => p.structs[id.index()].name.span,
            Symbol::Enum(id) => p.enums[id.index()].name.span,
            Symbol::Typedef(id) => p.typedefs[id.index()].name.span,
            Symbol::Const(id) => p.consts[id.index()].name.span,
            Symbol::Service(id) => p.services[id.index()].name.span,
        }
    }
}

/// The name other files use for a file: its file name without the `.thrift` extension.
fn module_name(path: &std::path::Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

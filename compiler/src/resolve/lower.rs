//! Lowering: resolves type names and builds the IR of typedefs, enums, structs and services.

use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{self, EnumMember, Item, Type};
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, DefinitionKind, TypeKind};

use super::scope::{Lookup, Symbol};

/// Where a service is named, which decides how a bad name is reported.
#[derive(Clone, Copy)]
enum ServiceRole {
    /// After `extends`.
    Base,
    /// In `bidi.callback`.
    Callback,
}

/// The service annotation naming a service's callback service (see docs/bidi.md).
pub(super) const CALLBACK_ANNOTATION: &str = "bidi.callback";

/// The function annotation marking a method safe to send twice, so retry layers may retry
/// it (see docs/context.md).
pub(crate) const IDEMPOTENT_ANNOTATION: &str = "bidi.idempotent";
use super::Resolver;

impl Resolver<'_> {
    pub(super) fn lower_file(&mut self, file: FileId, document: &ast::Document) {
        let items = self.program.files[file.index()].items.clone();
        for (item, def) in items.into_iter().zip(&document.definitions) {
            match (item, &def.kind) {
                (Item::Typedef(id), DefinitionKind::Typedef(ty)) => {
                    self.program.typedefs[id.index()].target = self.resolve_type(file, ty);
                }
                (Item::Typedef(id), DefinitionKind::Senum(_)) => {
                    self.program.typedefs[id.index()].target = Type::Base(ast::BaseType::String);
                }
                (Item::Const(id), DefinitionKind::Const { ty, .. }) => {
                    self.program.consts[id.index()].ty = self.resolve_type(file, ty);
                }
                (Item::Enum(id), DefinitionKind::Enum(members)) => {
                    self.program.enums[id.index()].members = self.lower_enum(members);
                }
                (Item::Struct(id), DefinitionKind::Struct(_, fields)) => {
                    self.program.structs[id.index()].fields = self.lower_fields(file, fields);
                }
                (Item::Service(id), DefinitionKind::Service(service)) => {
                    self.lower_service(file, id, service);
                }
                _ => {}
            }
        }
    }

    /// Resolves a written type; unknown names are reported and become [`Type::Unresolved`].
    pub(super) fn resolve_type(&mut self, file: FileId, ty: &ast::Type) -> Type {
        match &ty.kind {
            TypeKind::Base(base) => Type::Base(*base),
            TypeKind::List(t) => Type::List(Box::new(self.resolve_type(file, t))),
            TypeKind::Set(t) => Type::Set(Box::new(self.resolve_type(file, t))),
            TypeKind::Map(k, v) => Type::Map(
                Box::new(self.resolve_type(file, k)),
                Box::new(self.resolve_type(file, v)),
            ),
            TypeKind::Named(name) => self.resolve_named(file, name),
        }
    }

    fn resolve_named(&mut self, file: FileId, name: &ast::Ident) -> Type {
        let diagnostic = match self.scopes.lookup(file, &name.name) {
            Lookup::Found(Symbol::Struct(id)) => return Type::Struct(id),
            Lookup::Found(Symbol::Enum(id)) => return Type::Enum(id),
            Lookup::Found(Symbol::Typedef(id)) => return Type::Typedef(id),
            Lookup::Found(other) => {
                Diagnostic::error(Code::NotAType, format!("`{}` is not a type", name.name))
                    .primary(name.span, format!("this is {}", other.describe()))
            }
            Lookup::UnknownModule(module) => self.unknown_module(file, module, name.span),
            Lookup::NotFound => {
                let mut d =
                    Diagnostic::error(Code::UnknownType, format!("unknown type `{}`", name.name))
                        .primary(name.span, "not defined");
                if let Some(help) = self.type_suggestion(file, &name.name) {
                    d = d.help(help);
                }
                d
            }
        };
        self.diags.push(diagnostic);
        Type::Unresolved
    }

    pub(super) fn unknown_module(&self, file: FileId, module: &str, span: Span) -> Diagnostic {
        let includes = &self.program.files[file.index()].includes;
        let mut d = Diagnostic::error(
            Code::UnknownInclude,
            format!("no included file is called `{module}`"),
        )
        .primary(span, format!("`{module}.` names an include"))
        .help(format!(
            "add `include \"{module}.thrift\"` at the top of the file"
        ));
        if !includes.is_empty() {
            let names: Vec<String> = includes
                .iter()
                .map(|f| format!("`{}`", self.program.files[f.index()].module))
                .collect();
            d = d.note(format!("this file includes {}", names.join(", ")));
        }
        d
    }

    fn type_suggestion(&self, file: FileId, name: &str) -> Option<String> {
        let builtin = match name {
            "int" | "integer" | "int32" => Some("i32"),
            "long" | "int64" => Some("i64"),
            "short" | "int16" => Some("i16"),
            "float" | "float64" => Some("double"),
            "boolean" => Some("bool"),
            "str" | "String" | "text" => Some("string"),
            "bytes" => Some("binary"),
            _ => None,
        };
        if let Some(builtin) = builtin {
            return Some(format!("Thrift spells this type `{builtin}`"));
        }
        self.scopes
            .similar(file, name)
            .map(|s| format!("a type with a similar name exists: `{s}`"))
    }

    fn lower_enum(&mut self, members: &[ast::EnumMember]) -> Vec<EnumMember> {
        let mut next: i64 = 0;
        let mut out = Vec::with_capacity(members.len());
        for member in members {
            let value = member.value.map_or(next, |v| v.value);
            let value = match i32::try_from(value) {
                Ok(v) => v,
                Err(_) => {
                    let span = member.value.map_or(member.name.span, |v| v.span);
                    self.diags.push(
                        Diagnostic::error(
                            Code::EnumValueOutOfRange,
                            format!("enum value {value} does not fit in 32 bits"),
                        )
                        .primary(span, "out of range")
                        .note("enum values are i32 on the wire: -2147483648 to 2147483647"),
                    );
                    0
                }
            };
            next = i64::from(value) + 1;
            out.push(EnumMember {
                name: member.name.clone(),
                value,
                meta: member.meta.clone(),
            });
        }
        out
    }

    /// Lowers a field list, assigning ids as Apache does: written ids as given, missing ones
    /// counting down from -1 (below any negative id written before them).
    pub(super) fn lower_fields(&mut self, file: FileId, fields: &[ast::Field]) -> Vec<ir::Field> {
        let mut next_implicit: i64 = -1;
        let mut out = Vec::with_capacity(fields.len());
        for field in fields {
            let (id, implicit_id, id_span) = match field.id {
                Some(lit) => {
                    if lit.value < 0 {
                        next_implicit = next_implicit.min(lit.value - 1);
                    }
                    (field_id(lit), false, lit.span)
                }
                None => {
                    let id = next_implicit;
                    next_implicit -= 1;
                    (i32::try_from(id).unwrap_or(i32::MIN), true, field.name.span)
                }
            };
            out.push(ir::Field {
                id,
                implicit_id,
                id_span,
                name: field.name.clone(),
                ty: self.resolve_type(file, &field.ty),
                ty_span: field.ty.span,
                requiredness: field.requiredness,
                requiredness_span: field.requiredness_span,
                default: None,
                boxed: false,
                meta: field.meta.clone(),
                span: field.span,
            });
        }
        out
    }

    fn lower_service(&mut self, file: FileId, id: ir::ServiceId, service: &ast::Service) {
        let extends = service
            .extends
            .as_ref()
            .and_then(|base| self.resolve_service(file, &base.name, base.span, ServiceRole::Base));
        let functions = service
            .functions
            .iter()
            .map(|f| ir::Function {
                name: f.name.clone(),
                oneway: f.oneway,
                returns: f.returns.as_ref().map(|t| self.resolve_type(file, t)),
                returns_span: f.returns_span,
                params: self.lower_fields(file, &f.params),
                throws: self.lower_fields(file, &f.throws),
                meta: f.meta.clone(),
                span: f.span,
            })
            .collect();
        for function in &service.functions {
            self.check_idempotent(&function.meta);
        }
        let callback = self.resolve_callback(file, id);
        let lowered = &mut self.program.services[id.index()];
        lowered.extends = extends;
        lowered.functions = functions;
        lowered.callback = callback;
    }

    /// Reports a `bidi.idempotent` annotation whose value is neither true nor false.
    fn check_idempotent(&mut self, meta: &ast::Meta) {
        let Some(annotation) = meta.annotation(IDEMPOTENT_ANNOTATION) else {
            return;
        };
        if ir::flag(annotation).is_none() {
            self.diags.push(
                Diagnostic::error(
                    Code::InvalidIdempotent,
                    "`bidi.idempotent` must be true or false",
                )
                .primary(annotation.span, "neither true nor false")
                .help("write `(bidi.idempotent)` on a function that may be sent twice"),
            );
        }
    }

    /// The service named by the `bidi.callback` annotation (see docs/bidi.md), if any.
    fn resolve_callback(&mut self, file: FileId, id: ir::ServiceId) -> Option<ir::ServiceId> {
        let annotation = self.program.services[id.index()]
            .meta
            .annotation(CALLBACK_ANNOTATION)?
            .clone();
        let Some(value) = annotation.value.filter(|v| !v.value.trim().is_empty()) else {
            self.diags.push(
                Diagnostic::error(Code::UnknownCallback, "`bidi.callback` needs a service name")
                    .primary(annotation.span, "no service named")
                    .help("write `(bidi.callback = \"MyCallbacks\")` naming the service clients implement"),
            );
            return None;
        };
        self.resolve_service(file, value.value.trim(), value.span, ServiceRole::Callback)
    }

    /// Resolves a service name, reporting a bad one in the words of the place it was named.
    fn resolve_service(
        &mut self,
        file: FileId,
        name: &str,
        span: Span,
        role: ServiceRole,
    ) -> Option<ir::ServiceId> {
        let diagnostic = match self.scopes.lookup(file, name) {
            Lookup::Found(Symbol::Service(id)) => return Some(id),
            Lookup::Found(other) => {
                let (code, help) = match role {
                    ServiceRole::Base => {
                        (Code::ExtendsNonService, "a service can only extend another service")
                    }
                    ServiceRole::Callback => (
                        Code::CallbackNotService,
                        "`bidi.callback` names the service that clients implement for the server to call",
                    ),
                };
                Diagnostic::error(code, format!("`{name}` is not a service"))
                    .primary(span, format!("this is {}", other.describe()))
                    .help(help)
            }
            Lookup::UnknownModule(module) => self.unknown_module(file, module, span),
            Lookup::NotFound => match role {
                ServiceRole::Base => {
                    Diagnostic::error(Code::UnknownService, format!("unknown service `{name}`"))
                        .primary(span, "not defined")
                }
                ServiceRole::Callback => Diagnostic::error(
                    Code::UnknownCallback,
                    format!("unknown callback service `{name}`"),
                )
                .primary(span, "no service of this name")
                .help("define the callback service in this file, or include its file and write `file.Service`"),
            },
        };
        self.diags.push(diagnostic);
        None
    }
}

/// A written field id; ids outside the 16-bit range are clamped (`check` reports them).
fn field_id(lit: ast::IntLit) -> i32 {
    i32::try_from(lit.value).unwrap_or(if lit.value < 0 { i32::MIN } else { i32::MAX })
}

//! Desugaring before generation: every service function gets an args struct (its parameters)
//! and, unless it is oneway, a result struct (field 0 `success` for a non-void return, then
//! its exceptions, all optional), added to a copy of the program next to their service, so
//! that the ordinary struct generator writes, names and derives them like any other struct.

use crate::ir::{
    Field, Ident, Item, Meta, Program, Requiredness, ServiceId, Struct, StructId, StructKind,
};

/// The args and result structs of each function, by service then function.
#[derive(Debug, Default)]
pub(crate) struct Messages {
    by_service: Vec<Vec<(StructId, Option<StructId>)>>,
    /// The first struct that is an args or result struct (all after it are too).
    first: usize,
}

impl Messages {
    /// Whether `id` is an args or result struct (plumbing: hidden, and the user's attributes
    /// do not apply to it).
    pub(crate) fn contains(&self, id: StructId) -> bool {
        id.index() >= self.first
    }

    /// The args and result structs of function `f` of `service` (a oneway has no result).
    pub(crate) fn of(&self, service: ServiceId, f: usize) -> (StructId, Option<StructId>) {
        self.by_service[service.index()][f]
    }
}

/// `program` with the args and result structs of every function added.
pub(crate) fn desugar(program: &Program) -> (Program, Messages) {
    let mut out = program.clone();
    let mut messages = Vec::new();
    for (s, service) in program.services.iter().enumerate() {
        let id = ServiceId::from_index(s);
        let mut added = Vec::new();
        let mut pairs = Vec::new();
        for function in &service.functions {
            let name = |suffix: &str| Ident {
                name: format!("{}_{}_{suffix}", service.name.name, function.name.name),
                span: function.span,
            };
            let args = push(
                &mut out,
                Struct {
                    kind: StructKind::Struct,
                    name: name("args"),
                    file: service.file,
                    fields: function.params.clone(),
                    meta: Meta::default(),
                    span: function.span,
                },
            );
            let success = function.returns.clone().map(|ty| Field {
                id: 0,
                implicit_id: false,
                id_span: function.returns_span,
                name: Ident {
                    name: "success".into(),
                    span: function.returns_span,
                },
                ty,
                ty_span: function.returns_span,
                requiredness: Requiredness::Optional,
                requiredness_span: None,
                default: None,
                boxed: false,
                meta: Meta::default(),
                span: function.returns_span,
            });
            let exceptions = function.throws.iter().cloned().map(|mut field| {
                field.requiredness = Requiredness::Optional;
                field.default = None;
                field
            });
            added.push(Item::Struct(args));
            let result = function.oneway.is_none().then(|| {
                push(
                    &mut out,
                    Struct {
                        kind: StructKind::Struct,
                        name: name("result"),
                        file: service.file,
                        fields: success.into_iter().chain(exceptions).collect(),
                        meta: Meta::default(),
                        span: function.span,
                    },
                )
            });
            added.extend(result.map(Item::Struct));
            pairs.push((args, result));
        }
        let items = &mut out.files[service.file.index()].items;
        let at = items
            .iter()
            .position(|item| *item == Item::Service(id))
            .map_or(items.len(), |i| i + 1);
        items.splice(at..at, added);
        messages.push(pairs);
    }
    let first = program.structs.len();
    (
        out,
        Messages {
            by_service: messages,
            first,
        },
    )
}

fn push(program: &mut Program, s: Struct) -> StructId {
    program.structs.push(s);
    StructId::from_index(program.structs.len() - 1)
}

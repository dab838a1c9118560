//! Names that would become the same Rust identifier after case conversion (`user_id` and
//! `userId`): [`ident::assign`] keeps such names distinct by leaving them as written, which is
//! reported as a warning; names that still collide (through `rust.name` annotations) are errors.
//! Namespaces: the types of a file, its constants, the fields of a struct, the members of an
//! enum, the functions of a service, the parameters of a function.

use std::collections::HashMap;

use crate::codegen::ident::{self, Case};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{Ident, Item, Meta, Program};

pub(super) fn check(program: &Program, diags: &mut Diagnostics) {
    for file in &program.files {
        let (mut types, mut consts) = (Vec::new(), Vec::new());
        for item in &file.items {
            let p = program;
            match *item {
                Item::Struct(id) => {
                    types.push((&p.structs[id.index()].name, &p.structs[id.index()].meta));
                }
                Item::Enum(id) => {
                    types.push((&p.enums[id.index()].name, &p.enums[id.index()].meta));
                }
                Item::Typedef(id) => {
                    types.push((&p.typedefs[id.index()].name, &p.typedefs[id.index()].meta));
                }
                Item::Service(id) => {
                    types.push((&p.services[id.index()].name, &p.services[id.index()].meta));
                }
                Item::Const(id) => {
                    consts.push((&p.consts[id.index()].name, &p.consts[id.index()].meta));
                }
            }
        }
        namespace("type", Case::Type, &types, diags);
        namespace("constant", Case::Const, &consts, diags);
    }
    for s in &program.structs {
        let names: Vec<_> = s.fields.iter().map(|f| (&f.name, &f.meta)).collect();
        namespace("field", Case::Value, &names, diags);
    }
    for e in &program.enums {
        let names: Vec<_> = e.members.iter().map(|m| (&m.name, &m.meta)).collect();
        namespace("enum member", Case::Const, &names, diags);
    }
    for service in &program.services {
        let names: Vec<_> = service
            .functions
            .iter()
            .map(|f| (&f.name, &f.meta))
            .collect();
        namespace("function", Case::Value, &names, diags);
        for function in &service.functions {
            let names: Vec<_> = function.params.iter().map(|p| (&p.name, &p.meta)).collect();
            namespace("parameter", Case::Value, &names, diags);
        }
    }
}

fn namespace(what: &str, case: Case, names: &[(&Ident, &Meta)], diags: &mut Diagnostics) {
    let assigned = ident::assign(case, names.iter().map(|(n, m)| (n.name.as_str(), *m)));
    let mut seen: HashMap<&str, &Ident> = HashMap::new();
    for ((name, _), assigned) in names.iter().zip(&assigned) {
        if let Some(converted) = &assigned.collided {
            diags.push(
                Diagnostic::warning(
                    Code::RustRename,
                    format!("{what} `{}` keeps its IDL spelling in Rust", name.name),
                )
                .primary(
                    name.span,
                    format!("`{converted}` is taken by another {what}"),
                )
                .help(format!(
                    "choose its Rust name with the annotation `({} = \"…\")`",
                    ident::NAME_ANNOTATION
                )),
            );
        }
        match seen.get(assigned.rust.as_str()) {
            // The same IDL name twice is a duplicate, reported by the name checks.
            Some(first) if first.name == name.name => {}
            Some(first) => diags.push(
                Diagnostic::error(
                    Code::RustNameCollision,
                    format!(
                        "{what} names `{}` and `{}` are both `{}` in Rust",
                        first.name, name.name, assigned.rust
                    ),
                )
                .primary(name.span, format!("becomes `{}`", assigned.rust))
                .secondary(first.span, format!("also becomes `{}`", assigned.rust))
                .help(format!(
                    "give one of them another name with the annotation `({} = \"…\")`",
                    ident::NAME_ANNOTATION
                )),
            ),
            None => {
                seen.insert(&assigned.rust, name);
            }
        }
    }
}

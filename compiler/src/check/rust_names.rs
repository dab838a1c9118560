//! Rust names. Names that would become the same Rust identifier after case conversion
//! (`user_id` and `userId`) stay distinct because [`ident::assign`] leaves them as written,
//! which is reported as a warning; names that still collide (through `rust.name` annotations)
//! are errors, as are annotations that are not identifiers, two files that would be one
//! Rust module, and a function named like the `try_` client method of a oneway function.
//! The namespaces checked are exactly the ones codegen names ([`names::namespaces`]).

use std::collections::HashMap;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{Function, Ident, Program, ServiceId};
use crate::naming::ident;
use crate::naming::{self as names, Names, Namespace, Slot};
use crate::source::{FileId, Span};

pub(super) fn check(program: &Program, diags: &mut Diagnostics) {
    for ns in names::namespaces(program) {
        check_annotations(&ns, diags);
        check_namespace(&ns, diags);
    }
    check_modules(program, diags);
    check_try_methods(program, diags);
}

fn check_annotations(ns: &Namespace<'_>, diags: &mut Diagnostics) {
    for (name, meta) in &ns.names {
        let Some(chosen) = ident::chosen(meta) else {
            continue;
        };
        if ident::is_identifier(&chosen) {
            continue;
        }
        let span = meta
            .annotation(ident::NAME_ANNOTATION)
            .map_or(name.span, |a| {
                a.value.as_ref().map_or(a.key.span, |v| v.span)
            });
        diags.push(
            Diagnostic::error(
                Code::InvalidRustName,
                format!("`{chosen}` is not a Rust identifier"),
            )
            .primary(span, format!("chosen as the Rust name of `{}`", name.name))
            .help("use letters, digits and underscores, not starting with a digit"),
        );
    }
}

fn check_namespace(ns: &Namespace<'_>, diags: &mut Diagnostics) {
    let what = ns.what;
    let mut seen: HashMap<String, &Ident> = HashMap::new();
    for ((name, _), assigned) in ns.names.iter().zip(ns.assign()) {
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
        match seen.get(&assigned.rust) {
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
                seen.insert(assigned.rust, name);
            }
        }
    }
}

/// Each file is one Rust module; a file whose converted module path is another's keeps its
/// name's spelling (a warning), and two files that still have the same path cannot both be
/// generated.
fn check_modules(program: &Program, diags: &mut Diagnostics) {
    let mut seen: HashMap<Vec<String>, FileId> = HashMap::new();
    for (file, module) in program.files.iter().zip(names::modules(program)) {
        let path = module.path.join("::");
        let whole = Span::new(file.id, 0..0);
        if let Some(converted) = module.collided {
            diags.push(
                Diagnostic::warning(
                    Code::RustRename,
                    format!("this file becomes the Rust module `{path}`"),
                )
                .primary(whole, format!("`{converted}` is another file's module"))
                .help("choose its module path with `namespace rs <path>`"),
            );
        }
        match seen.get(&module.path) {
            Some(&first) => diags.push(
                Diagnostic::error(
                    Code::ModuleCollision,
                    format!("two files become the Rust module `{path}`"),
                )
                .primary(whole, format!("this file becomes `{path}`"))
                .secondary(
                    Span::new(first, 0..0),
                    format!("this file also becomes `{path}`"),
                )
                .help("give one of them its own module path with `namespace rs <path>`"),
            ),
            None => {
                seen.insert(module.path, file.id);
            }
        }
    }
}

/// A oneway function `x` also gets the client method `try_x`, so no function of the client
/// (the service's own or inherited) may have that Rust name.
fn check_try_methods(program: &Program, diags: &mut Diagnostics) {
    let names = Names::new(program);
    for index in 0..program.services.len() {
        let methods = client_methods(program, &names, ServiceId::from_index(index));
        for (oneway, name) in methods.iter().filter(|(f, _)| f.oneway.is_some()) {
            let try_name = ident::try_method(name);
            let Some((other, _)) = methods.iter().find(|(_, n)| *n == try_name) else {
                continue;
            };
            diags.push(
                Diagnostic::error(
                    Code::RustNameCollision,
                    format!(
                        "function `{}` has the name of the client method of oneway `{}`",
                        other.name.name, oneway.name.name
                    ),
                )
                .primary(other.name.span, format!("becomes `{try_name}`"))
                .secondary(
                    oneway.name.span,
                    format!("oneway, so its client also has `{try_name}`"),
                )
                .help(format!(
                    "give one of them another name with the annotation `({} = \"…\")`",
                    ident::NAME_ANNOTATION
                )),
            );
        }
    }
}

/// The functions of a service's client, its own and inherited, with their Rust names.
fn client_methods<'a>(
    program: &'a Program,
    names: &'a Names,
    service: ServiceId,
) -> Vec<(&'a Function, &'a str)> {
    let mut methods = Vec::new();
    let mut current = Some(service);
    // Cycles were broken by the `extends` check; the bound is a second guard.
    for _ in 0..program.services.len() {
        let Some(id) = current else { break };
        let functions = program.services[id.index()].functions.iter().enumerate();
        methods.extend(functions.map(|(i, f)| (f, names.entry(Slot::Functions(id), i))));
        current = program.services[id.index()].extends;
    }
    methods
}

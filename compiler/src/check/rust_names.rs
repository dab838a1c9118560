//! Rust names. Names that would become the same Rust identifier after case conversion
//! (`user_id` and `userId`) stay distinct because [`ident::assign`] leaves them as written,
//! which is reported as a warning; names that still collide (through `rust.name` annotations)
//! are errors, as are annotations that are not identifiers, two files that would be one
//! Rust module, and a name spelled like one the generator derives beside it (a client, an
//! args struct, a `try_` method, …). The names checked are the ones codegen writes, from one
//! [`Names`].

use std::collections::HashMap;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{Ident, Program};
use crate::naming::ident;
use crate::naming::ident::Assigned;
use crate::naming::{self as names, Named, Names, Namespace};
use crate::source::{FileId, Span};

pub(super) fn check(program: &Program, diags: &mut Diagnostics) {
    let names = Names::new(program);
    for ns in names::namespaces(program) {
        check_annotations(&ns, diags);
        check_namespace(&ns, names.assigned(ns.slot), diags);
    }
    check_modules(program, &names, diags);
    check_derived(program, &names, diags);
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

fn check_namespace(ns: &Namespace<'_>, assigned: &[Assigned], diags: &mut Diagnostics) {
    let what = ns.what;
    let mut seen: HashMap<&str, &Ident> = HashMap::new();
    for ((name, _), assigned) in ns.names.iter().zip(assigned) {
        if let Some(converted) = &assigned.collided {
            let label = if assigned.generated {
                format!("`{converted}` is a generated name")
            } else {
                format!("`{converted}` is taken by another {what}")
            };
            diags.push(
                Diagnostic::warning(
                    Code::RustRename,
                    format!("{what} `{}` keeps its IDL spelling in Rust", name.name),
                )
                .primary(name.span, label)
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

/// Each file is one Rust module; a file whose converted module path is another's keeps its
/// name's spelling (a warning), and two files that still have the same path cannot both be
/// generated.
fn check_modules(program: &Program, names: &Names, diags: &mut Diagnostics) {
    let mut seen: HashMap<&[String], FileId> = HashMap::new();
    for (file, module) in program.files.iter().zip(names.modules()) {
        let path = module.path.join("::");
        let whole = Span::new(file.id, 0..0);
        if let Some(converted) = &module.collided {
            diags.push(
                Diagnostic::warning(
                    Code::RustRename,
                    format!("this file becomes the Rust module `{path}`"),
                )
                .primary(whole, format!("`{converted}` is another file's module"))
                .help("choose its module path with `namespace rs <path>`"),
            );
        }
        match seen.get(module.path.as_slice()) {
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
                seen.insert(&module.path, file.id);
            }
        }
    }
}

/// Names the generator derives (clients, servers, args and result structs, error enums and
/// their `Rpc` variant, `success`, `try_` methods, …) must not be a user's name or each
/// other's: generated code with a name twice does not compile, and renaming either silently
/// would surprise its user.
fn check_derived(program: &Program, names: &Names, diags: &mut Diagnostics) {
    for namespace in names::clashes(program, names) {
        let mut seen: HashMap<&str, &Named> = HashMap::new();
        for named in &namespace {
            let Some(first) = seen.get(named.rust.as_str()) else {
                seen.insert(&named.rust, named);
                continue;
            };
            // Two user names alike are the namespace check's to report, and names derived from
            // a definition given twice the duplicate check's.
            if (first.derived || named.derived) && first.what != named.what {
                diags.push(clash(first, named));
            }
        }
    }
}

fn clash(first: &Named, again: &Named) -> Diagnostic {
    // Point at a user's name when there is one: that is what can be renamed.
    let (user, derived) = if again.derived {
        (first, again)
    } else {
        (again, first)
    };
    let rust = &user.rust;
    let message = if user.derived {
        format!("{} and {} are both `{rust}`", user.what, derived.what)
    } else {
        format!("{} has the Rust name of {}", user.what, derived.what)
    };
    let annotation = ident::NAME_ANNOTATION;
    let help = if user.derived {
        format!(
            "rename the service or function one of them is named after, with the annotation \
             `({annotation} = \"…\")`"
        )
    } else {
        format!("give it another Rust name with the annotation `({annotation} = \"…\")`")
    };
    Diagnostic::error(Code::RustNameCollision, message)
        .primary(user.span, format!("becomes `{rust}`"))
        .secondary(derived.span, format!("{} is `{rust}`", derived.what))
        .help(help)
}

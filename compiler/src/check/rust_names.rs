//! Rust names. Names that would become the same Rust identifier after case conversion
//! (`user_id` and `userId`) stay distinct because [`ident::assign`] leaves them as written,
//! which is reported as a warning; names that still collide (through `rust.name` annotations)
//! are errors, as are annotations that are not identifiers and two files that would be one
//! Rust module.
//! The namespaces checked are exactly the ones codegen names ([`names::namespaces`]).

use std::collections::HashMap;

use crate::codegen::ident;
use crate::codegen::names::{self, Namespace};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{Ident, Program};
use crate::source::{FileId, Span};

pub(super) fn check(program: &Program, diags: &mut Diagnostics) {
    for ns in names::namespaces(program) {
        check_annotations(&ns, diags);
        check_namespace(&ns, diags);
    }
    check_modules(program, diags);
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

/// Each file is one Rust module; two files with the same module path cannot both be generated.
fn check_modules(program: &Program, diags: &mut Diagnostics) {
    let mut seen: HashMap<Vec<String>, FileId> = HashMap::new();
    for file in &program.files {
        let path = names::module_path(program, file.id);
        let module = path.join("::");
        match seen.get(&path) {
            Some(&first) => diags.push(
                Diagnostic::error(
                    Code::ModuleCollision,
                    format!("two files become the Rust module `{module}`"),
                )
                .primary(
                    Span::new(file.id, 0..0),
                    format!("this file becomes `{module}`"),
                )
                .secondary(
                    Span::new(first, 0..0),
                    format!("this file also becomes `{module}`"),
                )
                .help("give one of them its own module path with `namespace rs <path>`"),
            ),
            None => {
                seen.insert(path, file.id);
            }
        }
    }
}

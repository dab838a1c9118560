//! Typedef chains must end in a real type, within [`MAX_CHAIN`] aliases.

use super::chains::{chains, cycle_notes};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{Program, Type};
use crate::limits::MAX_CHAIN;

pub(super) fn check(program: &mut Program, diags: &mut Diagnostics) {
    let typedefs = &program.typedefs;
    let found = chains(typedefs.len(), |t| match typedefs[t].target {
        Type::Typedef(next) => Some(next.index()),
        _ => None,
    });
    let name = |t: usize| typedefs[t].name.name.as_str();
    for (member, note) in cycle_notes(&found, name, " -> ") {
        let ident = &typedefs[member].name;
        diags.push(
            Diagnostic::error(
                Code::TypedefCycle,
                format!("typedef `{}` refers to itself", ident.name),
            )
            .primary(ident.span, "this alias never reaches a real type")
            .note(format!("the chain: {note}")),
        );
    }
    for start in found.too_long() {
        let ident = &typedefs[start].name;
        let message = format!(
            "typedef `{}` starts a chain of aliases longer than the limit of {MAX_CHAIN}",
            ident.name
        );
        diags.push(
            Diagnostic::error(Code::TypedefChainTooLong, message)
                .primary(ident.span, "an alias of an alias of ... too many times")
                .help("alias the real type directly"),
        );
    }
    // Broken chains end here, so that later passes terminate and stay short.
    for index in found.broken() {
        program.typedefs[index].target = Type::Unresolved;
    }
}

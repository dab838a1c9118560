//! `extends` chains must end, within [`MAX_CHAIN`] services: a service cannot (indirectly)
//! extend itself.

use super::chains::{chains, cycle_notes};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{Program, ServiceId};
use crate::limits::MAX_CHAIN;

pub(super) fn check(program: &mut Program, diags: &mut Diagnostics) {
    let services = &program.services;
    let found = chains(services.len(), |s| {
        services[s].extends.map(ServiceId::index)
    });
    let name = |s: usize| services[s].name.name.as_str();
    for (member, note) in cycle_notes(&found, name, " extends ") {
        let ident = &services[member].name;
        diags.push(
            Diagnostic::error(
                Code::ExtendsCycle,
                format!("service `{}` extends itself", ident.name),
            )
            .primary(ident.span, "its bases lead back to it")
            .note(format!("the chain: {note}")),
        );
    }
    for start in found.too_long() {
        let ident = &services[start].name;
        let message = format!(
            "service `{}` starts a chain of `extends` longer than the limit of {MAX_CHAIN}",
            ident.name
        );
        diags.push(
            Diagnostic::error(Code::ExtendsChainTooLong, message)
                .primary(
                    ident.span,
                    "it extends a service that extends ... too many times",
                )
                .help("extend fewer levels of services"),
        );
    }
    // Break cycles and over-long chains so later passes terminate and stay short.
    for index in found.broken() {
        program.services[index].extends = None;
    }
}

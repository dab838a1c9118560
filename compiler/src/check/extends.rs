//! `extends` chains must end: a service cannot (indirectly) extend itself.

use super::cycle_from;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{Program, ServiceId};

pub(super) fn check(program: &mut Program, diags: &mut Diagnostics) {
    for index in 0..program.services.len() {
        let start = ServiceId::from_index(index);
        let Some(chain) = cycle_from(start, |s| program.services[s.index()].extends) else {
            continue;
        };
        let names: Vec<&str> = chain
            .iter()
            .map(|s| program.services[s.index()].name.name.as_str())
            .collect();
        diags.push(
            Diagnostic::error(
                Code::ExtendsCycle,
                format!("service `{}` extends itself", names[0]),
            )
            .primary(
                program.services[index].name.span,
                "its bases lead back to it",
            )
            .note(format!("the chain: {}", names.join(" extends "))),
        );
        // Break the cycle so later passes terminate.
        program.services[index].extends = None;
    }
}

//! Typedef chains must end in a real type.

use super::cycle_from;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{Program, Type, TypedefId};

pub(super) fn check(program: &mut Program, diags: &mut Diagnostics) {
    for index in 0..program.typedefs.len() {
        let start = TypedefId::from_index(index);
        let target = |t: TypedefId| match program.typedefs[t.index()].target {
            Type::Typedef(next) => Some(next),
            _ => None,
        };
        let Some(chain) = cycle_from(start, target) else {
            continue;
        };
        let names: Vec<&str> = chain
            .iter()
            .map(|t| program.typedefs[t.index()].name.name.as_str())
            .collect();
        diags.push(
            Diagnostic::error(
                Code::TypedefCycle,
                format!("typedef `{}` refers to itself", names[0]),
            )
            .primary(
                program.typedefs[index].name.span,
                "this alias never reaches a real type",
            )
            .note(format!("the chain: {}", names.join(" -> "))),
        );
        program.typedefs[index].target = Type::Unresolved;
    }
}

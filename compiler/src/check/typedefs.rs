//! Typedef chains must end in a real type.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{Program, Type, TypedefId};

pub(super) fn check(program: &mut Program, diags: &mut Diagnostics) {
    for index in 0..program.typedefs.len() {
        let start = TypedefId(u32::try_from(index).unwrap_or(u32::MAX));
        let mut chain = vec![start];
        let mut ty = &program.typedefs[index].target;
        while let Type::Typedef(id) = ty {
            if *id == start {
                let names: Vec<&str> = chain
                    .iter()
                    .chain([&start])
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
                break;
            }
            if chain.contains(id) {
                break;
            }
            chain.push(*id);
            ty = &program.typedefs[id.index()].target;
        }
    }
}

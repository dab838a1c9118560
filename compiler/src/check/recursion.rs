//! Recursive types: a field whose type (directly, not through a container) contains the
//! struct that holds it must be boxed, or the generated Rust type would be infinitely large.

use crate::ir::{Program, StructId, Type};

pub(super) fn mark_boxed(program: &mut Program) {
    let edges: Vec<Vec<StructId>> = program
        .structs
        .iter()
        .map(|s| {
            s.fields
                .iter()
                .filter_map(|f| direct_struct(program, &f.ty))
                .collect()
        })
        .collect();
    for index in 0..program.structs.len() {
        let me = StructId::from_index(index);
        for f in 0..program.structs[index].fields.len() {
            let target = direct_struct(program, &program.structs[index].fields[f].ty);
            if let Some(target) = target {
                program.structs[index].fields[f].boxed = reaches(&edges, target, me);
            }
        }
    }
}

/// The struct a field holds inline, following typedefs.
fn direct_struct(program: &Program, ty: &Type) -> Option<StructId> {
    match program.underlying(ty) {
        Type::Struct(id) => Some(*id),
        _ => None,
    }
}

/// Whether `from` contains `to` inline, possibly through other structs.
fn reaches(edges: &[Vec<StructId>], from: StructId, to: StructId) -> bool {
    let mut stack = vec![from];
    let mut seen = vec![false; edges.len()];
    while let Some(id) = stack.pop() {
        if id == to {
            return true;
        }
        if !std::mem::replace(&mut seen[id.index()], true) {
            stack.extend(&edges[id.index()]);
        }
    }
    false
}

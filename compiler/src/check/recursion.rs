//! Recursive types: a field whose type (directly, not through a container) contains the
//! struct that holds it must be boxed, or the generated Rust type would be infinitely large.
//! A field of struct `S` holding struct `T` inline is recursive when `T` holds `S` back,
//! through any chain of structs: when the two are in one strongly connected component of the
//! graph of inline fields, found once for the whole program (linear in its size).

use crate::ir::{Program, StructId, Type};

pub(super) fn mark_boxed(program: &mut Program) {
    let edges: Vec<Vec<usize>> = program
        .structs
        .iter()
        .map(|s| {
            s.fields
                .iter()
                .filter_map(|f| direct_struct(program, &f.ty).map(StructId::index))
                .collect()
        })
        .collect();
    let component = components(&edges);
    for index in 0..program.structs.len() {
        for f in 0..program.structs[index].fields.len() {
            let target = direct_struct(program, &program.structs[index].fields[f].ty);
            if let Some(target) = target {
                program.structs[index].fields[f].boxed =
                    component[target.index()] == component[index];
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

/// The strongly connected component of each node (Tarjan's algorithm, with an explicit stack
/// rather than recursion, so that a long chain of structs cannot overflow the stack).
fn components(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let count = edges.len();
    let (mut order, mut low) = (vec![UNSEEN; count], vec![0; count]);
    let mut component = vec![UNSEEN; count];
    let (mut on_stack, mut stack) = (vec![false; count], Vec::new());
    let (mut next_order, mut next_component) = (0, 0);
    for root in 0..count {
        if order[root] != UNSEEN {
            continue;
        }
        // (node, how many of its edges have been followed)
        let mut walk = vec![(root, 0)];
        while let Some(&(node, followed)) = walk.last() {
            if followed == 0 {
                order[node] = next_order;
                low[node] = next_order;
                next_order += 1;
                stack.push(node);
                on_stack[node] = true;
            }
            if let Some(&next) = edges[node].get(followed) {
                if let Some(top) = walk.last_mut() {
                    top.1 += 1;
                }
                if order[next] == UNSEEN {
                    walk.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(order[next]);
                }
                continue;
            }
            walk.pop();
            if let Some(&(parent, _)) = walk.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == order[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

#[cfg(test)]
mod tests {
    use super::components;

    #[test]
    fn components_of_cycles_chains_and_self_loops() {
        // 0 -> 1 -> 2 -> 0 (a cycle), 2 -> 3 -> 3 (a self-loop), 4 -> 0.
        let edges = vec![vec![1], vec![2], vec![0, 3], vec![3], vec![0]];
        let c = components(&edges);
        assert!(c[0] == c[1] && c[1] == c[2]);
        assert!(c[3] != c[0] && c[4] != c[0] && c[3] != c[4]);
    }

    #[test]
    fn a_long_ring_is_one_component() {
        let count = 100_000;
        let ring: Vec<Vec<usize>> = (0..count).map(|n| vec![(n + 1) % count]).collect();
        let c = components(&ring);
        assert!(c.iter().all(|&x| x == c[0]));
        let line: Vec<Vec<usize>> = (0..count)
            .map(|n| vec![n + 1].into_iter().filter(|&m| m < count).collect())
            .collect();
        let c = components(&line);
        assert_eq!(
            c.iter().collect::<std::collections::HashSet<_>>().len(),
            count
        );
    }
}

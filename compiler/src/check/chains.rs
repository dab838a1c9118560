//! Chains in a graph where each node leads to at most one other (a typedef to its target, a
//! service to the one it extends), walked once each: the cycles, and how long each node's
//! chain is. Linear in the number of nodes, where following each node's chain on its own
//! would be quadratic, and checking each step against the chain so far cubic.

use crate::limits::MAX_CHAIN;

/// What the walk found.
pub(super) struct Chains {
    /// The cycles, each once, each in chain order.
    pub(super) cycles: Vec<Vec<usize>>,
    /// For each node, how many nodes its chain has, itself included, up to its end or up to
    /// and including a cycle.
    pub(super) lengths: Vec<usize>,
    /// Whether each node is on a cycle.
    in_cycle: Vec<bool>,
}

impl Chains {
    /// The nodes that start a chain of exactly one more than [`MAX_CHAIN`] nodes, off cycles:
    /// one for each chain over the limit, where it first goes over.
    pub(super) fn too_long(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.lengths.len()).filter(|&n| self.lengths[n] == MAX_CHAIN + 1 && !self.in_cycle[n])
    }

    /// The nodes whose chains must be cut for later passes: those on cycles, and those whose
    /// chains are over the limit.
    pub(super) fn broken(&self) -> Vec<usize> {
        (0..self.lengths.len())
            .filter(|&n| self.in_cycle[n] || self.lengths[n] > MAX_CHAIN)
            .collect()
    }
}

/// For each cycle, its first node (by index) and the note naming the chain from it round to
/// itself: one error for each cycle, however long.
pub(super) fn cycle_notes<'a>(
    found: &Chains,
    name: impl Fn(usize) -> &'a str,
    joined: &str,
) -> Vec<(usize, String)> {
    let mut notes = Vec::new();
    for cycle in &found.cycles {
        let at = (0..cycle.len()).min_by_key(|&i| cycle[i]).unwrap_or(0);
        let round = cycle[at..].iter().chain(&cycle[..=at]);
        notes.push((cycle[at], shown(round.map(|&n| name(n)), joined)));
    }
    notes
}

/// Walks the chains of `count` nodes, `next` giving the node each leads to.
pub(super) fn chains(count: usize, next: impl Fn(usize) -> Option<usize>) -> Chains {
    const OFF_PATH: usize = usize::MAX;
    // 0 until a node is done.
    let mut lengths = vec![0; count];
    let mut on_path = vec![OFF_PATH; count];
    let mut cycles = Vec::new();
    for start in 0..count {
        let mut path = Vec::new();
        let mut current = Some(start);
        while let Some(node) = current {
            if lengths[node] != 0 || on_path[node] != OFF_PATH {
                break;
            }
            on_path[node] = path.len();
            path.push(node);
            current = next(node);
        }
        // The length of the chain after the path's last node.
        let mut after = match current {
            Some(node) if lengths[node] == 0 => {
                let cycle = path.split_off(on_path[node]);
                for &member in &cycle {
                    lengths[member] = cycle.len();
                }
                let len = cycle.len();
                cycles.push(cycle);
                len
            }
            Some(node) => lengths[node],
            None => 0,
        };
        for &node in path.iter().rev() {
            after += 1;
            lengths[node] = after;
        }
    }
    let mut in_cycle = vec![false; count];
    for &member in cycles.iter().flatten() {
        in_cycle[member] = true;
    }
    Chains {
        cycles,
        lengths,
        in_cycle,
    }
}

/// The names of a chain for a note, the middle of a long one left out.
fn shown<'a>(names: impl Iterator<Item = &'a str>, joined: &str) -> String {
    const SHOWN: usize = 8;
    let names: Vec<&str> = names.collect();
    let len = names.len();
    if len <= 2 * SHOWN {
        return names.join(joined);
    }
    format!(
        "{}{joined}... ({} more) ...{joined}{}",
        names[..SHOWN].join(joined),
        len - 2 * SHOWN,
        names[len - SHOWN..].join(joined)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_and_lengths() {
        // 0 -> 1 -> 2 -> 1 (a cycle of 1 and 2, led into by 0); 3 -> 4 -> end; 5 -> 5.
        let next = [Some(1), Some(2), Some(1), Some(4), None, Some(5)];
        let found = chains(next.len(), |n| next[n]);
        assert_eq!(found.cycles, vec![vec![1, 2], vec![5]]);
        assert_eq!(found.lengths, vec![3, 2, 2, 2, 1, 1]);
    }

    #[test]
    fn a_long_chain_is_walked_once() {
        let count = 100_000;
        let found = chains(count, |n| n.checked_sub(1));
        assert!(found.cycles.is_empty());
        assert_eq!(found.lengths[count - 1], count);
        let ring = chains(count, |n| Some((n + 1) % count));
        assert_eq!(ring.cycles.len(), 1);
        assert_eq!(ring.cycles[0].len(), count);
    }

    #[test]
    fn long_chains_are_shortened_for_notes() {
        let names: Vec<String> = (0..20).map(|i| format!("T{i}")).collect();
        let note = shown(names.iter().map(String::as_str), " -> ");
        assert!(note.starts_with("T0 -> T1"), "{note}");
        assert!(note.contains("... (4 more) ..."), "{note}");
        assert!(note.ends_with("T18 -> T19"), "{note}");
        assert_eq!(shown(["A", "B"].into_iter(), " -> "), "A -> B");
    }
}

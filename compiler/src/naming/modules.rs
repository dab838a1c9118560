//! Module paths: each file's place in the generated tree, from its `namespace rs` or its
//! directory, with converted paths that collide kept in their files' spelling.

use std::collections::HashMap;

use super::ident::{self, Case};
use crate::ir::Program;

/// A file's Rust module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Module {
    /// Its path from the root of the generated tree.
    pub(crate) path: Vec<String>,
    /// Set when the last segment keeps the file name's spelling because the converted path,
    /// given here, is another file's too.
    pub(crate) collided: Option<String>,
}

/// The module of every file, by [`FileId`]. Its path is the file's `namespace rs` (dotted, as a
/// module path) and its file name, as Apache's Rust generator places it (`namespace rs transit`
/// in `Buses.thrift`: `transit::buses`; the name is not repeated when the namespace ends with
/// it), or, without a namespace, its directory below the include directory it is found under
/// (see [`crate::resolve::Loaded::dirs`]) and its file name (`base/shared.thrift`:
/// `base::shared`). Two files whose converted paths are the same (`hyphenated-file.thrift`,
/// `hyphenated_file.thrift`) keep their file names' spelling, less what an identifier cannot
/// hold (`hyphenatedfile`), as names in a namespace keep their IDL spelling.
pub(crate) fn modules(program: &Program) -> Vec<Module> {
    let segment = |s: &str| ident::convert(Case::Value, &s.replace('.', "_"));
    let converted: Vec<(Vec<String>, bool)> = program
        .files
        .iter()
        .map(|file| {
            let stem = segment(&file.module);
            let mut path: Vec<String> = match file.namespace_rs() {
                Some(ns) => ns.split('.').map(segment).collect(),
                None => file.dir.iter().map(|d| segment(d)).collect(),
            };
            let named = file.namespace_rs().is_none() || path.last() != Some(&stem);
            if named {
                path.push(stem);
            }
            (path, named)
        })
        .collect();
    let mut count: HashMap<&[String], usize> = HashMap::new();
    for (path, _) in &converted {
        *count.entry(path).or_default() += 1;
    }
    let renamed: Vec<Option<Vec<String>>> = converted
        .iter()
        .zip(&program.files)
        .map(|((path, named), file)| {
            let verbatim = ident::verbatim_module(&file.module);
            let (last, parent) = path.split_last()?;
            (*named && count[path.as_slice()] > 1 && verbatim != *last)
                .then(|| parent.iter().cloned().chain([verbatim]).collect())
        })
        .collect();
    // A kept spelling that is still someone's path helps no one: the error says so instead.
    let mut taken: HashMap<&[String], usize> = HashMap::new();
    for (path, renamed) in converted.iter().zip(&renamed) {
        *taken
            .entry(renamed.as_deref().unwrap_or(&path.0))
            .or_default() += 1;
    }
    let modules = converted.iter().zip(&renamed).map(|((path, _), renamed)| {
        match renamed.as_ref().filter(|r| taken[r.as_slice()] == 1) {
            Some(renamed) => Module {
                path: renamed.clone(),
                collided: Some(path.join("::")),
            },
            None => Module {
                path: path.clone(),
                collided: None,
            },
        }
    });
    modules.collect()
}

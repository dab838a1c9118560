//! Check stage: validates a resolved [`Program`], one rule per file, collecting every problem.
//! `recursion` also marks the fields that generated code must box.

mod chains;
mod extends;
mod field_ids;
mod functions;
mod names;
mod recursion;
mod rust_names;
mod typedefs;

use crate::diagnostics::Diagnostics;
use crate::ir::{Field, Program};

/// Runs every check on `program` and marks recursive fields for boxing.
pub fn check(program: &mut Program, diags: &mut Diagnostics) {
    typedefs::check(program, diags);
    extends::check(program, diags);
    field_ids::check(program, diags);
    names::check(program, diags);
    functions::check(program, diags);
    rust_names::check(program, diags);
    recursion::mark_boxed(program);
}

/// Every field list of the program with what it belongs to: struct fields, function
/// parameters and function `throws` lists.
fn field_lists(program: &Program) -> impl Iterator<Item = (FieldList, &[Field])> {
    let structs = program
        .structs
        .iter()
        .map(|s| (FieldList::Struct(s.kind.keyword()), s.fields.as_slice()));
    let functions = program
        .services
        .iter()
        .flat_map(|s| &s.functions)
        .flat_map(|f| {
            [
                (FieldList::Params, f.params.as_slice()),
                (FieldList::Throws, f.throws.as_slice()),
            ]
        });
    structs.chain(functions)
}

/// What a field list is, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FieldList {
    Struct(&'static str),
    Params,
    Throws,
}

impl FieldList {
    fn noun(self) -> &'static str {
        match self {
            FieldList::Struct(_) => "field",
            FieldList::Params => "parameter",
            FieldList::Throws => "exception",
        }
    }

    fn owner(self) -> &'static str {
        match self {
            FieldList::Struct(keyword) => keyword,
            FieldList::Params => "function",
            FieldList::Throws => "`throws` list",
        }
    }
}

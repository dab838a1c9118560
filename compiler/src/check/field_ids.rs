//! Field ids: unique within a list, non-zero, within 16 bits; implicit and negative ids warned.

use std::collections::HashMap;

use super::{field_lists, FieldList};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{Field, Program};

pub(super) fn check(program: &Program, diags: &mut Diagnostics) {
    for (list, fields) in field_lists(program) {
        check_list(list, fields, diags);
    }
}

fn check_list(list: FieldList, fields: &[Field], diags: &mut Diagnostics) {
    let mut seen: HashMap<i32, &Field> = HashMap::new();
    for field in fields {
        let noun = list.noun();
        if field.implicit_id {
            diags.push(
                Diagnostic::warning(Code::ImplicitFieldId, format!("{noun} `{}` has no id", field.name.name))
                    .primary(field.name.span, format!("gets the implicit id {}", field.id))
                    .help("write an explicit id such as `1: ` before it; implicit ids change when fields are reordered"),
            );
        } else if !(i32::from(i16::MIN)..=i32::from(i16::MAX)).contains(&field.id) {
            diags.push(
                Diagnostic::error(
                    Code::InvalidFieldId,
                    format!("invalid id for {noun} `{}`", field.name.name),
                )
                .primary(field.id_span, "field ids are 16-bit")
                .help("use an id from 1 to 32767"),
            );
            continue;
        } else if field.id <= 0 {
            diags.push(
                Diagnostic::warning(Code::NegativeFieldId, format!("{noun} `{}` has id {}", field.name.name, field.id))
                    .primary(field.id_span, "ids of 0 and below are meant for implicit fields")
                    .note("this compiler keeps the id as written; Apache's renumbers it unless run with --allow-neg-keys")
                    .help("use an id from 1 to 32767"),
            );
        }
        if let Some(first) = seen.insert(field.id, field) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateFieldId,
                    format!("{noun} id {} is used twice", field.id),
                )
                .primary(
                    field.id_span,
                    format!("`{}` uses it again", field.name.name),
                )
                .secondary(
                    first.id_span,
                    format!("first used by `{}`", first.name.name),
                )
                .help(format!(
                    "{noun} ids must be unique within a {}",
                    list.owner()
                )),
            );
        }
    }
}

//! Duplicate names: fields of a struct or function, members of an enum (and members sharing a
//! value), functions of a service including the ones it inherits.

use std::collections::HashMap;

use super::field_lists;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{Function, Program, ServiceId};

pub(super) fn check(program: &Program, diags: &mut Diagnostics) {
    for (list, fields) in field_lists(program) {
        let mut seen = HashMap::new();
        for field in fields {
            if let Some(first) = seen.insert(field.name.name.as_str(), field.name.span) {
                let noun = list.noun();
                diags.push(
                    Diagnostic::error(
                        Code::DuplicateFieldName,
                        format!("{noun} `{}` is defined twice", field.name.name),
                    )
                    .primary(field.name.span, "defined again here")
                    .secondary(first, "first defined here")
                    .help(format!(
                        "{noun} names must be unique within a {}",
                        list.owner()
                    )),
                );
            }
        }
    }
    enums(program, diags);
    for index in 0..program.services.len() {
        functions(program, ServiceId::from_index(index), diags);
    }
}

fn enums(program: &Program, diags: &mut Diagnostics) {
    for e in &program.enums {
        let (mut names, mut values) = (HashMap::new(), HashMap::new());
        for member in &e.members {
            if let Some(first) = names.insert(member.name.name.as_str(), member.name.span) {
                diags.push(
                    Diagnostic::error(
                        Code::DuplicateDefinition,
                        format!("enum member `{}` is defined twice", member.name.name),
                    )
                    .primary(member.name.span, "defined again here")
                    .secondary(first, "first defined here"),
                );
            } else if let Some(first) = values.insert(member.value, &member.name) {
                diags.push(
                    Diagnostic::warning(
                        Code::DuplicateEnumValue,
                        format!(
                            "`{}` and `{}` have the same value {}",
                            first.name, member.name.name, member.value
                        ),
                    )
                    .primary(member.name.span, format!("also {}", member.value))
                    .secondary(first.span, "first given this value here")
                    .note(
                        "both names decode to the same value; the first one is used when printing",
                    ),
                );
            }
        }
    }
}

/// Functions of `id` that reuse a name of its own or of a base service.
fn functions(program: &Program, id: ServiceId, diags: &mut Diagnostics) {
    let own = &program.services[id.index()];
    let mut seen: HashMap<&str, &Function> = HashMap::new();
    for function in &own.functions {
        if let Some(first) = seen.insert(&function.name.name, function) {
            diags.push(duplicate(function, first, "first defined here"));
        }
    }
    let mut base = own.extends;
    let mut visited = vec![id];
    while let Some(b) = base.filter(|b| !visited.contains(b)) {
        visited.push(b);
        let service = &program.services[b.index()];
        for function in &service.functions {
            if let Some(mine) = seen.get(function.name.name.as_str()) {
                let label = format!("inherited from `{}`", service.name.name);
                diags.push(duplicate(mine, function, &label));
            }
        }
        base = service.extends;
    }
}

fn duplicate(again: &Function, first: &Function, label: &str) -> Diagnostic {
    Diagnostic::error(
        Code::DuplicateFunction,
        format!("function `{}` is defined twice", again.name.name),
    )
    .primary(again.name.span, "defined again here")
    .secondary(first.name.span, label.to_owned())
    .help("function names must be unique within a service and the services it extends")
}

//! Function rules: `oneway` functions return nothing and throw nothing; `throws` lists only
//! exceptions; `optional` on a parameter has no effect; `required` on a union member is wrong.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir::{Program, Requiredness, StructKind, Type};

pub(super) fn check(program: &Program, diags: &mut Diagnostics) {
    for service in &program.services {
        for function in &service.functions {
            if let Some(oneway) = function.oneway {
                if function.returns.is_some() {
                    diags.push(
                        Diagnostic::error(
                            Code::OnewayReturns,
                            format!("oneway function `{}` returns a value", function.name.name),
                        )
                        .primary(
                            function.returns_span,
                            "a oneway call gets no reply, so it cannot return anything",
                        )
                        .secondary(oneway, "declared oneway here")
                        .help("make the return type `void`, or remove `oneway`"),
                    );
                }
                if let Some(first) = function.throws.first() {
                    diags.push(
                        Diagnostic::error(
                            Code::OnewayThrows,
                            format!(
                                "oneway function `{}` declares exceptions",
                                function.name.name
                            ),
                        )
                        .primary(
                            first.span,
                            "a oneway call gets no reply, so it cannot throw",
                        )
                        .secondary(oneway, "declared oneway here")
                        .help("remove the `throws` clause, or remove `oneway`"),
                    );
                }
            }
            for thrown in &function.throws {
                match program.underlying(&thrown.ty) {
                    Type::Unresolved => {}
                    Type::Struct(id)
                        if program.structs[id.index()].kind == StructKind::Exception => {}
                    _ => diags.push(
                        Diagnostic::error(
                            Code::ThrowsNonException,
                            format!(
                                "`{}` is not an exception",
                                program.type_name(&thrown.ty, service.file)
                            ),
                        )
                        .primary(thrown.ty_span, "only exceptions can be thrown")
                        .help("declare it with `exception` instead of `struct`, or wrap it in one"),
                    ),
                }
            }
            for param in &function.params {
                if let (Requiredness::Optional, Some(span)) =
                    (param.requiredness, param.requiredness_span)
                {
                    diags.push(
                        Diagnostic::warning(
                            Code::OptionalParameter,
                            format!("parameter `{}` is marked optional", param.name.name),
                        )
                        .primary(span, "has no effect on a parameter")
                        .note("Thrift always sends every argument"),
                    );
                }
            }
        }
    }
    for s in program
        .structs
        .iter()
        .filter(|s| s.kind == StructKind::Union)
    {
        for field in &s.fields {
            if let (Requiredness::Required, Some(span)) =
                (field.requiredness, field.requiredness_span)
            {
                diags.push(
                    Diagnostic::warning(
                        Code::RequiredUnionField,
                        format!("union member `{}` is marked required", field.name.name),
                    )
                    .primary(span, "a union sets exactly one of its members")
                    .help("remove `required`"),
                );
            }
        }
    }
}

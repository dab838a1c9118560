//! Constant evaluation: every `const` value and field default, checked against its type.
//! References to other constants are evaluated on demand (cycles are reported); enum members
//! are written `Enum.MEMBER`; structs are written as maps from field name to value.

use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{BaseType, ConstId, ConstValue, Item, Program, StructKind, Type};
use crate::limits::MAX_CHAIN;
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, ConstKind, DefinitionKind};

use super::scope::{Lookup, ValueRef};
use super::Resolver;

/// Where a constant stands in evaluation.
#[derive(Clone, Debug)]
enum State<'a> {
    Pending(FileId, &'a ast::ConstValue),
    InProgress,
    Done(Option<ConstValue>),
}

/// Evaluates the constants and defaults of a program.
pub(super) struct Evaluator<'a> {
    states: Vec<State<'a>>,
    /// How many constants are being evaluated, each for the one before (each a level of
    /// recursion, bounded by [`MAX_CHAIN`]).
    depth: usize,
    /// For each constant evaluated, the longest chain of constants its value is defined by,
    /// itself included (bounded by [`MAX_CHAIN`] whatever the order of evaluation).
    chains: Vec<usize>,
    /// The longest chain among the constants the value being evaluated refers to.
    deepest: usize,
}

impl<'a> Evaluator<'a> {
    /// Collects the value expression of every constant.
    pub(super) fn new(resolver: &Resolver<'_>, documents: &'a [Option<ast::Document>]) -> Self {
        let mut states = vec![State::Done(None); resolver.program.consts.len()];
        for (file, document) in resolver.program.files.iter().zip(documents) {
            let definitions = document.iter().flat_map(|d| &d.definitions);
            for (item, def) in file.items.iter().zip(definitions) {
                if let (Item::Const(id), DefinitionKind::Const { value, .. }) = (item, &def.kind) {
                    states[id.index()] = State::Pending(file.id, value);
                }
            }
        }
        let chains = vec![0; states.len()];
        Self {
            states,
            depth: 0,
            chains,
            deepest: 0,
        }
    }

    /// Evaluates every constant and every default value.
    pub(super) fn run(mut self, r: &mut Resolver<'_>, documents: &'a [Option<ast::Document>]) {
        for index in 0..self.states.len() {
            let id = ConstId::from_index(index);
            if let Some(value) = self.constant(r, id) {
                r.program.consts[index].value = value;
            }
        }
        for (file, document) in documents.iter().enumerate() {
            let Some(document) = document else { continue };
            let items = r.program.files[file].items.clone();
            for (item, def) in items.iter().zip(&document.definitions) {
                self.defaults(r, *item, &def.kind);
            }
        }
    }

    fn defaults(&mut self, r: &mut Resolver<'_>, item: Item, kind: &DefinitionKind) {
        match (item, kind) {
            (Item::Struct(id), DefinitionKind::Struct(_, fields)) => {
                for (index, field) in fields.iter().enumerate() {
                    let Some(default) = &field.default else {
                        continue;
                    };
                    let (file, ty) = (
                        r.program.structs[id.index()].file,
                        r.program.structs[id.index()].fields[index].ty.clone(),
                    );
                    let value = self.value(r, file, default, &ty, field.ty.span);
                    r.program.structs[id.index()].fields[index].default = value;
                }
            }
            (Item::Service(id), DefinitionKind::Service(service)) => {
                let file = r.program.services[id.index()].file;
                for (f, function) in service.functions.iter().enumerate() {
                    for (p, param) in function.params.iter().enumerate() {
                        let Some(default) = &param.default else {
                            continue;
                        };
                        let ty = r.program.services[id.index()].functions[f].params[p]
                            .ty
                            .clone();
                        let value = self.value(r, file, default, &ty, param.ty.span);
                        r.program.services[id.index()].functions[f].params[p].default = value;
                    }
                }
            }
            _ => {}
        }
    }

    /// The value of constant `id`, evaluating it first if needed.
    fn constant(&mut self, r: &mut Resolver<'_>, id: ConstId) -> Option<ConstValue> {
        let (file, value) = match &self.states[id.index()] {
            State::Pending(file, value) => (*file, *value),
            State::InProgress => return None,
            State::Done(result) => return result.clone(),
        };
        if self.depth >= MAX_CHAIN {
            self.too_long(r, id);
            return None;
        }
        self.states[id.index()] = State::InProgress;
        let c = &r.program.consts[id.index()];
        let (ty, declared) = (c.ty.clone(), c.span);
        self.depth += 1;
        let outer = std::mem::replace(&mut self.deepest, 0);
        let mut result = self.value(r, file, value, &ty, declared);
        self.depth -= 1;
        let chain = std::mem::replace(&mut self.deepest, outer) + 1;
        self.chains[id.index()] = chain;
        if chain == MAX_CHAIN + 1 {
            self.too_long(r, id);
            result = None;
        }
        self.states[id.index()] = State::Done(result.clone());
        result
    }

    /// Reports constant `id` as the one that makes its chain too long; it has no value.
    fn too_long(&mut self, r: &mut Resolver<'_>, id: ConstId) {
        let name = &r.program.consts[id.index()].name;
        let message =
            format!("constants defined by constants, chained longer than the limit of {MAX_CHAIN}");
        r.diags.push(
            Diagnostic::error(Code::ConstChainTooLong, message)
                .primary(name.span, "this constant is one too many in the chain")
                .help("define the constants of a long chain by their values"),
        );
        self.states[id.index()] = State::Done(None);
    }

    /// Evaluates `value` as a `ty`; `declared` is where the type was written (for messages).
    fn value(
        &mut self,
        r: &mut Resolver<'_>,
        file: FileId,
        value: &ast::ConstValue,
        ty: &Type,
        declared: Span,
    ) -> Option<ConstValue> {
        let target = r.program.underlying(ty).clone();
        let literal = match (&value.kind, &target) {
            (_, Type::Unresolved) => return None,
            (ConstKind::Ident(name), _) => {
                return self.reference(r, file, name, value.span, ty, declared)
            }
            (ConstKind::List(items), Type::List(elem) | Type::Set(elem)) => {
                let items = items
                    .iter()
                    .map(|v| self.value(r, file, v, elem, declared))
                    .collect::<Option<_>>()?;
                return Some(ConstValue::List(items));
            }
            (ConstKind::Map(entries), Type::Map(k, v)) => {
                let mut out = Vec::with_capacity(entries.len());
                for (key, val) in entries {
                    out.push((
                        self.value(r, file, key, k, declared)?,
                        self.value(r, file, val, v, declared)?,
                    ));
                }
                return Some(ConstValue::Map(out));
            }
            (ConstKind::Map(entries), Type::Struct(id)) => {
                return self.struct_literal(r, file, *id, entries, declared)
            }
            // Apache accepts `{}` for an empty list or set and `[]` for an empty map.
            (ConstKind::Map(e), Type::List(_) | Type::Set(_)) if e.is_empty() => {
                return Some(ConstValue::List(Vec::new()))
            }
            (ConstKind::List(e), Type::Map(..)) if e.is_empty() => {
                return Some(ConstValue::Map(Vec::new()))
            }
            (ConstKind::Int(i), _) => ConstValue::Int(*i),
            (ConstKind::Double(d), _) => ConstValue::Double(*d),
            (ConstKind::Bool(b), _) => ConstValue::Bool(*b),
            (ConstKind::String(s), _) => ConstValue::String(s.clone()),
            (ConstKind::List(_) | ConstKind::Map(_), _) => {
                let found = if matches!(value.kind, ConstKind::List(_)) {
                    "a list"
                } else {
                    "a map"
                };
                r.diags
                    .push(mismatch(r, file, ty, found, value.span, declared));
                return None;
            }
        };
        convert(&r.program, literal, &target)
            .map_err(|problem| {
                let d = match problem {
                    Problem::Mismatch => {
                        mismatch(r, file, ty, &describe(value), value.span, declared)
                    }
                    Problem::Range(note) => Diagnostic::error(
                        Code::ConstOutOfRange,
                        format!(
                            "`{}` does not fit in `{}`",
                            r.sources.snippet(value.span),
                            r.program.type_name(ty, file)
                        ),
                    )
                    .primary(value.span, "out of range")
                    .note(note),
                    Problem::Uuid => Diagnostic::error(Code::ConstTypeMismatch, "invalid uuid")
                        .primary(value.span, "not a uuid")
                        .help("write it as \"00000000-0000-0000-0000-000000000000\" (hex digits)"),
                };
                r.diags.push(d);
            })
            .ok()
    }

    fn reference(
        &mut self,
        r: &mut Resolver<'_>,
        file: FileId,
        name: &str,
        span: Span,
        ty: &Type,
        declared: Span,
    ) -> Option<ConstValue> {
        let target = r.program.underlying(ty).clone();
        let (value, what) = match r.scopes.lookup_value(&r.program, file, name) {
            Some(ValueRef::Const(id)) => {
                if matches!(self.states[id.index()], State::InProgress) {
                    r.diags.push(
                        Diagnostic::error(
                            Code::ConstCycle,
                            format!("constant `{name}` depends on itself"),
                        )
                        .primary(
                            span,
                            "this reference leads back to the constant being defined",
                        )
                        .secondary(r.program.consts[id.index()].name.span, "defined here"),
                    );
                    return None;
                }
                let of_type = r
                    .program
                    .type_name(&r.program.consts[id.index()].ty.clone(), file);
                let value = self.constant(r, id);
                self.deepest = self.deepest.max(self.chains[id.index()]);
                (value?, format!("constant `{name}` of type `{of_type}`"))
            }
            Some(ValueRef::EnumMember(e, index)) => {
                let member = r.program.enums[e.index()].members[index].value;
                let value = match target {
                    Type::Enum(t) if t != e => enum_member_by_name(r, name, span, &target),
                    _ => None,
                };
                (
                    value.unwrap_or(ConstValue::Enum(e, member)),
                    format!("enum value `{name}`"),
                )
            }
            None => match enum_member_by_name(r, name, span, &target) {
                Some(value) => (value, format!("enum value `{name}`")),
                None => {
                    r.diags
                        .push(Self::unknown_value(r, file, name, span, &target));
                    return None;
                }
            },
        };
        match convert(&r.program, value, &target) {
            Ok(value) => Some(value),
            Err(Problem::Range(note)) => {
                r.diags.push(
                    Diagnostic::error(
                        Code::ConstOutOfRange,
                        format!(
                            "`{name}` does not fit in `{}`",
                            r.program.type_name(ty, file)
                        ),
                    )
                    .primary(span, "out of range")
                    .note(note),
                );
                None
            }
            Err(_) => {
                r.diags.push(mismatch(r, file, ty, &what, span, declared));
                None
            }
        }
    }

    fn unknown_value(
        r: &Resolver<'_>,
        file: FileId,
        name: &str,
        span: Span,
        target: &Type,
    ) -> Diagnostic {
        if let Some((module, _)) = name.split_once('.') {
            if let Lookup::UnknownModule(_) = r.scopes.lookup(file, name) {
                if r.scopes.lookup(file, module) == Lookup::NotFound {
                    return r.unknown_module(file, module, span);
                }
            }
        }
        let mut d = Diagnostic::error(Code::UnknownConstant, format!("unknown constant `{name}`"))
            .primary(span, "not defined");
        if let Type::Enum(e) = target {
            let en = &r.program.enums[e.index()];
            let member = name.rsplit('.').next().unwrap_or(name);
            d = if en.members.iter().any(|m| m.name.name == member) {
                d.help(format!(
                    "enum values are written with their enum: `{}.{member}`",
                    en.name.name
                ))
            } else {
                let names: Vec<&str> = en.members.iter().map(|m| m.name.name.as_str()).collect();
                d.note(format!("`{}` has: {}", en.name.name, names.join(", ")))
            };
        }
        d
    }

    fn struct_literal(
        &mut self,
        r: &mut Resolver<'_>,
        file: FileId,
        id: crate::ir::StructId,
        entries: &[(ast::ConstValue, ast::ConstValue)],
        declared: Span,
    ) -> Option<ConstValue> {
        let mut fields = Vec::with_capacity(entries.len());
        let mut ok = true;
        for (key, value) in entries {
            let s = &r.program.structs[id.index()];
            let ConstKind::String(field_name) = &key.kind else {
                r.diags.push(
                    Diagnostic::error(
                        Code::ConstTypeMismatch,
                        "struct constants are maps from field name to value",
                    )
                    .primary(key.span, "expected a field name in quotes"),
                );
                ok = false;
                continue;
            };
            let Some(index) = s.fields.iter().position(|f| &f.name.name == field_name) else {
                let names: Vec<&str> = s.fields.iter().map(|f| f.name.name.as_str()).collect();
                r.diags.push(
                    Diagnostic::error(
                        Code::UnknownConstField,
                        format!("`{}` has no field `{field_name}`", s.name.name),
                    )
                    .primary(key.span, "unknown field")
                    .note(format!("its fields are: {}", names.join(", "))),
                );
                ok = false;
                continue;
            };
            let ty = s.fields[index].ty.clone();
            match self.value(r, file, value, &ty, declared) {
                Some(v) => fields.push((index, v)),
                None => ok = false,
            }
        }
        let s = &r.program.structs[id.index()];
        if s.kind == StructKind::Union && entries.len() > 1 {
            r.diags.push(
                Diagnostic::error(
                    Code::UnionConstFields,
                    format!("a `{}` constant sets {} fields", s.name.name, entries.len()),
                )
                .primary(
                    entries[1].0.span.to(entries[entries.len() - 1].0.span),
                    "a union holds exactly one field",
                )
                .secondary(entries[0].0.span, "first field set here"),
            );
            ok = false;
        }
        ok.then_some(ConstValue::Struct(id, fields))
    }
}

/// Why a value does not convert.
enum Problem {
    Mismatch,
    Range(String),
    Uuid,
}

/// Converts an evaluated value to `target` (an underlying type), as Apache allows: integers to
/// any integer type in range, to `double`, to `bool` (0 or 1) and to enums; enum values to
/// integers; strings to `string`, `binary` and (well-formed) `uuid`.
fn convert(program: &Program, value: ConstValue, target: &Type) -> Result<ConstValue, Problem> {
    use ConstValue as V;
    let target = program.underlying(target);
    let int_range = |i: i64, base: BaseType| -> Result<ConstValue, Problem> {
        let (min, max) = match base {
            BaseType::I8 => (i64::from(i8::MIN), i64::from(i8::MAX)),
            BaseType::I16 => (i64::from(i16::MIN), i64::from(i16::MAX)),
            BaseType::I32 => (i64::from(i32::MIN), i64::from(i32::MAX)),
            _ => (i64::MIN, i64::MAX),
        };
        if (min..=max).contains(&i) {
            Ok(V::Int(i))
        } else {
            Err(Problem::Range(format!(
                "`{}` holds {min} to {max}",
                base.name()
            )))
        }
    };
    match (value, target) {
        (V::Bool(b), Type::Base(BaseType::Bool)) => Ok(V::Bool(b)),
        // As in Apache, any integer is a bool: 0 is false, everything else true.
        (V::Int(i), Type::Base(BaseType::Bool)) => Ok(V::Bool(i != 0)),
        (
            V::Bool(b),
            Type::Base(base @ (BaseType::I8 | BaseType::I16 | BaseType::I32 | BaseType::I64)),
        ) => int_range(i64::from(b), *base),
        (
            V::Int(i),
            Type::Base(base @ (BaseType::I8 | BaseType::I16 | BaseType::I32 | BaseType::I64)),
        ) => int_range(i, *base),
        (
            V::Enum(_, v),
            Type::Base(base @ (BaseType::I8 | BaseType::I16 | BaseType::I32 | BaseType::I64)),
        ) => int_range(i64::from(v), *base),
        // Precision is lost above 2^53, as in every Thrift compiler.
        #[allow(clippy::cast_precision_loss)]
        (V::Int(i), Type::Base(BaseType::Double)) => Ok(V::Double(i as f64)),
        (V::Double(d), Type::Base(BaseType::Double)) => Ok(V::Double(d)),
        (V::String(s), Type::Base(BaseType::String | BaseType::Binary)) => Ok(V::String(s)),
        (V::String(s), Type::Base(BaseType::Uuid)) => {
            if is_uuid(&s) {
                Ok(V::String(s))
            } else {
                Err(Problem::Uuid)
            }
        }
        (V::Int(i), Type::Enum(e)) => i32::try_from(i)
            .map(|v| V::Enum(*e, v))
            .map_err(|_| Problem::Range("enum values are 32-bit".to_owned())),
        (V::Enum(a, v), Type::Enum(b)) if a == *b => Ok(V::Enum(a, v)),
        (V::List(items), Type::List(elem) | Type::Set(elem)) => items
            .into_iter()
            .map(|v| convert(program, v, elem))
            .collect::<Result<_, _>>()
            .map(V::List),
        (V::Map(entries), Type::Map(k, v)) => entries
            .into_iter()
            .map(|(a, b)| Ok((convert(program, a, k)?, convert(program, b, v)?)))
            .collect::<Result<_, _>>()
            .map(V::Map),
        (V::Struct(a, fields), Type::Struct(b)) if a == *b => Ok(V::Struct(a, fields)),
        _ => Err(Problem::Mismatch),
    }
}

/// Apache's rule for enum-typed values: the part after the last dot names a member of the
/// target enum, whatever comes before it. Warns when the prefix is not that enum's name.
fn enum_member_by_name(
    r: &mut Resolver<'_>,
    name: &str,
    span: Span,
    target: &Type,
) -> Option<ConstValue> {
    let Type::Enum(id) = target else { return None };
    let (prefix, member) = name.rsplit_once('.')?;
    let e = &r.program.enums[id.index()];
    let value = e.members.iter().find(|m| m.name.name == member)?.value;
    let written_enum = prefix.rsplit('.').next().unwrap_or(prefix);
    if written_enum != e.name.name {
        r.diags.push(
            Diagnostic::warning(Code::EnumValuePrefix, format!("`{name}` is read as `{}.{member}`", e.name.name))
                .primary(span, format!("the value's type is `{}`", e.name.name))
                .note("Apache resolves enum values by member name alone and ignores the enum written before it")
                .help(format!("write `{}.{member}`", e.name.name)),
        );
    }
    Some(ConstValue::Enum(*id, value))
}

fn is_uuid(s: &str) -> bool {
    let s = s
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(s);
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn describe(value: &ast::ConstValue) -> String {
    match &value.kind {
        ConstKind::Int(i) => format!("integer `{i}`"),
        ConstKind::Double(d) => format!("number `{d}`"),
        ConstKind::Bool(b) => format!("`{b}`"),
        ConstKind::String(_) => "a string".to_owned(),
        ConstKind::Ident(name) => format!("`{name}`"),
        ConstKind::List(_) => "a list".to_owned(),
        ConstKind::Map(_) => "a map".to_owned(),
    }
}

fn mismatch(
    r: &Resolver<'_>,
    file: FileId,
    ty: &Type,
    found: &str,
    at: Span,
    declared: Span,
) -> Diagnostic {
    let expected = r.program.type_name(ty, file);
    let mut d = Diagnostic::error(
        Code::ConstTypeMismatch,
        format!("mismatched types: expected `{expected}`, found {found}"),
    )
    .primary(at, format!("expected `{expected}`"));
    if !declared.range().contains(&at.start) {
        d = d.secondary(declared, "the type is given here");
    }
    if let Type::Struct(_) = r.program.underlying(ty) {
        d = d
            .help("struct values are written as maps from field name to value: {\"field\": value}");
    }
    d
}

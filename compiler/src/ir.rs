//! The intermediate representation: every definition of every loaded file in one
//! [`Program`], every reference resolved to a typed index, every constant evaluated.
//!
//! Produced by [`crate::resolve`], validated by [`crate::check`], read by code generation.

use crate::source::{FileId, Span};
pub use crate::syntax::ast::{BaseType, Ident, Meta, Requiredness, StructKind};

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident,)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            /// The index into its `Program` list.
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The id of entry `index` of its `Program` list (which never holds more than
            /// `u32::MAX` entries: sources are limited far below).
            pub fn from_index(index: usize) -> Self {
                Self(u32::try_from(index).unwrap_or(u32::MAX))
            }
        }
    )*};
}

ids! {
    /// A struct, union or exception in [`Program::structs`].
    StructId,
    /// An enum in [`Program::enums`].
    EnumId,
    /// A typedef (or senum) in [`Program::typedefs`].
    TypedefId,
    /// A constant in [`Program::consts`].
    ConstId,
    /// A service in [`Program::services`].
    ServiceId,
}

/// Every file and definition of one compilation.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// The files, indexed by [`FileId`].
    pub files: Vec<File>,
    /// The files named by the user (the others were reached through includes).
    pub roots: Vec<FileId>,
    /// Structs, unions and exceptions.
    pub structs: Vec<Struct>,
    /// Enums.
    pub enums: Vec<Enum>,
    /// Typedefs.
    pub typedefs: Vec<Typedef>,
    /// Constants.
    pub consts: Vec<Const>,
    /// Services.
    pub services: Vec<Service>,
}

/// One `.thrift` file.
#[derive(Clone, Debug)]
pub struct File {
    /// Its id in the source map.
    pub id: FileId,
    /// The module name: the file name without `.thrift`, as other files prefix it.
    pub module: String,
    /// Its directory below the include directory (or root file's directory) it is found
    /// under, as path segments (empty for a file directly there).
    pub dir: Vec<String>,
    /// `namespace <scope> <name>` pairs, in order.
    pub namespaces: Vec<(String, String)>,
    /// The files it includes, in order.
    pub includes: Vec<FileId>,
    /// Its definitions, in source order.
    pub items: Vec<Item>,
    /// The file's doc comment.
    pub doc: Option<String>,
}

impl File {
    /// The last `namespace rs` (no fallback to `*`: other languages' namespaces do not place
    /// Rust modules).
    pub fn namespace_rs(&self) -> Option<&str> {
        let rs = self.namespaces.iter().rev().find(|(k, _)| k == "rs");
        rs.map(|(_, v)| v.as_str())
    }

    /// The namespace for `scope` (a language such as `rs`), falling back to `*`.
    pub fn namespace(&self, scope: &str) -> Option<&str> {
        let find = |s: &str| self.namespaces.iter().rev().find(|(k, _)| k == s);
        find(scope).or_else(|| find("*")).map(|(_, v)| v.as_str())
    }
}

/// A definition of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Item {
    /// A struct, union or exception.
    Struct(StructId),
    /// An enum.
    Enum(EnumId),
    /// A typedef.
    Typedef(TypedefId),
    /// A constant.
    Const(ConstId),
    /// A service.
    Service(ServiceId),
}

/// A resolved type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// A built-in scalar.
    Base(BaseType),
    /// `list<T>`
    List(Box<Type>),
    /// `set<T>`
    Set(Box<Type>),
    /// `map<K, V>`
    Map(Box<Type>, Box<Type>),
    /// A struct, union or exception.
    Struct(StructId),
    /// An enum.
    Enum(EnumId),
    /// A typedef (kept so generated code can use the alias).
    Typedef(TypedefId),
    /// A type that failed to resolve (already reported). It silences follow-up errors and never
    /// appears in a program that compiled without errors.
    Unresolved,
}

/// A struct, union or exception.
#[derive(Clone, Debug)]
pub struct Struct {
    /// Which of the three.
    pub kind: StructKind,
    /// Its name.
    pub name: Ident,
    /// The file that defines it.
    pub file: FileId,
    /// Its fields, in source order.
    pub fields: Vec<Field>,
    /// Doc and annotations.
    pub meta: Meta,
    /// The whole definition.
    pub span: Span,
}

/// A field, parameter or thrown exception.
#[derive(Clone, Debug)]
pub struct Field {
    /// The field id (assigned -1, -2, … when not written, as Apache does).
    pub id: i32,
    /// `true` when the id was not written.
    pub implicit_id: bool,
    /// Where the id was written (the field's span when implicit).
    pub id_span: Span,
    /// Its name.
    pub name: Ident,
    /// Its type.
    pub ty: Type,
    /// Where the type was written.
    pub ty_span: Span,
    /// `required`, `optional` or default.
    pub requiredness: Requiredness,
    /// Where `required`/`optional` was written.
    pub requiredness_span: Option<Span>,
    /// The default value, evaluated against the field's type.
    pub default: Option<ConstValue>,
    /// `true` when the field must be boxed because its type contains the struct itself.
    pub boxed: bool,
    /// Doc and annotations.
    pub meta: Meta,
    /// The whole field.
    pub span: Span,
}

/// An enum.
#[derive(Clone, Debug)]
pub struct Enum {
    /// Its name.
    pub name: Ident,
    /// The file that defines it.
    pub file: FileId,
    /// Its members, in source order.
    pub members: Vec<EnumMember>,
    /// Doc and annotations.
    pub meta: Meta,
    /// The whole definition.
    pub span: Span,
}

/// An enum member with its value.
#[derive(Clone, Debug)]
pub struct EnumMember {
    /// Its name.
    pub name: Ident,
    /// Its value (explicit, or one more than the previous member's, starting at 0).
    pub value: i32,
    /// Doc and annotations.
    pub meta: Meta,
}

/// A typedef.
#[derive(Clone, Debug)]
pub struct Typedef {
    /// Its name.
    pub name: Ident,
    /// The file that defines it.
    pub file: FileId,
    /// The aliased type.
    pub target: Type,
    /// Doc and annotations.
    pub meta: Meta,
    /// The whole definition.
    pub span: Span,
}

/// A constant.
#[derive(Clone, Debug)]
pub struct Const {
    /// Its name.
    pub name: Ident,
    /// The file that defines it.
    pub file: FileId,
    /// The declared type.
    pub ty: Type,
    /// The value, checked against the type.
    pub value: ConstValue,
    /// Doc and annotations.
    pub meta: Meta,
    /// The whole definition.
    pub span: Span,
}

/// A service.
#[derive(Clone, Debug)]
pub struct Service {
    /// Its name.
    pub name: Ident,
    /// The file that defines it.
    pub file: FileId,
    /// The service it extends.
    pub extends: Option<ServiceId>,
    /// Its own functions, in source order (inherited ones are on the base).
    pub functions: Vec<Function>,
    /// The callback service its clients implement (`bidi.callback`, see docs/bidi.md).
    pub callback: Option<ServiceId>,
    /// Doc and annotations.
    pub meta: Meta,
    /// The whole definition.
    pub span: Span,
}

/// A service function.
#[derive(Clone, Debug)]
pub struct Function {
    /// Its name.
    pub name: Ident,
    /// Where `oneway` was written, if it was.
    pub oneway: Option<Span>,
    /// The return type; `None` for `void`.
    pub returns: Option<Type>,
    /// Where the return type is.
    pub returns_span: Span,
    /// The parameters.
    pub params: Vec<Field>,
    /// The declared exceptions.
    pub throws: Vec<Field>,
    /// Doc and annotations.
    pub meta: Meta,
    /// The whole function.
    pub span: Span,
}

impl Function {
    /// Whether it is marked idempotent (`bidi.idempotent`, or `Config::idempotent`): safe to
    /// send twice, so that a retry layer may.
    pub fn is_idempotent(&self) -> bool {
        self.meta
            .annotation(crate::resolve::IDEMPOTENT_ANNOTATION)
            .and_then(flag)
            == Some(true)
    }
}

/// The truth of a flag annotation: true written bare, or as `"true"` or `"1"` (Apache writes
/// a bare key as `"1"`); false as `"false"` or `"0"`; `None` for anything else.
pub(crate) fn flag(annotation: &crate::syntax::ast::Annotation) -> Option<bool> {
    match annotation.value.as_ref().map(|value| value.value.trim()) {
        None | Some("true" | "1") => Some(true),
        Some("false" | "0") => Some(false),
        Some(_) => None,
    }
}

/// An evaluated constant, shaped by its type.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstValue {
    /// A `bool`.
    Bool(bool),
    /// Any integer type.
    Int(i64),
    /// A `double`.
    Double(f64),
    /// A `string`, `binary` or `uuid`.
    String(String),
    /// A `list` or `set`.
    List(Vec<ConstValue>),
    /// A `map`.
    Map(Vec<(ConstValue, ConstValue)>),
    /// An enum value.
    Enum(EnumId, i32),
    /// A struct, union or exception: (field index, value) for the fields given.
    Struct(StructId, Vec<(usize, ConstValue)>),
}

impl Program {
    /// Follows typedefs to the type they stand for (stops on a cycle, which `check` reports).
    pub fn underlying<'a>(&'a self, mut ty: &'a Type) -> &'a Type {
        for _ in 0..=self.typedefs.len() {
            match ty {
                Type::Typedef(id) => ty = &self.typedefs[id.index()].target,
                _ => return ty,
            }
        }
        ty
    }

    /// How a type is written in IDL, qualified by module when defined in another file.
    pub fn type_name(&self, ty: &Type, from: FileId) -> String {
        let named = |name: &Ident, file: FileId| {
            if file == from {
                name.name.clone()
            } else {
                format!("{}.{}", self.files[file.index()].module, name.name)
            }
        };
        match ty {
            Type::Base(base) => base.name().to_owned(),
            Type::List(t) => format!("list<{}>", self.type_name(t, from)),
            Type::Set(t) => format!("set<{}>", self.type_name(t, from)),
            Type::Map(k, v) => format!(
                "map<{}, {}>",
                self.type_name(k, from),
                self.type_name(v, from)
            ),
            Type::Struct(id) => named(
                &self.structs[id.index()].name,
                self.structs[id.index()].file,
            ),
            Type::Enum(id) => named(&self.enums[id.index()].name, self.enums[id.index()].file),
            Type::Typedef(id) => named(
                &self.typedefs[id.index()].name,
                self.typedefs[id.index()].file,
            ),
            Type::Unresolved => "{unknown}".to_owned(),
        }
    }
}

//! The abstract syntax tree of one `.thrift` file, as written: names are unresolved, every node
//! carries its [`Span`], doc comments are attached. No pest types appear here.

use crate::source::Span;

/// A name as written, with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The text, dots included for qualified names (`shared.Struct`).
    pub name: String,
    /// Where it is.
    pub span: Span,
}

/// A decoded string literal.
#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    /// The value with escapes decoded.
    pub value: String,
    /// The literal, quotes included.
    pub span: Span,
}

/// An integer literal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IntLit {
    /// The value.
    pub value: i64,
    /// Where it is.
    pub span: Span,
}

/// `(key = "value")`: one Apache-style annotation.
#[derive(Clone, Debug, PartialEq)]
pub struct Annotation {
    /// The key (may contain dots).
    pub key: Ident,
    /// The value; `None` when only the key was written (Apache then uses `"1"`).
    pub value: Option<StrLit>,
    /// The whole annotation.
    pub span: Span,
}

/// fbthrift's `@Name{field = value}`; kept so tools can read it, otherwise unused.
#[derive(Clone, Debug, PartialEq)]
pub struct StructuredAnnotation {
    /// The annotation type.
    pub name: Ident,
    /// The field values given in braces.
    pub fields: Vec<(Ident, ConstValue)>,
    /// The whole annotation.
    pub span: Span,
}

/// What every definition, field, enum member and function carries besides its own parts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Meta {
    /// The `/** … */` comment right before it, cleaned of its stars.
    pub doc: Option<String>,
    /// `(key = "value")` annotations.
    pub annotations: Vec<Annotation>,
    /// fbthrift `@Name` annotations.
    pub structured: Vec<StructuredAnnotation>,
}

impl Meta {
    /// The value of annotation `key`, if present (the last one wins, as in Apache).
    pub fn annotation(&self, key: &str) -> Option<&Annotation> {
        self.annotations.iter().rev().find(|a| a.key.name == key)
    }
}

/// One parsed file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    /// The file's doc comment (a `/** … */` before the first header that documents nothing else).
    pub doc: Option<String>,
    /// Includes, namespaces and other headers, in order.
    pub headers: Vec<Header>,
    /// Definitions, in order.
    pub definitions: Vec<Definition>,
}

/// A header.
#[derive(Clone, Debug, PartialEq)]
pub enum Header {
    /// `include "path"`
    Include(StrLit),
    /// `cpp_include "path"`
    CppInclude(StrLit),
    /// `namespace scope name`
    Namespace(Namespace),
    /// fbthrift `package "name"`
    Package(StrLit),
}

/// `namespace <scope> <name> (annotations)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Namespace {
    /// The language (`rs`, `java`, `py.twisted`, …) or `*`.
    pub scope: Ident,
    /// The namespace.
    pub name: Ident,
    /// Annotations after it.
    pub annotations: Vec<Annotation>,
}

/// A top-level definition.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    /// The name it defines.
    pub name: Ident,
    /// Doc and annotations.
    pub meta: Meta,
    /// The whole definition.
    pub span: Span,
    /// What kind of definition, with its parts.
    pub kind: DefinitionKind,
}

/// The kinds of definition.
#[derive(Clone, Debug, PartialEq)]
pub enum DefinitionKind {
    /// `const <type> <name> = <value>`
    Const {
        /// The declared type.
        ty: Type,
        /// The value.
        value: ConstValue,
    },
    /// `typedef <type> <name>`
    Typedef(Type),
    /// `enum`
    Enum(Vec<EnumMember>),
    /// `senum` (deprecated): a string enum.
    Senum(Vec<StrLit>),
    /// `struct`, `union` or `exception`.
    Struct(StructKind, Vec<Field>),
    /// `service`
    Service(Service),
}

/// Which of the three struct-like definitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StructKind {
    /// `struct`
    Struct,
    /// `union`
    Union,
    /// `exception`
    Exception,
}

impl StructKind {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            StructKind::Struct => "struct",
            StructKind::Union => "union",
            StructKind::Exception => "exception",
        }
    }
}

/// One enum member.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumMember {
    /// Its name.
    pub name: Ident,
    /// Its explicit value, if written.
    pub value: Option<IntLit>,
    /// Doc and annotations.
    pub meta: Meta,
}

/// `required`, `optional`, or neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Requiredness {
    /// Written `required`.
    Required,
    /// Written `optional`.
    Optional,
    /// Not written: Apache's "default" requiredness (written always, read if present).
    Default,
}

/// A struct field, function parameter or `throws` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// `<id>:`, if written.
    pub id: Option<IntLit>,
    /// `required` / `optional`.
    pub requiredness: Requiredness,
    /// Where `required`/`optional` was written.
    pub requiredness_span: Option<Span>,
    /// The type.
    pub ty: Type,
    /// The name.
    pub name: Ident,
    /// `= value`
    pub default: Option<ConstValue>,
    /// Doc and annotations.
    pub meta: Meta,
    /// The whole field.
    pub span: Span,
}

/// A service.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    /// `extends <name>`
    pub extends: Option<Ident>,
    /// The functions, in order.
    pub functions: Vec<Function>,
}

/// A service function.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// The name.
    pub name: Ident,
    /// Where `oneway` (or `async`) was written, if it was.
    pub oneway: Option<Span>,
    /// The return type; `None` for `void`.
    pub returns: Option<Type>,
    /// Where the return type (or `void`) is.
    pub returns_span: Span,
    /// The parameters.
    pub params: Vec<Field>,
    /// `throws (…)`
    pub throws: Vec<Field>,
    /// Doc and annotations.
    pub meta: Meta,
    /// The whole function.
    pub span: Span,
}

/// A type expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Type {
    /// What type.
    pub kind: TypeKind,
    /// Annotations right after it.
    pub annotations: Vec<Annotation>,
    /// Where it is (annotations excluded).
    pub span: Span,
}

/// The shapes of a type expression.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// A built-in scalar.
    Base(BaseType),
    /// A named type: `Name` or `module.Name`.
    Named(Ident),
    /// `list<T>`
    List(Box<Type>),
    /// `set<T>`
    Set(Box<Type>),
    /// `map<K, V>`
    Map(Box<Type>, Box<Type>),
}

/// The built-in scalar types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BaseType {
    /// `bool`
    Bool,
    /// `i8` or `byte`
    I8,
    /// `i16`
    I16,
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `double`
    Double,
    /// `string`, or the deprecated `slist`
    String,
    /// `binary`
    Binary,
    /// `uuid`
    Uuid,
}

impl BaseType {
    /// The IDL spelling.
    pub fn name(self) -> &'static str {
        match self {
            BaseType::Bool => "bool",
            BaseType::I8 => "i8",
            BaseType::I16 => "i16",
            BaseType::I32 => "i32",
            BaseType::I64 => "i64",
            BaseType::Double => "double",
            BaseType::String => "string",
            BaseType::Binary => "binary",
            BaseType::Uuid => "uuid",
        }
    }
}

/// A constant value as written.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstValue {
    /// What value.
    pub kind: ConstKind,
    /// Where it is.
    pub span: Span,
}

/// The shapes of a constant value.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstKind {
    /// An integer.
    Int(i64),
    /// A floating point number.
    Double(f64),
    /// `true` / `false`.
    Bool(bool),
    /// A string literal.
    String(String),
    /// A reference to a constant or enum value.
    Ident(String),
    /// `[a, b]`
    List(Vec<ConstValue>),
    /// `{k: v}`
    Map(Vec<(ConstValue, ConstValue)>),
}

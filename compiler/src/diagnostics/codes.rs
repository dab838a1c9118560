//! The stable diagnostic codes. `E` codes are errors, `W` codes warnings; numbers are never
//! reused. The first digit after the letter says which stage found the problem: 0 syntax,
//! 1 names and includes, 2 fields, 3 constants and enums, 4 services, 5 generated Rust names,
//! 6 bidirectional services.

macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $code:literal,)*) => {
        /// A diagnostic's stable identifier.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[$doc])* $name,)*
        }

        impl Code {
            /// The code as printed, e.g. `"E0201"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $code,)*
                }
            }

            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];
        }
    };
}

codes! {
    /// The text does not follow the Thrift grammar.
    Syntax = "E0001",
    /// A string literal contains an escape other than `\n \r \t \" \' \\`.
    BadEscape = "E0002",
    /// An integer literal does not fit in 64 bits.
    IntegerOverflow = "E0003",
    /// `include`, `namespace` or `cpp_include` after the first definition.
    LateHeader = "E0004",
    /// A pre-0.9 namespace form such as `java_package`.
    LegacyNamespace = "E0005",
    /// A string literal with no closing quote on its line.
    UnterminatedString = "E0006",
    /// A `/*` comment that is never closed.
    UnterminatedComment = "E0007",
    /// Brackets nested deeper than the limit (32).
    NestingTooDeep = "E0008",
    /// An included file cannot be found or read.
    IncludeNotFound = "E0101",
    /// Files include each other in a cycle.
    IncludeCycle = "E0102",
    /// Two definitions in one file share a name.
    DuplicateDefinition = "E0103",
    /// A type name that is not defined.
    UnknownType = "E0104",
    /// A constant or enum value that is not defined.
    UnknownConstant = "E0105",
    /// `extends` names a service that is not defined.
    UnknownService = "E0106",
    /// A name used as a type refers to a service or constant.
    NotAType = "E0107",
    /// A typedef refers to itself.
    TypedefCycle = "E0108",
    /// Two included files share a module name, so `name.Type` is ambiguous.
    AmbiguousInclude = "E0109",
    /// An include prefix (`other.`) names a file that is not included.
    UnknownInclude = "E0110",
    /// An input file that is not a regular file, or is over the size limit (16 MiB).
    BadInputFile = "E0111",
    /// Includes nested deeper than the limit (64).
    IncludeTooDeep = "E0112",
    /// A chain of typedefs longer than the limit (64).
    TypedefChainTooLong = "E0113",
    /// Two fields of one struct, or parameters of one function, share an id.
    DuplicateFieldId = "E0201",
    /// A field id outside the 16-bit range.
    InvalidFieldId = "E0202",
    /// Two fields of one struct, or parameters of one function, share a name.
    DuplicateFieldName = "E0203",
    /// A constant or default value does not match its type.
    ConstTypeMismatch = "E0301",
    /// An integer constant does not fit its type.
    ConstOutOfRange = "E0302",
    /// A struct constant names a field the struct does not have.
    UnknownConstField = "E0303",
    /// A constant refers to itself.
    ConstCycle = "E0304",
    /// An enum value outside the 32-bit range.
    EnumValueOutOfRange = "E0305",
    /// A union constant sets more than one field.
    UnionConstFields = "E0306",
    /// Constants defined by constants, chained longer than the limit (64).
    ConstChainTooLong = "E0307",
    /// A `oneway` function returns a value.
    OnewayReturns = "E0401",
    /// A `oneway` function declares exceptions.
    OnewayThrows = "E0402",
    /// `throws` lists a type that is not an exception.
    ThrowsNonException = "E0403",
    /// Services extend each other in a cycle.
    ExtendsCycle = "E0404",
    /// Two functions of a service (or its bases) share a name.
    DuplicateFunction = "E0405",
    /// `extends` names something that is not a service.
    ExtendsNonService = "E0406",
    /// A chain of `extends` longer than the limit (64).
    ExtendsChainTooLong = "E0407",
    /// Two names become the same Rust identifier.
    RustNameCollision = "E0501",
    /// A `rust.name` annotation that is not a Rust identifier.
    InvalidRustName = "E0502",
    /// Two files become the same Rust module.
    ModuleCollision = "E0503",
    /// `bidi.callback` names a service that is not defined.
    UnknownCallback = "E0601",
    /// `bidi.callback` names something that is not a service.
    CallbackNotService = "E0602",
    /// `bidi.idempotent` with a value other than true or false.
    InvalidIdempotent = "E0603",
    /// Deprecated syntax (`async`, `slist`, `senum`, `xsd_*`).
    Deprecated = "W0001",
    /// A field without an explicit id.
    ImplicitFieldId = "W0002",
    /// A field id of 0 or below.
    NegativeFieldId = "W0003",
    /// Two enum members share a value.
    DuplicateEnumValue = "W0004",
    /// `optional` on a function parameter, which Apache ignores.
    OptionalParameter = "W0005",
    /// `required` on a union member.
    RequiredUnionField = "W0006",
    /// An included file that cannot be found (an error only once something from it is used).
    MissingInclude = "W0007",
    /// An enum value written with another enum's name, resolved by member name as Apache does.
    EnumValuePrefix = "W0008",
    /// Two names that would become the same Rust identifier; one keeps its IDL spelling.
    RustRename = "W0009",
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn codes_are_unique_and_documented() {
        let docs = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../docs/diagnostics.md"
        ))
        .expect("docs/diagnostics.md exists");
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(
                seen.insert(code.as_str()),
                "{} is used twice",
                code.as_str()
            );
            assert!(
                docs.contains(&format!("| {} |", code.as_str())),
                "{} is missing from docs/diagnostics.md",
                code.as_str()
            );
        }
    }
}

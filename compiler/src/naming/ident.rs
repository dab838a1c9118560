//! Every IDL name's Rust spelling: case conversion (heck) that keeps leading and trailing
//! underscores, `r#` for keywords, `_` suffix for the keywords raw identifiers cannot express, a
//! prefix for leading digits, and the `rust.name` annotation to choose a name by hand.
//!
//! [`assign`] names a whole Rust namespace at once (the fields of a struct, the types of a
//! module, …) so that names which convert to the same identifier stay distinct: those keep
//! their IDL spelling instead.

use std::collections::{HashMap, HashSet};

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

use crate::ir::Meta;

/// The annotation that overrides a generated name.
pub const NAME_ANNOTATION: &str = "rust.name";

/// Rust's reserved words (strict and reserved, 2021 edition).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "gen", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// The Rust case of a kind of name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// Types (structs, enums, typedefs, services): `UpperCamelCase`.
    Type,
    /// Fields, parameters, functions, modules: `snake_case`.
    Value,
    /// Constants and enum members: `SHOUTY_SNAKE_CASE`.
    Const,
}

/// The Rust identifier one name of a namespace gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assigned {
    /// The identifier (escaped, ready to print).
    pub rust: String,
    /// Set when the name keeps its IDL spelling because its converted form, given here, is
    /// shared with another name.
    pub collided: Option<String>,
    /// Whether that other name is one the generator derives.
    pub generated: bool,
}

/// Names every item of one Rust namespace: the converted name where it is unique and not
/// `reserved` (a name the generator derives there), the IDL spelling where two names convert
/// alike or the conversion is reserved (and the IDL spelling differs from it), the `rust.name`
/// annotation always. The result is in input order; it may still hold duplicates or reserved
/// names when annotations or the IDL itself make them (the checks report those).
pub fn assign<'a>(
    case: Case,
    names: impl IntoIterator<Item = (&'a str, &'a Meta)>,
    reserved: &HashSet<String, impl std::hash::BuildHasher>,
) -> Vec<Assigned> {
    let names: Vec<(&str, Option<String>)> = names
        .into_iter()
        .map(|(name, meta)| (name, chosen(meta).map(|c| escape(&c))))
        .collect();
    let converted: Vec<String> = names
        .iter()
        .map(|(name, chosen)| chosen.clone().unwrap_or_else(|| convert(case, name)))
        .collect();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for c in &converted {
        *count.entry(c.as_str()).or_default() += 1;
    }
    names
        .iter()
        .zip(&converted)
        .map(|((name, chosen), converted)| {
            let verbatim = escape(last_part(name));
            let taken = count[converted.as_str()] > 1 || reserved.contains(converted);
            if chosen.is_none() && taken && verbatim != *converted {
                Assigned {
                    rust: verbatim,
                    collided: Some(converted.clone()),
                    generated: reserved.contains(converted),
                }
            } else {
                Assigned {
                    rust: converted.clone(),
                    collided: None,
                    generated: false,
                }
            }
        })
        .collect()
}

/// The converted, escaped spelling of one name.
pub fn convert(case: Case, name: &str) -> String {
    let name = last_part(name);
    let core = name.trim_matches('_');
    if core.is_empty() {
        return escape(name);
    }
    let lead = &name[..name.len() - name.trim_start_matches('_').len()];
    let trail = &name[name.trim_end_matches('_').len()..];
    let core = match case {
        Case::Type => core.to_upper_camel_case(),
        Case::Value => core.to_snake_case(),
        Case::Const => core.to_shouty_snake_case(),
    };
    escape(&format!("{lead}{core}{trail}"))
}

/// The name chosen with the `rust.name` annotation, if any.
pub fn chosen(meta: &Meta) -> Option<String> {
    meta.annotation(NAME_ANNOTATION)
        .and_then(|a| a.value.as_ref())
        .map(|v| v.value.clone())
}

fn last_part(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// The token for an assigned name (`r#type` becomes a raw identifier). Names are checked to be
/// identifiers before codegen runs; one that is not becomes `__invalid` rather than a panic.
pub fn to_ident(name: &str) -> proc_macro2::Ident {
    syn::parse_str::<syn::Ident>(name)
        .unwrap_or_else(|_| proc_macro2::Ident::new("__invalid", proc_macro2::Span::call_site()))
}

/// The name of the client method that sends oneway `name` without waiting (`try_type` for
/// the raw `r#type`).
pub fn try_method(name: &str) -> String {
    format!("try_{}", name.trim_start_matches("r#"))
}

/// An `#[allow(…)]` for the naming lint a name breaks (an IDL spelling kept to avoid a
/// collision, or a `rust.name` choice), so generated code compiles without warnings.
pub fn allow_case(case: Case, name: &str) -> proc_macro2::TokenStream {
    let plain = name.trim_start_matches("r#");
    if convert(case, plain).trim_start_matches("r#") == plain {
        return proc_macro2::TokenStream::new();
    }
    let lint = match case {
        Case::Type => quote::format_ident!("non_camel_case_types"),
        Case::Value => quote::format_ident!("non_snake_case"),
        Case::Const => quote::format_ident!("non_upper_case_globals"),
    };
    quote::quote!(#[allow(#lint)])
}

/// The module name of a file whose converted name is another file's too: its name as written,
/// less the characters an identifier cannot hold (`hyphenated-file`: `hyphenatedfile`).
pub fn verbatim_module(stem: &str) -> String {
    let kept: String = stem
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if kept.is_empty() {
        convert(Case::Value, stem)
    } else {
        escape(&kept)
    }
}

/// Whether a name chosen by hand is usable as a Rust identifier once escaped.
pub fn is_identifier(name: &str) -> bool {
    syn::parse_str::<syn::Ident>(&escape(name)).is_ok()
}

/// Makes a name a legal Rust identifier.
fn escape(name: &str) -> String {
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name.to_owned()
    };
    match name.as_str() {
        "self" | "Self" | "super" | "crate" | "_" => format!("{name}_"),
        other if KEYWORDS.contains(&other) => format!("r#{name}"),
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_case_and_escapes_keywords() {
        assert_eq!(convert(Case::Type, "user_profile"), "UserProfile");
        assert_eq!(convert(Case::Value, "userId"), "user_id");
        assert_eq!(convert(Case::Value, "type"), "r#type");
        assert_eq!(convert(Case::Value, "self"), "self_");
        assert_eq!(convert(Case::Type, "Self"), "Self_");
        assert_eq!(convert(Case::Const, "maxSize"), "MAX_SIZE");
        assert_eq!(convert(Case::Value, "2fa"), "_2fa");
        assert_eq!(convert(Case::Value, "field_"), "field_");
        assert_eq!(convert(Case::Value, "__Private"), "__private");
    }

    #[test]
    fn colliding_names_keep_their_idl_spelling() {
        let meta = Meta::default();
        let names = [("Index", &meta), ("index", &meta), ("other", &meta)];
        let assigned: Vec<String> = assign(Case::Value, names, &HashSet::new())
            .into_iter()
            .map(|a| a.rust)
            .collect();
        assert_eq!(assigned, ["Index", "index", "other"]);
    }
}

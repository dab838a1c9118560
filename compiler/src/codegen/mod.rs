//! Code generation stage: IR → Rust tokens, one module per IDL file, every name taken from
//! [`crate::naming`] (which the checks read too). One small `generate_*` per construct;
//! generated code names nothing but `::thrift_bidi::__codegen` and its own types.

mod docs;
mod enums;
mod items;
pub(crate) mod messages;
mod serde;
mod service;
mod structs;
mod traits;
mod types;
mod unions;
mod values;

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::Parser;

use crate::config::{path_matches, Config, Error};
use crate::ir::{Item, Program};
use crate::naming::Names;
use crate::source::FileId;
use traits::Analysis;

/// Everything a generator function reads: the program, its names, what each type supports,
/// and the configuration.
pub(crate) struct Context<'a> {
    program: &'a Program,
    config: &'a Config,
    names: Names,
    messages: messages::Messages,
    traits: Analysis<'a>,
    type_attributes: Vec<(&'a str, TokenStream)>,
    field_attributes: Vec<(&'a str, TokenStream)>,
    /// The `BuildHasher` of hashed collections, when not the default.
    hasher: Option<TokenStream>,
}

impl<'a> Context<'a> {
    /// Prepares generation; fails if an attribute in `config` is not Rust.
    /// `program` must have been through [`messages::desugar`], which gave `messages`, and
    /// `names` must know them ([`Names::with_messages`]).
    pub(crate) fn new(
        program: &'a Program,
        names: Names,
        messages: messages::Messages,
        config: &'a Config,
    ) -> Result<Self, Error> {
        Ok(Context {
            program,
            config,
            names,
            messages,
            traits: Analysis::new(program, config),
            type_attributes: parse_attributes(&config.type_attributes)?,
            field_attributes: parse_attributes(&config.field_attributes)?,
            hasher: config.hasher.as_deref().map(parse_hasher).transpose()?,
        })
    }

    /// The module path of a file.
    pub(crate) fn module(&self, file: FileId) -> &[String] {
        self.names.module(file)
    }

    /// The body of the module generated for `file`.
    pub(crate) fn generate_file(&self, file: FileId) -> TokenStream {
        let items = self.program.files[file.index()].items.iter();
        items
            .map(|item| match *item {
                Item::Struct(id) => structs::generate_struct(self, id),
                Item::Enum(id) => enums::generate_enum(self, id),
                Item::Typedef(id) => items::generate_typedef(self, id),
                Item::Const(id) => items::generate_const(self, id),
                Item::Service(id) => service::generate_service(self, id),
            })
            .collect()
    }

    /// The user's attributes for the type or field with dotted IDL path `full`.
    fn attributes(&self, fields: bool, full: &str) -> TokenStream {
        let list = if fields {
            &self.field_attributes
        } else {
            &self.type_attributes
        };
        list.iter()
            .filter(|(pattern, _)| path_matches(pattern, full))
            .map(|(_, attr)| attr.clone())
            .collect()
    }

    /// Whether `Config::keep_unknown_fields` asks struct or union `id` to keep unknown fields
    /// (never an args or result struct).
    fn keeps_unknown(&self, id: crate::ir::StructId) -> bool {
        let s = &self.program.structs[id.index()];
        let full = self.idl_path(s.file, &s.name.name);
        !self.messages.contains(id)
            && self
                .config
                .keep_unknown
                .iter()
                .any(|p| path_matches(p, &full))
    }

    /// The dotted IDL path of a definition of `file`.
    fn idl_path(&self, file: FileId, name: &str) -> String {
        format!("{}.{name}", self.program.files[file.index()].module)
    }
}

fn parse_hasher(hasher: &str) -> Result<TokenStream, Error> {
    let ty: syn::Type = syn::parse_str(hasher).map_err(|e| Error::Hasher {
        hasher: hasher.to_owned(),
        reason: e.to_string(),
    })?;
    Ok(quote!(#ty))
}

fn parse_attributes(list: &[(String, String)]) -> Result<Vec<(&str, TokenStream)>, Error> {
    list.iter()
        .map(|(path, attribute)| {
            let attrs = syn::Attribute::parse_outer
                .parse_str(attribute)
                .map_err(|e| Error::Attribute {
                    path: path.clone(),
                    attribute: attribute.clone(),
                    reason: e.to_string(),
                })?;
            Ok((path.as_str(), quote!(#(#attrs)*)))
        })
        .collect()
}

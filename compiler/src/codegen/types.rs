//! Rust types for IDL types: paths to generated types (same module or a sibling `super::`
//! module), the configured strings and collections, and the `Box`/`Option` around fields.

use proc_macro2::TokenStream;
use quote::quote;

use super::traits::Collection;
use super::Context;
use crate::config::Strings;
use crate::ir::{BaseType, Field, Item, Type};
use crate::naming::ident::to_ident;
use crate::source::FileId;

/// The path of the runtime's door for generated code.
pub(super) fn cg() -> TokenStream {
    quote!(::thrift_bidi::__codegen)
}

impl Context<'_> {
    /// The path to a generated definition from module `from`, relative so the generated tree
    /// can be mounted anywhere.
    pub(super) fn path(&self, item: Item, defined_in: FileId, from: FileId) -> TokenStream {
        let prefix = self.module_prefix(defined_in, from);
        let name = to_ident(self.names.item(item));
        quote!(#prefix #name)
    }

    /// The relative path (ending in `::`, empty within one module) from module `from` to
    /// module `to`.
    pub(super) fn module_prefix(&self, to: FileId, from: FileId) -> TokenStream {
        let (from, to) = (self.names.module(from), self.names.module(to));
        let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
        let supers = (common..from.len()).map(|_| quote!(super::));
        let rest = to[common..].iter().map(|m| to_ident(m));
        quote!(#(#supers)* #(#rest::)*)
    }

    /// The Rust type of `ty` as written in module `from`.
    pub(super) fn rust_type(&self, ty: &Type, from: FileId) -> TokenStream {
        let cg = cg();
        let p = self.program;
        let hasher = self.hasher.iter();
        match ty {
            Type::Base(base) => self.base_type(*base),
            Type::List(t) => {
                let t = self.rust_type(t, from);
                quote!(::std::vec::Vec<#t>)
            }
            Type::Set(t) => {
                let elem = self.rust_type(t, from);
                match self.traits.collection(t) {
                    Collection::Hash => quote!(#cg::HashSet<#elem #(, #hasher)*>),
                    Collection::BTree => quote!(#cg::BTreeSet<#elem>),
                    Collection::Vec => quote!(#cg::VecSet<#elem>),
                }
            }
            Type::Map(k, v) => {
                let (key, value) = (self.rust_type(k, from), self.rust_type(v, from));
                match self.traits.collection(k) {
                    Collection::Hash => quote!(#cg::HashMap<#key, #value #(, #hasher)*>),
                    Collection::BTree => quote!(#cg::BTreeMap<#key, #value>),
                    Collection::Vec => quote!(#cg::VecMap<#key, #value>),
                }
            }
            Type::Struct(id) => self.path(Item::Struct(*id), p.structs[id.index()].file, from),
            Type::Enum(id) => self.path(Item::Enum(*id), p.enums[id.index()].file, from),
            Type::Typedef(id) => self.path(Item::Typedef(*id), p.typedefs[id.index()].file, from),
            Type::Unresolved => quote!(()),
        }
    }

    fn base_type(&self, base: BaseType) -> TokenStream {
        let cg = cg();
        match base {
            BaseType::Bool => quote!(bool),
            BaseType::I8 => quote!(i8),
            BaseType::I16 => quote!(i16),
            BaseType::I32 => quote!(i32),
            BaseType::I64 => quote!(i64),
            BaseType::Double => quote!(f64),
            BaseType::String => match self.config.strings {
                Strings::String => quote!(::std::string::String),
                Strings::ByteString => quote!(#cg::ByteString),
            },
            BaseType::Binary => quote!(#cg::Bytes),
            BaseType::Uuid => quote!(#cg::Uuid),
        }
    }

    /// The type of a struct field: its Rust type, boxed and in an `Option` as its shape says.
    pub(super) fn field_type(&self, field: &Field, from: FileId) -> TokenStream {
        let shape = self.traits.shape(field);
        let mut ty = self.rust_type(&field.ty, from);
        if shape.boxed {
            ty = quote!(::std::boxed::Box<#ty>);
        }
        if shape.optional {
            ty = quote!(::core::option::Option<#ty>);
        }
        ty
    }

    /// The wire type of `ty`, as a `TType` path.
    pub(super) fn ttype(&self, ty: &Type) -> TokenStream {
        let cg = cg();
        let name = match self.program.underlying(ty) {
            Type::Base(BaseType::Bool) => "Bool",
            Type::Base(BaseType::I8) => "I8",
            Type::Base(BaseType::I16) => "I16",
            Type::Base(BaseType::I32) | Type::Enum(_) => "I32",
            Type::Base(BaseType::I64) => "I64",
            Type::Base(BaseType::Double) => "Double",
            Type::Base(BaseType::String | BaseType::Binary) => "String",
            Type::Base(BaseType::Uuid) => "Uuid",
            Type::List(_) => "List",
            Type::Set(_) => "Set",
            Type::Map(..) => "Map",
            Type::Struct(_) | Type::Typedef(_) | Type::Unresolved => "Struct",
        };
        let name = to_ident(name);
        quote!(#cg::TType::#name)
    }
}

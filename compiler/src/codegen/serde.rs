//! Serde for the types `Config::serde` names: `Serialize` and `Deserialize` written out (no
//! derive, so the user's build needs no `serde_derive`), every value going through the
//! runtime's `thrift_bidi::json::Json`, which owns the representation. Structs decode as
//! [`super::structs`] does from the wire: any order, unknown keys ignored, a missing required
//! field an error, a missing default-requiredness field its default.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::types::cg;
use super::Context;
use crate::config::path_matches;
use crate::ir::{Requiredness, StructId};
use crate::naming::ident::to_ident;
use crate::naming::Slot;

impl Context<'_> {
    /// Whether `Config::serde` asks for serde on the type with dotted IDL path `full`.
    pub(super) fn serde(&self, full: &str) -> bool {
        self.config.serde.iter().any(|p| path_matches(p, full))
    }
}

fn json() -> TokenStream {
    let cg = cg();
    quote!(#cg::json)
}

/// `Json` for a generated type, through its own `Serialize` and `Deserialize`.
fn json_impl(name: &Ident, object_key: bool) -> TokenStream {
    let json = json();
    quote! {
        impl #json::Json for #name {
            const OBJECT_KEY: bool = #object_key;
            fn ser<__S: #json::serde::Serializer>(&self, s: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                #json::serde::Serialize::serialize(self, s)
            }
            fn de<'de, __D: #json::serde::Deserializer<'de>>(d: __D) -> ::core::result::Result<Self, __D::Error> {
                <Self as #json::serde::Deserialize<'de>>::deserialize(d)
            }
        }
    }
}

/// A `Deserialize` that visits a map with `visit` (the body of `visit_map`, given `map`).
fn deserialize_map(name: &Ident, expecting: &str, visit: &TokenStream) -> TokenStream {
    let json = json();
    quote! {
        impl<'de> #json::serde::Deserialize<'de> for #name {
            fn deserialize<__D: #json::serde::Deserializer<'de>>(d: __D) -> ::core::result::Result<Self, __D::Error> {
                struct __Visit;
                impl<'de> #json::serde::de::Visitor<'de> for __Visit {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<__A: #json::serde::de::MapAccess<'de>>(self, mut map: __A) -> ::core::result::Result<#name, __A::Error> {
                        #visit
                    }
                }
                d.deserialize_map(__Visit)
            }
        }
    }
}

/// Serde for a struct or exception: an object keyed by IDL field names.
pub(super) fn generate_struct(cx: &Context<'_>, id: StructId, name: &Ident) -> TokenStream {
    let s = &cx.program.structs[id.index()];
    let json = json();
    let fields: Vec<(Ident, &str)> = (0..s.fields.len())
        .map(|i| {
            let field = to_ident(cx.names.entry(Slot::Fields(id), i));
            (field, s.fields[i].name.name.as_str())
        })
        .collect();
    let writes = s.fields.iter().zip(&fields).map(|(f, (field, idl))| {
        if cx.traits.shape(f).optional {
            quote! {
                if let ::core::option::Option::Some(value) = &self.#field {
                    map.serialize_entry(#idl, &#json::Ser(value))?;
                }
            }
        } else {
            quote!(map.serialize_entry(#idl, &#json::Ser(&self.#field))?;)
        }
    });
    let locals: Vec<Ident> = (0..s.fields.len()).map(|i| format_ident!("f{i}")).collect();
    let arms = s.fields.iter().zip(&fields).zip(&locals).map(|((f, (_, idl)), local)| {
        let ty = cx.field_type(f, s.file);
        quote!(#idl => #local = ::core::option::Option::Some(map.next_value::<#json::De<#ty>>()?.0),)
    });
    let results = s.fields.iter().zip(&fields).zip(&locals).map(|((f, (field, idl)), local)| {
        let value = match f.requiredness {
            Requiredness::Required => {
                quote!(#local.ok_or_else(|| <__A::Error as #json::serde::de::Error>::missing_field(#idl))?)
            }
            _ if cx.traits.shape(f).optional => quote!(#local.flatten()),
            _ if f.default.is_none() => quote!(#local.unwrap_or_default()),
            _ => {
                let default = cx.field_default(f, s.file);
                quote!(#local.unwrap_or_else(|| #default))
            }
        };
        quote!(#field: #value)
    });
    // Kept unknown fields are the wire's: JSON has none.
    let results = results.chain(cx.unknown_init(id, &quote!(::core::default::Default::default())));
    let visit = quote! {
        #(let mut #locals = ::core::option::Option::None;)*
        while let ::core::option::Option::Some(key) = map.next_key::<#json::Key<'de>>()? {
            match &*key.0 {
                #(#arms)*
                _ => {
                    map.next_value::<#json::serde::de::IgnoredAny>()?;
                }
            }
        }
        ::core::result::Result::Ok(#name { #(#results,)* })
    };
    let deserialize = deserialize_map(name, &format!("struct {}", s.name.name), &visit);
    let json_impl = json_impl(name, false);
    let mutable = (!s.fields.is_empty()).then(|| quote!(mut));
    quote! {
        impl #json::serde::Serialize for #name {
            fn serialize<__S: #json::serde::Serializer>(&self, s: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                use #json::serde::ser::SerializeMap as _;
                let #mutable map = s.serialize_map(::core::option::Option::None)?;
                #(#writes)*
                map.end()
            }
        }
        #deserialize
        #json_impl
    }
}

/// Serde for a union: an object of one key, the IDL name of the field set.
pub(super) fn generate_union(
    cx: &Context<'_>,
    id: StructId,
    name: &Ident,
    variants: &[Ident],
) -> TokenStream {
    let s = &cx.program.structs[id.index()];
    if s.fields.is_empty() {
        return empty_union(name, &s.name.name);
    }
    let json = json();
    let idl: Vec<&str> = s.fields.iter().map(|f| f.name.name.as_str()).collect();
    let writes = variants.iter().zip(&idl).map(|(variant, idl)| {
        quote!(Self::#variant(value) => map.serialize_entry(#idl, &#json::Ser(value))?,)
    });
    let kept = cx.keeps_unknown(id).then(|| {
        let (variant, message) = (
            quote::format_ident!("{}", crate::naming::UNKNOWN_VARIANT),
            format!("union {} holds a field its IDL does not have, which has no JSON form", s.name.name),
        );
        quote!(Self::#variant(_) => return ::core::result::Result::Err(<__S::Error as #json::serde::ser::Error>::custom(#message)),)
    });

    let arms = s
        .fields
        .iter()
        .zip(variants)
        .zip(&idl)
        .map(|((f, variant), idl)| {
            let mut ty = cx.rust_type(&f.ty, s.file);
            if f.boxed {
                ty = quote!(::std::boxed::Box<#ty>);
            }
            quote!(#idl => #name::#variant(map.next_value::<#json::De<#ty>>()?.0),)
        });
    let owner = &s.name.name;
    let one = format!("union {owner} needs exactly one field");
    let visit = quote! {
        let ::core::option::Option::Some(key) = map.next_key::<#json::Key<'de>>()? else {
            return ::core::result::Result::Err(<__A::Error as #json::serde::de::Error>::custom(#one));
        };
        let value = match &*key.0 {
            #(#arms)*
            other => return ::core::result::Result::Err(<__A::Error as #json::serde::de::Error>::unknown_field(other, &[#(#idl),*])),
        };
        if map.next_key::<#json::serde::de::IgnoredAny>()?.is_some() {
            return ::core::result::Result::Err(<__A::Error as #json::serde::de::Error>::custom(#one));
        }
        ::core::result::Result::Ok(value)
    };
    let deserialize = deserialize_map(name, &format!("union {owner}"), &visit);
    let json_impl = json_impl(name, false);
    quote! {
        impl #json::serde::Serialize for #name {
            fn serialize<__S: #json::serde::Serializer>(&self, s: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                use #json::serde::ser::SerializeMap as _;
                let mut map = s.serialize_map(::core::option::Option::Some(1))?;
                match self {
                    #(#writes)*
                    #kept
                }
                map.end()
            }
        }
        #deserialize
        #json_impl
    }
}

/// A union without fields has no values: nothing to write, and nothing reads as one.
fn empty_union(name: &Ident, owner: &str) -> TokenStream {
    let json = json();
    let message = format!("union {owner} has no fields, so no value");
    let json_impl = json_impl(name, false);
    quote! {
        impl #json::serde::Serialize for #name {
            fn serialize<__S: #json::serde::Serializer>(&self, _: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                match *self {}
            }
        }
        impl<'de> #json::serde::Deserialize<'de> for #name {
            fn deserialize<__D: #json::serde::Deserializer<'de>>(d: __D) -> ::core::result::Result<Self, __D::Error> {
                d.deserialize_ignored_any(#json::serde::de::IgnoredAny)?;
                ::core::result::Result::Err(<__D::Error as #json::serde::de::Error>::custom(#message))
            }
        }
        #json_impl
    }
}

/// Serde for an enum: the member's IDL name, or the number for a value with none.
pub(super) fn generate_enum(name: &Ident) -> TokenStream {
    let json = json();
    let json_impl = json_impl(name, true);
    quote! {
        impl #json::serde::Serialize for #name {
            fn serialize<__S: #json::serde::Serializer>(&self, s: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                #json::ser_enum(self.name(), self.0, s)
            }
        }
        impl<'de> #json::serde::Deserialize<'de> for #name {
            fn deserialize<__D: #json::serde::Deserializer<'de>>(d: __D) -> ::core::result::Result<Self, __D::Error> {
                let lookup = |name: &str| Self::MEMBERS.iter().find(|m| m.name() == ::core::option::Option::Some(name)).map(|m| m.0);
                #json::de_enum(d, lookup).map(Self)
            }
        }
        #json_impl
    }
}

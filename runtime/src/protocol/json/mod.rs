//! Apache's `TJSONProtocol` (not "simple JSON"): each value in a JSON text that says its type.
//!
//! ```text
//! message  [1,"name",kind,seqid,struct]
//! struct   {"1":{"i32":7},"2":{"str":"text"}}        field id → {type name: value}
//! list     ["i32",3,1,2,3]                             also sets
//! map      ["str","i64",2,{"a":1,"b":2}]               keys always quoted: {"1":…} for ints
//! bool     0 or 1        binary  base64 in a string    uuid  "xxxxxxxx-xxxx-…" in a string
//! double   17 significant digits, as C's %.17g; "NaN", "Infinity" and "-Infinity" quoted
//! ```
//!
//! Input: generated code's calls on [`Writer`](super::Writer) and
//! [`Reader`](super::Reader). Output: the text, byte for byte what Apache's C++ writes, and
//! what its Python writes except where that one is not JSON (its special doubles, bare `nan`
//! and `inf`, and raw control characters in strings, which this writer escapes as C++ does).
//! Both are read: padded and unpadded base64, `\u` escapes with surrogate pairs, quoted or
//! bare special doubles. No whitespace, as neither writes any.

mod number;
mod reader;
mod writer;

pub use reader::JsonReader;
pub use writer::JsonWriter;

use super::{ProtocolError, TType};

/// The version a message starts with.
const VERSION: i64 = 1;

/// The type names of Apache's JSON protocol.
fn type_name(ty: TType) -> &'static str {
    match ty {
        TType::Stop => "",
        TType::Bool => "tf",
        TType::I8 => "i8",
        TType::I16 => "i16",
        TType::I32 => "i32",
        TType::I64 => "i64",
        TType::Double => "dbl",
        TType::String => "str",
        TType::Struct => "rec",
        TType::Map => "map",
        TType::Set => "set",
        TType::List => "lst",
        TType::Uuid => "uid",
    }
}

/// The type named `name`.
fn type_named(name: &[u8]) -> Result<TType, ProtocolError> {
    Ok(match name {
        b"tf" => TType::Bool,
        b"i8" => TType::I8,
        b"i16" => TType::I16,
        b"i32" => TType::I32,
        b"i64" => TType::I64,
        b"dbl" => TType::Double,
        b"str" => TType::String,
        b"rec" => TType::Struct,
        b"map" => TType::Map,
        b"set" => TType::Set,
        b"lst" => TType::List,
        b"uid" => TType::Uuid,
        other => {
            let name = String::from_utf8_lossy(other);
            return Err(ProtocolError::invalid(format!(
                "unknown JSON type name {name:?}"
            )));
        }
    })
}

/// Where a value stands inside the arrays and objects around it.
#[derive(Clone, Copy, Debug)]
enum Context {
    /// In an array: values after the first follow a comma.
    Array { first: bool },
    /// In an object: keys and values alternate, a key after a comma, a value after a colon.
    Object { first: bool, key: bool },
}

/// What comes before the next value: a separator (none before the first in its array or
/// object, or at the top), and whether it is an object's key (then numbers are quoted).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Step {
    separator: Option<u8>,
    key: bool,
}

/// The arrays and objects the next value is inside, innermost last.
#[derive(Debug, Default)]
struct Contexts(Vec<Context>);

impl Contexts {
    /// Moves on to the next value.
    #[inline]
    fn step(&mut self) -> Step {
        match self.0.last_mut() {
            None => Step {
                separator: None,
                key: false,
            },
            Some(Context::Array { first }) => Step {
                separator: (!std::mem::replace(first, false)).then_some(b','),
                key: false,
            },
            Some(Context::Object { first, key }) => {
                if std::mem::replace(first, false) {
                    *key = true;
                    Step {
                        separator: None,
                        key: true,
                    }
                } else {
                    *key = !*key;
                    Step {
                        separator: Some(if *key { b',' } else { b':' }),
                        key: *key,
                    }
                }
            }
        }
    }

    fn push_array(&mut self) {
        self.0.push(Context::Array { first: true });
    }

    fn push_object(&mut self) {
        self.0.push(Context::Object {
            first: true,
            key: false,
        });
    }

    fn pop(&mut self) {
        self.0.pop();
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_alternate_quoted_keys_and_values() {
        let mut contexts = Contexts::default();
        contexts.push_object();
        let steps: Vec<Step> = (0..4).map(|_| contexts.step()).collect();
        let expected = [
            (None, true),
            (Some(b':'), false),
            (Some(b','), true),
            (Some(b':'), false),
        ];
        for (step, (separator, key)) in steps.iter().zip(expected) {
            assert_eq!(*step, Step { separator, key });
        }
        contexts.push_array();
        assert_eq!(contexts.step().separator, None);
        assert_eq!(contexts.step().separator, Some(b','));
        contexts.pop();
        assert_eq!(
            contexts.step(),
            Step {
                separator: Some(b','),
                key: true
            }
        );
    }

    #[test]
    fn every_type_name_reads_back() {
        for ty in [
            TType::Bool,
            TType::I8,
            TType::I16,
            TType::I32,
            TType::I64,
            TType::Double,
            TType::String,
            TType::Struct,
            TType::Map,
            TType::Set,
            TType::List,
            TType::Uuid,
        ] {
            assert_eq!(type_named(type_name(ty).as_bytes()).unwrap(), ty);
        }
        assert!(type_named(b"bool").is_err());
    }
}

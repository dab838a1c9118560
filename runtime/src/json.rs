//! Serde for generated types (`Config::serde` in the compiler, feature `serde` here): how each
//! Thrift value is represented, in one trait, [`Json`], that generated `Serialize` and
//! `Deserialize` impls call for every field. The representation, chosen for JSON:
//!
//! - integers and `bool` as JSON numbers and booleans (an `i64` is written exactly; readers in
//!   JavaScript lose precision above 2^53);
//! - `double` as a number, and NaN and the infinities as the strings `"NaN"`, `"Infinity"` and
//!   `"-Infinity"` (JSON has no number for them); `serde_json` reads doubles back exactly only
//!   with its `float_roundtrip` feature;
//! - `string` as a string, `binary` as standard base64 with padding, `uuid` as its hyphenated
//!   string;
//! - lists and sets as arrays; maps whose keys are strings, integers, enums, binaries or
//!   uuids as objects (keys as strings), other maps as arrays of `[key, value]` pairs;
//! - structs and exceptions as objects keyed by IDL field name (an unset optional field is
//!   left out; a missing one is unset; a missing default-requiredness field takes its default;
//!   a missing required field is an error; unknown keys are ignored);
//! - unions as an object of one key, the IDL name of the field set;
//! - enums as the member's IDL name, or the number for a value with no name.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::marker::PhantomData;

use base64::Engine as _;
use bytes::Bytes;
use bytestring::ByteString;
pub use serde;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::value::{VecMap, VecSet};

/// A Thrift value's serde representation (see the module docs).
pub trait Json: Sized {
    /// Whether the value can be a key of a JSON object (it serializes as a string or an
    /// integer); maps with other keys are arrays of pairs.
    const OBJECT_KEY: bool = false;
    /// Serializes the value.
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
    /// Deserializes a value.
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

/// A value serialized through [`Json`].
#[derive(Debug)]
pub struct Ser<'a, T>(pub &'a T);

impl<T: Json> Serialize for Ser<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.ser(s)
    }
}

/// A value deserialized through [`Json`].
#[derive(Debug)]
pub struct De<T>(pub T);

impl<'de, T: Json> Deserialize<'de> for De<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::de(d).map(De)
    }
}

macro_rules! plain {
    ($($ty:ty => $key:literal),* $(,)?) => {$(
        impl Json for $ty {
            const OBJECT_KEY: bool = $key;
            fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.serialize(s)
            }
            fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <$ty>::deserialize(d)
            }
        }
    )*};
}

plain!(bool => false, i8 => true, i16 => true, i32 => true, i64 => true, String => true);

impl Json for ByteString {
    const OBJECT_KEY: bool = true;
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(ByteString::from)
    }
}

impl Json for f64 {
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            x if x.is_nan() => s.serialize_str("NaN"),
            f64::INFINITY => s.serialize_str("Infinity"),
            f64::NEG_INFINITY => s.serialize_str("-Infinity"),
            x => s.serialize_f64(x),
        }
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Double)
    }
}

struct Double;

impl Visitor<'_> for Double {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, \"NaN\", \"Infinity\" or \"-Infinity\"")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
    #[allow(clippy::cast_precision_loss)] // JSON numbers are doubles
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }
    #[allow(clippy::cast_precision_loss)] // JSON numbers are doubles
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        match v {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}

impl Json for Bytes {
    const OBJECT_KEY: bool = true;
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(self))
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(text.as_bytes());
        bytes.map(Bytes::from).map_err(de::Error::custom)
    }
}

impl Json for Uuid {
    const OBJECT_KEY: bool = true;
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.hyphenated())
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Uuid::parse_str(&text).map_err(de::Error::custom)
    }
}

impl<T: Json> Json for Box<T> {
    const OBJECT_KEY: bool = T::OBJECT_KEY;
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).ser(s)
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::de(d).map(Box::new)
    }
}

impl<T: Json> Json for Option<T> {
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(value) => value.ser(s),
            None => s.serialize_none(),
        }
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Option::<De<T>>::deserialize(d)?.map(|v| v.0))
    }
}

/// Serializes the items of a list or set as an array.
fn ser_seq<'a, T: Json + 'a, S: Serializer>(
    items: impl ExactSizeIterator<Item = &'a T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(Some(items.len()))?;
    for item in items {
        seq.serialize_element(&Ser(item))?;
    }
    seq.end()
}

/// Collects an array into any collection of its items.
struct Seq<C, T>(PhantomData<(C, T)>);

impl<'de, C: Default + Extend<T>, T: Json> Visitor<'de> for Seq<C, T> {
    type Value = C;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<C, A::Error> {
        let mut out = C::default();
        while let Some(De(item)) = seq.next_element::<De<T>>()? {
            out.extend(Some(item));
        }
        Ok(out)
    }
}

fn de_seq<'de, C: Default + Extend<T>, T: Json, D: Deserializer<'de>>(d: D) -> Result<C, D::Error> {
    d.deserialize_seq(Seq(PhantomData))
}

impl<T: Json> Json for Vec<T> {
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_seq(self.iter(), s)
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de_seq(d)
    }
}

impl<T: Json + Eq + Hash, H: BuildHasher + Default> Json for HashSet<T, H> {
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_seq(self.iter(), s)
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de_seq(d)
    }
}

impl<T: Json + Ord> Json for BTreeSet<T> {
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_seq(self.iter(), s)
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de_seq(d)
    }
}

impl<T: Json> Json for VecSet<T> {
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_seq(self.0.iter(), s)
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de_seq(d).map(VecSet)
    }
}

/// Serializes map entries as an object when the keys can be object keys, otherwise as an
/// array of `[key, value]` pairs.
fn ser_map<'a, K: Json + 'a, V: Json + 'a, S: Serializer>(
    entries: impl ExactSizeIterator<Item = (&'a K, &'a V)>,
    s: S,
) -> Result<S::Ok, S::Error> {
    if K::OBJECT_KEY {
        let mut map = s.serialize_map(Some(entries.len()))?;
        for (k, v) in entries {
            map.serialize_entry(&Ser(k), &Ser(v))?;
        }
        map.end()
    } else {
        let mut seq = s.serialize_seq(Some(entries.len()))?;
        for (k, v) in entries {
            seq.serialize_element(&(Ser(k), Ser(v)))?;
        }
        seq.end()
    }
}

/// Collects an object, or an array of pairs, into any map.
struct Map<C, K, V>(PhantomData<(C, K, V)>);

impl<'de, C: Default + Extend<(K, V)>, K: Json, V: Json> Visitor<'de> for Map<C, K, V> {
    type Value = C;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object or an array of [key, value] pairs")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<C, A::Error> {
        let mut out = C::default();
        while let Some((De(k), De(v))) = map.next_entry::<De<K>, De<V>>()? {
            out.extend(Some((k, v)));
        }
        Ok(out)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<C, A::Error> {
        let mut out = C::default();
        while let Some((De(k), De(v))) = seq.next_element::<(De<K>, De<V>)>()? {
            out.extend(Some((k, v)));
        }
        Ok(out)
    }
}

fn de_map<'de, C: Default + Extend<(K, V)>, K: Json, V: Json, D: Deserializer<'de>>(
    d: D,
) -> Result<C, D::Error> {
    if K::OBJECT_KEY {
        d.deserialize_map(Map(PhantomData))
    } else {
        d.deserialize_seq(Map(PhantomData))
    }
}

impl<K: Json + Eq + Hash, V: Json, H: BuildHasher + Default> Json for HashMap<K, V, H> {
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_map(self.iter(), s)
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de_map(d)
    }
}

impl<K: Json + Ord, V: Json> Json for BTreeMap<K, V> {
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_map(self.iter(), s)
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de_map(d)
    }
}

impl<K: Json, V: Json> Json for VecMap<K, V> {
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ser_map(self.0.iter().map(|(k, v)| (k, v)), s)
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de_map(d).map(VecMap)
    }
}

/// Serializes an enum value: its member's name, or the number.
pub fn ser_enum<S: Serializer>(name: Option<&str>, value: i32, s: S) -> Result<S::Ok, S::Error> {
    match name {
        Some(name) => s.serialize_str(name),
        None => s.serialize_i32(value),
    }
}

/// Deserializes an enum value from a member's name (`lookup`) or a number (also as a string,
/// as object keys are).
pub fn de_enum<'de, D: Deserializer<'de>>(
    d: D,
    lookup: fn(&str) -> Option<i32>,
) -> Result<i32, D::Error> {
    d.deserialize_any(EnumValue(lookup))
}

struct EnumValue(fn(&str) -> Option<i32>);

impl Visitor<'_> for EnumValue {
    type Value = i32;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an enum member's name or a 32-bit integer")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i32, E> {
        i32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i32, E> {
        i32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i32, E> {
        (self.0)(v)
            .or_else(|| v.parse().ok())
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

/// An object key, borrowed from the input where it can be.
#[derive(Debug)]
pub struct Key<'de>(pub std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(std::borrow::Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(std::borrow::Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key(std::borrow::Cow::Owned(v)))
    }
}

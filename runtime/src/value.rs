//! How each Rust type a field can have is written and read, through any protocol. Generated
//! code calls these instead of spelling out every container loop, so it stays thin and the
//! logic is tested once, here.

pub use crate::unknown::UnknownFields;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, Hash};

use bytes::Bytes;
use bytestring::ByteString;
use uuid::Uuid;

use crate::protocol::{ListHeader, MapHeader, ProtocolError, Reader, TType, Writer};

/// A value with a Thrift wire type.
pub trait Value: Sized {
    /// Its wire type.
    const TTYPE: TType;
    /// Writes it.
    fn write<W: Writer>(&self, w: &mut W);
    /// Reads it.
    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError>;
}

macro_rules! scalar {
    ($ty:ty, $ttype:ident, $write:ident, $read:ident) => {
        impl Value for $ty {
            const TTYPE: TType = TType::$ttype;
            fn write<W: Writer>(&self, w: &mut W) {
                w.$write(*self);
            }
            fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
                r.$read()
            }
        }
    };
}

scalar!(bool, Bool, write_bool, read_bool);
scalar!(i8, I8, write_i8, read_i8);
scalar!(i16, I16, write_i16, read_i16);
scalar!(i32, I32, write_i32, read_i32);
scalar!(i64, I64, write_i64, read_i64);
scalar!(f64, Double, write_double, read_double);

impl Value for String {
    const TTYPE: TType = TType::String;
    fn write<W: Writer>(&self, w: &mut W) {
        w.write_string(self);
    }
    /// Not charged against `Limits::max_decoded`: a string's bytes are its bytes on the wire,
    /// which the frame already bounds (its `size_of` is charged by what holds it).
    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        r.read_string()
    }
}

impl Value for Bytes {
    const TTYPE: TType = TType::String;
    fn write<W: Writer>(&self, w: &mut W) {
        w.write_binary(self);
    }
    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        r.read_binary()
    }
}

/// The cheap-clone string: reading validates UTF-8 and shares the input buffer.
impl Value for ByteString {
    const TTYPE: TType = TType::String;
    fn write<W: Writer>(&self, w: &mut W) {
        w.write_string(self);
    }
    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        ByteString::try_from(r.read_string_bytes()?)
            .map_err(|_| ProtocolError::invalid("string is not UTF-8"))
    }
}

impl Value for Uuid {
    const TTYPE: TType = TType::Uuid;
    fn write<W: Writer>(&self, w: &mut W) {
        w.write_uuid(self.into_bytes());
    }
    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        r.read_uuid().map(Uuid::from_bytes)
    }
}

impl<T: Value> Value for Box<T> {
    const TTYPE: TType = T::TTYPE;
    fn write<W: Writer>(&self, w: &mut W) {
        T::write(self, w);
    }
    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        r.charge(std::mem::size_of::<T>())?;
        T::read(r).map(Box::new)
    }
}

/// Fails unless a container's declared element type is the expected one (an empty compact
/// map declares none, so it is not checked).
fn expect_type(found: TType, expected: TType, len: usize) -> Result<(), ProtocolError> {
    if len == 0 || found == expected {
        return Ok(());
    }
    Err(ProtocolError::invalid(format!(
        "container of {found:?} where {expected:?} was expected"
    )))
}

/// Writes a list or set of `len` elements.
fn write_elements<'a, W: Writer, T: Value + 'a>(
    w: &mut W,
    set: bool,
    len: usize,
    items: impl Iterator<Item = &'a T>,
) {
    let header = ListHeader {
        element: T::TTYPE,
        len,
    };
    if set {
        w.write_set_begin(header);
    } else {
        w.write_list_begin(header);
    }
    for item in items {
        item.write(w);
    }
    if set {
        w.write_set_end();
    } else {
        w.write_list_end();
    }
}

/// The most bytes preallocated for a container's elements before any is read. A longer
/// container grows as its elements actually arrive, so a claimed length costs memory only once
/// the input backs it.
const PREALLOCATE_BYTES: usize = 64 << 10;

/// How many elements of type `T` to preallocate for a container of `len`.
fn capacity<T>(len: usize) -> usize {
    len.min(PREALLOCATE_BYTES / std::mem::size_of::<T>().max(1))
}

/// A collection a list or set is read into.
trait Elements<T> {
    fn with_capacity(capacity: usize) -> Self;
    fn add(&mut self, item: T);
}

impl<T> Elements<T> for Vec<T> {
    fn with_capacity(capacity: usize) -> Self {
        Vec::with_capacity(capacity)
    }
    fn add(&mut self, item: T) {
        self.push(item);
    }
}

impl<T: Eq + Hash, S: BuildHasher + Default> Elements<T> for HashSet<T, S> {
    fn with_capacity(capacity: usize) -> Self {
        HashSet::with_capacity_and_hasher(capacity, S::default())
    }
    fn add(&mut self, item: T) {
        self.insert(item);
    }
}

impl<T: Ord> Elements<T> for BTreeSet<T> {
    fn with_capacity(_: usize) -> Self {
        BTreeSet::new()
    }
    fn add(&mut self, item: T) {
        self.insert(item);
    }
}

/// Reads a list or set into any collection.
fn read_elements<R: Reader, T: Value, C: Elements<T>>(
    r: &mut R,
    set: bool,
) -> Result<C, ProtocolError> {
    let header = if set {
        r.read_set_begin()?
    } else {
        r.read_list_begin()?
    };
    expect_type(header.element, T::TTYPE, header.len)?;
    r.charge(header.len.saturating_mul(std::mem::size_of::<T>()))?;
    let mut items = C::with_capacity(capacity::<T>(header.len));
    for _ in 0..header.len {
        items.add(T::read(r)?);
    }
    if set {
        r.read_set_end()?;
    } else {
        r.read_list_end()?;
    }
    Ok(items)
}

impl<T: Value> Value for Vec<T> {
    const TTYPE: TType = TType::List;
    fn write<W: Writer>(&self, w: &mut W) {
        write_elements(w, false, self.len(), self.iter());
    }
    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        read_elements(r, false)
    }
}

impl<T: Value + Eq + Hash, S: BuildHasher + Default> Value for HashSet<T, S> {
    const TTYPE: TType = TType::Set;
    fn write<W: Writer>(&self, w: &mut W) {
        write_elements(w, true, self.len(), self.iter());
    }
    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        read_elements(r, true)
    }
}

impl<T: Value + Ord> Value for BTreeSet<T> {
    const TTYPE: TType = TType::Set;
    fn write<W: Writer>(&self, w: &mut W) {
        write_elements(w, true, self.len(), self.iter());
    }
    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        read_elements(r, true)
    }
}

/// Writes a map of `len` entries.
fn write_entries<'a, W: Writer, K: Value + 'a, V: Value + 'a>(
    w: &mut W,
    len: usize,
    entries: impl Iterator<Item = (&'a K, &'a V)>,
) {
    w.write_map_begin(MapHeader {
        key: K::TTYPE,
        value: V::TTYPE,
        len,
    });
    for (k, v) in entries {
        k.write(w);
        v.write(w);
    }
    w.write_map_end();
}

/// A collection a map is read into.
trait Entries<K, V> {
    fn with_capacity(capacity: usize) -> Self;
    fn add(&mut self, key: K, value: V);
}

impl<K: Eq + Hash, V, S: BuildHasher + Default> Entries<K, V> for HashMap<K, V, S> {
    fn with_capacity(capacity: usize) -> Self {
        HashMap::with_capacity_and_hasher(capacity, S::default())
    }
    fn add(&mut self, key: K, value: V) {
        self.insert(key, value);
    }
}

impl<K: Ord, V> Entries<K, V> for BTreeMap<K, V> {
    fn with_capacity(_: usize) -> Self {
        BTreeMap::new()
    }
    fn add(&mut self, key: K, value: V) {
        self.insert(key, value);
    }
}

/// Reads a map into any collection of entries.
fn read_entries<R: Reader, K: Value, V: Value, C: Entries<K, V>>(
    r: &mut R,
) -> Result<C, ProtocolError> {
    let header = r.read_map_begin()?;
    expect_type(header.key, K::TTYPE, header.len)?;
    expect_type(header.value, V::TTYPE, header.len)?;
    r.charge(header.len.saturating_mul(std::mem::size_of::<(K, V)>()))?;
    let mut entries = C::with_capacity(capacity::<(K, V)>(header.len));
    for _ in 0..header.len {
        let key = K::read(r)?;
        entries.add(key, V::read(r)?);
    }
    r.read_map_end()?;
    Ok(entries)
}

impl<K: Value + Eq + Hash, V: Value, S: BuildHasher + Default> Value for HashMap<K, V, S> {
    const TTYPE: TType = TType::Map;
    fn write<W: Writer>(&self, w: &mut W) {
        write_entries(w, self.len(), self.iter());
    }
    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        read_entries(r)
    }
}

impl<K: Value + Ord, V: Value> Value for BTreeMap<K, V> {
    const TTYPE: TType = TType::Map;
    fn write<W: Writer>(&self, w: &mut W) {
        write_entries(w, self.len(), self.iter());
    }
    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        read_entries(r)
    }
}

/// A `set` whose elements can be neither hashed nor ordered (`set<double>`, or a struct that
/// holds a `HashMap`), kept as a list in wire order. It encodes as a set.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VecSet<T>(pub Vec<T>);

/// A `map` whose keys can be neither hashed nor ordered, kept as a list of entries in wire
/// order. It encodes as a map.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VecMap<K, V>(pub Vec<(K, V)>);

/// Empty, whatever the element type (a derive would require `T: Default`).
impl<T> Default for VecSet<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

/// Empty, whatever the entry types.
impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T> FromIterator<T> for VecSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl<K, V> Entries<K, V> for Vec<(K, V)> {
    fn with_capacity(capacity: usize) -> Self {
        Vec::with_capacity(capacity)
    }
    fn add(&mut self, key: K, value: V) {
        self.push((key, value));
    }
}

impl<K, V> FromIterator<(K, V)> for VecMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl<T: Value> Value for VecSet<T> {
    const TTYPE: TType = TType::Set;
    fn write<W: Writer>(&self, w: &mut W) {
        write_elements(w, true, self.0.len(), self.0.iter());
    }
    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        read_elements(r, true).map(Self)
    }
}

impl<K: Value, V: Value> Value for VecMap<K, V> {
    const TTYPE: TType = TType::Map;
    fn write<W: Writer>(&self, w: &mut W) {
        write_entries(w, self.0.len(), self.0.iter().map(|(k, v)| (k, v)));
    }
    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        read_entries(r).map(Self)
    }
}

//! The compact protocol: zigzag varints, field ids as deltas packed with the type, bools in
//! the field header, little-endian doubles. Written byte-for-byte as Apache's implementations
//! write it (a field delta of 15 is written in the long form, as Apache's writers do).

mod reader;
mod writer;

pub use reader::CompactReader;
pub use writer::CompactWriter;

use super::{ProtocolError, TType};

const PROTOCOL_ID: u8 = 0x82;
const VERSION: u8 = 1;

/// The compact protocol's type nibble.
#[inline]
fn compact_type(ty: TType) -> u8 {
    match ty {
        TType::Stop => 0,
        TType::Bool => 1,
        TType::I8 => 3,
        TType::I16 => 4,
        TType::I32 => 5,
        TType::I64 => 6,
        TType::Double => 7,
        TType::String => 8,
        TType::List => 9,
        TType::Set => 10,
        TType::Map => 11,
        TType::Struct => 12,
        TType::Uuid => 13,
    }
}

/// The type of each compact type nibble (1 and 2 are both `bool`; 14 and 15 are unused).
const COMPACT_TYPES: [Option<TType>; 16] = [
    Some(TType::Stop),
    Some(TType::Bool),
    Some(TType::Bool),
    Some(TType::I8),
    Some(TType::I16),
    Some(TType::I32),
    Some(TType::I64),
    Some(TType::Double),
    Some(TType::String),
    Some(TType::List),
    Some(TType::Set),
    Some(TType::Map),
    Some(TType::Struct),
    Some(TType::Uuid),
    None,
    None,
];

/// The type of a compact type nibble (the low four bits of `nibble`).
#[inline]
fn from_compact(nibble: u8) -> Result<TType, ProtocolError> {
    COMPACT_TYPES[usize::from(nibble & 0x0f)].ok_or_else(|| unknown_compact_type(nibble))
}

#[cold]
fn unknown_compact_type(nibble: u8) -> ProtocolError {
    ProtocolError::invalid(format!("unknown compact type {nibble}"))
}

#[inline]
fn zigzag(n: i64) -> u64 {
    #[allow(clippy::cast_sign_loss)] // zigzag is a bit pattern
    let z = ((n << 1) ^ (n >> 63)) as u64;
    z
}

#[inline]
fn unzigzag(z: u64) -> i64 {
    #[allow(clippy::cast_possible_wrap)] // zigzag is a bit pattern
    let n = (z >> 1) as i64 ^ -((z & 1) as i64);
    n
}

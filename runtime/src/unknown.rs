//! Fields this side does not know (`Config::keep_unknown_fields`), kept when a struct is read
//! and written back when it is written, so that a proxy built from an older IDL passes newer
//! fields through with their values intact.
//!
//! A kept field is its id, its wire type and the bytes its value took in the protocol it came
//! in (a slice of the received buffer, not a copy), or, for a bool, its value (the compact
//! protocol carries a field's bool in its header). Written in the same protocol, the bytes are
//! re-read and re-written value by value, which also writes them in another protocol. Kept
//! fields are written after the known ones, in the order they were read.

use bytes::Bytes;

use crate::protocol::binary::BinaryReader;
use crate::protocol::compact::CompactReader;
use crate::protocol::json::JsonReader;
use crate::protocol::{Limits, Protocol, ProtocolError, Reader, TType, Writer};

/// The limits kept bytes are read again within: they were walked once within limits at least
/// this tight, so reading them again cannot fail part way through a value.
const AGAIN: Limits = Limits {
    max_string_len: usize::MAX,
    max_container_len: usize::MAX,
    max_depth: usize::MAX,
    max_decoded: usize::MAX,
};

/// The fields of a struct (or the field of a union) that its IDL does not have, as read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownFields(Vec<Kept>);

/// One kept field.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kept {
    Bool {
        id: i16,
        value: bool,
    },
    Raw {
        id: i16,
        /// The binary type code.
        ty: u8,
        protocol: Protocol,
        bytes: Bytes,
    },
}

impl UnknownFields {
    /// Reads the value of field `id` of type `ty` and keeps it.
    pub fn keep<R: Reader>(&mut self, r: &mut R, id: i16, ty: TType) -> Result<(), ProtocolError> {
        // An entry takes more memory than the fewest bytes a field takes on the wire.
        r.charge(std::mem::size_of::<Kept>())?;
        let kept = if ty == TType::Bool {
            Kept::Bool {
                id,
                value: r.read_bool()?,
            }
        } else {
            let (protocol, bytes) = r.read_raw(ty)?;
            Kept::Raw {
                id,
                ty: ty.code(),
                protocol,
                bytes,
            }
        };
        self.0.push(kept);
        Ok(())
    }

    /// Writes every kept field, in the order they were read.
    pub fn write<W: Writer>(&self, w: &mut W) {
        for kept in &self.0 {
            match kept {
                Kept::Bool { id, value } => {
                    crate::__codegen::write_field(w, *id, value);
                }
                Kept::Raw {
                    id,
                    ty,
                    protocol,
                    bytes,
                } => {
                    // The code and the bytes were read as valid: neither can fail again.
                    let Ok(ty) = TType::from_code(*ty) else {
                        continue;
                    };
                    w.write_field_begin(ty, *id);
                    let bytes = bytes.clone();
                    let _ = match protocol {
                        Protocol::Binary => transcode(&mut BinaryReader::new(bytes, AGAIN), w, ty),
                        Protocol::Compact => {
                            transcode(&mut CompactReader::new(bytes, AGAIN), w, ty)
                        }
                        Protocol::Json => transcode(&mut JsonReader::new(bytes, AGAIN), w, ty),
                    };
                    w.write_field_end();
                }
            }
        }
    }

    /// How many fields are kept.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no field is kept.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The ids of the kept fields, in the order they were read.
    pub fn ids(&self) -> impl Iterator<Item = i16> + '_ {
        self.0.iter().map(|kept| match kept {
            Kept::Bool { id, .. } | Kept::Raw { id, .. } => *id,
        })
    }
}

/// Reads a value of type `ty` from `r` and writes it to `w`.
fn transcode<R: Reader, W: Writer>(r: &mut R, w: &mut W, ty: TType) -> Result<(), ProtocolError> {
    match ty {
        TType::Stop => return Err(ProtocolError::invalid("a field stop is no value")),
        TType::Bool => w.write_bool(r.read_bool()?),
        TType::I8 => w.write_i8(r.read_i8()?),
        TType::I16 => w.write_i16(r.read_i16()?),
        TType::I32 => w.write_i32(r.read_i32()?),
        TType::I64 => w.write_i64(r.read_i64()?),
        TType::Double => w.write_double(r.read_double()?),
        // A string and a binary are told apart only by the IDL, which this field is not in.
        // Binary and compact encode both alike; into JSON, text goes as a string and other
        // bytes as base64, and out of JSON a binary goes as its base64 text.
        TType::String => {
            let bytes = r.read_bytes()?;
            match std::str::from_utf8(bytes) {
                Ok(text) => w.write_string(text),
                Err(_) => w.write_binary(bytes),
            }
        }
        TType::Uuid => w.write_uuid(r.read_uuid()?),
        TType::Struct => {
            r.read_struct_begin()?;
            w.write_struct_begin();
            while let Some((field, id)) = r.read_field_begin()? {
                w.write_field_begin(field, id);
                transcode(r, w, field)?;
                r.read_field_end()?;
                w.write_field_end();
            }
            r.read_struct_end()?;
            w.write_field_stop();
            w.write_struct_end();
        }
        TType::List => {
            let header = r.read_list_begin()?;
            w.write_list_begin(header);
            for _ in 0..header.len {
                transcode(r, w, header.element)?;
            }
            r.read_list_end()?;
            w.write_list_end();
        }
        TType::Set => {
            let header = r.read_set_begin()?;
            w.write_set_begin(header);
            for _ in 0..header.len {
                transcode(r, w, header.element)?;
            }
            r.read_set_end()?;
            w.write_set_end();
        }
        TType::Map => {
            let header = r.read_map_begin()?;
            w.write_map_begin(header);
            for _ in 0..header.len {
                transcode(r, w, header.key)?;
                transcode(r, w, header.value)?;
            }
            r.read_map_end()?;
            w.write_map_end();
        }
    }
    Ok(())
}

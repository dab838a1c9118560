//! Protocols: how Thrift values become bytes. [`binary`] and [`compact`] implement the
//! [`Writer`] and [`Reader`] traits that generated code calls, with static dispatch.
//!
//! Readers never trust a length they read: strings, binaries and containers are checked
//! against [`Limits`] and against the bytes actually left before anything is allocated, and
//! nesting is bounded, so a hostile peer gets a [`ProtocolError`], not a panic or an
//! allocation it merely claimed.

pub mod binary;
mod codec;
pub mod compact;
mod error;
mod input;
pub mod json;

pub use codec::Protocol;
pub use error::{ProtocolError, ProtocolErrorKind};
use input::{check_len, unknown_type_code};
pub(crate) use input::{HasInput, Input, Resumable};

/// The wire type of a value. Its discriminant is its binary-protocol type code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TType {
    /// End of a struct's fields.
    Stop = 0,
    /// `bool`
    Bool = 2,
    /// `i8` / `byte`
    I8 = 3,
    /// `double`
    Double = 4,
    /// `i16`
    I16 = 6,
    /// `i32` and enums
    I32 = 8,
    /// `i64`
    I64 = 10,
    /// `string` and `binary`
    String = 11,
    /// structs, unions, exceptions
    Struct = 12,
    /// `map`
    Map = 13,
    /// `set`
    Set = 14,
    /// `list`
    List = 15,
    /// `uuid`
    Uuid = 16,
}

impl TType {
    /// The type code used by the binary protocol (and by Apache's `TType`).
    #[inline]
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The type with binary-protocol code `code`.
    #[inline]
    pub fn from_code(code: u8) -> Result<Self, ProtocolError> {
        Ok(match code {
            0 => TType::Stop,
            2 => TType::Bool,
            3 => TType::I8,
            4 => TType::Double,
            6 => TType::I16,
            8 => TType::I32,
            10 => TType::I64,
            11 => TType::String,
            12 => TType::Struct,
            13 => TType::Map,
            14 => TType::Set,
            15 => TType::List,
            16 => TType::Uuid,
            other => return Err(unknown_type_code(other)),
        })
    }

    /// The fewest bytes one value of this type takes in any protocol (for bounding lengths).
    #[inline]
    fn min_size(self) -> usize {
        match self {
            TType::Uuid => 16,
            _ => 1,
        }
    }
}

/// The kind of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// A call that expects a reply.
    Call,
    /// A successful (or declared-exception) reply.
    Reply,
    /// A `TApplicationException` reply.
    Exception,
    /// A call that expects no reply.
    Oneway,
}

impl MessageType {
    /// The wire code.
    pub fn code(self) -> u8 {
        match self {
            MessageType::Call => 1,
            MessageType::Reply => 2,
            MessageType::Exception => 3,
            MessageType::Oneway => 4,
        }
    }

    /// The message type with wire code `code`.
    pub fn from_code(code: u8) -> Result<Self, ProtocolError> {
        Ok(match code {
            1 => MessageType::Call,
            2 => MessageType::Reply,
            3 => MessageType::Exception,
            4 => MessageType::Oneway,
            other => {
                return Err(ProtocolError::invalid(format!(
                    "unknown message type {other}"
                )))
            }
        })
    }
}

/// A message's header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageHeader {
    /// The method name (`Service:method` with the multiplexed protocol).
    pub name: String,
    /// Call, reply, exception or oneway.
    pub kind: MessageType,
    /// The sequence id that pairs a reply with its call.
    pub seqid: i32,
}

/// The header of a list or set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListHeader {
    /// The element type.
    pub element: TType,
    /// The number of elements.
    pub len: usize,
}

/// The header of a map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapHeader {
    /// The key type (meaningless when `len` is 0 in the compact protocol).
    pub key: TType,
    /// The value type.
    pub value: TType,
    /// The number of entries.
    pub len: usize,
}

/// Bounds on what a reader accepts, so a peer cannot make it allocate or recurse without end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest string or binary, in bytes.
    pub max_string_len: usize,
    /// Most elements in one list, set or map.
    pub max_container_len: usize,
    /// Deepest nesting of structs and containers.
    pub max_depth: usize,
    /// Most bytes the values decoded from one message may take in memory beyond its own
    /// bytes: container elements (`size_of` each) and boxes. (A list of a million empty
    /// structs takes a megabyte on the wire and, decoded, a million times the struct's size.
    /// Strings are not counted: their bytes are their bytes on the wire.)
    pub max_decoded: usize,
}

impl Default for Limits {
    /// 16 MiB strings, 1 Mi elements per container, depth 64, 64 MiB decoded per message.
    fn default() -> Self {
        Self {
            max_string_len: 16 << 20,
            max_container_len: 1 << 20,
            max_depth: 64,
            max_decoded: 64 << 20,
        }
    }
}

/// What generated code calls to encode a value. Writers append to a buffer and cannot fail.
///
/// Every value that begins also ends (`write_field_begin` … `write_field_end`, and so on), as
/// in Apache's protocols: the binary and compact protocols write nothing for most ends, but
/// JSON closes its brackets there.
pub trait Writer {
    /// Starts a message.
    fn write_message_begin(&mut self, header: &MessageHeader);
    /// Ends a message (after its body).
    #[inline]
    fn write_message_end(&mut self) {}
    /// Starts a struct.
    fn write_struct_begin(&mut self);
    /// Ends a struct (after its field stop).
    fn write_struct_end(&mut self);
    /// Starts field `id` of type `ty` (a `bool` field's value follows with `write_bool`).
    fn write_field_begin(&mut self, ty: TType, id: i16);
    /// Ends a field (after its value).
    #[inline]
    fn write_field_end(&mut self) {}
    /// Ends the fields of a struct.
    fn write_field_stop(&mut self);
    /// A `bool`.
    fn write_bool(&mut self, value: bool);
    /// An `i8`.
    fn write_i8(&mut self, value: i8);
    /// An `i16`.
    fn write_i16(&mut self, value: i16);
    /// An `i32`.
    fn write_i32(&mut self, value: i32);
    /// An `i64`.
    fn write_i64(&mut self, value: i64);
    /// A `double`.
    fn write_double(&mut self, value: f64);
    /// A `string`.
    fn write_string(&mut self, value: &str) {
        self.write_binary(value.as_bytes());
    }
    /// A `binary`.
    fn write_binary(&mut self, value: &[u8]);
    /// A `uuid`, as its 16 bytes in network order.
    fn write_uuid(&mut self, value: [u8; 16]);
    /// Starts a list.
    fn write_list_begin(&mut self, header: ListHeader);
    /// Ends a list (after its elements).
    #[inline]
    fn write_list_end(&mut self) {}
    /// Starts a set.
    fn write_set_begin(&mut self, header: ListHeader);
    /// Ends a set.
    #[inline]
    fn write_set_end(&mut self) {}
    /// Starts a map.
    fn write_map_begin(&mut self, header: MapHeader);
    /// Ends a map (after its entries).
    #[inline]
    fn write_map_end(&mut self) {}
}

/// What generated code calls to decode a value. Every value that begins also ends, as with
/// [`Writer`]; the ends check what the protocol closes with (JSON's brackets).
pub trait Reader {
    /// Reads a message header.
    fn read_message_begin(&mut self) -> Result<MessageHeader, ProtocolError>;
    /// Reads the end of a message (after its body).
    #[inline]
    fn read_message_end(&mut self) -> Result<(), ProtocolError> {
        Ok(())
    }
    /// Enters a struct (counts towards the nesting limit).
    fn read_struct_begin(&mut self) -> Result<(), ProtocolError>;
    /// Leaves a struct (after its field stop).
    fn read_struct_end(&mut self) -> Result<(), ProtocolError>;
    /// The next field's type and id, or `None` at the field stop.
    fn read_field_begin(&mut self) -> Result<Option<(TType, i16)>, ProtocolError>;
    /// Reads the end of a field (after its value).
    #[inline]
    fn read_field_end(&mut self) -> Result<(), ProtocolError> {
        Ok(())
    }
    /// A `bool`.
    fn read_bool(&mut self) -> Result<bool, ProtocolError>;
    /// An `i8`.
    fn read_i8(&mut self) -> Result<i8, ProtocolError>;
    /// An `i16`.
    fn read_i16(&mut self) -> Result<i16, ProtocolError>;
    /// An `i32`.
    fn read_i32(&mut self) -> Result<i32, ProtocolError>;
    /// An `i64`.
    fn read_i64(&mut self) -> Result<i64, ProtocolError>;
    /// A `double`.
    fn read_double(&mut self) -> Result<f64, ProtocolError>;
    /// A `string` (must be UTF-8).
    fn read_string(&mut self) -> Result<String, ProtocolError> {
        let bytes = self.read_bytes()?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| ProtocolError::invalid("string is not UTF-8"))
    }
    /// A `binary` (shares the input buffer where the reader can).
    fn read_binary(&mut self) -> Result<bytes::Bytes, ProtocolError>;
    /// A `string`'s bytes, not yet checked to be UTF-8 (shares the input buffer where the
    /// reader can). Binary and compact encode a string as they encode a binary; JSON does not.
    #[inline]
    fn read_string_bytes(&mut self) -> Result<bytes::Bytes, ProtocolError> {
        self.read_binary()
    }
    /// A `string` or `binary`, borrowed from the input (for values copied out anyway, which
    /// saves sharing the buffer).
    fn read_bytes(&mut self) -> Result<&[u8], ProtocolError>;
    /// A `uuid`.
    fn read_uuid(&mut self) -> Result<[u8; 16], ProtocolError>;
    /// Enters a list (counts towards the nesting limit until `read_list_end`).
    fn read_list_begin(&mut self) -> Result<ListHeader, ProtocolError>;
    /// Leaves a list.
    fn read_list_end(&mut self) -> Result<(), ProtocolError>;
    /// Enters a set.
    fn read_set_begin(&mut self) -> Result<ListHeader, ProtocolError>;
    /// Leaves a set (which every protocol ends as it ends a list).
    #[inline]
    fn read_set_end(&mut self) -> Result<(), ProtocolError> {
        self.read_list_end()
    }
    /// Enters a map.
    fn read_map_begin(&mut self) -> Result<MapHeader, ProtocolError>;
    /// Leaves a map.
    fn read_map_end(&mut self) -> Result<(), ProtocolError>;
    /// Counts `bytes` that decoded values are about to take in memory against
    /// [`Limits::max_decoded`].
    fn charge(&mut self, bytes: usize) -> Result<(), ProtocolError>;

    /// Reads a value of type `ty` (not a bool) and hands back the bytes it takes, with the
    /// protocol they are in, for keeping a field this side does not know
    /// ([`crate::value::UnknownFields`]).
    fn read_raw(&mut self, ty: TType) -> Result<(Protocol, bytes::Bytes), ProtocolError>;

    /// Reads and discards a value of type `ty` (unknown fields, unknown result fields).
    fn skip(&mut self, ty: TType) -> Result<(), ProtocolError> {
        match ty {
            TType::Stop => Err(ProtocolError::invalid("cannot skip a field stop")),
            TType::Bool => self.read_bool().map(drop),
            TType::I8 => self.read_i8().map(drop),
            TType::I16 => self.read_i16().map(drop),
            TType::I32 => self.read_i32().map(drop),
            TType::I64 => self.read_i64().map(drop),
            TType::Double => self.read_double().map(drop),
            TType::String => self.read_binary().map(drop),
            TType::Uuid => self.read_uuid().map(drop),
            TType::Struct => {
                self.read_struct_begin()?;
                while let Some((field, _)) = self.read_field_begin()? {
                    self.skip(field)?;
                    self.read_field_end()?;
                }
                self.read_struct_end()
            }
            TType::List => {
                let header = self.read_list_begin()?;
                for _ in 0..header.len {
                    self.skip(header.element)?;
                }
                self.read_list_end()
            }
            TType::Set => {
                let header = self.read_set_begin()?;
                for _ in 0..header.len {
                    self.skip(header.element)?;
                }
                self.read_set_end()
            }
            TType::Map => {
                let header = self.read_map_begin()?;
                for _ in 0..header.len {
                    self.skip(header.key)?;
                    self.skip(header.value)?;
                }
                self.read_map_end()
            }
        }
    }
}

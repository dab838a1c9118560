//! The compact protocol: zigzag varints, field ids as deltas packed with the type, bools in
//! the field header, little-endian doubles. Written byte-for-byte as Apache's implementations
//! write it (a field delta of 15 is written in the long form, as Apache's writers do).

use bytes::{BufMut, Bytes, BytesMut};

use super::{
    Input, Limits, ListHeader, MapHeader, MessageHeader, MessageType, ProtocolError,
    ProtocolErrorKind, Reader, TType, Writer,
};

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

/// Encodes into a growable buffer.
#[derive(Debug, Default)]
pub struct CompactWriter {
    buf: BytesMut,
    last_field: i16,
    field_stack: Vec<i16>,
    /// A `bool` field whose header waits for its value.
    pending_bool: Option<i16>,
}

impl CompactWriter {
    /// A writer appending to `buf`.
    pub fn new(buf: BytesMut) -> Self {
        Self {
            buf,
            ..Self::default()
        }
    }

    /// The bytes written.
    pub fn into_inner(self) -> BytesMut {
        self.buf
    }

    #[inline]
    fn varint(&mut self, mut n: u64) {
        while n >= 0x80 {
            #[allow(clippy::cast_possible_truncation)] // the low seven bits
            self.buf.put_u8((n as u8) | 0x80);
            n >>= 7;
        }
        #[allow(clippy::cast_possible_truncation)]
        self.buf.put_u8(n as u8);
    }

    #[inline]
    fn len(&mut self, len: usize) {
        self.varint(u64::from(u32::try_from(len).unwrap_or(u32::MAX)));
    }

    #[inline]
    fn field_header(&mut self, nibble: u8, id: i16) {
        let delta = i32::from(id) - i32::from(self.last_field);
        match u8::try_from(delta) {
            Ok(delta @ 1..=14) => self.buf.put_u8((delta << 4) | nibble),
            _ => {
                self.buf.put_u8(nibble);
                self.varint(zigzag(i64::from(id)));
            }
        }
        self.last_field = id;
    }
}

impl Writer for CompactWriter {
    fn write_message_begin(&mut self, header: &MessageHeader) {
        self.buf.put_u8(PROTOCOL_ID);
        self.buf.put_u8((header.kind.code() << 5) | VERSION);
        #[allow(clippy::cast_sign_loss)] // the seqid goes as an unsigned varint, as in Apache
        self.varint(u64::from(header.seqid as u32));
        self.write_string(&header.name);
    }

    #[inline]
    fn write_struct_begin(&mut self) {
        self.field_stack.push(self.last_field);
        self.last_field = 0;
    }

    #[inline]
    fn write_struct_end(&mut self) {
        self.last_field = self.field_stack.pop().unwrap_or(0);
    }

    #[inline]
    fn write_field_begin(&mut self, ty: TType, id: i16) {
        if ty == TType::Bool {
            self.pending_bool = Some(id);
        } else {
            self.field_header(compact_type(ty), id);
        }
    }

    #[inline]
    fn write_field_stop(&mut self) {
        self.buf.put_u8(0);
    }

    #[inline]
    fn write_bool(&mut self, value: bool) {
        let nibble = if value { 1 } else { 2 };
        match self.pending_bool.take() {
            Some(id) => self.field_header(nibble, id),
            None => self.buf.put_u8(nibble),
        }
    }

    #[inline]
    fn write_i8(&mut self, value: i8) {
        self.buf.put_i8(value);
    }

    #[inline]
    fn write_i16(&mut self, value: i16) {
        self.varint(zigzag(i64::from(value)));
    }

    #[inline]
    fn write_i32(&mut self, value: i32) {
        self.varint(zigzag(i64::from(value)));
    }

    #[inline]
    fn write_i64(&mut self, value: i64) {
        self.varint(zigzag(value));
    }

    #[inline]
    fn write_double(&mut self, value: f64) {
        self.buf.put_f64_le(value);
    }

    #[inline]
    fn write_binary(&mut self, value: &[u8]) {
        self.len(value.len());
        self.buf.put_slice(value);
    }

    #[inline]
    fn write_uuid(&mut self, value: [u8; 16]) {
        self.buf.put_slice(&value);
    }

    #[inline]
    fn write_list_begin(&mut self, header: ListHeader) {
        let nibble = compact_type(header.element);
        match u8::try_from(header.len) {
            Ok(len @ 0..=14) => self.buf.put_u8((len << 4) | nibble),
            _ => {
                self.buf.put_u8(0xf0 | nibble);
                self.len(header.len);
            }
        }
    }

    #[inline]
    fn write_set_begin(&mut self, header: ListHeader) {
        self.write_list_begin(header);
    }

    #[inline]
    fn write_map_begin(&mut self, header: MapHeader) {
        if header.len == 0 {
            self.buf.put_u8(0);
        } else {
            self.len(header.len);
            self.buf
                .put_u8((compact_type(header.key) << 4) | compact_type(header.value));
        }
    }
}

/// Decodes from a buffer; binaries share it.
#[derive(Debug)]
pub struct CompactReader {
    pub(super) input: Input,
    last_field: i16,
    field_stack: Vec<i16>,
    /// The value of a `bool` field, carried in its header.
    pending_bool: Option<bool>,
}

impl CompactReader {
    /// A reader of `data` within `limits`.
    pub fn new(data: Bytes, limits: Limits) -> Self {
        Self {
            input: Input::new(data, limits),
            last_field: 0,
            field_stack: Vec::new(),
            pending_bool: None,
        }
    }

    /// An unsigned varint of at most `max_bits` bits.
    #[inline]
    fn varint(&mut self, max_bits: u32) -> Result<u64, ProtocolError> {
        let mut value = 0u64;
        let mut shift = 0;
        loop {
            let byte = self.input.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
            if shift >= max_bits {
                return Err(ProtocolError::invalid("varint is too long"));
            }
        }
    }

    #[inline]
    fn signed(&mut self, max_bits: u32) -> Result<i64, ProtocolError> {
        Ok(unzigzag(self.varint(max_bits)?))
    }

    #[inline]
    fn read_len(&mut self, limit: usize, what: &str) -> Result<usize, ProtocolError> {
        let len = self.varint(32)?;
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        super::check_len(len, limit, what)
    }

    #[inline]
    fn enter_container(&mut self, count: usize, size: usize) -> Result<(), ProtocolError> {
        self.input.fits(count, size)?;
        self.input.enter()
    }
}

#[inline]
fn narrow<T: TryFrom<i64>>(value: i64, what: &str) -> Result<T, ProtocolError> {
    T::try_from(value).map_err(|_| out_of_range(value, what))
}

#[cold]
fn out_of_range(value: i64, what: &str) -> ProtocolError {
    ProtocolError::invalid(format!("{what} {value} is out of range"))
}

impl Reader for CompactReader {
    fn read_raw(&mut self, ty: TType) -> Result<(super::Protocol, Bytes), ProtocolError> {
        let start = self.input.position();
        self.skip(ty)?;
        Ok((super::Protocol::Compact, self.input.since(start)))
    }

    fn read_message_begin(&mut self) -> Result<MessageHeader, ProtocolError> {
        let id = self.input.byte()?;
        if id != PROTOCOL_ID {
            return Err(ProtocolError::new(
                ProtocolErrorKind::BadVersion,
                format!("not the compact protocol (first byte {id:#x})"),
            ));
        }
        let byte = self.input.byte()?;
        if byte & 0x1f != VERSION {
            return Err(ProtocolError::new(
                ProtocolErrorKind::BadVersion,
                format!("unknown compact protocol version {}", byte & 0x1f),
            ));
        }
        let kind = MessageType::from_code(byte >> 5)?;
        #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
        // an unsigned varint of 32 bits
        let seqid = self.varint(32)? as u32 as i32;
        let name = self.read_string()?;
        Ok(MessageHeader { name, kind, seqid })
    }

    #[inline]
    fn read_struct_begin(&mut self) -> Result<(), ProtocolError> {
        self.input.enter()?;
        self.field_stack.push(self.last_field);
        self.last_field = 0;
        Ok(())
    }

    #[inline]
    fn read_struct_end(&mut self) {
        self.input.leave();
        self.last_field = self.field_stack.pop().unwrap_or(0);
    }

    #[inline]
    fn read_field_begin(&mut self) -> Result<Option<(TType, i16)>, ProtocolError> {
        let byte = self.input.byte()?;
        let nibble = byte & 0x0f;
        let ty = from_compact(nibble)?;
        if ty == TType::Stop {
            return Ok(None);
        }
        let delta = byte >> 4;
        let id = if delta == 0 {
            narrow(self.signed(16)?, "field id")?
        } else {
            self.last_field
                .checked_add(i16::from(delta))
                .ok_or_else(|| ProtocolError::invalid("field id overflows"))?
        };
        self.last_field = id;
        if ty == TType::Bool {
            self.pending_bool = Some(nibble == 1);
        }
        Ok(Some((ty, id)))
    }

    #[inline]
    fn read_bool(&mut self) -> Result<bool, ProtocolError> {
        if let Some(value) = self.pending_bool.take() {
            return Ok(value);
        }
        match self.input.byte()? {
            1 => Ok(true),
            0 | 2 => Ok(false),
            other => Err(ProtocolError::invalid(format!("{other} is not a bool"))),
        }
    }

    #[inline]
    fn read_i8(&mut self) -> Result<i8, ProtocolError> {
        Ok(i8::from_be_bytes([self.input.byte()?]))
    }

    #[inline]
    fn read_i16(&mut self) -> Result<i16, ProtocolError> {
        narrow(self.signed(16)?, "i16")
    }

    #[inline]
    fn read_i32(&mut self) -> Result<i32, ProtocolError> {
        narrow(self.signed(35)?, "i32")
    }

    #[inline]
    fn read_i64(&mut self) -> Result<i64, ProtocolError> {
        self.signed(70)
    }

    #[inline]
    fn read_double(&mut self) -> Result<f64, ProtocolError> {
        Ok(f64::from_le_bytes(self.input.array()?))
    }

    #[inline]
    fn read_binary(&mut self) -> Result<Bytes, ProtocolError> {
        let len = self.read_len(self.input.limits.max_string_len, "string")?;
        self.input.take(len)
    }

    #[inline]
    fn read_bytes(&mut self) -> Result<&[u8], ProtocolError> {
        let len = self.read_len(self.input.limits.max_string_len, "string")?;
        self.input.take_slice(len)
    }

    #[inline]
    fn read_uuid(&mut self) -> Result<[u8; 16], ProtocolError> {
        self.input.array()
    }

    #[inline]
    fn read_list_begin(&mut self) -> Result<ListHeader, ProtocolError> {
        let byte = self.input.byte()?;
        let element = from_compact(byte & 0x0f)?;
        let len = match byte >> 4 {
            15 => self.read_len(self.input.limits.max_container_len, "container")?,
            short => super::check_len(
                usize::from(short),
                self.input.limits.max_container_len,
                "container",
            )?,
        };
        self.enter_container(len, element.min_size())?;
        Ok(ListHeader { element, len })
    }

    #[inline]
    fn read_set_begin(&mut self) -> Result<ListHeader, ProtocolError> {
        self.read_list_begin()
    }

    #[inline]
    fn read_map_begin(&mut self) -> Result<MapHeader, ProtocolError> {
        let len = self.read_len(self.input.limits.max_container_len, "container")?;
        let (key, value) = if len == 0 {
            (TType::Stop, TType::Stop)
        } else {
            let types = self.input.byte()?;
            (from_compact(types >> 4)?, from_compact(types & 0x0f)?)
        };
        self.enter_container(len, key.min_size() + value.min_size())?;
        Ok(MapHeader { key, value, len })
    }

    #[inline]
    fn read_container_end(&mut self) {
        self.input.leave();
    }

    #[inline]
    fn charge(&mut self, bytes: usize) -> Result<(), ProtocolError> {
        self.input.charge(bytes)
    }
}

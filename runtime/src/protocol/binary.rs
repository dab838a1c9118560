//! The binary protocol: fixed-width big-endian integers, length-prefixed strings, a type byte
//! and an `i16` id per field. Writes the strict message header; reads strict and old-style
//! (non-strict) headers.

use bytes::{BufMut, Bytes, BytesMut};

use super::{
    Limits, ListHeader, MapHeader, MessageHeader, MessageType, ProtocolError, ProtocolErrorKind,
    Reader, TType, Writer,
};

const VERSION_1: u32 = 0x8001_0000;
const VERSION_MASK: u32 = 0xffff_0000;

/// Encodes into a growable buffer.
#[derive(Debug, Default)]
pub struct BinaryWriter {
    buf: BytesMut,
}

impl BinaryWriter {
    /// A writer appending to `buf`.
    pub fn new(buf: BytesMut) -> Self {
        Self { buf }
    }

    /// The bytes written.
    pub fn into_inner(self) -> BytesMut {
        self.buf
    }

    #[inline]
    fn write_len(&mut self, len: usize) {
        // Lengths above i32::MAX cannot be encoded; generated code never produces them
        // because the limits are far below.
        self.buf.put_i32(i32::try_from(len).unwrap_or(i32::MAX));
    }
}

impl Writer for BinaryWriter {
    fn write_message_begin(&mut self, header: &MessageHeader) {
        self.buf.put_u32(VERSION_1 | u32::from(header.kind.code()));
        self.write_string(&header.name);
        self.buf.put_i32(header.seqid);
    }

    #[inline]
    fn write_struct_begin(&mut self) {}

    #[inline]
    fn write_struct_end(&mut self) {}

    #[inline]
    fn write_field_begin(&mut self, ty: TType, id: i16) {
        self.buf.put_u8(ty.code());
        self.buf.put_i16(id);
    }

    #[inline]
    fn write_field_stop(&mut self) {
        self.buf.put_u8(TType::Stop.code());
    }

    #[inline]
    fn write_bool(&mut self, value: bool) {
        self.buf.put_u8(u8::from(value));
    }

    #[inline]
    fn write_i8(&mut self, value: i8) {
        self.buf.put_i8(value);
    }

    #[inline]
    fn write_i16(&mut self, value: i16) {
        self.buf.put_i16(value);
    }

    #[inline]
    fn write_i32(&mut self, value: i32) {
        self.buf.put_i32(value);
    }

    #[inline]
    fn write_i64(&mut self, value: i64) {
        self.buf.put_i64(value);
    }

    #[inline]
    fn write_double(&mut self, value: f64) {
        self.buf.put_f64(value);
    }

    #[inline]
    fn write_binary(&mut self, value: &[u8]) {
        self.write_len(value.len());
        self.buf.put_slice(value);
    }

    #[inline]
    fn write_uuid(&mut self, value: [u8; 16]) {
        self.buf.put_slice(&value);
    }

    #[inline]
    fn write_list_begin(&mut self, header: ListHeader) {
        self.buf.put_u8(header.element.code());
        self.write_len(header.len);
    }

    #[inline]
    fn write_set_begin(&mut self, header: ListHeader) {
        self.write_list_begin(header);
    }

    #[inline]
    fn write_map_begin(&mut self, header: MapHeader) {
        self.buf.put_u8(header.key.code());
        self.buf.put_u8(header.value.code());
        self.write_len(header.len);
    }
}

/// Decodes from a buffer; binaries share it.
#[derive(Debug)]
pub struct BinaryReader {
    pub(super) input: super::Input,
}

impl BinaryReader {
    /// A reader of `data` within `limits`.
    pub fn new(data: Bytes, limits: Limits) -> Self {
        Self {
            input: super::Input::new(data, limits),
        }
    }

    #[inline]
    fn read_len(&mut self, limit: usize, what: &str) -> Result<usize, ProtocolError> {
        let len = self.read_i32()?;
        let len = usize::try_from(len).map_err(|_| negative(len, what))?;
        super::check_len(len, limit, what)
    }

    #[inline]
    fn read_type(&mut self) -> Result<TType, ProtocolError> {
        TType::from_code(self.input.byte()?)
    }
}

#[cold]
fn negative(len: i32, what: &str) -> ProtocolError {
    let message = format!("negative {what} length {len}");
    ProtocolError::new(ProtocolErrorKind::NegativeSize, message)
}

impl Reader for BinaryReader {
    fn read_raw(&mut self, ty: TType) -> Result<(super::Protocol, Bytes), ProtocolError> {
        let start = self.input.position();
        self.skip(ty)?;
        Ok((super::Protocol::Binary, self.input.since(start)))
    }

    fn read_message_begin(&mut self) -> Result<MessageHeader, ProtocolError> {
        let first = self.read_i32()?;
        #[allow(clippy::cast_sign_loss)] // the version is a bit pattern
        let bits = first as u32;
        if first < 0 {
            if bits & VERSION_MASK != VERSION_1 {
                let message = format!("unknown binary protocol version {:#x}", bits & VERSION_MASK);
                return Err(ProtocolError::new(ProtocolErrorKind::BadVersion, message));
            }
            let kind = MessageType::from_code((bits & 0xff) as u8)?;
            let name = self.read_string()?;
            let seqid = self.read_i32()?;
            return Ok(MessageHeader { name, kind, seqid });
        }
        // Old-style header: name length, name, type byte, seqid.
        let len = super::check_len(
            first.unsigned_abs() as usize,
            self.input.limits.max_string_len,
            "string",
        )?;
        let name = std::str::from_utf8(self.input.take_slice(len)?)
            .map(str::to_owned)
            .map_err(|_| ProtocolError::invalid("method name is not UTF-8"))?;
        let kind = MessageType::from_code(self.input.byte()?)?;
        let seqid = self.read_i32()?;
        Ok(MessageHeader { name, kind, seqid })
    }

    #[inline]
    fn read_struct_begin(&mut self) -> Result<(), ProtocolError> {
        self.input.enter()
    }

    #[inline]
    fn read_struct_end(&mut self) -> Result<(), ProtocolError> {
        self.input.leave();
        Ok(())
    }

    #[inline]
    fn read_field_begin(&mut self) -> Result<Option<(TType, i16)>, ProtocolError> {
        match self.read_type()? {
            TType::Stop => Ok(None),
            ty => Ok(Some((ty, self.read_i16()?))),
        }
    }

    #[inline]
    fn read_bool(&mut self) -> Result<bool, ProtocolError> {
        Ok(self.input.byte()? != 0)
    }

    #[inline]
    fn read_i8(&mut self) -> Result<i8, ProtocolError> {
        Ok(i8::from_be_bytes([self.input.byte()?]))
    }

    #[inline]
    fn read_i16(&mut self) -> Result<i16, ProtocolError> {
        Ok(i16::from_be_bytes(self.input.array()?))
    }

    #[inline]
    fn read_i32(&mut self) -> Result<i32, ProtocolError> {
        Ok(i32::from_be_bytes(self.input.array()?))
    }

    #[inline]
    fn read_i64(&mut self) -> Result<i64, ProtocolError> {
        Ok(i64::from_be_bytes(self.input.array()?))
    }

    #[inline]
    fn read_double(&mut self) -> Result<f64, ProtocolError> {
        Ok(f64::from_be_bytes(self.input.array()?))
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
        let element = self.read_type()?;
        let len = self.read_len(self.input.limits.max_container_len, "container")?;
        self.input.fits(len, element.min_size())?;
        self.input.enter()?;
        Ok(ListHeader { element, len })
    }

    #[inline]
    fn read_set_begin(&mut self) -> Result<ListHeader, ProtocolError> {
        self.read_list_begin()
    }

    #[inline]
    fn read_map_begin(&mut self) -> Result<MapHeader, ProtocolError> {
        let key = self.read_type()?;
        let value = self.read_type()?;
        let len = self.read_len(self.input.limits.max_container_len, "container")?;
        self.input.fits(len, key.min_size() + value.min_size())?;
        self.input.enter()?;
        Ok(MapHeader { key, value, len })
    }

    #[inline]
    fn read_list_end(&mut self) -> Result<(), ProtocolError> {
        self.input.leave();
        Ok(())
    }

    #[inline]
    fn read_map_end(&mut self) -> Result<(), ProtocolError> {
        self.input.leave();
        Ok(())
    }

    #[inline]
    fn charge(&mut self, bytes: usize) -> Result<(), ProtocolError> {
        self.input.charge(bytes)
    }
}

//! The compact protocol's writer.

use bytes::{BufMut, BytesMut};

use super::super::{ListHeader, MapHeader, MessageHeader, TType, Writer};
use super::{compact_type, zigzag, PROTOCOL_ID, VERSION};

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

//! The JSON protocol's writer.

use std::fmt::Write as _;

use base64::Engine as _;
use bytes::{BufMut, BytesMut};

use super::super::{ListHeader, MapHeader, MessageHeader, TType, Writer};
use super::{number, type_name, Contexts, VERSION};

/// Encodes into a growable buffer.
#[derive(Debug, Default)]
pub struct JsonWriter {
    buf: BytesMut,
    contexts: Contexts,
}

impl JsonWriter {
    /// A writer appending to `buf`.
    pub fn new(buf: BytesMut) -> Self {
        Self {
            buf,
            contexts: Contexts::default(),
        }
    }

    /// The bytes written.
    pub fn into_inner(self) -> BytesMut {
        self.buf
    }

    /// Writes what separates the next value from the one before; whether it is a key.
    #[inline]
    fn separate(&mut self) -> bool {
        let step = self.contexts.step();
        if let Some(separator) = step.separator {
            self.buf.put_u8(separator);
        }
        step.key
    }

    /// A number, quoted as a key.
    fn number(&mut self, value: impl Into<i64>) {
        let key = self.separate();
        if key {
            self.buf.put_u8(b'"');
        }
        number::write_integer(value.into(), &mut self.buf);
        if key {
            self.buf.put_u8(b'"');
        }
    }

    /// A string, escaped as C++ escapes it: quotes, backslashes and control characters;
    /// everything else (`/` and UTF-8 included) as it is.
    fn string(&mut self, text: &[u8]) {
        self.separate();
        self.buf.reserve(text.len() + 2);
        self.buf.put_u8(b'"');
        let mut plain = 0;
        for (i, &byte) in text.iter().enumerate() {
            let short = match byte {
                b'"' => b'"',
                b'\\' => b'\\',
                0x08 => b'b',
                0x0c => b'f',
                b'\n' => b'n',
                b'\r' => b'r',
                b'\t' => b't',
                0..0x20 => 0,
                _ => continue,
            };
            self.buf.put_slice(&text[plain..i]);
            plain = i + 1;
            if short == 0 {
                let _ = write!(self.buf, "\\u{byte:04x}");
            } else {
                self.buf.put_slice(&[b'\\', short]);
            }
        }
        self.buf.put_slice(&text[plain..]);
        self.buf.put_u8(b'"');
    }

    fn begin_object(&mut self) {
        self.separate();
        self.buf.put_u8(b'{');
        self.contexts.push_object();
    }

    fn end_object(&mut self) {
        self.contexts.pop();
        self.buf.put_u8(b'}');
    }

    fn begin_array(&mut self) {
        self.separate();
        self.buf.put_u8(b'[');
        self.contexts.push_array();
    }

    fn end_array(&mut self) {
        self.contexts.pop();
        self.buf.put_u8(b']');
    }

    fn list_begin(&mut self, header: ListHeader) {
        self.begin_array();
        self.string(type_name(header.element).as_bytes());
        self.number(i64::try_from(header.len).unwrap_or(i64::MAX));
    }
}

impl Writer for JsonWriter {
    fn write_message_begin(&mut self, header: &MessageHeader) {
        self.contexts.clear();
        self.begin_array();
        self.number(VERSION);
        self.string(header.name.as_bytes());
        self.number(header.kind.code());
        self.number(header.seqid);
    }

    fn write_message_end(&mut self) {
        self.end_array();
    }

    fn write_struct_begin(&mut self) {
        self.begin_object();
    }

    fn write_struct_end(&mut self) {
        self.end_object();
    }

    fn write_field_begin(&mut self, ty: TType, id: i16) {
        self.number(id);
        self.begin_object();
        self.string(type_name(ty).as_bytes());
    }

    fn write_field_end(&mut self) {
        self.end_object();
    }

    fn write_field_stop(&mut self) {}

    fn write_bool(&mut self, value: bool) {
        self.number(u8::from(value));
    }

    fn write_i8(&mut self, value: i8) {
        self.number(value);
    }

    fn write_i16(&mut self, value: i16) {
        self.number(value);
    }

    fn write_i32(&mut self, value: i32) {
        self.number(value);
    }

    fn write_i64(&mut self, value: i64) {
        self.number(value);
    }

    fn write_double(&mut self, value: f64) {
        if let Some(text) = number::special(value) {
            self.string(text.as_bytes());
            return;
        }
        let key = self.separate();
        if key {
            self.buf.put_u8(b'"');
        }
        number::write_g17(value, &mut self.buf);
        if key {
            self.buf.put_u8(b'"');
        }
    }

    fn write_string(&mut self, value: &str) {
        self.string(value.as_bytes());
    }

    fn write_binary(&mut self, value: &[u8]) {
        self.separate();
        self.buf.put_u8(b'"');
        // Padded, as Apache's Python writes (C++ leaves the padding out; both read both).
        let start = self.buf.len();
        let len = base64::encoded_len(value.len(), true).unwrap_or(0);
        self.buf.resize(start + len, 0);
        let _ =
            base64::engine::general_purpose::STANDARD.encode_slice(value, &mut self.buf[start..]);
        self.buf.put_u8(b'"');
    }

    fn write_uuid(&mut self, value: [u8; 16]) {
        let text = uuid::Uuid::from_bytes(value).hyphenated().to_string();
        self.string(text.as_bytes());
    }

    fn write_list_begin(&mut self, header: ListHeader) {
        self.list_begin(header);
    }

    fn write_list_end(&mut self) {
        self.end_array();
    }

    fn write_set_begin(&mut self, header: ListHeader) {
        self.list_begin(header);
    }

    fn write_set_end(&mut self) {
        self.end_array();
    }

    fn write_map_begin(&mut self, header: MapHeader) {
        self.begin_array();
        self.string(type_name(header.key).as_bytes());
        self.string(type_name(header.value).as_bytes());
        self.number(i64::try_from(header.len).unwrap_or(i64::MAX));
        self.begin_object();
    }

    fn write_map_end(&mut self) {
        self.end_object();
        self.end_array();
    }
}

//! The JSON protocol's reader: one pass over a whole message, each byte looked at a bounded
//! number of times, every length checked against the limits as it is read.

use base64::Engine as _;
use bytes::Bytes;

use super::super::{
    check_len, Input, Limits, ListHeader, MapHeader, MessageHeader, MessageType, Protocol,
    ProtocolError, ProtocolErrorKind, Reader, TType,
};
use super::{number, type_named, Contexts, VERSION};

/// Where a string read from the input is: in the input as it is, or unescaped into scratch.
enum Text {
    Input(usize, usize),
    Scratch,
}

/// Decodes from a buffer.
#[derive(Debug)]
pub struct JsonReader {
    pub(in crate::protocol) input: Input,
    contexts: Contexts,
    /// Strings with escapes, unescaped.
    scratch: Vec<u8>,
}

/// Base64 as either side of Apache writes it: padded (Python) or not (C++).
const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

impl JsonReader {
    /// A reader of `data` within `limits`.
    pub fn new(data: Bytes, limits: Limits) -> Self {
        Self {
            input: Input::new(data, limits),
            contexts: Contexts::default(),
            scratch: Vec::new(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.input.data.get(self.input.pos).copied()
    }

    fn expect(&mut self, expected: u8) -> Result<(), ProtocolError> {
        let found = self.input.byte()?;
        if found != expected {
            return Err(unexpected(found, expected));
        }
        Ok(())
    }

    /// Reads what separates the next value from the one before; whether it is a key.
    #[inline]
    fn separate(&mut self) -> Result<bool, ProtocolError> {
        let step = self.contexts.step();
        if let Some(separator) = step.separator {
            self.expect(separator)?;
        }
        Ok(step.key)
    }

    /// The run of bytes from here that are in `allowed`, at most the longest string long.
    fn run(&mut self, allowed: impl Fn(u8) -> bool) -> Result<&[u8], ProtocolError> {
        let start = self.input.pos;
        let len = self.input.data[start..]
            .iter()
            .take_while(|&&b| allowed(b))
            .count();
        check_len(len, self.input.limits.max_string_len, "number")?;
        self.input.take_slice(len)
    }

    /// An integer (quoted as a key).
    fn integer(&mut self) -> Result<i64, ProtocolError> {
        let key = self.separate()?;
        if key {
            self.expect(b'"')?;
        }
        // The characters of any JSON number, so that `1.5` is a bad integer, not `1` and then junk.
        let digits = self.run(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))?;
        let value = std::str::from_utf8(digits)
            .ok()
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| bad_number(digits))?;
        if key {
            self.expect(b'"')?;
        }
        Ok(value)
    }

    /// An integer that fits a `T`.
    fn integer_as<T: TryFrom<i64>>(&mut self, what: &str) -> Result<T, ProtocolError> {
        let value = self.integer()?;
        T::try_from(value)
            .map_err(|_| ProtocolError::invalid(format!("{value} is out of range for {what}")))
    }

    /// A length or count.
    fn size(&mut self, limit: usize, what: &str) -> Result<usize, ProtocolError> {
        let size = self.integer()?;
        let size = usize::try_from(size).map_err(|_| {
            ProtocolError::new(
                ProtocolErrorKind::NegativeSize,
                format!("negative {what} size {size}"),
            )
        })?;
        check_len(size, limit, what)
    }

    /// A string's contents, unescaped; no longer than `max_string_len` on the wire.
    fn text(&mut self) -> Result<Text, ProtocolError> {
        self.separate()?;
        self.expect(b'"')?;
        let start = self.input.pos;
        let limit = self.input.limits.max_string_len;
        let rest = &self.input.data[start..];
        let scanned = &rest[..rest.len().min(limit.saturating_add(1))];
        match scanned.iter().position(|&b| b == b'"' || b == b'\\') {
            Some(len) if scanned[len] == b'"' => {
                self.input.pos = start + len + 1;
                Ok(Text::Input(start, start + len))
            }
            Some(_) => self.unescape(start),
            None if scanned.len() > limit => Err(long_string(limit)),
            None => Err(ProtocolError::eof()),
        }
    }

    /// The rest of a string with escapes in it, from `start`, into scratch.
    fn unescape(&mut self, start: usize) -> Result<Text, ProtocolError> {
        let limit = self.input.limits.max_string_len;
        self.scratch.clear();
        self.input.pos = start;
        let mut high = None;
        loop {
            if self.input.pos - start > limit {
                return Err(long_string(limit));
            }
            let byte = self.input.byte()?;
            let unit = match byte {
                b'"' if high.is_none() => break,
                b'\\' => match self.input.byte()? {
                    b'u' => {
                        let hex = self.input.array::<4>()?;
                        std::str::from_utf8(&hex)
                            .ok()
                            .and_then(|hex| u16::from_str_radix(hex, 16).ok())
                            .ok_or_else(|| ProtocolError::invalid("bad \\u escape in a string"))?
                    }
                    escaped => u16::from(match escaped {
                        b'"' | b'\\' | b'/' => escaped,
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        _ => return Err(ProtocolError::invalid("unknown escape in a string")),
                    }),
                },
                _ if high.is_none() => {
                    self.scratch.push(byte);
                    continue;
                }
                _ => return Err(lone_surrogate()),
            };
            let c = match (high.take(), unit) {
                (None, 0xd800..=0xdbff) => {
                    high = Some(unit);
                    continue;
                }
                (Some(high), 0xdc00..=0xdfff) => {
                    let c = 0x10000 + ((u32::from(high) & 0x3ff) << 10) + (u32::from(unit) & 0x3ff);
                    char::from_u32(c).ok_or_else(lone_surrogate)?
                }
                (None, _) => char::from_u32(u32::from(unit)).ok_or_else(lone_surrogate)?,
                (Some(_), _) => return Err(lone_surrogate()),
            };
            let mut utf8 = [0; 4];
            self.scratch
                .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
        Ok(Text::Scratch)
    }

    fn text_bytes(&self, text: &Text) -> &[u8] {
        match *text {
            Text::Input(start, end) => &self.input.data[start..end],
            Text::Scratch => &self.scratch,
        }
    }

    fn type_name(&mut self) -> Result<TType, ProtocolError> {
        let text = self.text()?;
        type_named(self.text_bytes(&text))
    }

    fn begin_object(&mut self) -> Result<(), ProtocolError> {
        self.separate()?;
        self.expect(b'{')?;
        self.contexts.push_object();
        Ok(())
    }

    fn end_object(&mut self) -> Result<(), ProtocolError> {
        self.expect(b'}')?;
        self.contexts.pop();
        Ok(())
    }

    fn begin_array(&mut self) -> Result<(), ProtocolError> {
        self.separate()?;
        self.expect(b'[')?;
        self.contexts.push_array();
        Ok(())
    }

    fn end_array(&mut self) -> Result<(), ProtocolError> {
        self.expect(b']')?;
        self.contexts.pop();
        Ok(())
    }

    fn list_begin(&mut self) -> Result<ListHeader, ProtocolError> {
        self.input.enter()?;
        self.begin_array()?;
        let element = self.type_name()?;
        let len = self.size(self.input.limits.max_container_len, "container")?;
        self.input.fits(len, 1)?;
        Ok(ListHeader { element, len })
    }
}

impl Reader for JsonReader {
    fn read_message_begin(&mut self) -> Result<MessageHeader, ProtocolError> {
        self.contexts.clear();
        self.begin_array()?;
        let version = self.integer()?;
        if version != VERSION {
            let message = format!("unknown JSON protocol version {version}");
            return Err(ProtocolError::new(ProtocolErrorKind::BadVersion, message));
        }
        let name = self.read_string()?;
        let kind = MessageType::from_code(self.integer_as("a message type")?)?;
        let seqid = self.integer_as("a sequence id")?;
        Ok(MessageHeader { name, kind, seqid })
    }

    fn read_message_end(&mut self) -> Result<(), ProtocolError> {
        self.end_array()
    }

    fn read_struct_begin(&mut self) -> Result<(), ProtocolError> {
        self.input.enter()?;
        self.begin_object()
    }

    fn read_struct_end(&mut self) -> Result<(), ProtocolError> {
        self.end_object()?;
        self.input.leave();
        Ok(())
    }

    fn read_field_begin(&mut self) -> Result<Option<(TType, i16)>, ProtocolError> {
        if self.peek() == Some(b'}') {
            return Ok(None);
        }
        let id = self.integer_as("a field id")?;
        self.begin_object()?;
        Ok(Some((self.type_name()?, id)))
    }

    fn read_field_end(&mut self) -> Result<(), ProtocolError> {
        self.end_object()
    }

    fn read_bool(&mut self) -> Result<bool, ProtocolError> {
        Ok(self.integer()? != 0)
    }

    fn read_i8(&mut self) -> Result<i8, ProtocolError> {
        self.integer_as("i8")
    }

    fn read_i16(&mut self) -> Result<i16, ProtocolError> {
        self.integer_as("i16")
    }

    fn read_i32(&mut self) -> Result<i32, ProtocolError> {
        self.integer_as("i32")
    }

    fn read_i64(&mut self) -> Result<i64, ProtocolError> {
        self.integer()
    }

    fn read_double(&mut self) -> Result<f64, ProtocolError> {
        let key = self.separate()?;
        let quoted = key || self.peek() == Some(b'"');
        if quoted {
            self.expect(b'"')?;
        }
        let text = self.run(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))?;
        let value = number::parse(text).ok_or_else(|| bad_number(text))?;
        if quoted {
            self.expect(b'"')?;
        }
        Ok(value)
    }

    fn read_binary(&mut self) -> Result<Bytes, ProtocolError> {
        let text = self.text()?;
        let decoded = BASE64
            .decode(self.text_bytes(&text))
            .map_err(|e| ProtocolError::invalid(format!("binary is not base64: {e}")))?;
        Ok(decoded.into())
    }

    fn read_string_bytes(&mut self) -> Result<Bytes, ProtocolError> {
        Ok(match self.text()? {
            Text::Input(start, end) => self.input.data.slice(start..end),
            Text::Scratch => Bytes::copy_from_slice(&self.scratch),
        })
    }

    fn read_bytes(&mut self) -> Result<&[u8], ProtocolError> {
        let text = self.text()?;
        Ok(self.text_bytes(&text))
    }

    fn read_uuid(&mut self) -> Result<[u8; 16], ProtocolError> {
        let text = self.text()?;
        uuid::Uuid::try_parse_ascii(self.text_bytes(&text))
            .map(uuid::Uuid::into_bytes)
            .map_err(|e| ProtocolError::invalid(format!("bad uuid: {e}")))
    }

    fn read_list_begin(&mut self) -> Result<ListHeader, ProtocolError> {
        self.list_begin()
    }

    fn read_list_end(&mut self) -> Result<(), ProtocolError> {
        self.end_array()?;
        self.input.leave();
        Ok(())
    }

    fn read_set_begin(&mut self) -> Result<ListHeader, ProtocolError> {
        self.list_begin()
    }

    fn read_map_begin(&mut self) -> Result<MapHeader, ProtocolError> {
        self.input.enter()?;
        self.begin_array()?;
        let key = self.type_name()?;
        let value = self.type_name()?;
        let len = self.size(self.input.limits.max_container_len, "container")?;
        self.input.fits(len, 2)?;
        self.begin_object()?;
        Ok(MapHeader { key, value, len })
    }

    fn read_map_end(&mut self) -> Result<(), ProtocolError> {
        self.end_object()?;
        self.end_array()?;
        self.input.leave();
        Ok(())
    }

    fn charge(&mut self, bytes: usize) -> Result<(), ProtocolError> {
        self.input.charge(bytes)
    }

    /// The value's text, without what separated it from the one before.
    fn read_raw(&mut self, ty: TType) -> Result<(Protocol, Bytes), ProtocolError> {
        let start = self.input.position();
        self.skip(ty)?;
        let mut raw = self.input.since(start);
        if raw.first().is_some_and(|b| b",:".contains(b)) {
            raw = raw.slice(1..);
        }
        Ok((Protocol::Json, raw))
    }
}

#[cold]
fn unexpected(found: u8, expected: u8) -> ProtocolError {
    ProtocolError::invalid(format!(
        "expected {:?} but found {:?}",
        char::from(expected),
        char::from(found)
    ))
}

#[cold]
fn bad_number(text: &[u8]) -> ProtocolError {
    let text = String::from_utf8_lossy(&text[..text.len().min(40)]);
    ProtocolError::invalid(format!("bad number {text:?}"))
}

#[cold]
fn long_string(limit: usize) -> ProtocolError {
    let message = format!("string length is over the limit of {limit}");
    ProtocolError::new(ProtocolErrorKind::SizeLimit, message)
}

#[cold]
fn lone_surrogate() -> ProtocolError {
    ProtocolError::invalid("a \\u escape in a string is half a surrogate pair")
}

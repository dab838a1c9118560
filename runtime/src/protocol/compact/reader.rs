//! The compact protocol's reader.

use bytes::Bytes;

use super::super::{
    Input, Limits, ListHeader, MapHeader, MessageHeader, MessageType, ProtocolError,
    ProtocolErrorKind, Reader, TType,
};
use super::{from_compact, unzigzag, PROTOCOL_ID, VERSION};

/// Decodes from a buffer; binaries share it.
#[derive(Debug)]
pub struct CompactReader {
    pub(in crate::protocol) input: Input,
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
        super::super::check_len(len, limit, what)
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
    fn read_raw(&mut self, ty: TType) -> Result<(super::super::Protocol, Bytes), ProtocolError> {
        let start = self.input.position();
        self.skip(ty)?;
        Ok((super::super::Protocol::Compact, self.input.since(start)))
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
    fn read_struct_end(&mut self) -> Result<(), ProtocolError> {
        self.input.leave();
        self.last_field = self.field_stack.pop().unwrap_or(0);
        Ok(())
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
            short => super::super::check_len(
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

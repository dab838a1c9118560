//! Whole-value encoding and decoding, with the protocol chosen at run time but every call
//! statically dispatched to one protocol's writer or reader.

use bytes::{Bytes, BytesMut};

use super::binary::{BinaryReader, BinaryWriter};
use super::compact::{CompactReader, CompactWriter};
use super::{Limits, ProtocolError};
use crate::value::Value;

/// A wire protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// Apache's `TBinaryProtocol` (strict).
    Binary,
    /// Apache's `TCompactProtocol`.
    Compact,
}

impl Protocol {
    /// Appends the encoding of `value` to `buf`.
    ///
    /// ```
    /// use thrift_bidi::protocol::Protocol;
    /// let mut buf = bytes::BytesMut::new();
    /// Protocol::Binary.encode(&7i32, &mut buf);
    /// assert_eq!(&buf[..], &[0, 0, 0, 7]);
    /// ```
    pub fn encode<T: Value>(self, value: &T, buf: &mut BytesMut) {
        let taken = std::mem::take(buf);
        *buf = match self {
            Protocol::Binary => {
                let mut w = BinaryWriter::new(taken);
                value.write(&mut w);
                w.into_inner()
            }
            Protocol::Compact => {
                let mut w = CompactWriter::new(taken);
                value.write(&mut w);
                w.into_inner()
            }
        };
    }

    /// The encoding of `value` in a new buffer.
    pub fn to_bytes<T: Value>(self, value: &T) -> Bytes {
        let mut buf = BytesMut::new();
        self.encode(value, &mut buf);
        buf.freeze()
    }

    /// Decodes a `T` from the start of `data` within the default [`Limits`].
    ///
    /// ```
    /// use thrift_bidi::protocol::Protocol;
    /// let n: i32 = Protocol::Binary.decode(vec![0, 0, 1, 0].into()).unwrap();
    /// assert_eq!(n, 256);
    /// ```
    pub fn decode<T: Value>(self, data: Bytes) -> Result<T, ProtocolError> {
        self.decode_with_limits(data, Limits::default())
    }

    /// Decodes a `T` from the start of `data` within `limits`.
    pub fn decode_with_limits<T: Value>(
        self,
        data: Bytes,
        limits: Limits,
    ) -> Result<T, ProtocolError> {
        match self {
            Protocol::Binary => T::read(&mut BinaryReader::new(data, limits)),
            Protocol::Compact => T::read(&mut CompactReader::new(data, limits)),
        }
    }
}

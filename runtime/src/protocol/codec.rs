//! Whole-value encoding and decoding, with the protocol chosen at run time but every call
//! statically dispatched to one protocol's writer or reader.

use bytes::{Bytes, BytesMut};

use super::binary::{BinaryReader, BinaryWriter};
use super::compact::{CompactReader, CompactWriter};
use super::json::{JsonReader, JsonWriter};
use super::{HasInput, Limits, MessageHeader, ProtocolError, Reader, Writer};
use crate::value::Value;

/// A wire protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// Apache's `TBinaryProtocol` (strict).
    Binary,
    /// Apache's `TCompactProtocol`.
    Compact,
    /// Apache's `TJSONProtocol` ([`json`](super::json)).
    Json,
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
        self.write(value, buf);
    }

    /// Appends a message: `header`, then `body` (an args or result struct, or an exception).
    pub fn encode_message<T: Value>(self, header: &MessageHeader, body: &T, buf: &mut BytesMut) {
        self.write(&Message(header, body), buf);
    }

    fn write(self, value: &impl Encode, buf: &mut BytesMut) {
        let taken = std::mem::take(buf);
        *buf = match self {
            Protocol::Binary => {
                let mut w = BinaryWriter::new(taken);
                value.encode(&mut w);
                w.into_inner()
            }
            Protocol::Compact => {
                let mut w = CompactWriter::new(taken);
                value.encode(&mut w);
                w.into_inner()
            }
            Protocol::Json => {
                let mut w = JsonWriter::new(taken);
                value.encode(&mut w);
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
        self.read(data, limits)
    }

    /// Decodes the header of the message at the start of `data`.
    pub fn decode_message_header(
        self,
        data: Bytes,
        limits: Limits,
    ) -> Result<MessageHeader, ProtocolError> {
        self.read::<Header>(data, limits).map(|header| header.0)
    }

    /// Decodes the message at the start of `data`: its header, then a `T`.
    pub fn decode_message<T: Value>(
        self,
        data: Bytes,
        limits: Limits,
    ) -> Result<(MessageHeader, T), ProtocolError> {
        self.read::<WithHeader<T>>(data, limits)
            .map(|message| (message.0, message.1))
    }

    /// Decodes the body of the message at the start of `data` as a `T`, and how many bytes
    /// of memory its values were charged ([`Limits::max_decoded`]).
    pub(crate) fn decode_body_counted<T: Value>(
        self,
        data: Bytes,
        limits: Limits,
    ) -> Result<(T, usize), ProtocolError> {
        fn counted<R: HasInput, T: Value>(mut r: R) -> Result<(T, usize), ProtocolError> {
            let message = WithHeader::<T>::decode(&mut r)?;
            Ok((message.1, r.input().decoded()))
        }
        match self {
            Protocol::Binary => counted(BinaryReader::new(data, limits)),
            Protocol::Compact => counted(CompactReader::new(data, limits)),
            Protocol::Json => counted(JsonReader::new(data, limits)),
        }
    }

    fn read<T: Decode>(self, data: Bytes, limits: Limits) -> Result<T, ProtocolError> {
        match self {
            Protocol::Binary => T::decode(&mut BinaryReader::new(data, limits)),
            Protocol::Compact => T::decode(&mut CompactReader::new(data, limits)),
            Protocol::Json => T::decode(&mut JsonReader::new(data, limits)),
        }
    }
}

/// What [`Protocol`] writes with whichever writer it picks: values and messages.
trait Encode {
    fn encode<W: Writer>(&self, w: &mut W);
}

impl<T: Value> Encode for T {
    fn encode<W: Writer>(&self, w: &mut W) {
        self.write(w);
    }
}

/// A message header and its body.
struct Message<'a, T>(&'a MessageHeader, &'a T);

impl<T: Value> Encode for Message<'_, T> {
    fn encode<W: Writer>(&self, w: &mut W) {
        w.write_message_begin(self.0);
        self.1.write(w);
        w.write_message_end();
    }
}

/// What [`Protocol`] reads with whichever reader it picks.
trait Decode: Sized {
    fn decode<R: Reader>(r: &mut R) -> Result<Self, ProtocolError>;
}

impl<T: Value> Decode for T {
    fn decode<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        T::read(r)
    }
}

/// A message header alone.
struct Header(MessageHeader);

impl Decode for Header {
    fn decode<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        r.read_message_begin().map(Self)
    }
}

/// A message header and its body.
struct WithHeader<T>(MessageHeader, T);

impl<T: Value> Decode for WithHeader<T> {
    fn decode<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        let header = r.read_message_begin()?;
        let body = T::read(r)?;
        r.read_message_end()?;
        Ok(Self(header, body))
    }
}

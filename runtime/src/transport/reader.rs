//! Reading messages: the bytes of a stream (decompressed when zlib is on) cut into whole
//! messages by the framing, within the frame limit and the frame timeout. A THeader reader
//! also takes framed and unframed binary and compact messages, telling them apart by their
//! first word ([`header`](super::header)).
//!
//! Input: a byte stream's read half and the [`Codec`]. Output: each message's [`Frame`].

use std::time::{Duration, Instant};

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::buffered::Measure;
use super::header::{self, Framing};
use super::zlib::Inflate;
use super::{Codec, Transport};
use crate::headers::Headers;
use crate::message::FRAME_HEADER;
use crate::protocol::Protocol;
use crate::Error;

/// A message as it came: its bytes, their protocol, how it was framed, and its headers.
#[derive(Debug)]
pub(crate) struct Frame {
    pub(crate) bytes: Bytes,
    pub(crate) protocol: Protocol,
    pub(crate) framing: Framing,
    pub(crate) headers: Headers,
}

/// Reads whole messages from a byte stream. The buffer grows with the bytes that arrive, never
/// with the length a frame header claims, and a message must arrive whole within the frame
/// timeout of its first byte.
pub(crate) struct MessageReader<R> {
    io: Inflate<R>,
    buf: BytesMut,
    codec: Codec,
    frame_timeout: Duration,
    /// When the first byte of the message being read arrived.
    started: Option<Instant>,
    /// Where the buffered transport's walk of that message stands.
    measure: Measure,
    /// A THeader reader's peer sends unframed messages in this protocol (found from its
    /// first word, and kept: unframed messages give no other chance to tell).
    unframed: Option<Protocol>,
    /// THeader's zlib transform, once a frame has needed it.
    inflater: Option<flate2::Decompress>,
}

/// The read size, and the least the buffer grows by.
const CHUNK: usize = 8 << 10;

impl<R: AsyncRead + Unpin> MessageReader<R> {
    pub(crate) fn new(io: R, codec: Codec, frame_timeout: Duration) -> Self {
        Self {
            io: Inflate::new(io, codec.zlib),
            buf: BytesMut::with_capacity(CHUNK),
            codec,
            frame_timeout,
            started: None,
            measure: Measure::new(codec.protocol, codec.limits),
            unframed: (codec.transport == Transport::Buffered).then_some(codec.protocol),
            inflater: None,
        }
    }

    /// The next message, or `None` when the peer closed the stream between messages.
    pub(crate) async fn next(&mut self) -> Result<Option<Frame>, Error> {
        loop {
            if let Some(len) = self.complete_len()? {
                let message = self.buf.split_to(len).freeze();
                // What is left is the start of the next message, which came just now.
                self.started = (!self.buf.is_empty()).then(Instant::now);
                return self.frame(message).map(Some);
            }
            if self.read().await? == 0 {
                return if self.buf.is_empty() {
                    Ok(None)
                } else {
                    Err(Error::Disconnected)
                };
            }
        }
    }

    /// Reads what has arrived, at most the frame timeout after the message's first byte.
    async fn read(&mut self) -> Result<usize, Error> {
        // What the message still needs, but no more than has arrived: a frame header's claim
        // alone reserves nothing.
        self.buf
            .reserve(CHUNK.max(self.missing().min(self.buf.len())));
        let Some(started) = self.started else {
            let read = self.io.read_buf(&mut self.buf).await?;
            self.started = (read > 0).then(Instant::now);
            return Ok(read);
        };
        let deadline = started + self.frame_timeout;
        match tokio::time::timeout_at(deadline.into(), self.io.read_buf(&mut self.buf)).await {
            Ok(read) => Ok(read?),
            Err(_) => Err(Error::FrameTimeout {
                received: self.buf.len(),
                after: self.frame_timeout,
            }),
        }
    }

    /// A complete message's frame: as the codec says, or, for THeader, as its first word says.
    fn frame(&mut self, bytes: Bytes) -> Result<Frame, Error> {
        let framed = self.unframed.is_none();
        let mut protocol = self.unframed.unwrap_or(self.codec.protocol);
        if framed && self.codec.transport.is_header() {
            let word = bytes.first_chunk::<4>().copied().unwrap_or_default();
            let (inner, framing) = match header::nested(&bytes) {
                Some(inner) => (inner, Framing::HeaderInFramed),
                None => (bytes.clone(), Framing::Header),
            };
            if header::is_header(inner.first_chunk::<4>().copied().unwrap_or_default()) {
                let read = header::read(&inner, self.codec.max_frame, &mut self.inflater)?;
                return Ok(Frame {
                    bytes: read.payload,
                    protocol: read.protocol,
                    framing,
                    headers: read.headers,
                });
            }
            protocol = header::message_protocol(word).ok_or_else(|| {
                Error::Protocol(crate::protocol::ProtocolError::invalid(
                    "THeader: a frame that is neither THeader nor a binary or compact message",
                ))
            })?;
        }
        Ok(Frame {
            bytes,
            protocol,
            framing: if framed {
                Framing::Framed
            } else {
                Framing::Unframed
            },
            headers: Headers::new(),
        })
    }

    /// How many more bytes the message at the start of the buffer claims to need (unknown
    /// without a frame header: then one chunk).
    fn missing(&self) -> usize {
        match (self.unframed, self.buf.first_chunk::<FRAME_HEADER>()) {
            (None, Some(header)) => {
                let len = u32::from_be_bytes(*header) as usize;
                (FRAME_HEADER + len).saturating_sub(self.buf.len())
            }
            _ => CHUNK,
        }
    }

    /// The length of the complete message at the start of the buffer, dropping a frame
    /// header, or `None` while it is incomplete.
    fn complete_len(&mut self) -> Result<Option<usize>, Error> {
        let max = self.codec.max_frame;
        if self.codec.transport.is_header() && self.unframed.is_none() {
            // A THeader reader's peer may send unframed messages: its first word tells.
            let unframed = self
                .buf
                .first_chunk::<4>()
                .and_then(|word| header::message_protocol(*word));
            if let Some(protocol) = unframed {
                self.unframed = Some(protocol);
                self.measure = Measure::new(protocol, self.codec.limits);
            }
        }
        match self.unframed {
            None => {
                let Some(header) = self.buf.first_chunk::<FRAME_HEADER>() else {
                    return Ok(None);
                };
                // A length with its top bit set (negative, as Apache reads it) is over any limit.
                let len = u32::from_be_bytes(*header) as usize;
                if len > max {
                    return Err(Error::FrameTooLarge { len, max });
                }
                if self.buf.len() < FRAME_HEADER + len {
                    return Ok(None);
                }
                self.buf.advance(FRAME_HEADER);
                Ok(Some(len))
            }
            Some(protocol) => {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                let whole = std::mem::take(&mut self.buf).freeze();
                let measured = self.measure.advance(whole.clone());
                // The walk keeps no hold on the buffer, so it is unique again: no copy.
                self.buf = whole
                    .try_into_mut()
                    .unwrap_or_else(|shared| BytesMut::from(&shared[..]));
                match measured? {
                    Some(len) if len <= max => {
                        self.measure = Measure::new(protocol, self.codec.limits);
                        Ok(Some(len))
                    }
                    Some(len) => Err(Error::FrameTooLarge { len, max }),
                    None if self.buf.len() > max => Err(Error::FrameTooLarge {
                        len: self.buf.len(),
                        max,
                    }),
                    None => Ok(None),
                }
            }
        }
    }
}

//! Reading messages: the bytes of a stream (decompressed when zlib is on) cut into whole
//! messages by the framing, within the frame limit and the frame timeout.
//!
//! Input: a byte stream's read half and the [`Codec`]. Output: each message's bytes.

use std::time::{Duration, Instant};

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::buffered::Measure;
use super::zlib::Inflate;
use super::{Codec, Transport};
use crate::message::FRAME_HEADER;
use crate::Error;

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
        }
    }

    /// The next message, or `None` when the peer closed the stream between messages.
    pub(crate) async fn next(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            if let Some(len) = self.complete_len()? {
                let message = self.buf.split_to(len).freeze();
                // What is left is the start of the next message, which came just now.
                self.started = (!self.buf.is_empty()).then(Instant::now);
                return Ok(Some(message));
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

    /// How many more bytes the message at the start of the buffer claims to need (unknown
    /// without a frame header: then one chunk).
    fn missing(&self) -> usize {
        match (self.codec.transport, self.buf.first_chunk::<FRAME_HEADER>()) {
            (Transport::Framed, Some(header)) => {
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
        match self.codec.transport {
            Transport::Framed => {
                let Some(header) = self.buf.first_chunk::<FRAME_HEADER>() else {
                    return Ok(None);
                };
                let len = i32::from_be_bytes(*header);
                let len = usize::try_from(len).map_err(|_| Error::FrameTooLarge {
                    len: len.unsigned_abs() as usize,
                    max,
                })?;
                if len > max {
                    return Err(Error::FrameTooLarge { len, max });
                }
                if self.buf.len() < FRAME_HEADER + len {
                    return Ok(None);
                }
                self.buf.advance(FRAME_HEADER);
                Ok(Some(len))
            }
            Transport::Buffered => {
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
                        self.measure = Measure::new(self.codec.protocol, self.codec.limits);
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

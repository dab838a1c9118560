//! Transports: where one message ends on the byte stream. Framed puts a 4-byte big-endian
//! length before each message; buffered sends messages back to back, so the reader finds the
//! end of each by walking its encoding.

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::message::{Outgoing, FRAME_HEADER};
use crate::protocol::{Limits, Protocol};
use crate::Error;

/// How messages are delimited on the connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Transport {
    /// Apache's `TFramedTransport`: each message after its 4-byte length.
    #[default]
    Framed,
    /// Apache's `TBufferedTransport`: messages back to back.
    Buffered,
}

/// The codec settings both ends of a connection must agree on, and the local limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Codec {
    /// Framed or buffered.
    pub transport: Transport,
    /// Binary or compact.
    pub protocol: Protocol,
    /// Longest message accepted, in bytes (16 MiB by default).
    pub max_frame: usize,
    /// Bounds on the values inside messages.
    pub limits: Limits,
}

impl Default for Codec {
    fn default() -> Self {
        Self {
            transport: Transport::Framed,
            protocol: Protocol::Binary,
            max_frame: 16 << 20,
            limits: Limits::default(),
        }
    }
}

/// The setters of the builders that keep a `settings: Settings` (`ChannelBuilder`,
/// `Server`): one definition, so the two sides cannot drift apart.
macro_rules! connection_setters {
    () => {
        /// Framed (the default) or buffered; both ends must agree.
        #[must_use]
        pub fn transport(mut self, transport: $crate::Transport) -> Self {
            self.settings.codec.transport = transport;
            self
        }

        /// Binary (the default) or compact; both ends must agree.
        #[must_use]
        pub fn protocol(mut self, protocol: $crate::protocol::Protocol) -> Self {
            self.settings.codec.protocol = protocol;
            self
        }

        /// The longest message accepted, in bytes; a longer one closes the connection.
        #[must_use]
        pub fn max_frame(mut self, bytes: usize) -> Self {
            self.settings.codec.max_frame = bytes;
            self
        }

        /// Bounds on the values in the messages received.
        #[must_use]
        pub fn limits(mut self, limits: $crate::protocol::Limits) -> Self {
            self.settings.codec.limits = limits;
            self
        }

        /// Incoming calls running at once on one connection (a server's calls, a client's
        /// callbacks); more are answered with an `INTERNAL_ERROR` "overloaded" application
        /// exception.
        #[must_use]
        pub fn max_in_flight(mut self, calls: usize) -> Self {
            self.settings.max_in_flight = calls.max(1);
            self
        }
    };
}
pub(crate) use connection_setters;

/// Reads whole messages from a byte stream.
pub(crate) struct MessageReader<R> {
    io: R,
    buf: BytesMut,
    codec: Codec,
}

impl<R: AsyncRead + Unpin> MessageReader<R> {
    pub(crate) fn new(io: R, codec: Codec) -> Self {
        Self {
            io,
            buf: BytesMut::with_capacity(8 << 10),
            codec,
        }
    }

    /// The next message, or `None` when the peer closed the stream between messages.
    pub(crate) async fn next(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            if let Some(len) = self.complete_len()? {
                return Ok(Some(self.buf.split_to(len).freeze()));
            }
            self.buf.reserve(8 << 10);
            if self.io.read_buf(&mut self.buf).await? == 0 {
                return if self.buf.is_empty() {
                    Ok(None)
                } else {
                    Err(Error::Disconnected)
                };
            }
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
                    self.buf.reserve(FRAME_HEADER + len - self.buf.len());
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
                let measured = self
                    .codec
                    .protocol
                    .message_len(whole.clone(), self.codec.limits);
                // The measuring reader is gone, so the buffer is unique again: no copy.
                self.buf = whole
                    .try_into_mut()
                    .unwrap_or_else(|shared| BytesMut::from(&shared[..]));
                match measured? {
                    Some(len) if len <= max => Ok(Some(len)),
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

/// Writes messages to a byte stream, each with one write call.
pub(crate) struct MessageWriter<W> {
    io: W,
    transport: Transport,
    batch: BytesMut,
}

impl<W: AsyncWrite + Unpin> MessageWriter<W> {
    pub(crate) fn new(io: W, transport: Transport) -> Self {
        Self {
            io,
            transport,
            batch: BytesMut::new(),
        }
    }

    /// Adds `message` to the next write.
    pub(crate) fn push(&mut self, message: Outgoing) {
        let mut buf = message.0;
        match self.transport {
            Transport::Framed => {
                let len = u32::try_from(buf.len() - FRAME_HEADER).unwrap_or(u32::MAX);
                buf[..FRAME_HEADER].copy_from_slice(&len.to_be_bytes());
            }
            Transport::Buffered => buf.advance(FRAME_HEADER),
        }
        if self.batch.is_empty() {
            self.batch = buf;
        } else {
            self.batch.extend_from_slice(&buf);
        }
    }

    /// Bytes waiting for [`MessageWriter::flush`].
    pub(crate) fn pending(&self) -> usize {
        self.batch.len()
    }

    /// Writes everything pushed so far.
    pub(crate) async fn flush(&mut self) -> std::io::Result<()> {
        self.io.write_all(&self.batch).await?;
        self.batch.clear();
        Ok(())
    }

    /// Shuts the write side down.
    pub(crate) async fn shutdown(&mut self) {
        // The peer may be gone already; there is nobody left to tell.
        let _ = self.io.shutdown().await;
    }
}

//! Writing messages: each framed as the transport says, batched into one write, compressed
//! when zlib is on.
//!
//! Input: encoded messages ([`Outgoing`]). Output: bytes on a stream's write half.

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::header::{self, Framing};
use super::zlib::Deflate;
use super::{Codec, Transport};
use crate::message::{Outgoing, FRAME_HEADER};

/// Writes messages to a byte stream, each with one write call.
pub(crate) struct MessageWriter<W> {
    io: Deflate<W>,
    /// How messages are framed unless they say otherwise.
    framing: Framing,
    /// THeader's zlib transform, when on.
    header_zlib: Option<flate2::Compress>,
    batch: BytesMut,
}

impl<W: AsyncWrite + Unpin> MessageWriter<W> {
    pub(crate) fn new(io: W, codec: Codec) -> Self {
        let framing = match codec.transport {
            Transport::Framed => Framing::Framed,
            Transport::Buffered => Framing::Unframed,
            Transport::Header => Framing::Header,
            Transport::HeaderInFramed => Framing::HeaderInFramed,
        };
        Self {
            io: Deflate::new(io, codec.zlib),
            framing,
            header_zlib: codec.header_zlib.then(header::compressor),
            batch: BytesMut::new(),
        }
    }

    /// Adds `message` to the next write.
    pub(crate) fn push(&mut self, message: Outgoing) {
        let mut buf = message.buf;
        let framing = message.framing.unwrap_or(self.framing);
        match framing {
            Framing::Framed => {
                let len = u32::try_from(buf.len() - FRAME_HEADER).unwrap_or(u32::MAX);
                buf[..FRAME_HEADER].copy_from_slice(&len.to_be_bytes());
            }
            Framing::Unframed => buf.advance(FRAME_HEADER),
            Framing::Header | Framing::HeaderInFramed => {
                let outer = self.batch.len();
                if framing == Framing::HeaderInFramed {
                    self.batch.extend_from_slice(&[0; FRAME_HEADER]);
                }
                let payload = &buf[FRAME_HEADER..];
                let zlib = self.header_zlib.as_mut();
                let (protocol, seqid) = (message.protocol, message.seqid);
                header::write(
                    &mut self.batch,
                    payload,
                    protocol,
                    seqid,
                    &message.headers,
                    zlib,
                );
                if framing == Framing::HeaderInFramed {
                    let len = self.batch.len() - outer - FRAME_HEADER;
                    let len = u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes();
                    self.batch[outer..outer + FRAME_HEADER].copy_from_slice(&len);
                }
                return;
            }
        }
        if self.batch.is_empty() {
            self.batch = buf;
        } else {
            self.batch.extend_from_slice(&buf);
        }
    }

    /// The bytes pushed so far, taken (before zlib: for an HTTP body, never compressed).
    #[cfg(feature = "http")]
    pub(crate) fn take(&mut self) -> BytesMut {
        std::mem::take(&mut self.batch)
    }

    /// Bytes waiting for [`MessageWriter::flush`].
    pub(crate) fn pending(&self) -> usize {
        self.batch.len()
    }

    /// Writes everything pushed so far.
    pub(crate) async fn flush(&mut self) -> std::io::Result<()> {
        self.io.write_all(&self.batch).await?;
        self.io.flush().await?;
        self.batch.clear();
        Ok(())
    }

    /// Shuts the write side down.
    pub(crate) async fn shutdown(&mut self) {
        // The peer may be gone already; there is nobody left to tell.
        let _ = self.io.shutdown().await;
    }
}

//! Transports: where one message ends on the byte stream. Framed puts a 4-byte big-endian
//! length before each message; buffered sends messages back to back, so the reader finds the
//! end of each by walking its encoding ([`buffered`]). Either may run over a zlib-compressed
//! stream ([`zlib`]).
//!
//! [`header`] is Apache's THeader: frames that carry headers.
//!
//! ```text
//!  byte stream ─► zlib::Inflate ─► reader::MessageReader (framed | buffered | header) ─► frames
//!  messages ─► writer::MessageWriter (framed | buffered | header) ─► zlib::Deflate ─► byte stream
//! ```

mod buffered;
mod header;
#[cfg(feature = "http")]
pub(crate) mod http;
mod reader;
mod writer;
mod zlib;

use crate::protocol::{Limits, Protocol};
pub(crate) use header::Framing;
pub(crate) use reader::{Frame, MessageReader};
pub(crate) use writer::MessageWriter;

/// How messages are delimited on the connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Transport {
    /// Apache's `TFramedTransport`: each message after its 4-byte length.
    #[default]
    Framed,
    /// Apache's `TBufferedTransport`: messages back to back.
    Buffered,
    /// Apache's `THeaderTransport`: frames that carry headers and name their protocol. A
    /// server on it also takes framed and unframed binary and compact clients, and THeader
    /// frames each inside a frame of its own ([`Transport::HeaderInFramed`]), and answers
    /// each as it spoke.
    Header,
    /// THeader frames each inside a `TFramedTransport` frame: what Apache's
    /// `THeaderProtocol` over `TFramedTransport` writes (the cross test's `header` protocol on
    /// its `framed` transport). A server on it takes all that [`Transport::Header`] does.
    HeaderInFramed,
}

impl Transport {
    /// Whether a server on it takes every dialect THeader servers take.
    pub(crate) fn is_header(self) -> bool {
        matches!(self, Transport::Header | Transport::HeaderInFramed)
    }
}

/// The codec settings both ends of a connection must agree on, and the local limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Codec {
    /// Framed or buffered.
    pub transport: Transport,
    /// Binary, compact or JSON.
    pub protocol: Protocol,
    /// The whole stream compressed with zlib, as Apache's `TZlibTransport` (off by default).
    pub zlib: bool,
    /// THeader only: each frame's message compressed with THeader's zlib transform (off by
    /// default; frames that come compressed are read either way).
    pub header_zlib: bool,
    /// Longest message accepted, in bytes (16 MiB by default). With zlib, this bounds a
    /// message's decompressed size.
    pub max_frame: usize,
    /// Bounds on the values inside messages.
    pub limits: Limits,
}

impl Default for Codec {
    fn default() -> Self {
        Self {
            transport: Transport::Framed,
            protocol: Protocol::Binary,
            zlib: false,
            header_zlib: false,
            max_frame: 16 << 20,
            limits: Limits::default(),
        }
    }
}

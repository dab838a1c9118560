//! Transports: where one message ends on the byte stream. Framed puts a 4-byte big-endian
//! length before each message; buffered sends messages back to back, so the reader finds the
//! end of each by walking its encoding ([`buffered`]). Either may run over a zlib-compressed
//! stream ([`zlib`]).
//!
//! ```text
//!  byte stream ─► zlib::Inflate ─► reader::MessageReader (framed | buffered) ─► messages
//!  messages ─► writer::MessageWriter (framed | buffered) ─► zlib::Deflate ─► byte stream
//! ```

mod buffered;
mod reader;
mod writer;
mod zlib;

use crate::protocol::{Limits, Protocol};
pub(crate) use reader::MessageReader;
pub(crate) use writer::MessageWriter;

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
    /// Binary, compact or JSON.
    pub protocol: Protocol,
    /// The whole stream compressed with zlib, as Apache's `TZlibTransport` (off by default).
    pub zlib: bool,
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
            max_frame: 16 << 20,
            limits: Limits::default(),
        }
    }
}

//! Byte streams: what connections run over, each split into halves the reader and writer
//! tasks own. One file per kind: [`tcp`] (with `TCP_NODELAY`) and [`unix`] domain sockets.

mod tcp;
mod unix;

use std::future::Future;
use std::io;
use std::net::IpAddr;

use tokio::io::{AsyncRead, AsyncWrite};

/// A connected byte stream that splits into owned read and write halves.
pub trait Stream: Send + 'static {
    /// The read half.
    type Read: AsyncRead + Unpin + Send + 'static;
    /// The write half.
    type Write: AsyncWrite + Unpin + Send + 'static;
    /// Splits the stream.
    fn split(self) -> (Self::Read, Self::Write);
    /// The peer's IP address, for the per-peer connection limit (`None`: no such limit, as
    /// for Unix sockets).
    fn peer_ip(&self) -> Option<IpAddr> {
        None
    }
}

/// Where a server accepts connections.
pub trait Listener: Send + 'static {
    /// The connections it accepts.
    type Stream: Stream;
    /// The next connection.
    fn accept(&mut self) -> impl Future<Output = io::Result<Self::Stream>> + Send;
}

//! The byte streams connections run over: TCP (with `TCP_NODELAY`) and Unix domain sockets,
//! each split into halves the reader and writer tasks own.

use std::future::Future;
use std::io;
use std::net::IpAddr;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};

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

impl Stream for TcpStream {
    type Read = tokio::net::tcp::OwnedReadHalf;
    type Write = tokio::net::tcp::OwnedWriteHalf;
    fn split(self) -> (Self::Read, Self::Write) {
        self.into_split()
    }
    fn peer_ip(&self) -> Option<IpAddr> {
        self.peer_addr().ok().map(|addr| addr.ip())
    }
}

impl Stream for UnixStream {
    type Read = tokio::net::unix::OwnedReadHalf;
    type Write = tokio::net::unix::OwnedWriteHalf;
    fn split(self) -> (Self::Read, Self::Write) {
        self.into_split()
    }
}

/// Where a server accepts connections.
pub trait Listener: Send + 'static {
    /// The connections it accepts.
    type Stream: Stream;
    /// The next connection.
    fn accept(&mut self) -> impl Future<Output = io::Result<Self::Stream>> + Send;
}

impl Listener for TcpListener {
    type Stream = TcpStream;
    async fn accept(&mut self) -> io::Result<TcpStream> {
        let (stream, _) = TcpListener::accept(self).await?;
        // Without it, a reply waits for the peer's delayed ACK (Nagle's algorithm).
        stream.set_nodelay(true)?;
        Ok(stream)
    }
}

impl Listener for UnixListener {
    type Stream = UnixStream;
    async fn accept(&mut self) -> io::Result<UnixStream> {
        let (stream, _) = UnixListener::accept(self).await?;
        Ok(stream)
    }
}

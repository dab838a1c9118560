//! Byte streams: what connections run over, each split into halves the reader and writer
//! tasks own. One file per kind: [`tcp`] (with `TCP_NODELAY`), [`unix`] domain sockets,
//! [`memory`] pipes within the process, and [`tls`] over TCP (feature `tls`); and an adaptor
//! that bounds the time a write may wait for the peer (`write_deadline`).

mod memory;
mod tcp;
#[cfg(feature = "tls")]
pub(crate) mod tls;
mod unix;
#[cfg(feature = "http")]
mod write_deadline;

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncRead, AsyncWrite};
#[cfg(feature = "http")]
pub(crate) use write_deadline::WriteDeadline;

/// A connected byte stream that splits into owned read and write halves.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send + 'static {
    /// The read half.
    type Read: AsyncRead + Unpin + Send + 'static;
    /// The write half.
    type Write: AsyncWrite + Unpin + Send + 'static;
    /// Splits the stream.
    fn split(self) -> (Self::Read, Self::Write);
    /// Who is at the other end (as far as the stream knows).
    fn peer(&self) -> Peer {
        Peer::default()
    }
}

/// Who is at the other end of a connection, as its byte stream knows: the address (for the
/// per-peer connection limit, and for logs) and, over TLS, the certificates the peer
/// presented (for authorization). A server's per-connection code finds it on
/// [`Connection::peer`](crate::Connection::peer).
#[derive(Clone, Debug, Default)]
pub struct Peer {
    pub(crate) addr: Option<SocketAddr>,
    #[cfg(feature = "tls")]
    pub(crate) certificates: Option<Vec<tls::rustls::pki_types::CertificateDer<'static>>>,
}

impl Peer {
    /// The peer's socket address (`None` over a Unix socket).
    pub fn addr(&self) -> Option<SocketAddr> {
        self.addr
    }

    /// The certificate chain the peer presented over TLS, its own certificate first (`None`
    /// without TLS, or when it presented none).
    #[cfg(feature = "tls")]
    pub fn certificates(&self) -> Option<&[tls::rustls::pki_types::CertificateDer<'static>]> {
        self.certificates.as_deref()
    }
}

/// Where a server accepts connections.
pub trait Listener: Send + 'static {
    /// The connections it accepts.
    type Stream: Stream;
    /// The next connection.
    fn accept(&mut self) -> impl Future<Output = io::Result<Self::Stream>> + Send;
}

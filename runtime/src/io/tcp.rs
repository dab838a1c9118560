//! TCP streams and listeners: connections accepted with `TCP_NODELAY`, split into owned
//! halves, with the peer's address for the per-peer connection limit.

use std::io;

use tokio::net::{TcpListener, TcpStream};

use super::{Listener, Peer, Stream};

impl Stream for TcpStream {
    type Read = tokio::net::tcp::OwnedReadHalf;
    type Write = tokio::net::tcp::OwnedWriteHalf;
    fn split(self) -> (Self::Read, Self::Write) {
        self.into_split()
    }
    // The update fills the certificates, with the `tls` feature.
    #[allow(clippy::needless_update)]
    fn peer(&self) -> Peer {
        Peer {
            addr: self.peer_addr().ok(),
            ..Peer::default()
        }
    }
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

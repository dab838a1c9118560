//! The `Worker` service of `tests/idl/services.thrift`, served on loopback sockets: the handler
//! and helpers the service, fault and slow-reader tests share.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use thrift_bidi::protocol::Protocol;
use thrift_bidi::{Bytes, Channel, Codec, Error, Server, Transport};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::{mpsc, oneshot};

use crate::generated::default::services::{
    Base, Blob, Busy, Gone, Worker, WorkerClient, WorkerServer, WorkerWorkError,
};

/// A `Worker` that keeps the notes it gets and the order in which `work` calls finish.
#[derive(Debug)]
pub struct Handler {
    notes: mpsc::UnboundedSender<String>,
    finished: Mutex<Vec<String>>,
}

impl Handler {
    /// A handler, and where the notes it gets arrive.
    pub fn new() -> (Arc<Self>, mpsc::UnboundedReceiver<String>) {
        let (notes, received) = mpsc::unbounded_channel();
        let handler = Self {
            notes,
            finished: Mutex::new(Vec::new()),
        };
        (Arc::new(handler), received)
    }

    /// The tags of the `work` calls that finished, in the order they did.
    pub fn finished(&self) -> Vec<String> {
        self.finished
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Base for Handler {
    async fn ping(&self, n: i32) -> Result<i32, Error> {
        Ok(n.wrapping_add(1))
    }
    async fn note(&self, text: String) -> Result<(), Error> {
        if let Some(millis) = text.strip_prefix("sleep ").and_then(|n| n.parse().ok()) {
            tokio::time::sleep(Duration::from_millis(millis)).await;
        }
        let _ = self.notes.send(text);
        Ok(())
    }
}

impl Worker for Handler {
    async fn work(&self, millis: i32, tag: String) -> Result<String, WorkerWorkError> {
        match u64::try_from(millis) {
            Err(_) => Err(WorkerWorkError::Busy(Busy {
                why: format!("{millis} ms"),
            })),
            Ok(0) => Err(WorkerWorkError::Gone(Gone { id: 7 })),
            Ok(millis) => {
                tokio::time::sleep(Duration::from_millis(millis)).await;
                assert!(tag != "panic", "a handler panicking on purpose");
                self.finished
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(tag.clone());
                Ok(tag)
            }
        }
    }
    async fn nothing(&self) -> Result<(), Error> {
        Ok(())
    }
    async fn broken(&self) -> Result<(), Error> {
        Err(Error::internal("broken on purpose"))
    }
    async fn blob(&self, size: i32) -> Result<Blob, Error> {
        let size = usize::try_from(size).map_err(|_| Error::internal("negative size"))?;
        Ok(Blob {
            data: Bytes::from(vec![7; size]),
        })
    }
}

/// Where a test server listens.
#[derive(Debug)]
pub enum Address {
    /// A loopback TCP address.
    Tcp(std::net::SocketAddr),
    /// A Unix socket path (removed when the server is dropped).
    Unix(PathBuf),
}

/// A server running in the background; dropping it shuts it down.
#[derive(Debug)]
pub struct Running {
    /// Where it listens.
    pub address: Address,
    _stop: oneshot::Sender<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Address::Unix(path) = &self.address {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Serves `handler` with `server`'s settings on 127.0.0.1 (or a fresh Unix socket).
///
/// # Panics
/// If it cannot listen.
pub async fn serve(server: Server, handler: Arc<Handler>, unix: bool) -> Running {
    static SOCKETS: AtomicUsize = AtomicUsize::new(0);
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown = async {
        let _ = stopped.await;
    };
    let service = WorkerServer::from_arc(handler);
    let address = if unix {
        let n = SOCKETS.fetch_add(1, Ordering::Relaxed);
        let name = format!("thrift-bidi-worker-{}-{n}.sock", std::process::id());
        let path = std::env::temp_dir().join(name);
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path).expect("can listen");
        tokio::spawn(server.serve(listener, service, shutdown));
        Address::Unix(path)
    } else {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("can listen");
        let addr = listener.local_addr().expect("bound");
        tokio::spawn(server.serve(listener, service, shutdown));
        Address::Tcp(addr)
    };
    Running {
        address,
        _stop: stop,
    }
}

/// A channel to `address` (with a 20-second call timeout, so no test waits forever).
///
/// # Panics
/// If it cannot connect.
pub async fn connect(address: &Address, transport: Transport, protocol: Protocol) -> Channel {
    let codec = Codec {
        transport,
        protocol,
        ..Codec::default()
    };
    connect_with(address, codec).await
}

/// A channel to `address` with `codec`.
///
/// # Panics
/// If it cannot connect.
pub async fn connect_with(address: &Address, codec: Codec) -> Channel {
    let builder = Channel::builder()
        .codec(codec)
        .call_timeout(Duration::from_secs(20));
    match address {
        Address::Tcp(addr) => builder.connect(addr).await,
        Address::Unix(path) => builder.connect_unix(path).await,
    }
    .expect("can connect")
}

impl Running {
    /// Its TCP address.
    ///
    /// # Panics
    /// If it serves on a Unix socket.
    pub fn tcp(&self) -> std::net::SocketAddr {
        match self.address {
            Address::Tcp(addr) => addr,
            Address::Unix(_) => panic!("served on a Unix socket"),
        }
    }

    /// Checks that it still answers a well-behaved client on a connection of its own.
    ///
    /// # Panics
    /// If it does not, within 10 seconds.
    pub async fn still_serves(&self) {
        self.still_serves_with(Codec::default()).await;
    }

    /// Checks that it still answers a client with `codec` on a connection of its own.
    ///
    /// # Panics
    /// If it does not, within 10 seconds.
    pub async fn still_serves_with(&self, codec: Codec) {
        let channel = connect_with(&self.address, codec).await;
        let client = WorkerClient::new(channel);
        let answer = tokio::time::timeout(Duration::from_secs(10), client.ping(1)).await;
        assert_eq!(answer.expect("answered in time").expect("answered"), 2);
    }
}

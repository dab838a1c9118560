//! The runtime behind generated blocking clients (`{Service}BlockingClient`): a current-thread
//! tokio runtime that one background thread drives, so connections read replies and serve
//! callbacks between calls, while each blocking call waits on it with `Handle::block_on`.

use std::future::Future;
use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::net::ToSocketAddrs;
use tokio::runtime::Handle;
use tokio::sync::oneshot;

use super::{ChannelBuilder, MakeCallbacks};
use crate::{Channel, Error};

/// A small runtime of its own for synchronous code: one background thread drives the
/// connections made on it, and [`BlockingRuntime::block_on`] waits for a future on the calling
/// thread. Cheap to clone; the thread stops, and its connections close, when the last clone is
/// dropped.
///
/// ```no_run
/// let runtime = thrift_bidi::BlockingRuntime::new()?;
/// let channel = runtime.connect(thrift_bidi::Channel::builder(), "127.0.0.1:9090")?;
/// # Ok::<(), thrift_bidi::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct BlockingRuntime(Arc<Driver>);

#[derive(Debug)]
struct Driver {
    handle: Handle,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl BlockingRuntime {
    /// Starts the runtime's thread.
    pub fn new() -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("thrift-bidi-blocking".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let _ = stopped.await;
                });
            })?;
        Ok(BlockingRuntime(Arc::new(Driver {
            handle,
            stop: Some(stop),
            thread: Some(thread),
        })))
    }

    /// Runs `future` on this runtime, blocking the calling thread until it completes.
    ///
    /// # Panics
    /// When called from asynchronous code (within a tokio runtime), as tokio's `block_on` does:
    /// use the async client there.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.0.handle.block_on(future)
    }

    /// Connects with `options` (see [`ChannelBuilder::connect`]); the connection runs on this
    /// runtime.
    pub fn connect<C: MakeCallbacks>(
        &self,
        options: ChannelBuilder<C>,
        addr: impl ToSocketAddrs,
    ) -> Result<Channel, Error> {
        self.block_on(options.connect(addr))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let Some(thread) = self.thread.take() else {
            return;
        };
        // Dropped on its own thread (by a task it runs), the thread cannot wait for itself.
        if thread.thread().id() != std::thread::current().id() {
            let _ = thread.join();
        }
    }
}

/// What generated blocking clients (`{Service}BlockingClient`) have in common: connecting on
/// a runtime of their own. (Associated functions of a trait, so that no IDL function's name
/// is taken: a function called `connect` keeps its method.)
///
/// ```no_run
/// # fn call<Client: thrift_bidi::BlockingClient>() -> Result<(), thrift_bidi::Error> {
/// use thrift_bidi::BlockingClient as _;
/// let client = Client::connect("127.0.0.1:9090")?;
/// # Ok(()) }
/// ```
pub trait BlockingClient: Sized {
    /// Makes blocking calls on `channel`, waiting on `runtime` (the one it was connected on).
    fn from_parts(channel: Channel, runtime: BlockingRuntime) -> Self;

    /// Connects to `addr` with the default options, on a runtime of its own.
    fn connect(addr: impl ToSocketAddrs) -> Result<Self, Error> {
        Self::connect_with(Channel::builder(), addr)
    }

    /// Connects with `options` (limits, timeouts, and for a bidirectional service its async
    /// client's `builder(handler)`), on a runtime of its own.
    fn connect_with<C: MakeCallbacks>(
        options: ChannelBuilder<C>,
        addr: impl ToSocketAddrs,
    ) -> Result<Self, Error> {
        let runtime = BlockingRuntime::new()?;
        let channel = runtime.connect(options, addr)?;
        Ok(Self::from_parts(channel, runtime))
    }
}

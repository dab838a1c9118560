//! The duplex connection core that clients and servers (and both ends of a bidirectional
//! connection) all run, over one byte stream: one reader task that routes every incoming
//! message ([`reader`]) and runs its handlers ([`running`]), one writer task fed by a queue
//! bounded in bytes ([`writer`]), the table of this side's calls awaiting replies
//! ([`pending`]) and the bytes queued for the peer ([`backlog`]). It knows nothing of what the
//! calls mean: a layer above takes calls for itself through the interception [`hook`].
//!
//! Input: the two halves of a byte stream, [`Settings`], a [`Service`] and a hook. Output: a
//! [`Shared`] handle, through which this side calls the peer, and the reader's task.
//!
//! Memory is bounded in bytes in both directions, without ever stalling reads on what the
//! peer does (two peers flooding each other with calls both make progress): the bytes queued
//! for the peer have a budget senders wait for ([`backlog`]), and the incoming calls and
//! oneways held (their frames, what they decode to, their replies waiting for room) have a
//! budget of their own (`crate::budget`); a call over it, or over the in-flight limit, is
//! answered "overloaded" at once, without a task.

mod backlog;
mod close;
mod hook;
mod pending;
mod reader;
mod running;
mod settings;
mod writer;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::call::Origin;
use crate::headers::Headers;
use crate::io::Peer;
use crate::message::{Body, Incoming, Outgoing};
use crate::protocol::{MessageHeader, MessageType, Protocol};
use crate::service::Service;
use crate::transport::{Codec, Framing, MessageReader, MessageWriter};
use crate::value::Value;
use crate::Error;
use backlog::Backlog;
pub use close::CloseReason;
pub(crate) use hook::Intercept;
use pending::Pending;
use reader::Handlers;
#[cfg(feature = "http")]
pub(crate) use running::{spawn_oneways, timed_out, Guarded};
pub(crate) use settings::{connection_setters, Settings};

/// A message queued for the writer, and whether it was queued without waiting for room.
struct Parcel {
    message: Outgoing,
    urgent: bool,
}

/// What both tasks and every handle share.
pub(crate) struct Shared {
    pub(crate) codec: Codec,
    /// This connection's id and peer, for the contexts of the calls it brings.
    pub(crate) origin: Origin,
    /// The calls' deadlines and headers are kept for the transport to send (HTTP).
    keeps_sent: AtomicBool,
    /// How the peer of a THeader connection speaks (learned from its first message): this
    /// side's calls to it go the same way.
    dialect: OnceLock<(Protocol, Framing)>,
    outgoing: mpsc::UnboundedSender<Parcel>,
    backlog: Backlog,
    pending: Mutex<Pending>,
    state: watch::Sender<State>,
}

/// Whether a connection is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum State {
    Open,
    /// Closed: nothing new is sent, what is queued still is.
    Closed,
    /// Closed because the peer broke a limit or the protocol: nothing more is written at all,
    /// even a write under way is given up.
    Aborted,
}

/// Stops the reader: set to `true` to stop reading and let running calls finish.
pub(crate) type Stop = watch::Receiver<bool>;

/// Starts the reader and writer tasks of a connection over `read` and `write` with `peer`
/// (which this side `accepted`, or connected to), serving the
/// service `make` builds for it (given the connection, so it can keep a handle on it), with
/// the hook `make` gives beside it.
pub(crate) fn start<R, W, S, H>(
    (read, write): (R, W),
    settings: Settings,
    (peer, accepted): (Arc<Peer>, bool),
    make: impl FnOnce(&Arc<Shared>) -> (S, H),
    stop: Stop,
) -> (Arc<Shared>, tokio::task::JoinHandle<CloseReason>)
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
    S: Service,
    H: Intercept,
{
    let (shared, queue) = Shared::new(&settings, peer, accepted);
    let writer = MessageWriter::new(write, settings.codec);
    tokio::spawn(writer::write_loop(
        shared.clone(),
        queue,
        writer,
        settings.write_timeout,
    ));
    let reader = MessageReader::new(read, settings.codec, settings.frame_timeout);
    let (service, hook) = make(&shared);
    let handlers = Handlers {
        service: Arc::new(service),
        hook,
    };
    let task = tokio::spawn(reader::read_loop(
        shared.clone(),
        reader,
        settings,
        handlers,
        stop,
    ));
    (shared, task)
}

impl Shared {
    fn new(
        settings: &Settings,
        peer: Arc<Peer>,
        accepted: bool,
    ) -> (Arc<Self>, mpsc::UnboundedReceiver<Parcel>) {
        static CONNECTIONS: AtomicU64 = AtomicU64::new(1);
        let (outgoing, queue) = mpsc::unbounded_channel();
        let origin = Origin {
            connection: CONNECTIONS.fetch_add(1, Ordering::Relaxed),
            peer,
            accepted,
        };
        let shared = Arc::new(Shared {
            codec: settings.codec,
            origin,
            keeps_sent: AtomicBool::new(false),
            dialect: OnceLock::new(),
            outgoing,
            backlog: Backlog::new(settings.max_outgoing_bytes),
            pending: Mutex::new(Pending::default()),
            state: watch::channel(State::Open).0,
        });
        (shared, queue)
    }

    /// A connection that runs no tasks, for a transport that carries no calls to the peer (an
    /// HTTP connection's requests): calls to the peer fail with [`Error::Disconnected`];
    /// [`Shared::close`] closes it.
    #[cfg(feature = "http")]
    pub(crate) fn detached(settings: &Settings, peer: Arc<Peer>) -> Arc<Self> {
        Self::new(settings, peer, true).0
    }

    /// Sends a call (with `headers`, over THeader) and waits for its reply (`None` for a
    /// oneway, which gets none).
    pub(crate) async fn call<B: Body + ?Sized>(
        self: &Arc<Self>,
        name: String,
        kind: MessageType,
        args: &B,
        headers: Option<&Headers>,
        deadline: Option<Instant>,
    ) -> Result<Option<Incoming>, Error> {
        let (seqid, reply) = self
            .lock()
            .register(kind == MessageType::Call, deadline, headers)?;
        let forget = Forget {
            shared: self,
            seqid,
        };
        let header = MessageHeader { name, kind, seqid };
        let message = self.message(&header, args).carrying(headers);
        let Some(reply) = reply else {
            return self.send(message).await.map(|()| None);
        };
        let wait = async {
            self.send(message).await?;
            reply.await.map_err(|_| Error::Disconnected)?
        };
        let reply = match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, wait)
                .await
                .map_err(|_| Error::Timeout)?,
            None => wait.await,
        };
        drop(forget);
        reply.map(Some)
    }

    /// Queues `message` for the writer, waiting while the backlog is over its budget.
    pub(crate) async fn send(&self, message: Outgoing) -> Result<(), Error> {
        let len = message.len();
        if !self.backlog.try_admit(len) {
            tokio::select! {
                () = self.backlog.admit(len) => {}
                () = self.closed() => return Err(Error::Disconnected),
            }
        }
        self.queue(message, false)
    }

    /// Queues `message` if the backlog is under its budget; hands it back if not.
    pub(crate) fn try_send(&self, message: Outgoing) -> Result<(), Outgoing> {
        if !self.backlog.try_admit(message.len()) {
            return Err(message);
        }
        // A closed connection has nobody to send to.
        let _ = self.queue(message, false);
        Ok(())
    }

    /// Queues a short answer without waiting for room (the reader's, which must not wait on
    /// the peer): [`Error::Busy`] when the urgent answers already queued are over their
    /// budget, as they are when the peer sends calls and does not read the answers.
    pub(crate) fn send_urgent(&self, message: Outgoing) -> Result<(), Error> {
        if !self.backlog.admit_urgent(message.len()) {
            return Err(Error::Busy);
        }
        self.queue(message, true)
    }

    /// Queues a message whose bytes the backlog has counted.
    fn queue(&self, message: Outgoing, urgent: bool) -> Result<(), Error> {
        let len = message.len();
        self.outgoing.send(Parcel { message, urgent }).map_err(|_| {
            self.backlog.release(len, if urgent { len } else { 0 });
            Error::Disconnected
        })
    }

    /// Queues a CALL at once, without waiting for room (the hello, the connection's first
    /// message); the receiver gets its reply.
    pub(crate) fn call_now<T: Value + Send + Sync>(
        &self,
        name: &str,
        args: &T,
    ) -> Result<pending::Reply, Error> {
        let (seqid, reply) = self.lock().register(true, None, None)?;
        self.send_urgent(self.encode(name, MessageType::Call, seqid, args))?;
        reply.ok_or(Error::Disconnected)
    }

    /// Queues a ONEWAY if that can be done at once: [`Error::Busy`] while the peer is behind.
    pub(crate) fn try_oneway<T: Value + Send + Sync>(
        &self,
        name: &str,
        args: &T,
        headers: Option<&Headers>,
    ) -> Result<(), Error> {
        if self.backlog.is_full() {
            return Err(Error::Busy);
        }
        let (seqid, _) = self.lock().register(false, None, headers)?;
        let message = self
            .encode(name, MessageType::Oneway, seqid, args)
            .carrying(headers);
        if !self.backlog.try_admit(message.len()) {
            return Err(Error::Busy);
        }
        self.queue(message, false)
    }

    /// Bytes queued for the peer and not yet written.
    pub(crate) fn backlog(&self) -> usize {
        self.backlog.bytes()
    }

    fn encode<T: Value + Send + Sync>(
        &self,
        name: &str,
        kind: MessageType,
        seqid: i32,
        args: &T,
    ) -> Outgoing {
        let header = MessageHeader {
            name: name.to_owned(),
            kind,
            seqid,
        };
        self.message(&header, args)
    }

    /// A message from this side, as its peer speaks.
    fn message<B: Body + ?Sized>(&self, header: &MessageHeader, args: &B) -> Outgoing {
        match self.dialect.get() {
            Some(&(protocol, framing)) => args.message(protocol, header).framed(framing),
            None => args.message(self.codec.protocol, header),
        }
    }

    /// Learns how the peer of a THeader connection speaks, from its first message.
    pub(crate) fn learn(&self, message: &Incoming) {
        if self.codec.transport.is_header() {
            let _ = self.dialect.set((message.protocol, message.framing));
        }
    }

    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands a REPLY or EXCEPTION to the call waiting for it.
    fn complete(&self, message: Incoming) {
        let waiting = self.lock().take(message.seqid());
        match waiting {
            Some(call) => {
                // The caller may have stopped waiting (timeout, dropped future): nothing to do.
                let _ = call.send(Ok(message));
            }
            None => tracing::debug!(
                seqid = message.seqid(),
                method = message.method(),
                "reply for no pending call discarded"
            ),
        }
    }

    /// Keeps each call's deadline and headers until [`Shared::take_kept`] takes them (for a
    /// transport that sends them beside the message: HTTP).
    #[cfg(feature = "http")]
    pub(crate) fn keep_sent(&self) {
        self.lock().keep();
        self.keeps_sent.store(true, Ordering::Relaxed);
    }

    /// The deadline and headers of the call `seqid`, taken (when they are kept).
    #[cfg(feature = "http")]
    pub(crate) fn take_kept(&self, seqid: i32) -> Option<pending::Kept> {
        self.lock().take_kept(seqid)
    }

    /// Whether a call's headers reach the peer: over THeader, or beside the message (HTTP).
    pub(crate) fn carries_headers(&self) -> bool {
        self.codec.transport.is_header() || self.keeps_sent.load(Ordering::Relaxed)
    }

    /// Fails the call `seqid` with `error`, the connection going on (a transport that lost
    /// only that call's exchange: an HTTP request).
    #[cfg(feature = "http")]
    pub(crate) fn fail(&self, seqid: i32, error: Error) {
        if let Some(call) = self.lock().take(seqid) {
            let _ = call.send(Err(error));
        }
    }

    /// Marks the connection closed and fails every pending call.
    pub(crate) fn close(&self) {
        self.close_as(State::Closed);
    }

    /// Closes the connection at once: what is queued for the peer is dropped, and a write
    /// under way is given up.
    pub(crate) fn abort(&self) {
        self.close_as(State::Aborted);
    }

    fn close_as(&self, state: State) {
        let calls = self.lock().close();
        // Closed before the calls learn it, so that they see it closed.
        self.state.send_if_modified(|now| {
            let later = *now < state;
            *now = (*now).max(state);
            later
        });
        drop(calls);
    }

    /// Whether the connection has closed.
    pub(crate) fn is_closed(&self) -> bool {
        *self.state.borrow() != State::Open
    }

    /// Resolves when the connection closes.
    pub(crate) async fn closed(&self) {
        self.reached(State::Closed).await;
    }

    /// Resolves when the connection is aborted.
    pub(crate) async fn aborted(&self) {
        self.reached(State::Aborted).await;
    }

    async fn reached(&self, state: State) {
        let mut now = self.state.subscribe();
        // The sender lives in `self`, so waiting cannot fail.
        let _ = now.wait_for(|now| *now >= state).await;
    }
}

/// Takes a call out of the pending table when its caller stops waiting.
struct Forget<'a> {
    shared: &'a Shared,
    seqid: i32,
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        self.shared.lock().take(self.seqid);
    }
}

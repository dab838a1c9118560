//! The connection core that clients and servers (and, later, both ends of a bidirectional
//! connection) all run: one reader task that routes every incoming message, one writer task
//! fed by a bounded queue, and the table of this side's calls awaiting replies.
//!
//! Routing follows the message type: CALL and ONEWAY go to the local [`Service`], REPLY and
//! EXCEPTION complete the pending call with their seqid. The reader never waits on a handler:
//! it polls each CALL once (a handler that answers at once is answered without a task), then
//! runs it in a task of its own whose reply is queued when it finishes; ONEWAYs run one after
//! another in arrival order on a task of their own.
//!
//! A peer that does not read cannot make a connection hold more than a bounded amount: while
//! the bytes queued for it are over [`BACKLOG`], nothing more is read from it (its sends back
//! up in TCP), and calls beyond the in-flight limit are answered at once, without a task.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, oneshot, watch, Notify};
use tokio::task::JoinSet;

use crate::bidi::{self, Callbacks};
use crate::message::{ApplicationErrorKind, ApplicationException, Incoming, Outgoing};
use crate::protocol::{MessageHeader, MessageType};
use crate::service::Service;
use crate::transport::{Codec, MessageReader, MessageWriter};
use crate::value::Value;
use crate::Error;

/// Per-connection settings.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub(crate) codec: Codec,
    /// Outgoing messages queued before senders wait.
    pub(crate) queue: usize,
    /// Incoming calls running at once; more are answered "overloaded".
    pub(crate) max_in_flight: usize,
    /// Close after this long with nothing received and nothing running.
    pub(crate) idle_timeout: Option<Duration>,
    /// Close when one write takes longer than this (a peer that stopped reading).
    pub(crate) write_timeout: Duration,
    /// Whether the calls running when the connection closes are cancelled (or left to finish,
    /// their answers going nowhere).
    pub(crate) cancel_on_disconnect: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            codec: Codec::default(),
            queue: 1024,
            max_in_flight: 10_000,
            idle_timeout: None,
            write_timeout: Duration::from_secs(30),
            cancel_on_disconnect: true,
        }
    }
}

/// Bytes queued for the writer over which the reader stops reading.
pub(crate) const BACKLOG: usize = 8 << 20;

/// What both tasks and every handle share.
pub(crate) struct Shared {
    pub(crate) codec: Codec,
    outgoing: mpsc::Sender<Outgoing>,
    backlog: Backlog,
    pending: Mutex<Pending>,
    closed: watch::Sender<bool>,
    /// The peer said hello: it serves callbacks.
    peer_hello: AtomicBool,
    /// What the hello this side sent brought (clients with callbacks).
    pub(crate) callbacks: watch::Sender<Callbacks>,
}

/// This side's calls awaiting replies.
struct Pending {
    open: bool,
    last_seqid: i32,
    calls: HashMap<i32, oneshot::Sender<Incoming>>,
}

/// Stops the reader: set to `true` to stop reading and let running calls finish.
pub(crate) type Stop = watch::Receiver<bool>;

/// Starts the reader and writer tasks of a connection over `read` and `write`, serving the
/// service `make` builds for it (given the connection, so it can keep a handle on it).
pub(crate) fn start<R, W, S>(
    (read, write): (R, W),
    settings: Settings,
    make: impl FnOnce(&Arc<Shared>) -> S,
    stop: Stop,
) -> (Arc<Shared>, tokio::task::JoinHandle<()>)
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
    S: Service,
{
    let (outgoing, queue) = mpsc::channel(settings.queue);
    let shared = Arc::new(Shared {
        codec: settings.codec,
        outgoing,
        backlog: Backlog::default(),
        pending: Mutex::new(Pending {
            open: true,
            last_seqid: 0,
            calls: HashMap::new(),
        }),
        closed: watch::channel(false).0,
        peer_hello: AtomicBool::new(false),
        callbacks: watch::channel(Callbacks::NotOffered).0,
    });
    let writer = MessageWriter::new(write, settings.codec.transport);
    tokio::spawn(write_loop(
        shared.clone(),
        queue,
        writer,
        settings.write_timeout,
    ));
    let reader = MessageReader::new(read, settings.codec);
    let service = Arc::new(make(&shared));
    let task = tokio::spawn(read_loop(shared.clone(), reader, settings, service, stop));
    (shared, task)
}

impl Shared {
    /// Sends a call and waits for its reply (`None` for a oneway, which gets none).
    pub(crate) async fn call<T: Value>(
        self: &Arc<Self>,
        name: String,
        kind: MessageType,
        args: &T,
        timeout: Option<Duration>,
    ) -> Result<Option<Incoming>, Error> {
        let (seqid, reply) = self.register(kind == MessageType::Call)?;
        let forget = Forget {
            shared: self,
            seqid,
        };
        let header = MessageHeader { name, kind, seqid };
        let message = Outgoing::encode(self.codec.protocol, &header, args);
        let Some(reply) = reply else {
            return self.send(message).await.map(|()| None);
        };
        let wait = async {
            self.send(message).await?;
            reply.await.map_err(|_| Error::Disconnected)
        };
        let reply = match timeout {
            Some(limit) => tokio::time::timeout(limit, wait)
                .await
                .map_err(|_| Error::Timeout)?,
            None => wait.await,
        };
        drop(forget);
        reply.map(Some)
    }

    /// Queues `message` for the writer, waiting while the queue is full.
    pub(crate) async fn send(&self, message: Outgoing) -> Result<(), Error> {
        let queued = self.backlog.count(message.len());
        self.outgoing
            .send(message)
            .await
            .map_err(|_| Error::Disconnected)?;
        queued.keep();
        Ok(())
    }

    /// Queues a CALL at once (the queue must have room, as it has on a new connection);
    /// the receiver gets its reply.
    pub(crate) fn call_now<T: Value>(
        &self,
        name: &str,
        args: &T,
    ) -> Result<oneshot::Receiver<Incoming>, Error> {
        let (seqid, reply) = self.register(true)?;
        self.queue_now(name, MessageType::Call, seqid, args)?;
        reply.ok_or(Error::Disconnected)
    }

    /// Queues a ONEWAY if that can be done at once: [`Error::Busy`] while the peer is behind.
    pub(crate) fn try_oneway<T: Value>(&self, name: &str, args: &T) -> Result<(), Error> {
        if self.backlog.is_full() {
            return Err(Error::Busy);
        }
        let (seqid, _) = self.register(false)?;
        self.queue_now(name, MessageType::Oneway, seqid, args)
    }

    /// Bytes queued for the peer and not yet written.
    pub(crate) fn backlog(&self) -> usize {
        self.backlog.bytes.load(Ordering::Relaxed)
    }

    fn queue_now<T: Value>(
        &self,
        name: &str,
        kind: MessageType,
        seqid: i32,
        args: &T,
    ) -> Result<(), Error> {
        let header = MessageHeader {
            name: name.to_owned(),
            kind,
            seqid,
        };
        let message = Outgoing::encode(self.codec.protocol, &header, args);
        let queued = self.backlog.count(message.len());
        self.outgoing.try_send(message).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => Error::Busy,
            mpsc::error::TrySendError::Closed(_) => Error::Disconnected,
        })?;
        queued.keep();
        Ok(())
    }

    /// Picks the next seqid not in use, and a slot for its reply when one is expected.
    fn register(
        &self,
        expects_reply: bool,
    ) -> Result<(i32, Option<oneshot::Receiver<Incoming>>), Error> {
        let mut pending = self.lock();
        if !pending.open {
            return Err(Error::Disconnected);
        }
        let mut seqid = pending.last_seqid;
        loop {
            seqid = seqid.checked_add(1).unwrap_or(1);
            if !pending.calls.contains_key(&seqid) {
                break;
            }
        }
        pending.last_seqid = seqid;
        if !expects_reply {
            return Ok((seqid, None));
        }
        let (tx, rx) = oneshot::channel();
        pending.calls.insert(seqid, tx);
        Ok((seqid, Some(rx)))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands a REPLY or EXCEPTION to the call waiting for it.
    fn complete(&self, message: Incoming) {
        let waiting = self.lock().calls.remove(&message.seqid());
        match waiting {
            Some(call) => {
                // The caller may have stopped waiting (timeout, dropped future): nothing to do.
                let _ = call.send(message);
            }
            None => tracing::debug!(
                seqid = message.seqid(),
                method = message.method(),
                "reply for no pending call discarded"
            ),
        }
    }

    /// Records that the peer said hello (it may be called back from now on).
    pub(crate) fn peer_said_hello(&self) {
        self.peer_hello.store(true, Ordering::Release);
    }

    /// Whether the peer said hello.
    pub(crate) fn has_peer_hello(&self) -> bool {
        self.peer_hello.load(Ordering::Acquire)
    }

    /// Marks the connection closed and fails every pending call.
    pub(crate) fn close(&self) {
        let calls = {
            let mut pending = self.lock();
            pending.open = false;
            std::mem::take(&mut pending.calls)
        };
        // Closed before the calls learn it, so that they see it closed.
        self.closed.send_replace(true);
        drop(calls);
    }

    /// Whether the connection has closed.
    pub(crate) fn is_closed(&self) -> bool {
        *self.closed.borrow()
    }

    /// Resolves when the connection closes.
    pub(crate) async fn closed(&self) {
        let mut closed = self.closed.subscribe();
        // The sender lives in `self`, so waiting cannot fail.
        let _ = closed.wait_for(|closed| *closed).await;
    }
}

/// The bytes queued for the writer (or waiting to be), and a signal for when they drop back
/// under [`BACKLOG`].
#[derive(Default)]
struct Backlog {
    bytes: AtomicUsize,
    drained: Notify,
}

impl Backlog {
    /// Counts `bytes` about to be queued; dropping the guard takes them off again unless
    /// they were queued ([`Queued::keep`]).
    fn count(&self, bytes: usize) -> Queued<'_> {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        Queued {
            backlog: self,
            bytes,
        }
    }

    fn is_full(&self) -> bool {
        self.bytes.load(Ordering::Relaxed) >= BACKLOG
    }

    fn written(&self, bytes: usize) {
        if self.bytes.fetch_sub(bytes, Ordering::Relaxed) >= BACKLOG {
            self.drained.notify_waiters();
        }
    }
}

/// Bytes counted in the backlog for a message not queued after all (the send failed or was
/// dropped).
struct Queued<'a> {
    backlog: &'a Backlog,
    bytes: usize,
}

impl Queued<'_> {
    /// The bytes were queued: the writer takes them off once they are written.
    fn keep(self) {
        std::mem::forget(self);
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.backlog.written(self.bytes);
    }
}

/// Takes a call out of the pending table when its caller stops waiting.
struct Forget<'a> {
    shared: &'a Shared,
    seqid: i32,
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        self.shared.lock().calls.remove(&self.seqid);
    }
}

async fn write_loop<W: AsyncWrite + Unpin>(
    shared: Arc<Shared>,
    mut queue: mpsc::Receiver<Outgoing>,
    mut writer: MessageWriter<W>,
    write_timeout: Duration,
) {
    const BATCH: usize = 64 << 10;
    loop {
        let first = tokio::select! {
            message = queue.recv() => message,
            () = shared.closed() => None,
        };
        let Some(first) = first else { break };
        let mut bytes = first.len();
        writer.push(first);
        while writer.pending() < BATCH {
            match queue.try_recv() {
                Ok(message) => {
                    bytes += message.len();
                    writer.push(message);
                }
                Err(_) => break,
            }
        }
        match tokio::time::timeout(write_timeout, writer.flush()).await {
            Ok(Ok(())) => shared.backlog.written(bytes),
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "write failed; closing the connection");
                break;
            }
            Err(_) => {
                tracing::debug!("peer is not reading; closing the connection");
                break;
            }
        }
    }
    shared.close();
    // Whatever was queued before the close still goes out (replies of a graceful stop).
    while let Ok(message) = queue.try_recv() {
        writer.push(message);
    }
    if writer.pending() > 0 {
        let _ = tokio::time::timeout(write_timeout, writer.flush()).await;
    }
    writer.shutdown().await;
}

async fn read_loop<R: AsyncRead + Unpin, S: Service>(
    shared: Arc<Shared>,
    mut reader: MessageReader<R>,
    settings: Settings,
    service: Arc<S>,
    mut stop: Stop,
) {
    // However this task ends (even aborted), the connection closes with it.
    let _close = CloseOnDrop(shared.clone());
    let mut calls = JoinSet::new();
    let oneways = spawn_oneways(shared.clone(), service.clone(), settings.queue);
    let mut max_in_flight = settings.max_in_flight;
    loop {
        if max_in_flight == 0 && calls.is_empty() {
            break;
        }
        // Only an idle timeout needs to know, so only then is the pending table locked.
        let idle = settings
            .idle_timeout
            .filter(|_| calls.is_empty() && shared.lock().calls.is_empty());
        // Registered before the check, so that a drain in between is not missed.
        let mut drained = pin!(shared.backlog.drained.notified());
        drained.as_mut().enable();
        let backed_up = shared.backlog.is_full();
        tokio::select! {
            () = &mut drained, if backed_up => {}
            message = reader.next(), if !backed_up => match message {
                Ok(Some(frame)) => {
                    let routed = route(&shared, &service, &oneways, &mut calls, max_in_flight, frame).await;
                    if let Err(e) = routed {
                        tracing::debug!(error = %e, "bad message; closing the connection");
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::debug!(error = %e, "read failed; closing the connection");
                    break;
                }
            },
            Some(_) = calls.join_next(), if !calls.is_empty() => {}
            () = idle_for(idle) => {
                tracing::debug!("idle timeout; closing the connection");
                break;
            }
            // A graceful stop: no new calls, but replies are still read, since the calls
            // running may await callbacks. (A stop whose sender is gone never fires: the
            // pattern does not match.)
            true = stop_requested(&mut stop), if max_in_flight > 0 => max_in_flight = 0,
            () = shared.closed() => break,
        }
    }
    drop(oneways);
    if settings.cancel_on_disconnect {
        calls.abort_all();
    } else {
        calls.detach_all();
    }
}

/// Closes the connection when dropped.
struct CloseOnDrop(Arc<Shared>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Resolves after `limit`; never without one. (No timer is made until it is polled.)
async fn idle_for(limit: Option<Duration>) {
    match limit {
        Some(limit) => tokio::time::sleep(limit).await,
        None => std::future::pending().await,
    }
}

/// Whether a stop was asked for (`false` when nobody can ask any more).
async fn stop_requested(stop: &mut Stop) -> bool {
    stop.wait_for(|stop| *stop).await.is_ok()
}

/// Routes one incoming message.
async fn route<S: Service>(
    shared: &Arc<Shared>,
    service: &Arc<S>,
    oneways: &mpsc::Sender<Incoming>,
    calls: &mut JoinSet<()>,
    max_in_flight: usize,
    frame: bytes::Bytes,
) -> Result<(), Error> {
    let message = Incoming::parse(shared.codec.protocol, frame, shared.codec.limits)?;
    if let Some(callback) = service.callback().filter(|_| bidi::is_hello(&message)) {
        // Answered before anything read after it is dispatched.
        return shared.send(bidi::welcome(shared, &message, callback)).await;
    }
    match message.kind() {
        MessageType::Reply | MessageType::Exception => shared.complete(message),
        MessageType::Oneway => {
            // Waits while the oneway handler is behind; the task ends only with this reader.
            let _ = oneways.send(message).await;
        }
        MessageType::Call if calls.len() >= max_in_flight => {
            let why = if max_in_flight == 0 {
                "shutting down"
            } else {
                "overloaded"
            };
            let overloaded = ApplicationException::new(ApplicationErrorKind::InternalError, why);
            // Answered here: a task per refused call would let a flood of them pile up.
            shared.send(message.exception(&overloaded)).await?;
        }
        MessageType::Call => {
            let service = service.clone();
            let mut call = Guarded(Box::pin(async move { service.call(message).await }));
            // A handler that answers at once is answered here: no task, no thread woken.
            match std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut call).poll(cx))).await {
                Poll::Ready(answer) => reply(shared, answer).await,
                Poll::Pending => {
                    let shared = shared.clone();
                    calls.spawn(async move { reply(&shared, call.await).await });
                }
            }
        }
    }
    Ok(())
}

/// Queues a handler's answer; a handler that panicked closes the connection (its callers
/// get `Disconnected` rather than waiting for answers that will not come).
async fn reply(shared: &Shared, answer: Result<Option<Outgoing>, Panicked>) {
    match answer {
        // A closed connection has nobody to reply to.
        Ok(Some(reply)) => drop(shared.send(reply).await),
        Ok(None) => {}
        Err(Panicked) => {
            tracing::error!("a handler panicked; closing the connection");
            shared.close();
        }
    }
}

/// A handler's panic, caught.
struct Panicked;

/// A boxed future whose panics are caught and returned.
struct Guarded<F>(Pin<Box<F>>);

impl<F: Future> Future for Guarded<F> {
    type Output = Result<F::Output, Panicked>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match std::panic::catch_unwind(AssertUnwindSafe(|| self.0.as_mut().poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(_) => Poll::Ready(Err(Panicked)),
        }
    }
}

/// The task that runs oneway calls one at a time, in the order they arrived.
fn spawn_oneways<S: Service>(
    shared: Arc<Shared>,
    service: Arc<S>,
    queue: usize,
) -> mpsc::Sender<Incoming> {
    let (tx, mut rx) = mpsc::channel::<Incoming>(queue);
    tokio::spawn(async move {
        loop {
            let message = tokio::select! {
                message = rx.recv() => message,
                () = shared.closed() => None,
            };
            let Some(message) = message else { break };
            // A oneway has no reply, even an error; a panic ends only its own call.
            if Guarded(Box::pin(service.call(message))).await.is_err() {
                tracing::error!("a oneway handler panicked");
            }
        }
    });
    tx
}

//! The reader task: reads each incoming message and routes it by type. CALLs and ONEWAYs pass
//! the interception hook, then take their share of the incoming budget and go to the service:
//! each CALL is polled once (a handler that answers at once is answered without a task) and
//! then runs in a task of its own whose reply is queued when it finishes; ONEWAYs run one after
//! another, in arrival order, on a task of their own. REPLYs and EXCEPTIONs complete this
//! side's pending calls.
//!
//! The reader never waits on a handler or on the peer reading: a call over the in-flight limit
//! or the incoming budget is answered "overloaded" at once, and a reply with no room to be
//! sent waits in a task. Only a oneway over the budget stops reading, until the oneways ahead
//! of it have run.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::AsyncRead;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::running::{spawn_oneways, timed_out, Guarded, Panicked};
use super::{CloseReason, Intercept, Settings, Shared, Stop};
use crate::budget::Budget;
use crate::message::{ApplicationErrorKind, ApplicationException, Incoming, Outgoing};
use crate::protocol::{MessageType, Protocol};
use crate::service::Service;
use crate::transport::{Frame, Framing, MessageReader};
use crate::Error;

/// What the reader hands incoming calls to.
pub(crate) struct Handlers<S, H> {
    pub(crate) service: Arc<S>,
    pub(crate) hook: H,
}

/// The reader's state.
struct Reader<S, H> {
    shared: Arc<Shared>,
    settings: Settings,
    handlers: Handlers<S, H>,
    budget: Arc<Budget>,
    calls: JoinSet<()>,
    oneways: mpsc::UnboundedSender<Incoming>,
    /// A oneway that came while the budget was full: nothing more is read until it fits.
    waiting: Option<Incoming>,
    /// New calls are taken (until a graceful stop).
    accepting: bool,
}

pub(crate) async fn read_loop<R: AsyncRead + Unpin, S: Service, H: Intercept>(
    shared: Arc<Shared>,
    mut messages: MessageReader<R>,
    settings: Settings,
    handlers: Handlers<S, H>,
    mut stop: Stop,
) -> CloseReason {
    // However this task ends (even aborted), the connection closes with it.
    let _close = CloseOnDrop(shared.clone());
    let oneways = spawn_oneways(handlers.service.clone(), shared.origin.clone());
    let mut reader = Reader {
        budget: Budget::new(settings.max_incoming_bytes),
        shared,
        settings,
        handlers,
        calls: JoinSet::new(),
        oneways,
        waiting: None,
        accepting: true,
    };
    let budget = reader.budget.clone();
    let mut idle = Idle::new(reader.settings.idle_timeout, &reader.shared);
    let reason = loop {
        if !reader.accepting && reader.calls.is_empty() {
            break CloseReason::Shutdown;
        }
        let mut freed = pin!(budget.freed());
        // Waiting for room is set up only when needed: registered, asked for, then checked
        // again, so that bytes given back before the asking are seen by the second check and
        // those after it wake the wait.
        let blocked = !reader.unblock() && {
            freed.as_mut().enable();
            budget.want();
            !reader.unblock()
        };
        tokio::select! {
            () = &mut freed, if blocked => {}
            message = messages.next(), if !blocked => {
                idle.active();
                let routed = match message {
                    Ok(Some(frame)) => reader.route(frame),
                    Ok(None) => break CloseReason::PeerClosed,
                    Err(e) => Err(e),
                };
                if let Err(e) = routed {
                    closing(&e);
                    reader.shared.abort();
                    break CloseReason::Failed(e.to_string());
                }
            },
            Some(_) = reader.calls.join_next(), if !reader.calls.is_empty() => idle.active(),
            () = idle.elapsed() => {
                let busy = !reader.calls.is_empty() || !reader.shared.lock().is_empty();
                if idle.expired(busy, &reader.shared) {
                    tracing::info!(timeout = ?reader.settings.idle_timeout, "idle timeout: closing the connection");
                    break CloseReason::Idle;
                }
            },
            // A graceful stop: no new calls, but replies are still read, since the calls
            // running may await callbacks. (A stop whose sender is gone never fires: the
            // pattern does not match.)
            true = stop_requested(&mut stop), if reader.accepting => reader.accepting = false,
            () = reader.shared.closed() => break CloseReason::Local,
        }
    };
    drop(reader.oneways);
    if reader.settings.cancel_on_disconnect {
        reader.calls.abort_all();
    } else {
        reader.calls.detach_all();
    }
    reason
}

impl<S: Service, H: Intercept> Reader<S, H> {
    /// Routes one incoming message; an error closes the connection.
    fn route(&mut self, frame: Frame) -> Result<(), Error> {
        let message = Incoming::parse(frame, self.shared.codec.limits)?;
        self.shared.learn(&message);
        let message = match message.kind() {
            MessageType::Reply | MessageType::Exception => {
                self.shared.complete(message);
                return Ok(());
            }
            MessageType::Call | MessageType::Oneway => {
                match self.handlers.hook.intercept(message) {
                    Ok(message) => message,
                    // Answered before anything read after it is routed.
                    Err(answer) => return self.urgent(answer),
                }
            }
        };
        if message.kind() == MessageType::Oneway {
            self.waiting = Some(message);
            self.unblock();
            return Ok(());
        }
        let refusal = if !self.accepting {
            Some("shutting down")
        } else if self.calls.len() >= self.settings.max_in_flight {
            Some("overloaded")
        } else {
            None
        };
        let held = refusal.map_or_else(|| self.budget.try_hold(message.frame.len()), |_| None);
        let Some(held) = held else {
            let why = refusal.unwrap_or("overloaded");
            tracing::debug!(method = message.method(), why, "call refused");
            let refused = ApplicationException::new(ApplicationErrorKind::Loadshedding, why);
            // Answered here: a task per refused call would let a flood of them pile up.
            return self.urgent(message.exception(&refused));
        };
        let mut message = message;
        message.held = Some(held);
        self.dispatch(message);
        Ok(())
    }

    /// Queues an answer at once; a peer that does not read its answers is closed.
    fn urgent(&self, answer: Outgoing) -> Result<(), Error> {
        self.shared.send_urgent(answer).inspect_err(|_| {
            tracing::warn!(
                "the peer sends calls and does not read the answers; closing the connection"
            );
        })
    }

    /// Hands the oneway waiting for the budget to the oneway task if it fits now; whether
    /// nothing is waiting any more.
    fn unblock(&mut self) -> bool {
        let Some(oneway) = &self.waiting else {
            return true;
        };
        let Some(held) = self.budget.try_hold(oneway.frame.len()) else {
            return false;
        };
        let mut oneway = self.waiting.take().expect("a oneway is waiting");
        oneway.held = Some(held);
        // The oneway task ends only with this reader.
        let _ = self.oneways.send(oneway);
        true
    }

    /// Runs a call: polled here once, and in a task of its own if it is not answered at once.
    fn dispatch(&mut self, message: Incoming) {
        let context = message.context(&self.shared.origin);
        let caller = Caller {
            context: context.clone(),
            protocol: message.protocol,
            framing: message.framing,
            close_on_panic: self.settings.close_on_panic,
            shared: self.shared.clone(),
            budget: self.budget.clone(),
        };
        let service = self.handlers.service.clone();
        let timed_out = caller.timed_out();
        let mut call = Guarded::new(async move {
            crate::call::answer(context, service.call(message), timed_out).await
        });
        let waker = std::task::Waker::noop();
        // A handler that answers at once is answered here: no task, no thread woken.
        match Pin::new(&mut call).poll(&mut Context::from_waker(waker)) {
            Poll::Ready(answer) => {
                if let Some(waiting) = caller.answer_now(answer) {
                    self.calls.spawn(waiting);
                }
            }
            Poll::Pending => {
                self.calls
                    .spawn(async move { caller.answer(call.await).await });
            }
        }
    }
}

/// Who made an incoming call, for answering it whatever its handler did.
struct Caller {
    /// The call's context: its method and seqid.
    context: crate::call::Context,
    /// How the call came, and so how its answer goes.
    protocol: Protocol,
    framing: Framing,
    close_on_panic: bool,
    shared: Arc<Shared>,
    budget: Arc<Budget>,
}

impl Caller {
    /// Queues the answer if there is room for it now; if not, the task that will.
    fn answer_now(
        self,
        answer: Result<Option<Outgoing>, Panicked>,
    ) -> Option<impl Future<Output = ()> + Send + 'static> {
        let reply = self.reply(answer)?;
        let reply = self.shared.try_send(reply).err()?;
        Some(self.send(reply))
    }

    /// Queues the answer, waiting for room.
    async fn answer(self, answer: Result<Option<Outgoing>, Panicked>) {
        if let Some(reply) = self.reply(answer) {
            self.send(reply).await;
        }
    }

    /// Waits for room for `reply`, which counts against the incoming budget meanwhile.
    async fn send(self, reply: Outgoing) {
        let _held = self.budget.hold(reply.len());
        // A closed connection has nobody to reply to.
        let _ = self.shared.send(reply).await;
    }

    /// What to send for a handler's answer. A handler that panicked gets its caller an
    /// `INTERNAL_ERROR` application exception, and the connection and its other calls go on
    /// (or, if so configured, the connection closes: its callers get `Disconnected`).
    fn reply(&self, answer: Result<Option<Outgoing>, Panicked>) -> Option<Outgoing> {
        let Err(Panicked) = answer else {
            return answer.ok().flatten();
        };
        let method = self.context.method();
        if self.close_on_panic {
            tracing::error!(method, "a handler panicked; closing the connection");
            self.shared.close();
            return None;
        }
        tracing::error!(
            method,
            "a handler panicked; its caller gets an internal error"
        );
        let exception =
            ApplicationException::new(ApplicationErrorKind::InternalError, "the handler panicked");
        let call = (method, self.context.seqid());
        Some(Outgoing::exception_to(
            call,
            self.protocol,
            self.framing,
            &exception,
        ))
    }

    /// What answers the call when its deadline passes first.
    fn timed_out(&self) -> impl FnOnce() -> Option<Outgoing> + Send + 'static {
        let (context, protocol, framing) = (self.context.clone(), self.protocol, self.framing);
        move || Some(timed_out(&context, protocol, framing))
    }
}

/// Logs why the reader is closing the connection: at `warn` when the peer broke a limit or
/// the protocol, at `debug` when it went away.
fn closing(error: &Error) {
    match error {
        Error::FrameTooLarge { .. } | Error::FrameTimeout { .. } | Error::Protocol(_) => {
            tracing::warn!(%error, "closing the connection");
        }
        _ => tracing::debug!(%error, "closing the connection"),
    }
}

/// Closes the connection when dropped.
struct CloseOnDrop(Arc<Shared>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// The idle timeout: one timer for the connection's life, moved on when it fires early
/// rather than made anew for every message (a connection is idle when nothing was received,
/// nothing written and no call ran, in either direction, for the whole timeout).
struct Idle {
    limit: Option<Duration>,
    timer: Pin<Box<tokio::time::Sleep>>,
    /// When a message last came or a call last finished.
    last: Instant,
    /// The bytes written when the timer was last set.
    sent: u64,
}

impl Idle {
    fn new(limit: Option<Duration>, shared: &Shared) -> Self {
        let now = Instant::now();
        Self {
            limit,
            timer: Box::pin(tokio::time::sleep_until(now + limit.unwrap_or_default())),
            last: now,
            sent: shared.backlog.sent(),
        }
    }

    fn active(&mut self) {
        if self.limit.is_some() {
            self.last = Instant::now();
        }
    }

    /// Resolves when the timer fires; never without an idle timeout.
    async fn elapsed(&mut self) {
        match self.limit {
            Some(_) => self.timer.as_mut().await,
            None => std::future::pending().await,
        }
    }

    /// Whether the connection has been idle for the whole timeout; if not, the timer is set
    /// for when it would be.
    fn expired(&mut self, busy: bool, shared: &Shared) -> bool {
        let (Some(limit), now) = (self.limit, Instant::now()) else {
            return false;
        };
        let sent = shared.backlog.sent();
        if busy || sent != self.sent {
            self.last = now;
            self.sent = sent;
        }
        let deadline = self.last + limit;
        if deadline <= now {
            return true;
        }
        self.timer.as_mut().reset(deadline);
        false
    }
}

/// Whether a stop was asked for (`false` when nobody can ask any more).
async fn stop_requested(stop: &mut Stop) -> bool {
    stop.wait_for(|stop| *stop).await.is_ok()
}

//! The reader task: reads each incoming message and routes it by type. CALLs and ONEWAYs pass
//! the interception hook, then go to the service: each CALL is polled once (a handler that
//! answers at once is answered without a task) and then runs in a task of its own whose reply
//! is queued when it finishes; ONEWAYs run one after another, in arrival order, on a task of
//! their own. REPLYs and EXCEPTIONs complete this side's pending calls. The reader never waits
//! on a handler.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::AsyncRead;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::{Intercept, Settings, Shared, Stop};
use crate::message::{ApplicationErrorKind, ApplicationException, Incoming, Outgoing};
use crate::protocol::MessageType;
use crate::service::Service;
use crate::transport::MessageReader;
use crate::Error;

/// What the reader hands incoming calls to.
pub(crate) struct Handlers<S, H> {
    pub(crate) service: Arc<S>,
    pub(crate) hook: H,
}

pub(crate) async fn read_loop<R: AsyncRead + Unpin, S: Service, H: Intercept>(
    shared: Arc<Shared>,
    mut reader: MessageReader<R>,
    settings: Settings,
    handlers: Handlers<S, H>,
    mut stop: Stop,
) {
    // However this task ends (even aborted), the connection closes with it.
    let _close = CloseOnDrop(shared.clone());
    let mut calls = JoinSet::new();
    let oneways = spawn_oneways(shared.clone(), handlers.service.clone(), settings.queue);
    let mut max_in_flight = settings.max_in_flight;
    loop {
        if max_in_flight == 0 && calls.is_empty() {
            break;
        }
        // Only an idle timeout needs to know, so only then is the pending table locked.
        let idle = settings
            .idle_timeout
            .filter(|_| calls.is_empty() && shared.lock().is_empty());
        let sent = shared.backlog.sent();
        // Registered before the check, so that a drain in between is not missed.
        let mut drained = pin!(shared.backlog.drained.notified());
        drained.as_mut().enable();
        let backed_up = shared.backlog.is_full();
        tokio::select! {
            () = &mut drained, if backed_up => {}
            message = reader.next(), if !backed_up => match message {
                Ok(Some(frame)) => {
                    let routed = route(&shared, &handlers, &oneways, &mut calls, max_in_flight, frame).await;
                    if let Err(e) = routed {
                        closing(&e);
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    closing(&e);
                    break;
                }
            },
            Some(_) = calls.join_next(), if !calls.is_empty() => {}
            // Idle unless something was written meanwhile (pushes to a quiet peer): then the
            // wait starts again.
            () = idle_for(idle) => if shared.backlog.sent() == sent {
                tracing::info!(timeout = ?settings.idle_timeout, "idle timeout: closing the connection");
                break;
            },
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
async fn route<S: Service, H: Intercept>(
    shared: &Arc<Shared>,
    handlers: &Handlers<S, H>,
    oneways: &mpsc::Sender<Incoming>,
    calls: &mut JoinSet<()>,
    max_in_flight: usize,
    frame: bytes::Bytes,
) -> Result<(), Error> {
    let message = Incoming::parse(shared.codec.protocol, frame, shared.codec.limits)?;
    let message = match message.kind() {
        MessageType::Reply | MessageType::Exception => {
            shared.complete(message);
            return Ok(());
        }
        MessageType::Call | MessageType::Oneway => match handlers.hook.intercept(message) {
            Ok(message) => message,
            // Answered before anything read after it is routed.
            Err(answer) => return shared.send(answer).await,
        },
    };
    match message.kind() {
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
            let service = handlers.service.clone();
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
        _ => {
            // Waits while the oneway handler is behind; the task ends only with this reader.
            let _ = oneways.send(message).await;
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

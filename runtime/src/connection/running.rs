//! Running handlers, for the reader and for transports that call the service themselves
//! (HTTP): a future whose panics are caught ([`Guarded`]), the task that runs a connection's
//! oneways one at a time, in arrival order ([`spawn_oneways`]), and the answer to a call whose
//! deadline passed ([`timed_out`]).
//!
//! Input: a service's futures. Output: their answers, or the panic caught.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::mpsc;

use crate::call::{self, Origin};
use crate::message::{ApplicationErrorKind, ApplicationException, Incoming, Outgoing};
use crate::protocol::Protocol;
use crate::service::Service;
use crate::transport::Framing;

/// A handler's panic, caught.
pub(crate) struct Panicked;

/// A boxed future whose panics are caught and returned.
pub(crate) struct Guarded<F>(Pin<Box<F>>);

impl<F: Future> Guarded<F> {
    pub(crate) fn new(future: F) -> Self {
        Self(Box::pin(future))
    }
}

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

/// The task that runs oneway calls one at a time, in the order they arrived; each holds its
/// share of the incoming budget until it has run. Every oneway received is run, even after
/// the connection closes: the peer sent it to have it done, and nobody waits for an answer.
pub(crate) fn spawn_oneways<S: Service>(
    service: Arc<S>,
    origin: Origin,
) -> mpsc::UnboundedSender<Incoming> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Incoming>();
    tokio::spawn(async move {
        while let Some(message) = rx.recv().await {
            let context = message.context(&origin);
            // A oneway has no reply, even an error (or a timeout); a panic ends only its own
            // call.
            let run = call::answer(context, service.call(message), || None);
            if Guarded::new(run).await.is_err() {
                tracing::error!("a oneway handler panicked");
            }
        }
    });
    tx
}

/// The answer to the call `context` describes (which came in `protocol` and `framing`) when
/// its deadline passed before its handler answered: fbthrift's `TIMEOUT` application
/// exception.
pub(crate) fn timed_out(context: &call::Context, protocol: Protocol, framing: Framing) -> Outgoing {
    let exception = ApplicationException::new(ApplicationErrorKind::Timeout, "the deadline passed");
    let call = (context.method(), context.seqid());
    Outgoing::exception_to(call, protocol, framing, &exception)
}

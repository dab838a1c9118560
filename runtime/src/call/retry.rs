//! Which failed calls to try again (feature `tower`): [`Retry`], a policy for tower's own
//! `retry` layer, which retries only calls of idempotent methods, only for failures that
//! leave the call safe to send again, and never past the call's deadline.
//!
//! Input: a call and what its last try gave. Output: whether, and after what pause, to try it
//! again.

use std::time::Duration;

use tokio::time::Instant;
use tower::retry::Policy;

use super::{BoxError, Outbound};
use crate::message::{ApplicationErrorKind, ApplicationException, Incoming};
use crate::protocol::MessageType;
use crate::Error;

/// A retry policy for calls, for `tower::retry::RetryLayer` (or `ServiceBuilder::retry`).
///
/// A call is tried again when all of these hold:
/// - its method is idempotent (annotated `bidi.idempotent`, or named in
///   `Config::idempotent`): a call of any other method is sent once, whatever happens;
/// - it has tries left (`attempts`, counting the first);
/// - its deadline, if it has one, has not passed;
/// - its last try failed in a way that another might not: no reply in time
///   ([`Error::Timeout`], or tower's timeout below the retry layer), the connection failed
///   ([`Error::Disconnected`], [`Error::Io`], [`Error::Http`] without a status or with a 5xx
///   one), a layer below shed it, or the server answered `LOADSHEDDING`.
///
/// A reply, exceptions included, is never retried: the server ran the call.
///
/// ```
/// use std::time::Duration;
/// use thrift_bidi::call::{Layers, Retry};
///
/// let layers = Layers::new(
///     tower::ServiceBuilder::new()
///         .retry(Retry::new(3).backoff(Duration::from_millis(10)))
///         .timeout(Duration::from_millis(500)),
/// );
/// ```
#[derive(Clone, Debug)]
pub struct Retry {
    left: usize,
    backoff: Duration,
}

impl Retry {
    /// Up to `attempts` tries in all (1: never retried), one right after another.
    pub fn new(attempts: usize) -> Self {
        Self {
            left: attempts.saturating_sub(1),
            backoff: Duration::ZERO,
        }
    }

    /// Waiting `pause` before each retry.
    #[must_use]
    pub fn backoff(mut self, pause: Duration) -> Self {
        self.backoff = pause;
        self
    }

    /// Whether to try `call` again after a try that failed (or not, when `failed` is false):
    /// the pause before the next try.
    fn again(&mut self, call: &Outbound, failed: bool) -> Option<tokio::time::Sleep> {
        let expired = call
            .deadline()
            .is_some_and(|deadline| deadline <= Instant::now() + self.backoff);
        if !failed || !call.is_idempotent() || self.left == 0 || expired {
            return None;
        }
        self.left -= 1;
        tracing::debug!(
            method = call.method(),
            left = self.left,
            "retrying the call"
        );
        Some(tokio::time::sleep(self.backoff))
    }

    fn copy(&self, call: &Outbound) -> Option<Outbound> {
        (call.is_idempotent() && self.left > 0).then(|| call.clone())
    }
}

impl Policy<Outbound, Option<Incoming>, Error> for Retry {
    type Future = tokio::time::Sleep;

    fn retry(
        &mut self,
        call: &mut Outbound,
        result: &mut Result<Option<Incoming>, Error>,
    ) -> Option<Self::Future> {
        let failed = match result {
            Ok(reply) => shed(reply.as_ref()),
            Err(error) => transient(error),
        };
        self.again(call, failed)
    }

    fn clone_request(&mut self, call: &Outbound) -> Option<Outbound> {
        self.copy(call)
    }
}

impl Policy<Outbound, Option<Incoming>, BoxError> for Retry {
    type Future = tokio::time::Sleep;

    fn retry(
        &mut self,
        call: &mut Outbound,
        result: &mut Result<Option<Incoming>, BoxError>,
    ) -> Option<Self::Future> {
        let failed = match result {
            Ok(reply) => shed(reply.as_ref()),
            Err(error) => match error.downcast_ref::<Error>() {
                Some(error) => transient(error),
                None => {
                    error.is::<tower::timeout::error::Elapsed>()
                        || error.is::<tower::load_shed::error::Overloaded>()
                }
            },
        };
        self.again(call, failed)
    }

    fn clone_request(&mut self, call: &Outbound) -> Option<Outbound> {
        self.copy(call)
    }
}

/// Whether a try that failed with `error` may succeed if sent again.
fn transient(error: &Error) -> bool {
    match error {
        Error::Timeout | Error::Disconnected | Error::Io(_) => true,
        Error::Http { status, .. } => status.is_none_or(|status| status >= 500),
        _ => false,
    }
}

/// Whether `reply` is the server's refusal to run the call for load (`LOADSHEDDING`).
fn shed(reply: Option<&Incoming>) -> bool {
    reply.is_some_and(|reply| {
        reply.kind() == MessageType::Exception
            && reply
                .body::<ApplicationException>()
                .is_ok_and(|exception| exception.kind == ApplicationErrorKind::Loadshedding)
    })
}

//! Connection events: a server tells the function given to [`Server::events`](super::Server::events)
//! when each connection is made and when it closes, and why: for presence, metrics and
//! clean-up code that must run once per connection.
//!
//! Input: the server's connections. Output: a [`ConnectionEvent`] at each start and end.

use std::sync::Arc;

use crate::connection::CloseReason;
use crate::io::Peer;

/// A connection's start or end, as [`Server::events`](super::Server::events) reports it.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConnectionEvent<'a> {
    /// Accepted (after the TLS handshake, if any), before any call is read.
    Connected {
        /// The connection's id ([`Connection::id`](crate::Connection::id)).
        id: u64,
        /// Its peer.
        peer: &'a Peer,
    },
    /// Closed, with its calls answered or cancelled.
    Closed {
        /// The connection's id.
        id: u64,
        /// Its peer.
        peer: &'a Peer,
        /// Why it closed.
        reason: &'a CloseReason,
    },
}

/// The function a server reports connection events to.
type Report = dyn Fn(&ConnectionEvent<'_>) + Send + Sync;

/// Where a server reports its connection events (nowhere by default).
#[derive(Clone, Default)]
pub(super) struct Events(Option<Arc<Report>>);

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Events(..)"
        } else {
            "Events(none)"
        })
    }
}

impl Events {
    pub(super) fn new(report: impl Fn(&ConnectionEvent<'_>) + Send + Sync + 'static) -> Self {
        Self(Some(Arc::new(report)))
    }

    /// Reports that connection `id` with `peer` was made; the guard reports its end.
    pub(super) fn connected(&self, id: u64, peer: Arc<Peer>) -> Closing {
        if let Some(report) = &self.0 {
            report(&ConnectionEvent::Connected { id, peer: &peer });
        }
        Closing {
            events: self.clone(),
            id,
            peer,
            reason: None,
        }
    }
}

/// Reports a connection's end when dropped: with the reason it was given, or else as ended by
/// the server's shutdown (its task dropped at the shutdown timeout).
pub(super) struct Closing {
    events: Events,
    id: u64,
    peer: Arc<Peer>,
    reason: Option<CloseReason>,
}

impl Closing {
    pub(super) fn closed(mut self, reason: CloseReason) {
        self.reason = Some(reason);
    }
}

impl Drop for Closing {
    fn drop(&mut self) {
        if let Some(report) = &self.events.0 {
            let reason = self.reason.take().unwrap_or(CloseReason::Shutdown);
            report(&ConnectionEvent::Closed {
                id: self.id,
                peer: &self.peer,
                reason: &reason,
            });
        }
    }
}

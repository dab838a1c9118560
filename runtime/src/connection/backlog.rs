//! The bytes queued for the peer and not yet written: how far behind it is. Senders wait while
//! they are over the outgoing budget, except for the short answers the reader sends without
//! waiting (refusals of calls over the limits, the answer to a hello), which have a small
//! budget of their own: a peer that sends calls and does not read the answers uses it up.

use std::pin::pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use tokio::sync::Notify;

/// The most bytes of urgent answers queued at once, beyond the outgoing budget.
pub(crate) const MAX_URGENT: usize = 1 << 20;

/// The bytes queued for the writer, against the outgoing budget.
pub(crate) struct Backlog {
    /// Bytes queued and not yet written, urgent ones included.
    bytes: AtomicUsize,
    /// Urgent bytes queued and not yet written.
    urgent: AtomicUsize,
    /// Bytes written since the connection opened.
    sent: AtomicU64,
    max: usize,
    drained: Notify,
}

impl Backlog {
    pub(crate) fn new(max: usize) -> Self {
        Self {
            bytes: AtomicUsize::new(0),
            urgent: AtomicUsize::new(0),
            sent: AtomicU64::new(0),
            max,
            drained: Notify::new(),
        }
    }

    /// The bytes queued and not yet written.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Whether the backlog is at or over its budget.
    pub(crate) fn is_full(&self) -> bool {
        self.bytes() >= self.max
    }

    /// Bytes written since the connection opened.
    pub(crate) fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Counts `bytes` if the backlog is under its budget (a message longer than the budget
    /// goes when the backlog is empty enough, so that it can go at all).
    pub(crate) fn try_admit(&self, bytes: usize) -> bool {
        self.bytes
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |queued| {
                (queued < self.max).then(|| queued + bytes)
            })
            .is_ok()
    }

    /// Waits until the backlog is under its budget, then counts `bytes`.
    pub(crate) async fn admit(&self, bytes: usize) {
        loop {
            // Registered before the check, so that a drain in between is not missed.
            let mut drained = pin!(self.drained.notified());
            drained.as_mut().enable();
            if self.try_admit(bytes) {
                return;
            }
            drained.await;
        }
    }

    /// Counts `bytes` of an urgent answer, whatever the budget: `false` (counting nothing)
    /// when the urgent answers already queued are over [`MAX_URGENT`].
    pub(crate) fn admit_urgent(&self, bytes: usize) -> bool {
        let admitted = self
            .urgent
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |queued| {
                (queued < MAX_URGENT).then(|| queued + bytes)
            })
            .is_ok();
        if admitted {
            self.bytes.fetch_add(bytes, Ordering::Relaxed);
        }
        admitted
    }

    /// Takes off `bytes` (`urgent` of them urgent) that were written, or not queued after all.
    pub(crate) fn release(&self, bytes: usize, urgent: usize) {
        self.urgent.fetch_sub(urgent, Ordering::Relaxed);
        if self.bytes.fetch_sub(bytes, Ordering::Relaxed) >= self.max {
            self.drained.notify_waiters();
        }
    }

    /// Takes off `bytes` (`urgent` of them urgent) that were written.
    pub(crate) fn written(&self, bytes: usize, urgent: usize) {
        self.sent.fetch_add(bytes as u64, Ordering::Relaxed);
        self.release(bytes, urgent);
    }
}

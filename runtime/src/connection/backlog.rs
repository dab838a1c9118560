//! The bytes queued for the writer and not yet written: how far behind the peer is, and the
//! signal for when it catches up.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use tokio::sync::Notify;

/// Bytes queued for the writer over which the reader stops reading.
pub(crate) const BACKLOG: usize = 8 << 20;

/// The bytes queued for the writer (or waiting to be), and a signal for when they drop back
/// under [`BACKLOG`].
#[derive(Default)]
pub(crate) struct Backlog {
    bytes: AtomicUsize,
    /// Bytes written since the connection opened.
    sent: AtomicU64,
    pub(crate) drained: Notify,
}

impl Backlog {
    /// Counts `bytes` about to be queued; dropping the guard takes them off again unless
    /// they were queued ([`Queued::keep`]).
    pub(crate) fn count(&self, bytes: usize) -> Queued<'_> {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        Queued {
            backlog: self,
            bytes,
        }
    }

    /// The bytes counted.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    pub(crate) fn is_full(&self) -> bool {
        self.bytes() >= BACKLOG
    }

    /// Bytes written since the connection opened.
    pub(crate) fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Takes `bytes` off once they are written.
    pub(crate) fn written(&self, bytes: usize) {
        self.sent.fetch_add(bytes as u64, Ordering::Relaxed);
        self.unqueue(bytes);
    }

    /// Takes `bytes` off that were not queued after all.
    fn unqueue(&self, bytes: usize) {
        if self.bytes.fetch_sub(bytes, Ordering::Relaxed) >= BACKLOG {
            self.drained.notify_waiters();
        }
    }
}

/// Bytes counted in the backlog for a message not queued after all (the send failed or was
/// dropped).
pub(crate) struct Queued<'a> {
    backlog: &'a Backlog,
    bytes: usize,
}

impl Queued<'_> {
    /// The bytes were queued: the writer takes them off once they are written.
    pub(crate) fn keep(self) {
        std::mem::forget(self);
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.backlog.unqueue(self.bytes);
    }
}

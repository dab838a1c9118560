//! Byte budgets: how many bytes the holders of a budget hold, against its maximum, and the
//! guard each holder keeps, which gives its bytes back when dropped. A connection keeps one
//! for the incoming calls and oneways it holds (their frames, what their arguments decoded
//! to, their replies waiting to be sent); each [`crate::Incoming`] carries its share.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

/// A budget of bytes.
#[derive(Debug)]
pub(crate) struct Budget {
    held: AtomicUsize,
    max: usize,
    freed: Notify,
    /// Somebody waits for bytes to be given back (so that giving back takes no lock
    /// otherwise).
    wanted: AtomicBool,
}

impl Budget {
    pub(crate) fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            held: AtomicUsize::new(0),
            max,
            freed: Notify::new(),
            wanted: AtomicBool::new(false),
        })
    }

    /// The bytes held.
    #[cfg(test)]
    pub(crate) fn held(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }

    /// Holds `bytes` if they fit (anything fits an empty budget, so that one message over
    /// the maximum can still be taken).
    pub(crate) fn try_hold(self: &Arc<Self>, bytes: usize) -> Option<Held> {
        let taken = self
            .held
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |held| {
                (held == 0 || held.saturating_add(bytes) <= self.max).then(|| held + bytes)
            });
        taken.ok().map(|_| self.hold_counted(bytes))
    }

    /// Holds `bytes` whether they fit or not (what is already in hand, such as a reply made).
    pub(crate) fn hold(self: &Arc<Self>, bytes: usize) -> Held {
        self.held.fetch_add(bytes, Ordering::Relaxed);
        self.hold_counted(bytes)
    }

    /// Holds `bytes` once they fit, waiting for bytes to be given back until they do.
    #[cfg(feature = "http")]
    pub(crate) async fn hold_when_room(self: &Arc<Self>, bytes: usize) -> Held {
        loop {
            let freed = self.freed();
            tokio::pin!(freed);
            // Registered, asked for, then tried again: a giving back after the try wakes it.
            freed.as_mut().enable();
            self.want();
            if let Some(held) = self.try_hold(bytes) {
                return held;
            }
            freed.await;
        }
    }

    fn hold_counted(self: &Arc<Self>, bytes: usize) -> Held {
        Held {
            budget: self.clone(),
            bytes: AtomicUsize::new(bytes),
        }
    }

    /// Resolves once bytes are given back (after it is enabled or first polled, and
    /// [`Budget::want`] is called).
    pub(crate) fn freed(&self) -> tokio::sync::futures::Notified<'_> {
        self.freed.notified()
    }

    /// Asks for the next giving back to wake the waiters on [`Budget::freed`].
    pub(crate) fn want(&self) {
        self.wanted.store(true, Ordering::SeqCst);
    }
}

/// A share of a [`Budget`], given back when dropped.
#[derive(Debug)]
pub(crate) struct Held {
    budget: Arc<Budget>,
    bytes: AtomicUsize,
}

impl Held {
    /// Holds `more` bytes too (whether they fit or not: they are in hand already).
    pub(crate) fn grow(&self, more: usize) {
        self.bytes.fetch_add(more, Ordering::Relaxed);
        self.budget.held.fetch_add(more, Ordering::Relaxed);
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let bytes = *self.bytes.get_mut();
        self.budget.held.fetch_sub(bytes, Ordering::SeqCst);
        if self.budget.wanted.swap(false, Ordering::SeqCst) {
            self.budget.freed.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_held_while_they_fit_and_given_back_on_drop() {
        let budget = Budget::new(100);
        let first = budget.try_hold(60).expect("fits");
        assert!(budget.try_hold(50).is_none(), "60 + 50 is over 100");
        let second = budget.try_hold(40).expect("60 + 40 fits");
        second.grow(25);
        assert_eq!(budget.held(), 125);
        drop(first);
        assert_eq!(budget.held(), 65);
        drop(second);
        assert_eq!(budget.held(), 0);
        let big = budget
            .try_hold(1_000)
            .expect("anything fits an empty budget");
        assert!(budget.try_hold(1).is_none());
        drop(big);
        drop(budget.hold(5));
        assert_eq!(budget.held(), 0);
    }
}

//! This side's calls awaiting replies, by seqid: numbering (from 1, wrapping, skipping ids
//! still pending), completion by the reader (or failure of one, by a transport that can lose
//! one call and go on: HTTP), and failure of them all at a close.

use std::collections::HashMap;

use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::message::Incoming;
use crate::Error;

/// The table of this side's calls awaiting replies.
pub(crate) struct Pending {
    open: bool,
    last_seqid: i32,
    calls: HashMap<i32, Waiting>,
    /// The calls' deadlines, kept for a transport that sends them beside the message (HTTP).
    deadlines: Option<HashMap<i32, Instant>>,
}

/// Where a call's reply (or why it will get none) goes.
pub(crate) type Waiting = oneshot::Sender<Result<Incoming, Error>>;

/// Where a call waits for its reply.
pub(crate) type Reply = oneshot::Receiver<Result<Incoming, Error>>;

impl Default for Pending {
    fn default() -> Self {
        Self {
            open: true,
            last_seqid: 0,
            calls: HashMap::new(),
            deadlines: None,
        }
    }
}

impl Pending {
    /// Picks the next seqid not in use, and a slot for its reply when one is expected; keeps
    /// the call's `deadline` when deadlines are kept.
    pub(crate) fn register(
        &mut self,
        expects_reply: bool,
        deadline: Option<Instant>,
    ) -> Result<(i32, Option<Reply>), Error> {
        if !self.open {
            return Err(Error::Disconnected);
        }
        let mut seqid = self.last_seqid;
        loop {
            seqid = seqid.checked_add(1).unwrap_or(1);
            if !self.calls.contains_key(&seqid) {
                break;
            }
        }
        self.last_seqid = seqid;
        if let (Some(deadlines), Some(deadline)) = (&mut self.deadlines, deadline) {
            deadlines.insert(seqid, deadline);
        }
        if !expects_reply {
            return Ok((seqid, None));
        }
        let (tx, rx) = oneshot::channel();
        self.calls.insert(seqid, tx);
        Ok((seqid, Some(rx)))
    }

    /// The waiting call a reply with `seqid` answers, taken out of the table.
    pub(crate) fn take(&mut self, seqid: i32) -> Option<Waiting> {
        self.calls.remove(&seqid)
    }

    /// Keeps the deadlines of the calls registered from now on.
    #[cfg(feature = "http")]
    pub(crate) fn keep_deadlines(&mut self) {
        self.deadlines.get_or_insert_with(HashMap::new);
    }

    /// The deadline kept for `seqid`, taken.
    #[cfg(feature = "http")]
    pub(crate) fn take_deadline(&mut self, seqid: i32) -> Option<Instant> {
        self.deadlines.as_mut()?.remove(&seqid)
    }

    /// Whether no call awaits a reply.
    pub(crate) fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Refuses new calls and hands back the waiting ones (dropping them fails them).
    pub(crate) fn close(&mut self) -> HashMap<i32, Waiting> {
        self.open = false;
        std::mem::take(&mut self.calls)
    }
}

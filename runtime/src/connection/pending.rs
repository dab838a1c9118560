//! This side's calls awaiting replies, by seqid: numbering (from 1, wrapping, skipping ids
//! still pending), completion by the reader (or failure of one, by a transport that can lose
//! one call and go on: HTTP), and failure of them all at a close.

use std::collections::HashMap;

use tokio::sync::oneshot;

use crate::message::Incoming;
use crate::Error;

/// The table of this side's calls awaiting replies.
pub(crate) struct Pending {
    open: bool,
    last_seqid: i32,
    calls: HashMap<i32, Waiting>,
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
        }
    }
}

impl Pending {
    /// Picks the next seqid not in use, and a slot for its reply when one is expected.
    pub(crate) fn register(&mut self, expects_reply: bool) -> Result<(i32, Option<Reply>), Error> {
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

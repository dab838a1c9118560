//! The seed scenario's server side (`idl/mailbox.thrift`): each connection has a mailbox;
//! `get_message` waits for the next message `send_request` put in it, and `waiting` says how
//! many `get_message` calls are waiting, so a test can see a long poll still open while the
//! same client's other calls go through.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use thrift_bidi::Error;
use tokio::sync::{mpsc, Mutex};

use crate::mailbox::{Mailbox, MailboxServer};

/// One connection's mailbox.
#[derive(Debug)]
pub struct Inbox {
    tx: mpsc::UnboundedSender<String>,
    rx: Mutex<mpsc::UnboundedReceiver<String>>,
    waiting: Arc<AtomicI32>,
}

impl Inbox {
    /// The service for a new connection, with an empty mailbox.
    pub fn serve() -> MailboxServer<Self> {
        let (tx, rx) = mpsc::unbounded_channel();
        MailboxServer::new(Self {
            tx,
            rx: Mutex::new(rx),
            waiting: Arc::default(),
        })
    }
}

/// Counts a waiting `get_message` until it is answered or cancelled.
struct Waiting(Arc<AtomicI32>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Mailbox for Inbox {
    async fn get_message(&self) -> Result<String, Error> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let _waiting = Waiting(self.waiting.clone());
        let next = self.rx.lock().await.recv().await;
        next.ok_or_else(|| Error::internal("mailbox closed"))
    }

    async fn send_request(&self, text: String) -> Result<(), Error> {
        self.tx
            .send(text)
            .map_err(|_| Error::internal("mailbox closed"))
    }

    async fn waiting(&self) -> Result<i32, Error> {
        Ok(self.waiting.load(Ordering::SeqCst))
    }
}

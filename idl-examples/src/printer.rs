//! A chat client's callback handler: prints what the server pushes, answers the nickname
//! question, and counts the messages so a script can wait for them.

use thrift_bidi::Error;
use tokio::sync::watch;

use crate::chat::{ChatCallback, Message, Question};

/// Prints each pushed message as `[me] <- room from: text`.
pub struct Printer {
    me: String,
    received: watch::Sender<usize>,
}

impl Printer {
    /// A handler for the user `me` (the nickname it gives when asked).
    pub fn new(me: &str) -> Self {
        Self {
            me: me.to_owned(),
            received: watch::channel(0).0,
        }
    }

    /// Counts the messages received so far.
    pub fn received(&self) -> watch::Receiver<usize> {
        self.received.subscribe()
    }
}

impl ChatCallback for Printer {
    async fn on_message(&self, msg: Message) -> Result<(), Error> {
        println!(
            "[{}] <- #{} {}: {}",
            self.me, msg.room, msg.sender, msg.text
        );
        self.received.send_modify(|n| *n += 1);
        Ok(())
    }

    async fn ask_nickname(&self, suggestion: String) -> Result<String, Error> {
        println!(
            "[{}] <- server asks for a nickname (suggests {suggestion}); answering {}",
            self.me, self.me
        );
        Ok(self.me.clone())
    }

    async fn answer(&self, question: Question) -> Result<String, Error> {
        println!(
            "[{}] <- {} asks: {}; answering that it heard",
            self.me, question.sender, question.text
        );
        Ok(format!("{} heard: {}", self.me, question.text))
    }
}

//! The chat server: a [`Hub`] of rooms shared by all connections, and a [`Session`] per
//! connection, which holds the typed client that calls that connection's user back.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use thrift_bidi::{Connection, Error};
use tokio::sync::OnceCell;

use crate::chat::{Chat, ChatCallbackClient, ChatSayError, ChatServer, Message, NotJoined};

/// Everyone in a room.
#[derive(Clone)]
struct Member {
    session: u64,
    nickname: String,
    client: ChatCallbackClient,
}

/// The rooms and who is in them.
#[derive(Default)]
pub struct Hub {
    rooms: Mutex<BTreeMap<String, Vec<Member>>>,
    sessions: AtomicU64,
}

impl Hub {
    /// A hub with no rooms.
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// The service for a new connection: a [`Session`] calling its user back over
    /// `connection`, which leaves every room when the connection closes.
    pub fn session(self: &Arc<Self>, connection: &Connection) -> ChatServer<Session> {
        let id = self.sessions.fetch_add(1, Ordering::Relaxed) + 1;
        let hub = self.clone();
        let closed = connection.clone();
        tokio::spawn(async move {
            closed.closed().await;
            hub.leave_all(id);
        });
        ChatServer::new(Session {
            id,
            hub: self.clone(),
            client: ChatCallbackClient::new(connection.callbacks()),
            nickname: OnceCell::new(),
        })
    }

    fn rooms(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<Member>>> {
        self.rooms.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn members(&self, room: &str) -> Vec<Member> {
        self.rooms().get(room).cloned().unwrap_or_default()
    }

    fn leave_all(&self, session: u64) {
        let mut rooms = self.rooms();
        for members in rooms.values_mut() {
            members.retain(|m| m.session != session);
        }
        rooms.retain(|_, members| !members.is_empty());
    }

    /// Sends `message` to everyone in its room. A member whose connection is gone is skipped
    /// (it leaves when its session notices), and so is a plain Thrift client, which cannot
    /// take pushes.
    async fn broadcast(&self, message: Message) {
        for member in self.members(&message.room) {
            if let Err(e) = member.client.on_message(message.clone()).await {
                tracing::debug!(nickname = member.nickname, error = %e, "push failed");
            }
        }
    }
}

/// One connection's session.
pub struct Session {
    id: u64,
    hub: Arc<Hub>,
    /// Calls this connection's user back.
    client: ChatCallbackClient,
    nickname: OnceCell<String>,
}

impl Session {
    /// The user's nickname, asked of the user (a callback) the first time it is needed; a
    /// plain Thrift client, which cannot be asked, gets the suggestion.
    async fn nickname(&self) -> Result<&str, Error> {
        let suggestion = format!("guest-{}", self.id);
        let ask = || async {
            match self.client.ask_nickname(suggestion.clone()).await {
                Err(Error::Unavailable) => Ok(suggestion),
                answer => answer,
            }
        };
        let nickname = self.nickname.get_or_try_init(ask).await?;
        Ok(nickname)
    }

    fn is_in(&self, room: &str) -> bool {
        self.hub.members(room).iter().any(|m| m.session == self.id)
    }
}

fn now_ms() -> Option<i64> {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
    i64::try_from(since.as_millis()).ok()
}

impl Chat for Session {
    async fn join(&self, room: String) -> Result<(), Error> {
        let nickname = self.nickname().await?.to_owned();
        if self.is_in(&room) {
            return Ok(());
        }
        let member = Member {
            session: self.id,
            nickname: nickname.clone(),
            client: self.client.clone(),
        };
        self.hub
            .rooms()
            .entry(room.clone())
            .or_default()
            .push(member);
        let notice = Message {
            room,
            sender: "server".to_owned(),
            text: format!("{nickname} joined"),
            sent_at_ms: now_ms(),
        };
        self.hub.broadcast(notice).await;
        Ok(())
    }

    async fn say(&self, room: String, text: String) -> Result<(), ChatSayError> {
        if !self.is_in(&room) {
            return Err(ChatSayError::NotJoined(NotJoined { room }));
        }
        let sender = self.nickname().await?.to_owned();
        let message = Message {
            room,
            sender,
            text,
            sent_at_ms: now_ms(),
        };
        self.hub.broadcast(message).await;
        Ok(())
    }

    async fn rooms(&self) -> Result<Vec<String>, Error> {
        Ok(self.hub.rooms().keys().cloned().collect())
    }
}

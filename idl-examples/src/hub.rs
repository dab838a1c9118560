//! The chat server: a [`Hub`] of rooms shared by all connections, and a [`Session`] per
//! connection, which holds the typed client that calls that connection's user back.
//!
//! It is written to face clients that misbehave, and shows how:
//! - Sizes are bounded ([`MAX_ROOM`], [`MAX_NICKNAME`], [`MAX_TEXT`]); a room or text over
//!   its bound is rejected with `Rejected`, and a nickname over it is replaced by the suggested
//!   one. Frames are bounded to what those need ([`Hub::server`]).
//! - A broadcast never waits for a member: it pushes with the `try_` oneway, and a member over
//!   its connection's outgoing budget (a member that does not read) is skipped, the skipped
//!   pushes counted and logged. A member that reads promptly misses nothing; one that falls
//!   behind misses what comes while it is behind, and is told how many when it catches up.
//! - Asking a member for its nickname (a callback awaited mid-call) has a timeout
//!   ([`ASK_TIMEOUT`]): a member that does not answer gets the suggested nickname.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use thrift_bidi::{Connection, Error, Server};
use tokio::sync::OnceCell;

use crate::chat::{
    Chat, ChatAskError, ChatCallbackClient, ChatJoinError, ChatSayError, ChatServer, Message,
    NotJoined, Question, Rejected, Unreachable,
};
use crate::relay::Relay;

/// The longest room name, in bytes.
pub const MAX_ROOM: usize = 64;
/// The longest nickname, in bytes.
pub const MAX_NICKNAME: usize = 32;
/// The longest text said, in bytes.
pub const MAX_TEXT: usize = 4 << 10;
/// How long a member has to say its nickname.
pub const ASK_TIMEOUT: Duration = Duration::from_secs(5);

/// Everyone in a room.
#[derive(Clone)]
struct Member {
    session: u64,
    nickname: String,
    client: ChatCallbackClient,
    /// Pushes skipped since this member fell behind.
    skipped: Arc<AtomicU64>,
}

impl Member {
    /// Pushes `message` unless the member is behind (then it is counted as skipped, and
    /// `true` returned).
    fn push(&self, message: &Message) -> bool {
        match self.client.try_on_message(message.clone()) {
            Ok(()) => {
                let missed = self.skipped.swap(0, Ordering::Relaxed);
                if missed > 0 {
                    tracing::info!(nickname = self.nickname, missed, "member caught up");
                    let text = format!("{}: you missed {missed} messages", self.nickname);
                    let _ = self
                        .client
                        .try_on_message(notice(message.room.clone(), text));
                }
            }
            Err(Error::Busy) => {
                if self.skipped.fetch_add(1, Ordering::Relaxed) == 0 {
                    tracing::info!(
                        nickname = self.nickname,
                        "member is behind; skipping pushes"
                    );
                }
                return true;
            }
            // Gone (it leaves when its session notices), or a plain Thrift client, which
            // cannot take pushes.
            Err(e) => tracing::debug!(nickname = self.nickname, error = %e, "push failed"),
        }
        false
    }
}

/// The rooms and who is in them (on this node; with a cluster, each node's hub holds its own
/// users, and the rooms span the nodes: [`crate::relay`]).
#[derive(Default)]
pub struct Hub {
    rooms: Mutex<BTreeMap<String, Vec<Member>>>,
    /// Each user on this node by nickname: its session, and the client that calls it back
    /// (the latest session, if a nickname is used twice).
    users: Mutex<HashMap<String, (u64, ChatCallbackClient)>>,
    sessions: AtomicU64,
    /// Pushes skipped, in all.
    skipped: AtomicU64,
    relay: Option<Relay>,
}

impl Hub {
    /// A hub with no rooms.
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    pub(crate) fn with_relay(relay: Relay) -> Self {
        Self {
            relay: Some(relay),
            ..Self::default()
        }
    }

    /// The server settings the chat is served with: frames of 16 KiB at most (a `say` of
    /// [`MAX_TEXT`] fits), 1 MiB queued per member before pushes to it are skipped and of
    /// incoming calls per connection, and an idle timeout of an hour (chat clients listen
    /// quietly for long; the per-peer connection limit bounds what idle ones can hold).
    pub fn server() -> Server {
        Server::builder()
            .max_frame(16 << 10)
            .max_outgoing_bytes(1 << 20)
            .max_incoming_bytes(1 << 20)
            .idle_timeout(Duration::from_hours(1))
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
        let callbacks = connection.callbacks().with_call_timeout(ASK_TIMEOUT);
        ChatServer::new(Session {
            id,
            hub: self.clone(),
            client: ChatCallbackClient::new(callbacks),
            nickname: OnceCell::new(),
        })
    }

    fn rooms(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<Member>>> {
        self.rooms.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn members(&self, room: &str) -> Vec<Member> {
        self.rooms().get(room).cloned().unwrap_or_default()
    }

    fn users(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u64, ChatCallbackClient)>> {
        self.users.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn leave_all(&self, session: u64) {
        let mut rooms = self.rooms();
        for members in rooms.values_mut() {
            members.retain(|m| m.session != session);
        }
        rooms.retain(|_, members| !members.is_empty());
        drop(rooms);
        let gone: Vec<String> = (self.users())
            .extract_if(|_, (of, _)| *of == session)
            .map(|(nickname, _)| nickname)
            .collect();
        if let Some(relay) = &self.relay {
            for nickname in &gone {
                relay.left(nickname);
            }
        }
    }

    /// Says `nickname` is on this node, in `session` (and so in the cluster, if any).
    fn arrived(&self, nickname: &str, session: u64, client: &ChatCallbackClient) {
        let user = (session, client.clone());
        self.users().insert(nickname.to_owned(), user);
        if let Some(relay) = &self.relay {
            relay.arrived(nickname);
        }
    }

    /// Asks the user `nickname` `question`, on whichever node it is, and gives its answer.
    async fn ask(&self, nickname: String, question: Question) -> Result<String, Unreachable> {
        let answer = match &self.relay {
            Some(relay) => relay.ask(&nickname, &question).await,
            None => self.answer_here(&nickname, question).await,
        };
        answer.map_err(|why| Unreachable { nickname, why })
    }

    /// The answer of `nickname`, a user on this node, to `question`, or why there is none.
    pub(crate) async fn answer_here(
        &self,
        nickname: &str,
        question: Question,
    ) -> Result<String, String> {
        let client = self.users().get(nickname).map(|(_, client)| client.clone());
        let client = client.ok_or_else(|| format!("{nickname} is not connected"))?;
        client.answer(question).await.map_err(|e| e.to_string())
    }

    /// Says `message` to everyone in its room: on every node, with a cluster (whose broker
    /// being down leaves this node's members still served).
    async fn broadcast(self: &Arc<Self>, message: &Message) {
        let Some(relay) = &self.relay else {
            return self.deliver(message);
        };
        if let Err(e) = relay.publish(message).await {
            tracing::warn!(error = %e, "the other nodes did not get a message");
        }
    }

    /// Listens to `room` across the cluster, if there is one.
    async fn listen(self: &Arc<Self>, room: &str) -> Result<(), Error> {
        let Some(relay) = &self.relay else {
            return Ok(());
        };
        let listened = relay.listen(Arc::downgrade(self), room).await;
        listened.map_err(|e| Error::internal(format!("the cluster: {e}")))
    }

    /// Pushes `message` to this node's members of its room, waiting for nobody.
    pub(crate) fn deliver(&self, message: &Message) {
        for member in self.members(&message.room) {
            if member.push(message) {
                self.skipped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Pushes skipped so far, to members that were behind, over all rooms and members.
    pub fn skipped(&self) -> u64 {
        self.skipped.load(Ordering::Relaxed)
    }

    /// Drains this node: it leaves the cluster's presence (the other nodes stop routing to
    /// its users at once), and tells each member to move to another server. The caller then
    /// stops the server, which closes the connections once their calls are done.
    pub async fn drain(&self) {
        if let Some(relay) = &self.relay {
            relay.drain().await;
        }
        let rooms = self.rooms().clone();
        for (room, members) in rooms {
            let moving = notice(room, "this server is draining: move to another".to_owned());
            for member in members {
                member.push(&moving);
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
    /// The user's nickname, asked of the user (a callback) the first time it is needed. The
    /// suggestion stands for a plain Thrift client (which cannot be asked), a user that does
    /// not answer in time, and an answer longer than [`MAX_NICKNAME`].
    async fn nickname(&self) -> Result<&str, Error> {
        let suggestion = format!("guest-{}", self.id);
        let ask = || async {
            match self.client.ask_nickname(suggestion.clone()).await {
                Ok(nickname) if !nickname.is_empty() && nickname.len() <= MAX_NICKNAME => {
                    Ok(nickname)
                }
                Ok(_) | Err(Error::Unavailable | Error::Timeout) => Ok(suggestion),
                Err(e) => Err(e),
            }
        };
        let nickname = self.nickname.get_or_try_init(ask).await?;
        Ok(nickname)
    }

    fn is_in(&self, room: &str) -> bool {
        self.hub.members(room).iter().any(|m| m.session == self.id)
    }
}

/// A message from the server itself to `room`.
fn notice(room: String, text: String) -> Message {
    Message {
        room,
        sender: "server".to_owned(),
        text,
        sent_at_ms: now_ms(),
    }
}

fn now_ms() -> Option<i64> {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
    i64::try_from(since.as_millis()).ok()
}

/// `Rejected` unless `value` (a `what`) is at most `max` bytes long.
fn bounded(what: &str, value: &str, max: usize) -> Result<(), Rejected> {
    if value.len() > max {
        let why = format!(
            "a {what} of {} bytes is over the limit of {max}",
            value.len()
        );
        return Err(Rejected { why });
    }
    Ok(())
}

impl Chat for Session {
    async fn join(&self, room: String) -> Result<(), ChatJoinError> {
        bounded("room name", &room, MAX_ROOM).map_err(ChatJoinError::Rejected)?;
        let nickname = self.nickname().await?.to_owned();
        if self.is_in(&room) {
            return Ok(());
        }
        self.hub.arrived(&nickname, self.id, &self.client);
        self.hub.listen(&room).await?;
        let member = Member {
            session: self.id,
            nickname: nickname.clone(),
            client: self.client.clone(),
            skipped: Arc::default(),
        };
        self.hub
            .rooms()
            .entry(room.clone())
            .or_default()
            .push(member);
        let joined = notice(room, format!("{nickname} joined"));
        self.hub.broadcast(&joined).await;
        Ok(())
    }

    async fn say(&self, room: String, text: String) -> Result<(), ChatSayError> {
        bounded("room name", &room, MAX_ROOM).map_err(ChatSayError::Rejected)?;
        bounded("text", &text, MAX_TEXT).map_err(ChatSayError::Rejected)?;
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
        self.hub.broadcast(&message).await;
        Ok(())
    }

    async fn rooms(&self) -> Result<Vec<String>, Error> {
        Ok(self.hub.rooms().keys().cloned().collect())
    }

    async fn ask(&self, nickname: String, text: String) -> Result<String, ChatAskError> {
        bounded("nickname", &nickname, MAX_NICKNAME).map_err(ChatAskError::Rejected)?;
        bounded("text", &text, MAX_TEXT).map_err(ChatAskError::Rejected)?;
        let sender = self.nickname().await?.to_owned();
        let question = Question { sender, text };
        let answer = self.hub.ask(nickname, question).await;
        answer.map_err(ChatAskError::Unreachable)
    }
}

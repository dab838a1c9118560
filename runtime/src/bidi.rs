//! The bidirectional part of a connection (`BIDI.md`): the hello by which a client says it
//! serves a callback service, and the [`Connection`] handle a server gets for each connection,
//! from which it calls its client back.
//!
//! A client with callbacks sends `thrift-bidi.hello` as its very first message. A server whose
//! service has a callback service answers it inline, before it dispatches anything read after
//! it, and only then may call the client; a plain server answers `UNKNOWN_METHOD`, and the
//! client goes on as a plain client.

use std::sync::Arc;

use crate::client::Channel;
use crate::connection::Shared;
use crate::message::{ApplicationErrorKind, ApplicationException, Incoming, Outgoing};
use crate::protocol::{MessageType, ProtocolError, Reader, TType, Writer};
use crate::value::Value;

/// The method name of the hello: not an IDL identifier, so no user method can collide.
pub(crate) const HELLO: &str = "thrift-bidi.hello";
/// The version of the rules this runtime follows.
const VERSION: i32 = 1;

/// What a client knows about its server calling it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callbacks {
    /// The client serves no callbacks (it said no hello).
    NotOffered,
    /// The client said hello; the server has not answered yet.
    Pending,
    /// The server took the hello: it may call the client back.
    Available,
    /// The server is a plain Thrift server (or the connection closed first): it will never
    /// call back.
    Unavailable,
}

/// Sends the hello as the connection's first message, and records the server's answer.
pub(crate) fn say_hello(shared: &Arc<Shared>, callback_service: &str) {
    shared.callbacks.send_replace(Callbacks::Pending);
    let Ok(reply) = shared.call_now(HELLO, &Hello::new(callback_service)) else {
        shared.callbacks.send_replace(Callbacks::Unavailable);
        return;
    };
    let shared = Arc::downgrade(shared);
    tokio::spawn(async move {
        let welcomed = match reply.await {
            Ok(message) if message.kind() == MessageType::Reply => message
                .body::<Welcome>()
                .is_ok_and(|w| w.version == VERSION),
            Ok(message) => {
                tracing::debug!(method = message.method(), "the server takes no callbacks");
                false
            }
            Err(_) => false,
        };
        if let Some(shared) = shared.upgrade() {
            let state = if welcomed {
                Callbacks::Available
            } else {
                Callbacks::Unavailable
            };
            shared.callbacks.send_replace(state);
        }
    });
}

/// The args of the hello: `{1: i32 min_version, 2: i32 max_version, 3: string
/// callback_service}`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Hello {
    min_version: i32,
    max_version: i32,
    callback_service: String,
}

impl Hello {
    pub(crate) fn new(callback_service: &str) -> Self {
        Self {
            min_version: VERSION,
            max_version: VERSION,
            callback_service: callback_service.to_owned(),
        }
    }
}

impl Value for Hello {
    const TTYPE: TType = TType::Struct;

    fn write<W: Writer>(&self, w: &mut W) {
        w.write_struct_begin();
        w.write_field_begin(TType::I32, 1);
        w.write_i32(self.min_version);
        w.write_field_begin(TType::I32, 2);
        w.write_i32(self.max_version);
        w.write_field_begin(TType::String, 3);
        w.write_string(&self.callback_service);
        w.write_field_stop();
        w.write_struct_end();
    }

    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        let mut hello = Self::default();
        r.read_struct_begin()?;
        while let Some((ty, id)) = r.read_field_begin()? {
            match (id, ty) {
                (1, TType::I32) => hello.min_version = r.read_i32()?,
                (2, TType::I32) => hello.max_version = r.read_i32()?,
                (3, TType::String) => hello.callback_service = r.read_string()?,
                _ => r.skip(ty)?,
            }
        }
        r.read_struct_end();
        Ok(hello)
    }
}

/// The answer to the hello: `{0: i32 version}`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Welcome {
    pub(crate) version: i32,
}

impl Value for Welcome {
    const TTYPE: TType = TType::Struct;

    fn write<W: Writer>(&self, w: &mut W) {
        w.write_struct_begin();
        w.write_field_begin(TType::I32, 0);
        w.write_i32(self.version);
        w.write_field_stop();
        w.write_struct_end();
    }

    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        let mut welcome = Self::default();
        r.read_struct_begin()?;
        while let Some((ty, id)) = r.read_field_begin()? {
            match (id, ty) {
                (0, TType::I32) => welcome.version = r.read_i32()?,
                _ => r.skip(ty)?,
            }
        }
        r.read_struct_end();
        Ok(welcome)
    }
}

/// Whether `message` is a hello (which a server with a callback service answers itself; one
/// without leaves it to its service, which does not know the method).
pub(crate) fn is_hello(message: &Incoming) -> bool {
    message.kind() == MessageType::Call && message.method() == HELLO
}

/// Answers a hello; from then on the server may call the client.
pub(crate) fn welcome(shared: &Shared, hello: &Incoming, callback: &str) -> Outgoing {
    let said = match hello.body::<Hello>() {
        Ok(said) => said,
        Err(e) => return hello.exception(&crate::Error::Protocol(e).to_application()),
    };
    if !(said.min_version..=said.max_version).contains(&VERSION) {
        let message = format!(
            "bidi versions {}..={} asked for; this side speaks {VERSION}",
            said.min_version, said.max_version
        );
        let exception = ApplicationException::new(ApplicationErrorKind::InvalidProtocol, message);
        return hello.exception(&exception);
    }
    if said.callback_service != callback {
        tracing::debug!(
            offered = said.callback_service,
            expected = callback,
            "the client's callback service has another name"
        );
    }
    shared.peer_said_hello();
    hello.reply(&Welcome { version: VERSION })
}

/// One connection, as its server sees it: the way to call the client back, and to learn when
/// it goes. Given to the function that makes each connection's service
/// ([`crate::Server::serve_with`]).
#[derive(Clone)]
pub struct Connection {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A channel calling the client's callback service: wrap it in the generated callback
    /// client. Its calls fail with [`crate::Error::Unavailable`] unless the client said hello
    /// (a plain Thrift client would take a call for its own reply). Holding it does not keep
    /// the connection open.
    pub fn callbacks(&self) -> Channel {
        Channel::to_client(self.shared.clone())
    }

    /// Whether the client said hello, so that it can be called back.
    pub fn has_callbacks(&self) -> bool {
        self.shared.has_peer_hello()
    }

    /// Whether the connection has closed.
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }

    /// Resolves when the connection closes.
    pub async fn closed(&self) {
        self.shared.closed().await;
    }
}

//! The bidirectional part of a connection (`docs/bidi.md`): the hello by which a client says it
//! serves a callback service, the per-connection [`State`] of what each side learned from it,
//! and the [`Greeter`] hook by which a server's connection answers it.
//!
//! A client with callbacks sends `thrift-bidi.hello` as its very first message. A server whose
//! service has a callback service answers it inline, before it dispatches anything read after
//! it, and only then may call the client; a plain server answers `UNKNOWN_METHOD`, and the
//! client goes on as a plain client.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::watch;

use crate::__codegen::write_field;
use crate::connection::{Intercept, Shared};
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

/// What one connection learned from the hellos: whether the peer said one (a server may then
/// call it back), and what the answer to this side's own hello was (a client with callbacks).
pub(crate) struct State {
    peer_hello: AtomicBool,
    pub(crate) callbacks: watch::Sender<Callbacks>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            peer_hello: AtomicBool::new(false),
            callbacks: watch::channel(Callbacks::NotOffered).0,
        }
    }
}

impl State {
    /// Whether the peer said hello.
    pub(crate) fn has_peer_hello(&self) -> bool {
        self.peer_hello.load(Ordering::Acquire)
    }
}

/// Sends the hello as the connection's first message, and records the server's answer.
pub(crate) fn say_hello(shared: &Shared, state: &Arc<State>, callback_service: &str) {
    state.callbacks.send_replace(Callbacks::Pending);
    let Ok(reply) = shared.call_now(HELLO, &Hello::new(callback_service)) else {
        state.callbacks.send_replace(Callbacks::Unavailable);
        return;
    };
    let state = Arc::downgrade(state);
    tokio::spawn(async move {
        let welcomed = match reply.await {
            Ok(Ok(message)) if message.kind() == MessageType::Reply => message
                .body::<Welcome>()
                .is_ok_and(|w| w.version == VERSION),
            Ok(Ok(message)) => {
                tracing::debug!(method = message.method(), "the server takes no callbacks");
                false
            }
            Ok(Err(_)) | Err(_) => false,
        };
        if let Some(state) = state.upgrade() {
            let answer = if welcomed {
                Callbacks::Available
            } else {
                Callbacks::Unavailable
            };
            state.callbacks.send_replace(answer);
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
        write_field(w, 1, &self.min_version);
        write_field(w, 2, &self.max_version);
        write_field(w, 3, &self.callback_service);
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
            r.read_field_end()?;
        }
        r.read_struct_end()?;
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
        write_field(w, 0, &self.version);
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
            r.read_field_end()?;
        }
        r.read_struct_end()?;
        Ok(welcome)
    }
}

/// A server connection's hook: answers the client's hello (when the service has a callback
/// service; one without leaves the hello to its service, which does not know the method).
pub(crate) struct Greeter {
    /// The callback service the connection's service expects its clients to serve.
    pub(crate) callback: Option<&'static str>,
    pub(crate) state: Arc<State>,
}

impl Intercept for Greeter {
    fn intercept(&self, call: Incoming) -> Result<Incoming, Outgoing> {
        match self.callback {
            Some(callback) if call.kind() == MessageType::Call && call.method() == HELLO => {
                Err(self.welcome(&call, callback))
            }
            _ => Ok(call),
        }
    }
}

impl Greeter {
    /// Answers a hello; from then on the server may call the client.
    fn welcome(&self, hello: &Incoming, callback: &str) -> Outgoing {
        let said = match hello.body::<Hello>() {
            Ok(said) => said,
            Err(e) => return hello.exception(&crate::Error::Protocol(e).to_application()),
        };
        if !(said.min_version..=said.max_version).contains(&VERSION) {
            let message = format!(
                "bidi versions {}..={} asked for; this side speaks {VERSION}",
                said.min_version, said.max_version
            );
            let exception =
                ApplicationException::new(ApplicationErrorKind::InvalidProtocol, message);
            return hello.exception(&exception);
        }
        if said.callback_service != callback {
            tracing::debug!(
                offered = said.callback_service,
                expected = callback,
                "the client's callback service has another name"
            );
        }
        self.state.peer_hello.store(true, Ordering::Release);
        hello.reply(&Welcome { version: VERSION })
    }
}

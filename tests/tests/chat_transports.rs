//! The bidirectional chat (`idl-examples`' hub) over the transports beyond plain TCP: each
//! client says hello, the server asks it for its nickname (a callback with a reply) and
//! pushes it the room's messages (oneway callbacks), on the client's own connection.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::time::Duration;

use idl_examples::chat::{ChatCallback, ChatClient, Message};
use idl_examples::hub::Hub;
use thrift_bidi::protocol::Protocol;
use thrift_bidi::{Callbacks, ClientTls, Codec, Error, Server, ServerTls, Transport};
use thrift_bidi_tests::cert;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const BOUND: Duration = Duration::from_secs(10);

/// A user: answers with its name when asked for a nickname, and passes on what is pushed.
struct Recorder {
    name: &'static str,
    pushed: mpsc::UnboundedSender<Message>,
}

impl ChatCallback for Recorder {
    async fn on_message(&self, msg: Message) -> Result<(), Error> {
        let _ = self.pushed.send(msg);
        Ok(())
    }

    async fn ask_nickname(&self, _suggestion: String) -> Result<String, Error> {
        Ok(self.name.to_owned())
    }

    async fn answer(&self, _question: idl_examples::chat::Question) -> Result<String, Error> {
        Err(Error::internal("this test asks no questions"))
    }
}

/// How the clients reach the server.
#[derive(Clone)]
struct Reach {
    codec: Codec,
    tls: Option<ClientTls>,
}

async fn user(
    name: &'static str,
    addr: std::net::SocketAddr,
    reach: &Reach,
) -> (ChatClient, mpsc::UnboundedReceiver<Message>) {
    let (pushed, received) = mpsc::unbounded_channel();
    let mut builder = ChatClient::builder(Recorder { name, pushed })
        .codec(reach.codec)
        .call_timeout(BOUND);
    if let Some(tls) = &reach.tls {
        builder = builder.tls(tls.clone());
    }
    let channel = builder.connect(addr).await.unwrap();
    assert_eq!(channel.callbacks_ready().await, Callbacks::Available);
    (ChatClient::new(channel), received)
}

async fn next(received: &mut mpsc::UnboundedReceiver<Message>) -> Message {
    tokio::time::timeout(BOUND, received.recv())
        .await
        .expect("pushed in time")
        .expect("still connected")
}

/// Two users join a room and talk; each gets the other's words, under the nickname the
/// server asked for.
async fn chat(server: Server, reach: Reach) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hub = Hub::new();
    tokio::spawn(server.serve_with(
        listener,
        move |connection| hub.session(connection),
        std::future::pending(),
    ));
    let (alice, mut to_alice) = user("alice", addr, &reach).await;
    let (bob, mut to_bob) = user("bob", addr, &reach).await;
    alice.join("rust".into()).await.unwrap();
    next(&mut to_alice).await;
    bob.join("rust".into()).await.unwrap();
    next(&mut to_alice).await;
    next(&mut to_bob).await;
    alice.say("rust".into(), "hi bob".into()).await.unwrap();
    for received in [&mut to_alice, &mut to_bob] {
        let message = next(received).await;
        assert_eq!(
            (message.sender.as_str(), message.text.as_str()),
            ("alice", "hi bob")
        );
    }
    bob.say("rust".into(), "hello alice".into()).await.unwrap();
    let message = next(&mut to_alice).await;
    assert_eq!(
        (message.sender.as_str(), message.text.as_str()),
        ("bob", "hello alice")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_over_tls() {
    let tls = ServerTls::from_pem_files(cert("server.pem"), cert("server.key")).unwrap();
    let reach = Reach {
        codec: Codec::default(),
        tls: Some(ClientTls::ca_file(cert("ca.pem")).unwrap()),
    };
    chat(Hub::server().tls(tls), reach).await;
}

fn header_codec() -> Codec {
    Codec {
        transport: Transport::Header,
        ..Codec::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_over_theader() {
    let reach = Reach {
        codec: header_codec(),
        tls: None,
    };
    chat(Hub::server().transport(Transport::Header), reach).await;
}

/// A THeader server calls back a client that speaks framed compact as it speaks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_theader_server_calls_back_framed_compact_clients_in_their_dialect() {
    let reach = Reach {
        codec: Codec {
            protocol: Protocol::Compact,
            ..Codec::default()
        },
        tls: None,
    };
    chat(Hub::server().transport(Transport::Header), reach).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_over_theader_with_zlib_over_tls() {
    let tls = ServerTls::from_pem_files(cert("server.pem"), cert("server.key")).unwrap();
    let codec = Codec {
        header_zlib: true,
        ..header_codec()
    };
    let reach = Reach {
        codec,
        tls: Some(ClientTls::ca_file(cert("ca.pem")).unwrap()),
    };
    chat(
        Hub::server().codec(codec).max_frame(16 << 10).tls(tls),
        reach,
    )
    .await;
}

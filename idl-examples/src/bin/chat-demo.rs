//! The bidirectional chat in one process: a server and three clients holding a short scripted
//! conversation. The server pushes messages to the clients and asks them for their nicknames
//! (calls from server to client on the client's own connection); each side prints what it
//! sends and receives.

use std::time::Duration;

use idl_examples::chat::{ChatClient, ChatJoinError, ChatSayError};
use idl_examples::hub::Hub;
use idl_examples::printer::Printer;
use thrift_bidi::Callbacks;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// One scripted user: the client, and the count of messages pushed to it.
struct User {
    name: &'static str,
    chat: ChatClient,
    received: watch::Receiver<usize>,
    expected: usize,
}

impl User {
    async fn connect(
        name: &'static str,
        addr: std::net::SocketAddr,
    ) -> Result<Self, thrift_bidi::Error> {
        let printer = Printer::new(name);
        let received = printer.received();
        let channel = ChatClient::builder(printer).connect(addr).await?;
        let ready = channel.callbacks_ready().await;
        println!("[{name}] connected; server callbacks: {ready:?}");
        assert_eq!(ready, Callbacks::Available, "the chat server calls back");
        Ok(Self {
            name,
            chat: ChatClient::new(channel),
            received,
            expected: 0,
        })
    }

    async fn join(&mut self, room: &str) -> Result<(), ChatJoinError> {
        println!("[{}] -> join #{room}", self.name);
        self.chat.join(room.to_owned()).await
    }

    async fn say(&self, room: &str, text: &str) -> Result<(), ChatSayError> {
        println!("[{}] -> #{room}: {text}", self.name);
        self.chat.say(room.to_owned(), text.to_owned()).await
    }

    /// Waits (at most 5 s) until `more` further messages have been pushed to this user.
    async fn receives(&mut self, more: usize) {
        self.expected += more;
        let expected = self.expected;
        let arrived = tokio::time::timeout(
            Duration::from_secs(5),
            self.received.wait_for(|n| *n >= expected),
        )
        .await;
        assert!(
            matches!(arrived, Ok(Ok(_))),
            "{} did not get its messages",
            self.name
        );
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    idl_examples::cli::log_to_stderr();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    println!("[server] listening on {addr}");
    let hub = Hub::new();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(Hub::server().serve_with(
        listener,
        move |connection| hub.session(connection),
        async {
            let _ = stopped.await;
        },
    ));

    let mut alice = User::connect("alice", addr).await?;
    let mut bob = User::connect("bob", addr).await?;
    let mut carol = User::connect("carol", addr).await?;

    alice.join("rust").await?;
    alice.receives(1).await;
    bob.join("rust").await?;
    alice.receives(1).await;
    bob.receives(1).await;
    alice
        .say("rust", "hi bob, the server pushed your join to me")
        .await?;
    alice.receives(1).await;
    bob.receives(1).await;
    bob.say("rust", "hello alice!").await?;
    alice.receives(1).await;
    bob.receives(1).await;

    match carol.say("rust", "anyone here?").await {
        Err(ChatSayError::NotJoined(e)) => {
            println!("[carol] <- NotJoined {{ room: {:?} }}", e.room);
        }
        other => return Err(format!("carol should not be in #rust yet: {other:?}").into()),
    }
    println!("[carol] -> join a room with a 100-character name");
    match carol.chat.join("r".repeat(100)).await {
        Err(ChatJoinError::Rejected(e)) => println!("[carol] <- Rejected {{ why: {:?} }}", e.why),
        other => return Err(format!("a 100-byte room name is over the limit: {other:?}").into()),
    }
    let rooms = carol.chat.rooms().await?;
    println!("[carol] <- rooms: {rooms:?}");
    carol.join("rust").await?;
    for user in [&mut alice, &mut bob, &mut carol] {
        user.receives(1).await;
    }
    carol.say("rust", "hi both").await?;
    for user in [&mut alice, &mut bob, &mut carol] {
        user.receives(1).await;
    }

    println!("[server] shutting down");
    drop((alice, bob, carol));
    let _ = stop.send(());
    server.await?;
    println!("done");
    Ok(())
}

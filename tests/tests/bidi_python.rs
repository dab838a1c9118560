//! The bidirectional chat with plain Python peers (`tests/python/chat_peer.py`, on Apache's
//! `thrift` and on `thriftpy2`): plain clients use the bidirectional server's ordinary methods
//! and are never sent callbacks, even while the server pushes to a bidirectional client in
//! the same room; our bidirectional client works with a plain Python server and learns that
//! callbacks are unavailable.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::process::Command;
use std::time::Duration;

use idl_examples::chat::{ChatCallback, ChatClient, Message};
use idl_examples::hub::Hub;
use thrift_bidi::{Callbacks, Error, Server};
use thrift_bidi_tests::{generated_dir, peers, venv_python};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const IMPLS: [&str; 2] = ["apache", "thriftpy2"];

fn python(role: &str, implementation: &str, port: u16) -> Command {
    let mut command = Command::new(venv_python());
    command
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/python/chat_peer.py"))
        .args([role, "--impl", implementation, "--port", &port.to_string()])
        .arg("--idl")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../idl-examples/idl/chat.thrift"
        ))
        .arg("--gen-py")
        .arg(generated_dir().join("gen-py"));
    command
}

/// A bidirectional client's callbacks: forwards the texts pushed to it.
struct Forward(mpsc::UnboundedSender<String>);

impl ChatCallback for Forward {
    async fn on_message(&self, msg: Message) -> Result<(), Error> {
        let _ = self.0.send(format!("{}: {}", msg.sender, msg.text));
        Ok(())
    }
    async fn ask_nickname(&self, _suggestion: String) -> Result<String, Error> {
        Ok("rusty".to_owned())
    }

    async fn answer(&self, _question: idl_examples::chat::Question) -> Result<String, Error> {
        Err(Error::internal("this test asks no questions"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_python_clients_are_never_called_back() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hub = Hub::new();
    tokio::spawn(Server::builder().serve_with(
        listener,
        move |connection| hub.session(connection),
        std::future::pending(),
    ));
    // A bidirectional client in the room, to which the server pushes what the Python
    // clients say.
    let (tx, mut pushed) = mpsc::unbounded_channel();
    let channel = ChatClient::builder(Forward(tx))
        .connect(("127.0.0.1", port))
        .await
        .unwrap();
    let rusty = ChatClient::new(channel);
    rusty.join("py".to_owned()).await.unwrap();
    for implementation in IMPLS {
        let client = python("client", implementation, port);
        let finished =
            tokio::task::spawn_blocking(move || peers::run_client(client, Duration::from_mins(1)))
                .await
                .unwrap();
        assert_eq!(
            finished.code,
            Some(0),
            "{implementation}: {}",
            finished.stderr
        );
    }
    // Rusty's own join, then each Python client's join and two messages.
    let mut heard = Vec::new();
    while heard.len() < 1 + 2 * 3 {
        let text = tokio::time::timeout(Duration::from_secs(10), pushed.recv()).await;
        heard.push(text.unwrap().unwrap());
    }
    for n in [1, 2] {
        assert!(
            heard.contains(&format!("server: guest-{} joined", n + 1)),
            "{heard:?}"
        );
        assert!(
            heard.contains(&format!("guest-{}: hello from python", n + 1)),
            "{heard:?}"
        );
        assert!(
            heard.contains(&format!("guest-{}: goodbye", n + 1)),
            "{heard:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_with_callbacks_works_with_plain_python_servers() {
    for implementation in IMPLS {
        let server = python("server", implementation, 0);
        let server = tokio::task::spawn_blocking(move || {
            peers::start_server(server, Duration::from_secs(30))
        })
        .await
        .unwrap()
        .unwrap();
        let port: u16 = server.address.parse().unwrap();
        let (tx, _pushed) = mpsc::unbounded_channel();
        let channel = ChatClient::builder(Forward(tx))
            .connect(("127.0.0.1", port))
            .await
            .unwrap();
        let ready = tokio::time::timeout(Duration::from_secs(10), channel.callbacks_ready()).await;
        assert_eq!(ready.unwrap(), Callbacks::Unavailable, "{implementation}");
        let chat = ChatClient::new(channel);
        chat.join("rust".to_owned()).await.unwrap();
        chat.say("rust".to_owned(), "hi".to_owned()).await.unwrap();
        assert_eq!(chat.rooms().await.unwrap(), ["rust"], "{implementation}");
    }
}

//! The chat server at scale: 200 clients in one room; 1,000 messages said by one of them are
//! pushed (oneway callbacks) to every client, completely and in order, while all the clients
//! keep making calls of their own on the same connections.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::sync::{Arc, Mutex};
use std::time::Duration;

use idl_examples::chat::{ChatCallback, ChatCallbackServer, ChatClient, Message};
use idl_examples::hub::Hub;
use thrift_bidi::{Channel, Error, Server};
use tokio::net::TcpListener;

const CLIENTS: usize = 200;
const MESSAGES: usize = 1_000;

/// Keeps the texts pushed to one client, in arrival order.
#[derive(Clone, Default)]
struct Collector {
    texts: Arc<Mutex<Vec<String>>>,
}

impl ChatCallback for Collector {
    async fn on_message(&self, msg: Message) -> Result<(), Error> {
        if msg.sender != "server" {
            self.texts.lock().unwrap().push(msg.text);
        }
        Ok(())
    }
    async fn ask_nickname(&self, suggestion: String) -> Result<String, Error> {
        Ok(suggestion)
    }

    async fn answer(&self, _question: idl_examples::chat::Question) -> Result<String, Error> {
        Err(Error::internal("this test asks no questions"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_pushes_reach_two_hundred_clients_in_order() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hub = Hub::new();
    tokio::spawn(Server::builder().serve_with(
        listener,
        move |connection| hub.session(connection),
        std::future::pending(),
    ));
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let collector = Collector::default();
        let channel = Channel::builder()
            .callbacks(ChatCallbackServer::new(collector.clone()))
            .connect(addr)
            .await
            .unwrap();
        let chat = ChatClient::new(channel);
        chat.join("all".to_owned()).await.unwrap();
        clients.push((chat, collector));
    }
    // Everyone keeps calling the server while the pushes flow.
    let mut busy = tokio::task::JoinSet::new();
    for (chat, _) in &clients {
        let chat = chat.clone();
        busy.spawn(async move {
            for _ in 0..20 {
                assert_eq!(chat.rooms().await.unwrap(), ["all"]);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
    }
    let speaker = clients[0].0.clone();
    for i in 0..MESSAGES {
        speaker
            .say("all".to_owned(), format!("m{i}"))
            .await
            .unwrap();
    }
    while let Some(done) = busy.join_next().await {
        done.unwrap();
    }
    let expected: Vec<String> = (0..MESSAGES).map(|i| format!("m{i}")).collect();
    let all_arrived = async {
        while clients
            .iter()
            .any(|(_, c)| c.texts.lock().unwrap().len() < MESSAGES)
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_mins(1), all_arrived)
        .await
        .expect("every push arrives");
    for (i, (_, collector)) in clients.iter().enumerate() {
        assert_eq!(*collector.texts.lock().unwrap(), expected, "client {i}");
    }
}

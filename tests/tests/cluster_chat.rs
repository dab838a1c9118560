//! The chat as a cluster, on a real `nats-server` and a real `redis-server` (each test on
//! both): three chat nodes (each a hub with its own server, in this process, joined through
//! the broker), nine users spread over them in one room. Each of three users, one per node,
//! says 50 messages; every user, on every node, receives every message once, in order per
//! sender. A user asks a user on another node a question (a two-way callback routed to that
//! node), and gets its answer.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::sync::{Arc, Mutex};
use std::time::Duration;

use idl_examples::chat::{ChatCallback, ChatClient, Message};
use thrift_bidi::{Callbacks, Error};
use thrift_bidi_cluster::{Cluster, Options};
use thrift_bidi_tests::brokers::{chat_node, Broker, Kind};

const BOUND: Duration = Duration::from_secs(30);

/// A user: the messages pushed to it, in order.
#[derive(Clone, Default)]
struct User(Arc<Mutex<Vec<(String, String)>>>, &'static str);

impl ChatCallback for User {
    async fn on_message(&self, msg: Message) -> Result<(), Error> {
        self.0.lock().unwrap().push((msg.sender, msg.text));
        Ok(())
    }

    async fn ask_nickname(&self, _: String) -> Result<String, Error> {
        Ok(self.1.to_owned())
    }

    async fn answer(&self, question: idl_examples::chat::Question) -> Result<String, Error> {
        Ok(format!("{} answers {}", self.1, question.text))
    }
}

/// A chat node on `broker`: its address.
async fn node(broker: &Broker, name: &str) -> std::net::SocketAddr {
    let options = Options::new(name).heartbeat(Duration::from_millis(100));
    let cluster = Cluster::connect(&broker.url(), options).await.unwrap();
    chat_node(Some(cluster), idl_examples::hub::Hub::server()).await
}

const NAMES: [&str; 9] = ["a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2"];

/// Three nodes, and the nine users joined to "lobby", `NAMES[i]` on node `i % 3`.
async fn lobby(broker: &Broker) -> Vec<(ChatClient, User)> {
    let nodes = [
        node(broker, "a").await,
        node(broker, "b").await,
        node(broker, "c").await,
    ];
    let mut users = Vec::new();
    for (i, name) in NAMES.into_iter().enumerate() {
        let user = User(Arc::default(), name);
        let builder = ChatClient::builder(user.clone());
        let channel = builder.connect(nodes[i % 3]).await.unwrap();
        assert_eq!(channel.callbacks_ready().await, Callbacks::Available);
        let chat = ChatClient::new(channel);
        chat.join("lobby".into()).await.unwrap();
        users.push((chat, user));
    }
    users
}

async fn every_user_on_every_node_gets_every_message_in_order(kind: Kind) {
    let broker = Broker::of(kind, None);
    let users = lobby(&broker).await;
    // Each node listens to the room from its first join; give the broker a moment.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for round in 0..50 {
        for (chat, user) in &users[..3] {
            chat.say("lobby".into(), format!("{} {round}", user.1))
                .await
                .unwrap();
        }
    }
    for (_, user) in &users {
        let started = std::time::Instant::now();
        loop {
            let said: Vec<(String, String)> = user
                .0
                .lock()
                .unwrap()
                .iter()
                .filter(|(sender, _)| sender != "server")
                .cloned()
                .collect();
            if said.len() >= 150 {
                for sender in &NAMES[..3] {
                    let from: Vec<&String> = said
                        .iter()
                        .filter(|(s, _)| s == sender)
                        .map(|(_, t)| t)
                        .collect();
                    let expected: Vec<String> = (0..50).map(|r| format!("{sender} {r}")).collect();
                    assert_eq!(
                        from,
                        expected.iter().collect::<Vec<_>>(),
                        "{}: from {sender}",
                        user.1
                    );
                }
                assert_eq!(said.len(), 150, "{}: none twice", user.1);
                break;
            }
            assert!(
                started.elapsed() < BOUND,
                "{} got {} of 150",
                user.1,
                said.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn a_user_asks_a_user_on_another_node_and_gets_its_answer(kind: Kind) {
    let broker = Broker::of(kind, None);
    let users = lobby(&broker).await;
    let (a0, c2) = (&users[0].0, &users[8].0);
    // Node a knows c2 is on node c from node c's heartbeats, 100 ms apart.
    let started = std::time::Instant::now();
    let answer = loop {
        match a0.ask("c2".into(), "tea?".into()).await {
            Err(idl_examples::chat::ChatAskError::Unreachable(_)) => {
                assert!(started.elapsed() < BOUND, "c2 never found");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            answer => break answer.unwrap(),
        }
    };
    assert_eq!(answer, "c2 answers tea?");
    assert_eq!(
        c2.ask("a0".into(), "milk?".into()).await.unwrap(),
        "a0 answers milk?"
    );
    let nobody = a0.ask("nobody".into(), "hello?".into()).await;
    assert!(
        matches!(&nobody, Err(idl_examples::chat::ChatAskError::Unreachable(u)) if u.nickname == "nobody"),
        "{nobody:?}"
    );
}

thrift_bidi_tests::on_both_brokers!(
    every_user_on_every_node_gets_every_message_in_order,
    a_user_asks_a_user_on_another_node_and_gets_its_answer,
);

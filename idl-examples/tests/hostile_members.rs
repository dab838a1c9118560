//! The chat server facing members that misbehave: one that stops reading does not hold up the
//! others' messages, and sizes and the nickname question are bounded. Time bounds are
//! liveness bounds with wide margins.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use idl_examples::chat::{
    ChatCallback, ChatCallbackServer, ChatClient, ChatJoinError, ChatSayError, Message,
};
use idl_examples::hub::{Hub, ASK_TIMEOUT, MAX_NICKNAME, MAX_ROOM, MAX_TEXT};
use thrift_bidi::{Channel, Error};
use tokio::net::TcpListener;
use tokio::time::{timeout, Instant};

/// Records when each message pushed to one member arrived, and what it said.
#[derive(Clone)]
struct Collector {
    nickname: String,
    arrivals: Arc<Mutex<Vec<(String, Instant)>>>,
}

impl Collector {
    fn new(nickname: &str) -> Self {
        Self {
            nickname: nickname.to_owned(),
            arrivals: Arc::default(),
        }
    }

    fn texts(&self) -> Vec<String> {
        self.arrivals
            .lock()
            .unwrap()
            .iter()
            .map(|(t, _)| t.clone())
            .collect()
    }

    /// The first message pushed, once it has arrived: the push is a oneway, which may still
    /// be on its way when the reply to the call that caused it arrives.
    async fn first_text(&self) -> String {
        let first = async {
            loop {
                if let Some(text) = self.texts().first() {
                    return text.clone();
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        };
        timeout(std::time::Duration::from_secs(10), first)
            .await
            .expect("a message is pushed")
    }
}

impl ChatCallback for Collector {
    async fn on_message(&self, msg: Message) -> Result<(), Error> {
        self.arrivals
            .lock()
            .unwrap()
            .push((msg.text, Instant::now()));
        Ok(())
    }
    async fn ask_nickname(&self, _suggestion: String) -> Result<String, Error> {
        Ok(self.nickname.clone())
    }

    async fn answer(&self, _question: idl_examples::chat::Question) -> Result<String, Error> {
        Err(Error::internal("this test asks no questions"))
    }
}

/// A member that answers its nickname, then never finishes handling a pushed message, so
/// that it reads nothing more once its small incoming budget is full.
struct Stuck;

impl ChatCallback for Stuck {
    async fn on_message(&self, _msg: Message) -> Result<(), Error> {
        std::future::pending().await
    }
    async fn ask_nickname(&self, _suggestion: String) -> Result<String, Error> {
        Ok("stuck".to_owned())
    }

    async fn answer(&self, _question: idl_examples::chat::Question) -> Result<String, Error> {
        Err(Error::internal("this test asks no questions"))
    }
}

async fn serve() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hub = Hub::new();
    let make = move |connection: &thrift_bidi::Connection| hub.session(connection);
    tokio::spawn(Hub::server().serve_with(listener, make, std::future::pending()));
    addr
}

async fn member(addr: std::net::SocketAddr, callbacks: impl ChatCallback) -> ChatClient {
    let channel = Channel::builder()
        .max_incoming_bytes(64 << 10)
        .callbacks(ChatCallbackServer::new(callbacks))
        .connect(addr)
        .await
        .unwrap();
    ChatClient::new(channel)
}

/// 5,000 messages of 2 KiB said in a room with one member that reads nothing: far more than
/// that member's budgets and socket buffers hold. Every other member gets every message, in
/// order, each within a second of its being said.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_that_stops_reading_does_not_hold_up_the_others() {
    const MESSAGES: usize = 5_000;
    let addr = serve().await;
    let stuck = member(addr, Stuck).await;
    stuck.join("room".to_owned()).await.unwrap();
    let mut collectors = Vec::new();
    for name in ["ann", "bob", "cat"] {
        let collector = Collector::new(name);
        let client = member(addr, collector.clone()).await;
        client.join("room".to_owned()).await.unwrap();
        collectors.push((client, collector));
    }
    let speaker = collectors[0].0.clone();
    let padding = "x".repeat(2 << 10);
    let mut said = HashMap::new();
    for i in 0..MESSAGES {
        let text = format!("{i} {padding}");
        said.insert(text.clone(), Instant::now());
        timeout(Duration::from_secs(5), speaker.say("room".to_owned(), text))
            .await
            .expect("said without waiting for the stuck member")
            .unwrap();
    }
    let expected: Vec<String> = (0..MESSAGES).map(|i| format!("{i} {padding}")).collect();
    let all_arrived = async {
        while collectors
            .iter()
            .any(|(_, c)| c.texts().iter().filter(|t| t.ends_with('x')).count() < MESSAGES)
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    timeout(Duration::from_secs(30), all_arrived)
        .await
        .expect("every message arrives");
    let mut slowest = Duration::ZERO;
    for (_, collector) in &collectors {
        let arrivals: Vec<(String, Instant)> = collector
            .arrivals
            .lock()
            .unwrap()
            .iter()
            .filter(|(text, _)| text.ends_with('x'))
            .cloned()
            .collect();
        let texts: Vec<String> = arrivals.iter().map(|(t, _)| t.clone()).collect();
        assert!(
            texts == expected,
            "{} got every message, in order",
            collector.nickname
        );
        for (text, arrived) in arrivals {
            slowest = slowest.max(arrived - said[&text]);
        }
    }
    println!(
        "{MESSAGES} messages beside a member that reads nothing: the slowest took {slowest:?}"
    );
    assert!(
        slowest < Duration::from_secs(1),
        "a message took {slowest:?}"
    );
    drop(stuck);
}

/// A room name or a text over its bound is rejected; a nickname over its bound is replaced by
/// the suggested one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sizes_are_bounded() {
    let addr = serve().await;
    let long_name = Collector::new(&"n".repeat(MAX_NICKNAME + 1));
    let client = member(addr, long_name.clone()).await;
    let room = "r".repeat(MAX_ROOM + 1);
    match client.join(room).await {
        Err(ChatJoinError::Rejected(e)) => assert!(e.why.contains("room name"), "{}", e.why),
        other => panic!("a long room name got {other:?}"),
    }
    client.join("r".repeat(MAX_ROOM)).await.unwrap();
    match client
        .say("r".repeat(MAX_ROOM), "t".repeat(MAX_TEXT + 1))
        .await
    {
        Err(ChatSayError::Rejected(e)) => assert!(e.why.contains("text"), "{}", e.why),
        other => panic!("a long text got {other:?}"),
    }
    client
        .say("r".repeat(MAX_ROOM), "t".repeat(MAX_TEXT))
        .await
        .unwrap();
    let first = long_name.first_text().await;
    assert!(
        first.starts_with("guest-") && first.ends_with(" joined"),
        "{first:?}"
    );
}

/// A member that never answers the nickname question joins under the suggested nickname once
/// the question times out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nickname_question_times_out() {
    struct Silent(Collector);
    impl ChatCallback for Silent {
        async fn on_message(&self, msg: Message) -> Result<(), Error> {
            self.0.on_message(msg).await
        }
        async fn ask_nickname(&self, _suggestion: String) -> Result<String, Error> {
            std::future::pending().await
        }

        async fn answer(&self, _question: idl_examples::chat::Question) -> Result<String, Error> {
            Err(Error::internal("this test asks no questions"))
        }
    }
    let addr = serve().await;
    let collector = Collector::new("unused");
    let client = member(addr, Silent(collector.clone())).await;
    let started = Instant::now();
    timeout(ASK_TIMEOUT * 3, client.join("room".to_owned()))
        .await
        .expect("joined once the question timed out")
        .unwrap();
    assert!(started.elapsed() >= ASK_TIMEOUT);
    let first = collector.first_text().await;
    assert!(first.starts_with("guest-"), "{first:?}");
}

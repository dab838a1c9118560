//! Helpers of the cluster's process tests: `chat-server` processes on a broker, and users
//! that reconnect over all of them, join the room again on each connection, and keep what is
//! pushed to them.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use idl_examples::chat::{ChatCallback, ChatClient, Message, Question};
use thrift_bidi::{Channel, Error, Reconnect};
use thrift_bidi_tests::brokers::Broker;

/// The bound on anything waited for (a wide margin for a loaded machine).
pub(crate) const BOUND: Duration = Duration::from_mins(1);

/// A `chat-server` process in a cluster, killed when dropped.
pub(crate) struct Node {
    child: Child,
    stdout: BufReader<ChildStdout>,
    /// Where it listens.
    pub(crate) addr: String,
}

impl Node {
    /// Starts a chat server called `name` on `broker`, on a free loopback port.
    pub(crate) fn start(broker: &Broker, name: &str) -> Self {
        let url = broker.url();
        let args = ["--host", "127.0.0.1", "--port", "0", "--cluster", &url];
        let mut child = Command::new(env!("CARGO_BIN_EXE_chat-server"))
            .args(args)
            .args(["--node", name])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let Some((_, addr)) = line.trim().rsplit_once("listening on ") else {
            panic!("chat-server printed {line:?}");
        };
        let addr = addr.to_owned();
        Self {
            child,
            stdout,
            addr,
        }
    }

    /// Stops it as an operator would (SIGTERM): it drains, and says how many pushes it
    /// skipped in all, which this returns.
    pub(crate) async fn stop(mut self) -> u64 {
        tokio::task::spawn_blocking(move || {
            let pid = self.child.id().to_string();
            let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
            assert!(sent.success());
            let mut line = String::new();
            while self.stdout.read_line(&mut line).unwrap() > 0 {
                if let Some(skipped) = line.trim().strip_suffix(" pushes skipped") {
                    let skipped = skipped.rsplit(' ').next().unwrap();
                    return skipped.parse().unwrap();
                }
                line.clear();
            }
            panic!("chat-server ended without counting its skipped pushes");
        })
        .await
        .unwrap()
    }

    /// Kills it (SIGKILL).
    pub(crate) fn kill(self) {
        drop(self);
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a user was pushed, and when it joined.
#[derive(Clone, Default)]
struct Heard {
    name: String,
    messages: Arc<Mutex<Vec<Message>>>,
    joins: Arc<Mutex<Vec<Instant>>>,
}

impl Heard {
    /// When it joined the room again on a new connection, if it did.
    fn rejoined(&self) -> Option<Instant> {
        self.joins.lock().unwrap().get(1).copied()
    }
}

impl ChatCallback for Heard {
    async fn on_message(&self, msg: Message) -> Result<(), Error> {
        self.messages.lock().unwrap().push(msg);
        Ok(())
    }

    async fn ask_nickname(&self, _: String) -> Result<String, Error> {
        Ok(self.name.clone())
    }

    async fn answer(&self, question: Question) -> Result<String, Error> {
        Ok(format!("{} answers {}", self.name, question.text))
    }
}

/// A user of the chat, over every node.
pub(crate) struct User {
    /// Its nickname, `u<i>`.
    pub(crate) name: String,
    /// The node it connected to first.
    pub(crate) first_node: usize,
    /// Its client.
    pub(crate) chat: ChatClient,
    heard: Heard,
}

impl User {
    /// The messages of other users it was pushed: their sender and number.
    pub(crate) fn got(&self) -> Vec<(String, u32)> {
        let messages = self.heard.messages.lock().unwrap();
        let said = messages.iter().filter(|m| m.sender != "server");
        said.map(|m| (m.sender.clone(), m.text.parse().unwrap()))
            .collect()
    }

    /// The server's notices to it.
    pub(crate) fn texts_from_server(&self) -> Vec<String> {
        let messages = self.heard.messages.lock().unwrap();
        let notices = messages.iter().filter(|m| m.sender == "server");
        notices.map(|m| m.text.clone()).collect()
    }

    /// When it joined the room again on a new connection, if it did.
    pub(crate) fn rejoined(&self) -> Option<Instant> {
        self.heard.rejoined()
    }

    /// Waits until it has `count` messages of other users, and gives them.
    pub(crate) async fn wait_for(&self, count: usize) -> Vec<(String, u32)> {
        let started = Instant::now();
        loop {
            let got = self.got();
            if got.len() >= count {
                assert_eq!(got.len(), count, "{}: more than were said", self.name);
                return got;
            }
            assert!(
                started.elapsed() < BOUND,
                "{} got {} of {count}",
                self.name,
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// `count` users, user `i` connecting to node `i % nodes` first and to the others in turn
/// when that one goes, each joining "lobby" on every connection; once every user has heard
/// the last one join.
pub(crate) async fn lobby(nodes: &[Node], count: usize) -> Vec<User> {
    let mut users = Vec::new();
    for i in 0..count {
        let first_node = i % nodes.len();
        let endpoints: Vec<String> = (0..nodes.len())
            .map(|k| nodes[(first_node + k) % nodes.len()].addr.clone())
            .collect();
        let heard = Heard {
            name: format!("u{i}"),
            ..Heard::default()
        };
        let joining = heard.clone();
        let reconnect = Reconnect::default()
            .backoff(Duration::from_millis(50), Duration::from_millis(500))
            .on_connect(move |channel: Channel| {
                let joins = joining.joins.clone();
                async move {
                    let chat = ChatClient::new(channel);
                    if chat.join("lobby".into()).await.is_ok() {
                        joins.lock().unwrap().push(Instant::now());
                    }
                }
            });
        let builder = ChatClient::builder(heard.clone());
        let channel = builder.connect_any(endpoints, reconnect).await.unwrap();
        users.push(User {
            name: heard.name.clone(),
            first_node,
            chat: ChatClient::new(channel),
            heard,
        });
    }
    let last = format!("u{} joined", count - 1);
    for user in &users {
        let started = Instant::now();
        while !user.texts_from_server().contains(&last) {
            assert!(
                started.elapsed() < BOUND,
                "{} never heard {last:?}",
                user.name
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    users
}

/// One say: its number, when it started and ended, and whether it went through.
pub(crate) struct Says {
    pub(crate) seq: u32,
    pub(crate) start: Instant,
    pub(crate) end: Instant,
    pub(crate) ok: bool,
}

/// Everything a sender said, and when it joined again (if it had to).
pub(crate) struct Said {
    pub(crate) name: String,
    pub(crate) says: Vec<Says>,
    pub(crate) rejoined: Option<Instant>,
}

/// A sender saying its numbers in turn, 10 ms apart.
pub(crate) struct Sender {
    progress: Arc<AtomicU32>,
    task: tokio::task::JoinHandle<Vec<Says>>,
    name: String,
    heard: Heard,
}

impl Sender {
    /// How many it has said.
    pub(crate) fn progress(&self) -> u32 {
        self.progress.load(Ordering::Relaxed)
    }

    /// Waits until it has said them all.
    pub(crate) async fn finish(self) -> Said {
        let says = tokio::time::timeout(BOUND, self.task).await;
        let says = says.expect("the sender finished").unwrap();
        let rejoined = self.heard.rejoined();
        Said {
            name: self.name,
            says,
            rejoined,
        }
    }
}

/// Starts `user` saying 0 to `count - 1` in the room.
pub(crate) fn said(user: &User, count: u32) -> Sender {
    let progress = Arc::new(AtomicU32::new(0));
    let chat = user.chat.clone();
    let counted = progress.clone();
    let task = tokio::spawn(async move {
        let mut says = Vec::new();
        for seq in 0..count {
            let start = Instant::now();
            let ok = chat.say("lobby".into(), seq.to_string()).await.is_ok();
            let end = Instant::now();
            says.push(Says {
                seq,
                start,
                end,
                ok,
            });
            counted.store(seq + 1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        says
    });
    Sender {
        progress,
        task,
        name: user.name.clone(),
        heard: user.heard.clone(),
    }
}

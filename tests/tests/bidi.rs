//! Bidirectional use of generated services over real sockets: the seed scenario of the
//! design (one task long-polls `get_message()` while another calls `send_request()` on the
//! same client), which a plain Thrift client cannot do safely. The rules: docs/bidi.md.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::time::Duration;

use idl_examples::inbox::Inbox;
use idl_examples::mailbox::MailboxClient;
use thrift_bidi::{Channel, Server};
use tokio::net::TcpListener;

const ROUNDS: usize = 10_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_poll_and_requests_share_one_client() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let make = |_: &thrift_bidi::Connection| Inbox::serve();
    tokio::spawn(Server::builder().serve_with(listener, make, std::future::pending()));
    let client = MailboxClient::new(Channel::connect(addr).await.unwrap());
    let poller = tokio::spawn({
        let client = client.clone();
        async move {
            for i in 0..ROUNDS {
                assert_eq!(client.get_message().await.unwrap(), format!("message {i}"));
            }
        }
    });
    let sender = tokio::spawn(async move {
        for i in 0..ROUNDS {
            client.send_request(format!("message {i}")).await.unwrap();
        }
    });
    let both = async {
        sender.await.unwrap();
        poller.await.unwrap();
    };
    tokio::time::timeout(Duration::from_mins(2), both)
        .await
        .expect("both finish");
}

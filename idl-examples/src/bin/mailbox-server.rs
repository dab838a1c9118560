//! The seed scenario's server: `mailbox-server [--port N] [--host H] [--transport
//! framed|buffered] [--protocol binary|compact] [--tls-cert PEM --tls-key PEM]` serves
//! `Mailbox` (a mailbox per connection) until interrupted. Port 0, the default, takes any
//! free port; it prints where it listens.

use std::process::ExitCode;

use idl_examples::inbox::Inbox;
use thrift_bidi::Server;

const USAGE: &str =
    "mailbox-server [--port N] [--host H] [--transport framed|buffered] [--protocol binary|compact] [--tls-cert PEM --tls-key PEM]";

#[tokio::main]
async fn main() -> ExitCode {
    idl_examples::cli::log_to_stderr();
    let (_, listener, server) =
        match idl_examples::cli::listen("mailbox-server", USAGE, Server::builder()).await {
            Ok(started) => started,
            Err(message) => {
                eprintln!("{message}");
                return ExitCode::from(2);
            }
        };
    let interrupted = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    server
        .serve_with(listener, |_| Inbox::serve(), interrupted)
        .await;
    ExitCode::SUCCESS
}

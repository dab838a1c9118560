//! The seed scenario's server: `mailbox-server [--port N] [--host H] [--transport
//! framed|buffered] [--protocol binary|compact] [--tls-cert PEM --tls-key PEM]` serves
//! `Mailbox` (a mailbox per connection) until interrupted. Port 0, the default, takes any
//! free port; it prints where it listens.

use std::process::ExitCode;

use idl_examples::cli;
use idl_examples::inbox::Inbox;

const USAGE: &str =
    "mailbox-server [--port N] [--host H] [--transport framed|buffered] [--protocol binary|compact] [--tls-cert PEM --tls-key PEM]";

#[tokio::main]
async fn main() -> ExitCode {
    idl_examples::cli::log_to_stderr();
    let (_, listener, server) = match cli::start("mailbox-server", USAGE).await {
        Ok(started) => started,
        Err(code) => return code,
    };
    cli::serve_until_interrupted(server, listener, |_| Inbox::serve()).await
}

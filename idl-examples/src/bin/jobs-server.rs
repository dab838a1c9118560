//! The jobs server: `jobs-server [--port N] [--host H] [--transport framed|buffered]
//! [--protocol binary|compact] [--tls-cert PEM --tls-key PEM] [--multiplexed]` serves `Jobs`
//! (as `Jobs:` with `--multiplexed`), pulling each job's input from the client that asked,
//! until interrupted. Port 0, the default, takes any free port; it prints where it listens.

use std::process::ExitCode;

use idl_examples::work::Worker;
use thrift_bidi::{Multiplexed, Server};

const USAGE: &str =
    "jobs-server [--port N] [--host H] [--transport framed|buffered] [--protocol binary|compact] [--tls-cert PEM --tls-key PEM] [--multiplexed]";

#[tokio::main]
async fn main() -> ExitCode {
    idl_examples::cli::log_to_stderr();
    let (args, listener, server) =
        match idl_examples::cli::listen("jobs-server", USAGE, Server::builder()).await {
            Ok(started) => started,
            Err(message) => {
                eprintln!("{message}");
                return ExitCode::from(2);
            }
        };
    let interrupted = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if idl_examples::cli::flag(&args, "--multiplexed") {
        // `Jobs:checksum` in, `JobSource:chunk` back (docs/bidi.md section 6).
        let make = |connection: &thrift_bidi::Connection| {
            let back = connection.callbacks().multiplexed("JobSource");
            Multiplexed::new().with("Jobs", Worker::calling_back(back, false))
        };
        server.serve_with(listener, make, interrupted).await;
    } else {
        let make = |connection: &thrift_bidi::Connection| Worker::serve(connection, false);
        server.serve_with(listener, make, interrupted).await;
    }
    ExitCode::SUCCESS
}

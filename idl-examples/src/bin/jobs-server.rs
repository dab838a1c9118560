//! The jobs server: `jobs-server [--port N] [--host H] [--transport framed|buffered]
//! [--protocol binary|compact] [--tls-cert PEM --tls-key PEM]` serves `Jobs`, pulling each
//! job's input from the client that asked, until interrupted. Port 0, the default, takes any
//! free port; it prints where it listens.

use std::process::ExitCode;

use idl_examples::work::Worker;
use thrift_bidi::Server;

const USAGE: &str =
    "jobs-server [--port N] [--host H] [--transport framed|buffered] [--protocol binary|compact] [--tls-cert PEM --tls-key PEM]";

#[tokio::main]
async fn main() -> ExitCode {
    idl_examples::cli::log_to_stderr();
    let (_, listener, server) =
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
    let make = |connection: &thrift_bidi::Connection| Worker::serve(connection, false);
    server.serve_with(listener, make, interrupted).await;
    ExitCode::SUCCESS
}

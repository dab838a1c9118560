//! The jobs server: `jobs-server [--port N] [--host H] [--transport framed|buffered]
//! [--protocol binary|compact] [--tls-cert PEM --tls-key PEM] [--multiplexed]` serves `Jobs`
//! (as `Jobs:` with `--multiplexed`), pulling each job's input from the client that asked,
//! until interrupted. Port 0, the default, takes any free port; it prints where it listens.

use std::process::ExitCode;

use idl_examples::cli;
use idl_examples::work::Worker;
use thrift_bidi::{Connection, Multiplexed};

const USAGE: &str =
    "jobs-server [--port N] [--host H] [--transport framed|buffered] [--protocol binary|compact] [--tls-cert PEM --tls-key PEM] [--multiplexed]";

#[tokio::main]
async fn main() -> ExitCode {
    idl_examples::cli::log_to_stderr();
    let (args, listener, server) = match cli::start("jobs-server", USAGE).await {
        Ok(started) => started,
        Err(code) => return code,
    };
    if cli::flag(&args, "--multiplexed") {
        // `Jobs:checksum` in, `JobSource:chunk` back (docs/bidi.md section 6).
        let make = |connection: &Connection| {
            let back = connection.callbacks().multiplexed("JobSource");
            Multiplexed::new().with("Jobs", Worker::calling_back(back, false))
        };
        cli::serve_until_interrupted(server, listener, make).await
    } else {
        let make = |connection: &Connection| Worker::serve(connection, false);
        cli::serve_until_interrupted(server, listener, make).await
    }
}

//! Apache Thrift's cross-test server over `ThriftTest.thrift` (see the README): serves until
//! interrupted (SIGINT or SIGTERM), then shuts down gracefully.

use std::io::Write as _;
use std::process::ExitCode;

use thrift_bidi_tests::cross::options::{Options, ParseError, USAGE};
use tokio::signal::unix::{signal, SignalKind};

#[tokio::main]
async fn main() -> ExitCode {
    idl_examples::cli::log_to_stderr();
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(ParseError::Help) => {
            println!("cross-server: the reference ThriftTest server\n{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(ParseError::Invalid(message)) => {
            eprintln!("cross-server: {message}");
            return ExitCode::from(2);
        }
    };
    let listening = |addr: &str| {
        println!("cross-server: listening on {addr}");
        let _ = std::io::stdout().flush();
    };
    let Ok(mut terminate) = signal(SignalKind::terminate()) else {
        eprintln!("cross-server: cannot watch for SIGTERM");
        return ExitCode::FAILURE;
    };
    let shutdown = async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    };
    match thrift_bidi_tests::cross::serve(&options, listening, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cross-server: {e}");
            ExitCode::FAILURE
        }
    }
}

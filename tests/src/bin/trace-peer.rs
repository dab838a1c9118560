//! One side of the two-process trace-context test (`tests/tests/trace_processes.rs`): the
//! desk server or its approving client over THeader (`tests/src/traces.rs`), appending each
//! handler's trace to a file as `what trace-id span-id parent-id`.
//!
//!     trace-peer server --traces FILE          (prints `listening on PORT`)
//!     trace-peer client --port PORT --traces FILE

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use idl_examples::cli::option;
use thrift_bidi::Transport;
use thrift_bidi_tests::traces::{lines, serve, submit, Traces};

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(file) = option(&args, "--traces") else {
        eprintln!("trace-peer: --traces FILE is needed");
        return ExitCode::from(2);
    };
    let traces = Traces::default();
    match args.first().map(String::as_str) {
        Some("server") => {
            let Ok(listener) = tokio::net::TcpListener::bind("127.0.0.1:0").await else {
                eprintln!("trace-peer: cannot listen");
                return ExitCode::FAILURE;
            };
            let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
            tokio::spawn(serve(listener, Transport::Header, traces.clone()));
            println!("trace-peer: listening on {port}");
            let _ = std::io::stdout().flush();
            // Appends what the handlers recorded as it comes, until the test kills it.
            let mut written = 0;
            loop {
                tokio::time::sleep(Duration::from_millis(10)).await;
                let seen = traces.lock().map(|seen| seen.clone()).unwrap_or_default();
                if seen.len() > written {
                    append(&file, &lines(&seen[written..]));
                    written = seen.len();
                }
            }
        }
        Some("client") => {
            let port = option(&args, "--port").and_then(|p| p.parse::<u16>().ok());
            let Some(port) = port else {
                eprintln!("trace-peer: --port PORT is needed");
                return ExitCode::from(2);
            };
            submit(
                ([127, 0, 0, 1], port).into(),
                Transport::Header,
                traces.clone(),
            )
            .await;
            let seen = traces.lock().map(|seen| seen.clone()).unwrap_or_default();
            append(&file, &lines(&seen));
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("trace-peer: server or client");
            ExitCode::from(2)
        }
    }
}

fn append(file: &str, text: &str) {
    let opened = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file);
    if let Ok(mut out) = opened {
        let _ = out.write_all(text.as_bytes());
    }
}

//! The chat server: `chat-server --port N [--host H]`. Serves until interrupted.

use std::process::ExitCode;

use idl_examples::cli;
use idl_examples::hub::Hub;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> ExitCode {
    idl_examples::cli::log_to_stderr();
    let (_, host, port) = match cli::endpoint("chat-server", "chat-server --port N [--host H]") {
        Ok(endpoint) => endpoint,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind((host.as_str(), port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("chat-server: cannot listen on {host}:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Ok(addr) = listener.local_addr() {
        println!("chat-server: listening on {addr}");
    }
    let hub = Hub::new();
    let interrupted = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    Hub::server()
        .serve_with(
            listener,
            move |connection| hub.session(connection),
            interrupted,
        )
        .await;
    ExitCode::SUCCESS
}

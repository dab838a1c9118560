//! An interactive chat client: `chat-client --port N [--host H] [--name NICK]`. Reads
//! commands from stdin: `/join ROOM`, `/rooms`, `/quit`; any other line is said in the room
//! joined last. Messages the server pushes are printed as they come.

use std::process::ExitCode;

use idl_examples::chat::ChatClient;
use idl_examples::cli;
use idl_examples::printer::Printer;
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::main]
async fn main() -> ExitCode {
    idl_examples::cli::log_to_stderr();
    let (args, host, port) = match cli::endpoint(
        "chat-client",
        "chat-client --port N [--host H] [--name NICK]",
    ) {
        Ok(endpoint) => endpoint,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let name = cli::option(&args, "--name").unwrap_or_else(|| "me".to_owned());
    let channel = ChatClient::builder(Printer::new(&name))
        .connect((host.as_str(), port))
        .await;
    let chat = match channel {
        Ok(channel) => ChatClient::new(channel),
        Err(e) => {
            eprintln!("chat-client: cannot connect to {host}:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("connected as {name}: /join ROOM, /rooms, /quit; other lines are said in the room");
    let mut room: Option<String> = None;
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let outcome: Result<(), String> = match line.split_once(' ').unwrap_or((&line, "")) {
            ("/quit", _) => break,
            ("/rooms", _) => chat
                .rooms()
                .await
                .map(|rooms| println!("rooms: {rooms:?}"))
                .map_err(|e| e.to_string()),
            ("/join", joined) => {
                room = Some(joined.trim().to_owned());
                chat.join(joined.trim().to_owned())
                    .await
                    .map_err(|e| e.to_string())
            }
            _ => match &room {
                Some(room) => chat
                    .say(room.clone(), line)
                    .await
                    .map_err(|e| e.to_string()),
                None => Err("join a room first: /join ROOM".to_owned()),
            },
        };
        if let Err(e) = outcome {
            println!("error: {e}");
        }
    }
    ExitCode::SUCCESS
}

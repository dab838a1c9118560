//! An interactive chat client: `chat-client --port N [--host H] [--name NICK]`. Reads
//! commands from stdin: `/join ROOM`, `/rooms`, `/ask NICK QUESTION` (answered by that user's
//! client, on whichever server), `/quit`; any other line is said in the room joined last.
//! Messages the server pushes, and questions other users ask (answered at once), are printed
//! as they come.

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
    println!(
        "connected as {name}: /join ROOM, /rooms, /ask NICK QUESTION, /quit; other lines are \
         said in the room"
    );
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
            ("/ask", asked) => match asked.trim().split_once(' ') {
                Some((nickname, question)) => chat
                    .ask(nickname.to_owned(), question.to_owned())
                    .await
                    .map(|answer| println!("{nickname} answers: {answer}"))
                    .map_err(|e| e.to_string()),
                None => Err("/ask NICK QUESTION".to_owned()),
            },
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

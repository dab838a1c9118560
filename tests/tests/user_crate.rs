//! A crate shaped like a user's: `build.rs` compiling one IDL file that has a namespace and a
//! bidirectional service, and a `main` that uses only some of what is generated. It builds
//! with no warning under `-D warnings`, clippy's pedantic lints and `missing_docs`; its build
//! has no clap, anyhow or `serde_json` and one major version of syn. Then the mistakes that must
//! not compile: a handler of the wrong service given as callbacks, and an `include_idl!` name
//! that is no module's.

use thrift_bidi_tests::scratch::{Scratch, STRICT};

const IDL: &str = r#"namespace rs bidi_example

exception Rejected {
  1: string why,
}

struct Message {
  1: string room,
  2: string text,
}

service ChatCallback {
  oneway void on_message(1: Message message),
  string ask_nickname(),
}

service Chat {
  void join(1: string room) throws (1: Rejected rejected),
  void say(1: string text) throws (1: Rejected rejected),
  list<string> rooms(),
} (bidi.callback = "ChatCallback")
"#;

const BUILD_RS: &str = r#"//! Generates the chat module, with serde.
fn main() -> Result<(), thrift_bidi_build::Error> {
    thrift_bidi_build::Config::new()
        .serde(".")
        .compile(&["idl/chat.thrift"], &["idl"])
}
"#;

/// Uses the client's `say` and implements the callbacks; never calls `join` or `rooms`.
const MAIN_RS: &str = r#"//! A chat client that says one thing.

mod chat {
    thrift_bidi::include_idl!("idl/chat.thrift");
}

use chat::{ChatCallback, ChatClient, Message};

/// Prints what the server pushes.
struct Printer;

impl ChatCallback for Printer {
    async fn on_message(&self, message: Message) -> Result<(), thrift_bidi::Error> {
        println!("{}: {}", message.room, message.text);
        Ok(())
    }
    async fn ask_nickname(&self) -> Result<String, thrift_bidi::Error> {
        Ok("me".to_owned())
    }
}

fn main() {
    std::hint::black_box((ChatClient::builder(Printer), ChatClient::say));
}
"#;

fn user_crate(name: &str) -> Scratch {
    let krate = Scratch::new(name);
    krate.write("idl/chat.thrift", IDL);
    krate.write("build.rs", BUILD_RS);
    krate.manifest(&["serde"], "", true);
    krate
}

#[test]
fn a_user_crate_builds_warning_free_with_a_light_build() {
    let krate = user_crate("user-crate");
    krate.write("src/main.rs", MAIN_RS);
    let built = krate.cargo("clippy", STRICT);
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert!(
        built.status.success(),
        "the user crate does not build:\n{stderr}"
    );
    assert!(stderr.trim().is_empty(), "warnings:\n{stderr}");

    let tree = krate.cargo("tree", &["-e", "normal,build", "--prefix", "none"]);
    let tree = String::from_utf8_lossy(&tree.stdout).into_owned();
    for heavy in ["clap ", "anyhow ", "serde_json "] {
        assert!(
            !tree.lines().any(|l| l.starts_with(heavy)),
            "{heavy}is in the user's build:\n{tree}"
        );
    }
    let mut syns: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.strip_prefix("syn v"))
        .map(|v| v.split('.').next().unwrap_or(v))
        .collect();
    syns.sort_unstable();
    syns.dedup();
    assert_eq!(
        syns.len(),
        1,
        "syn major versions in the build: {syns:?}\n{tree}"
    );
}

#[test]
fn the_wrong_callback_handler_or_module_name_does_not_compile() {
    let krate = user_crate("user-crate-mistakes");
    // A handler of the service itself, not of its callback service.
    let wrong_handler = MAIN_RS
        .replace("impl ChatCallback for Printer", "impl chat::Chat for Printer")
        .replace("use chat::{ChatCallback, ChatClient, Message};", "use chat::{ChatClient, Message};")
        .replace(
            "async fn on_message(&self, message: Message) -> Result<(), thrift_bidi::Error> {\n        println!(\"{}: {}\", message.room, message.text);\n        Ok(())\n    }\n    async fn ask_nickname(&self) -> Result<String, thrift_bidi::Error> {\n        Ok(\"me\".to_owned())\n    }",
            "async fn join(&self, _: String) -> Result<(), chat::ChatJoinError> { Ok(()) }\n    async fn say(&self, _: String) -> Result<(), chat::ChatSayError> { Ok(()) }\n    async fn rooms(&self) -> Result<Vec<String>, thrift_bidi::Error> { Ok(Vec::new()) }",
        );
    assert_ne!(wrong_handler, MAIN_RS, "the wrong handler was written");
    krate.write("src/main.rs", &wrong_handler);
    let built = krate.cargo("build", &["--message-format", "short"]);
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert!(!built.status.success(), "the wrong handler compiled");
    assert!(
        stderr.contains("E0277") && stderr.contains("ChatCallback` is not satisfied"),
        "not the error expected:\n{stderr}"
    );

    let wrong_name = MAIN_RS.replace("\"idl/chat.thrift\"", "\"chat_typo\"");
    krate.write("src/main.rs", &wrong_name);
    let built = krate.cargo("build", &["--message-format", "short"]);
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert!(!built.status.success(), "an unknown module name compiled");
    assert!(
        stderr.contains("no generated module has this name; the modules are `bidi_example::chat`")
            && stderr.contains("\"chat_typo\""),
        "not the error expected:\n{stderr}"
    );
}

/**
 * A chat service whose server pushes messages to its clients over the same connection.
 * `Chat` is what clients call; `ChatCallback` is what the server calls back (see BIDI.md).
 */
namespace rs chat

/** A chat line as everyone in the room sees it. */
struct Message {
  1: required string room,
  2: required string sender,
  3: required string text,
  4: optional i64 sent_at_ms,
}

exception NotJoined {
  1: string room,
}

/** A room name or a text over the server's limits (docs: `idl-examples/src/hub.rs`). */
exception Rejected {
  1: string why,
}

/** A question one user asks another, through the servers. */
struct Question {
  1: required string sender,
  2: required string text,
}

/** The user asked is connected to no server, or did not answer (and why). */
exception Unreachable {
  1: string nickname,
  2: string why,
}

/** Implemented by clients; called by the server. */
service ChatCallback {
  /** A message was said in a room the client joined. */
  oneway void on_message(1: Message msg),
  /** The server asks the client which nickname to use. */
  string ask_nickname(1: string suggestion),
  /** Another user asks this one a question; the answer goes back to them. */
  string answer(1: Question question),
}

/** Implemented by the server; called by clients. */
service Chat {
  void join(1: string room) throws (1: Rejected rejected),
  void say(1: string room, 2: string text) throws (1: NotJoined not_joined, 2: Rejected rejected),
  list<string> rooms(),
  /** Asks the user `nickname`, on whichever server it is connected to, and gives its answer. */
  string ask(1: string nickname, 2: string text) throws (1: Unreachable unreachable, 2: Rejected rejected),
} (bidi.callback = "ChatCallback")

// The seed scenario of BIDI.md: one task long-polls `get_message` while another calls
// `send_request` on the same client (tests/tests/bidi.rs, and the Python tests against `mailbox-server`).

service Mailbox {
  /** Waits for the next message sent to this connection's mailbox. */
  string get_message()

  /** Puts `text` in this connection's mailbox. */
  void send_request(1: string text)

  /** How many `get_message` calls of this connection are waiting now. */
  i32 waiting()
}

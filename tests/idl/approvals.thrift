// A bidirectional pair whose callback throws an exception that the service declares too,
// under another name: a handler rethrows the callback's `Denied` with `?`
// (tests/tests/typed_callbacks.rs).

exception Denied {
  1: string reason,
}

exception Unavailable {
  1: string why,
}

/** What a client answers when the server asks. */
service Approver {
  /** Approves `request`, or denies it. */
  bool approve(1: string request) throws (1: Denied denied)
}

service Requests {
  /** Submits `request`, which the server has the client approve; a denial comes back. */
  string submit(1: string request) throws (1: Denied refused, 2: Unavailable unavailable)
} (bidi.callback = "Approver")

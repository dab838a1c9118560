// The bidirectional benchmark (tests/benches/rpc/bidi.rs): a server that calls its clients
// back, and the callback service they implement.

service Peer {
  /** The client's answer to a callback: a + b. */
  i64 add(1: i64 a, 2: i64 b)
  /** A message pushed to the client. */
  oneway void push(1: i64 x)
}

service Hub {
  /** An ordinary call, to compare a callback's round trip with. */
  i64 add(1: i64 a, 2: i64 b)
} (bidi.callback = "Peer")

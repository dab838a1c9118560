// Services for the generated-service tests (tests/tests/services.rs): inheritance, oneway,
// void, declared exceptions and a handler that takes its time.

exception Busy {
  1: string why
}

exception Gone {
  1: i64 id
}

struct Blob {
  1: binary data
}

service Base {
  /** Answers `n + 1`. */
  i32 ping(1: i32 n)

  /** Leaves a note for the handler; no answer. (The test handler sleeps N ms first on a note
      `sleep N`.) */
  oneway void note(1: string text)
}

service Worker extends Base {
  /** Sleeps `millis`, then answers `tag`; `millis < 0` fails with `Busy`, `0` with `Gone`.
      (The test handler panics after its sleep when `tag` is "panic".) */
  string work(1: i32 millis, 2: string tag) throws (1: Busy busy, 2: Gone gone)

  /** Does nothing, and says so. */
  void nothing()

  /** Fails in a way the IDL does not declare. */
  void broken()

  /** A blob of `size` bytes. */
  Blob blob(1: i32 size)
}

/**
 * A job server that pulls its input from the client in the middle of a call: the second
 * bidirectional example. `Jobs` is what clients call; `JobSource` is what the server calls
 * back, on the same connection, while the client's call is running.
 */
namespace rs jobs

exception NoSuchInput {
  1: string name,
}

/** A job that could not be done, and why (the client had no such input, say). */
exception JobFailed {
  1: string name,
  2: string why,
}

/** Implemented by clients; called by the server during a job. */
service JobSource {
  /** Chunk `index` of input `name`; empty once there is no more. */
  binary chunk(1: string name, 2: i32 index) throws (1: NoSuchInput missing),
  /** How far the job has got, in bytes processed. */
  oneway void progress(1: string name, 2: i64 bytes),
}

/** Implemented by the server; called by clients. */
service Jobs {
  /** A checksum of the client's input `name`, read from the client chunk by chunk. */
  i64 checksum(1: string name) throws (1: JobFailed failed),
} (bidi.callback = "JobSource")

//! The thrift-bidi runtime: what generated code runs on.
//!
//! ```text
//!  generated code ──► __codegen (one door, #[doc(hidden)])
//!  client / server / bidi connection   — pending-call table, concurrent calls, dispatch
//!  value         — how each field type is written and read             (here now)
//!  protocol      — binary, compact, over bytes buffers           (here now)
//!  transport     — framed and buffered, over TCP and Unix sockets
//! ```

pub mod protocol;
pub mod value;

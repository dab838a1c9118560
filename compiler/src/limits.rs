//! The compiler's limits on its input, so that no IDL file, however hostile, can make it
//! overflow its stack, run for minutes or read without end (it runs inside `build.rs`, where
//! a crash is a broken build with no message). Each has a diagnostic; `docs/limits.md` lists
//! them.

/// The deepest nesting of brackets (`<>`, `()`, `[]`, `{}`) in one file: container types, const
/// values, struct bodies. Real IDL nests a handful deep; generating Rust for types nested
/// 32 deep takes under 2 MiB of stack in an unoptimized build (build scripts are unoptimized),
/// 48 deep does not.
pub const MAX_NESTING: usize = 32;

/// The longest chain of typedefs (an alias of an alias ...), of `extends` (a service extending
/// a service ...) and of constants defined by other constants.
pub const MAX_CHAIN: usize = 64;

/// The deepest chain of includes (a file including a file ...).
pub const MAX_INCLUDE_DEPTH: usize = 64;

/// The largest IDL file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

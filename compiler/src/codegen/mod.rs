//! Code generation stage: IR → Rust. [`ident`] owns every naming decision, so the checks that
//! guard against Rust name collisions and the generator agree by construction.

pub mod ident;

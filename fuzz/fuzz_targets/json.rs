//! Fuzz target: `thrift_bidi_tests::fuzz::json` on every input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| thrift_bidi_tests::fuzz::json(data));

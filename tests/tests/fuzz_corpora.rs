//! The fuzz targets' committed corpora (`fuzz/corpus/TARGET`) and every input that once made
//! a target fail (`fuzz/regressions/TARGET`), replayed as ordinary tests: each must pass the
//! target's checks (`tests/src/fuzz.rs`). `scripts/fuzz.sh` grows the corpora.

use std::path::{Path, PathBuf};

use thrift_bidi_tests::fuzz;

/// The inputs kept for `target`, in a stable order.
fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut inputs: Vec<PathBuf> = ["corpus", "regressions"]
        .iter()
        .filter_map(|kind| std::fs::read_dir(fuzz_dir.join(kind).join(target)).ok())
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file())
        .collect();
    inputs.sort();
    inputs
}

fn replay(target: &str, check: fn(&[u8])) {
    let inputs = inputs(target);
    assert!(!inputs.is_empty(), "no corpus for {target}");
    for path in &inputs {
        let data = std::fs::read(path).expect("readable");
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{target} fails on {}", path.display());
    }
    println!("{target}: {} inputs replayed", inputs.len());
}

#[test]
fn message_corpus() {
    replay("message", fuzz::message);
}

#[test]
fn json_corpus() {
    replay("json", fuzz::json);
}

#[test]
fn frames_corpus() {
    replay("frames", fuzz::frames);
}

#[test]
fn http_corpus() {
    replay("http", fuzz::http);
}

#[test]
fn idl_corpus() {
    replay("idl", fuzz::idl);
}

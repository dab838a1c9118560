//! The Python oracle of the wire tests: `tests/python/reencode.py`, which decodes each value
//! with Python's Thrift stacks and encodes it again.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// Sends `IDL TYPE PROTOCOL HEX` lines to `tests/python/reencode.py`, returns its answers (hex,
/// or `error: …`), one per request.
///
/// # Panics
/// If Python cannot be run or fails.
pub fn reencode(requests: &[String]) -> Vec<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/reencode.py");
    let mut child = Command::new(crate::venv_python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python runs");
    let mut stdin = child.stdin.take().expect("piped");
    let mut input = requests.join("\n");
    input.push('\n');
    // Written while the answers are read: Python answers as it reads, and would block on a
    // full stdout pipe while we blocked on a full stdin.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("python ends");
    writer.join().expect("no panic").expect("python reads");
    assert!(output.status.success(), "reencode.py failed");
    let answers: Vec<String> = String::from_utf8(output.stdout)
        .expect("hex is ASCII")
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(answers.len(), requests.len(), "one answer per request");
    answers
}

/// `bytes` in lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The bytes of hex `text`.
///
/// # Panics
/// If `text` is not hex.
pub fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

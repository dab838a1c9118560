//! The `thrift-bidi` command line: `check` (exit status, human and JSON output, colour) and
//! `gen` (the files it writes, its options).

use std::process::{Command, Output};

fn thrift_bidi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thrift-bidi"))
        .args(args)
        // The compiler's fixtures are the inputs.
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../compiler"))
        .output()
        .expect("the binary runs")
}

const BAD: &str = "tests/fixtures/errors/E0201_duplicate_field_id.thrift";

#[test]
fn a_valid_file_passes_with_no_output() {
    let out = thrift_bidi(&["check", "../idl-examples/idl/chat.thrift"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty() && out.stdout.is_empty());
}

#[test]
fn errors_exit_1_with_rustc_style_text_on_stderr() {
    let out = thrift_bidi(&["check", BAD]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    assert!(
        stderr.contains("error[E0201]: field id 2 is used twice"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("--> {BAD}:4:3")), "{stderr}");
    assert!(
        !stderr.contains('\x1b'),
        "no colour when stderr is not a terminal"
    );
}

#[test]
fn colour_can_be_forced() {
    let out = thrift_bidi(&["check", "--color", "always", BAD]);
    assert!(String::from_utf8_lossy(&out.stderr).contains('\x1b'));
}

#[test]
fn json_gives_one_object_per_diagnostic_with_positions() {
    let out = thrift_bidi(&[
        "check",
        "--message-format",
        "json",
        "tests/fixtures/errors/E0201_many_errors_at_once.thrift",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let objects: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    let codes: Vec<&str> = objects
        .iter()
        .map(|o| o["code"].as_str().expect("a code"))
        .collect();
    assert_eq!(codes, ["E0201", "E0104", "E0401"]);
    // `1: i32 y` repeats id 1 at line 3, column 3 of the fixture.
    assert_eq!(objects[0]["location"]["line"], 3);
    assert_eq!(objects[0]["location"]["column"], 3);
    assert_eq!(objects[0]["severity"], "error");
    assert!(objects[0]["rendered"]
        .as_str()
        .expect("rendered text")
        .contains("error[E0201]"));
    assert_eq!(objects[1]["location"]["line"], 7);
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let out = thrift_bidi(&["check", "does/not/exist.thrift"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read `does/not/exist.thrift`"));
}

/// A fresh output directory for one `gen` test.
fn out_dir(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn gen_writes_a_file_per_module_and_a_mod_rs_mounting_them() {
    let out = out_dir("gen-includes");
    let status = thrift_bidi(&[
        "gen",
        "tests/fixtures/codegen/includes.thrift",
        "-o",
        out.to_str().expect("UTF-8 path"),
    ]);
    assert!(status.status.success(), "{status:?}");
    let read = |path: &str| {
        std::fs::read_to_string(out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let tree = read("mod.rs");
    assert!(tree.contains("include!(\"app/includes.rs\")"), "{tree}");
    assert!(tree.contains("include!(\"common/shared.rs\")"), "{tree}");
    assert!(read("app/includes.rs").contains("pub struct Holder"));
    assert!(read("common/shared.rs").contains("pub struct Shared"));
}

#[test]
fn gen_options_reach_the_generated_types() {
    let out = out_dir("gen-options");
    let status = thrift_bidi(&[
        "gen",
        "tests/fixtures/codegen/collections.thrift",
        "--strings",
        "bytestring",
        "--hasher",
        "::foldhash::fast::RandomState",
        "-o",
        out.to_str().expect("UTF-8 path"),
    ]);
    assert!(status.status.success(), "{status:?}");
    let code = std::fs::read_to_string(out.join("collections.rs")).expect("written");
    assert!(
        code.contains("HashSet<i32, ::foldhash::fast::RandomState>"),
        "{code}"
    );
    assert!(
        code.contains("::thrift_bidi::__codegen::ByteString"),
        "{code}"
    );
    assert!(!code.contains("::std::string::String"), "{code}");
}

#[test]
fn gen_writes_nothing_for_bad_idl_or_a_bad_hasher() {
    let out = out_dir("gen-bad");
    let dir = out.to_str().expect("UTF-8 path");
    let bad_idl = thrift_bidi(&["gen", BAD, "-o", dir]);
    assert_eq!(bad_idl.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad_idl.stderr).contains("error[E0201]"));
    let file = "tests/fixtures/codegen/collections.thrift";
    let bad_hasher = thrift_bidi(&["gen", file, "--hasher", "no such type", "-o", dir]);
    assert_eq!(bad_hasher.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad_hasher.stderr);
    assert!(
        stderr.contains("hasher `no such type` is not a Rust type"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written");
}

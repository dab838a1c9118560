//! Hostile IDL: nesting, chains and includes ten times deeper than the compiler's limits, and
//! files that are not files or are huge, each get a diagnostic, in seconds, on a thread with
//! a 2 MiB stack (where deep recursion would overflow and abort the test binary). IDL at the
//! limits still compiles to Rust there.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use thrift_bidi_build::limits::{MAX_CHAIN, MAX_FILE_BYTES, MAX_INCLUDE_DEPTH, MAX_NESTING};
use thrift_bidi_build::{check_files, Config};

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("thrift-bidi-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp is writable");
    dir
}

/// Generates Rust for `file` on a thread with a 2 MiB stack, within 20 seconds: the codes of
/// the errors (none when it generated).
fn generate_on_a_small_stack(file: &Path) -> Vec<String> {
    let file = file.to_owned();
    let (done, result) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let checked = check_files(&[file], &[]);
            let mut codes: Vec<String> = (checked.diagnostics.iter())
                .filter(|d| d.is_error())
                .map(|d| d.code.as_str().to_owned())
                .collect();
            if codes.is_empty() {
                if let Err(e) = Config::new().generate_checked(&checked) {
                    codes.push(e.to_string());
                }
            }
            let _ = done.send(codes);
        })
        .expect("a thread");
    result
        .recv_timeout(Duration::from_secs(20))
        .expect("done in seconds")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("writable");
    path
}

/// `line(i)` for each `i` in `range`, one after another.
fn lines(range: std::ops::Range<usize>, line: impl Fn(usize) -> String) -> String {
    range
        .map(line)
        .fold(String::new(), |text, line| text + &line)
}

fn nested_type(depth: usize) -> String {
    format!("{}i32{}", "list<".repeat(depth), ">".repeat(depth))
}

fn nested_value(depth: usize) -> String {
    format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn nesting_ten_times_the_limit_is_a_diagnostic() {
    let dir = scratch("nesting");
    let deep = 10 * MAX_NESTING;
    let types = write(
        &dir,
        "types.thrift",
        &format!("struct S {{ 1: {} f }}\n", nested_type(deep)),
    );
    let values = write(
        &dir,
        "values.thrift",
        &format!("const {} C = {}\n", nested_type(deep), nested_value(deep)),
    );
    assert_eq!(generate_on_a_small_stack(&types), ["E0008"]);
    assert_eq!(generate_on_a_small_stack(&values), ["E0008"]);
}

#[test]
fn nesting_at_the_limit_compiles() {
    let dir = scratch("at-limit");
    // The struct's braces and the constant's type take a level each.
    let field = nested_type(MAX_NESTING - 1);
    let value_type = nested_type(MAX_NESTING - 1);
    let value = nested_value(MAX_NESTING - 1);
    let text = format!("struct S {{ 1: {field} f }}\nconst {value_type} C = {value}\n");
    let file = write(&dir, "deep.thrift", &text);
    assert_eq!(generate_on_a_small_stack(&file), Vec::<String>::new());
}

#[test]
fn chains_ten_times_the_limit_are_diagnostics() {
    let dir = scratch("chains");
    let n = 10 * MAX_CHAIN;
    let typedefs = lines(0..n, |i| format!("typedef T{i} T{}\n", i + 1));
    let typedefs = write(
        &dir,
        "typedefs.thrift",
        &format!("typedef i32 T0\n{typedefs}"),
    );
    let services = lines(0..n, |i| format!("service S{} extends S{i} {{}}\n", i + 1));
    let services = write(
        &dir,
        "extends.thrift",
        &format!("service S0 {{}}\n{services}"),
    );
    // Defined backwards, so that evaluating the first constant needs all the others.
    let consts = lines(0..n, |i| format!("const i32 C{i} = C{}\n", i + 1));
    let consts = write(
        &dir,
        "consts.thrift",
        &format!("{consts}const i32 C{n} = 1\n"),
    );
    assert_eq!(generate_on_a_small_stack(&typedefs), ["E0113"]);
    assert_eq!(generate_on_a_small_stack(&services), ["E0407"]);
    let codes = generate_on_a_small_stack(&consts);
    assert!(
        !codes.is_empty() && codes.iter().all(|c| c == "E0307"),
        "{codes:?}"
    );
}

#[test]
fn chains_at_the_limit_compile() {
    let dir = scratch("chains-at-limit");
    let n = MAX_CHAIN - 1;
    let chains = lines(0..n, |i| {
        let j = i + 1;
        format!("typedef T{i} T{j}\nservice S{j} extends S{i} {{}}\nconst i32 C{j} = C{i}\n")
    });
    let text = format!("typedef i32 T0\nservice S0 {{}}\nconst i32 C0 = 1\n{chains}");
    let file = write(&dir, "chains.thrift", &text);
    assert_eq!(generate_on_a_small_stack(&file), Vec::<String>::new());
}

#[test]
fn includes_ten_times_the_limit_are_a_diagnostic() {
    let dir = scratch("includes");
    let n = 10 * MAX_INCLUDE_DEPTH;
    for i in 0..n {
        write(
            &dir,
            &format!("f{i}.thrift"),
            &format!("include \"f{}.thrift\"\n", i + 1),
        );
    }
    write(&dir, &format!("f{n}.thrift"), "struct Last {}\n");
    assert_eq!(generate_on_a_small_stack(&dir.join("f0.thrift")), ["E0112"]);
}

#[test]
fn files_that_are_not_files_or_are_huge_are_diagnostics() {
    let dir = scratch("files");
    assert_eq!(generate_on_a_small_stack(Path::new("/dev/zero")), ["E0111"]);
    assert_eq!(generate_on_a_small_stack(&dir), ["E0111"], "a directory");
    let sparse = dir.join("sparse.thrift");
    let file = std::fs::File::create(&sparse).expect("writable");
    file.set_len(2 << 30).expect("a sparse file");
    assert_eq!(generate_on_a_small_stack(&sparse), ["E0111"]);
    let just_over = dir.join("over.thrift");
    std::fs::File::create(&just_over)
        .and_then(|f| f.set_len(MAX_FILE_BYTES + 1))
        .expect("a sparse file");
    assert_eq!(generate_on_a_small_stack(&just_over), ["E0111"]);
    // Included, the same.
    let includer = write(&dir, "includer.thrift", "include \"sparse.thrift\"\n");
    assert_eq!(generate_on_a_small_stack(&includer), ["E0111"]);
}

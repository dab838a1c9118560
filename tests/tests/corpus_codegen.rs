//! Generated code compiles: every corpus file we accept (all that Apache Thrift 0.17 accepts,
//! and those it rejects only for our documented extensions) is generated with the default
//! configuration, each file's module tree mounted as one module of a scratch crate
//! (`target/corpus-codegen`), and the crate is built with cargo against our runtime. Build
//! errors are traced back to the corpus file whose generated code they are in, and rustc's
//! default warnings must be silent.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use thrift_bidi_build::{Config, Error};
use thrift_bidi_tests::{corpus_files, CorpusFile};

#[test]
fn generated_code_of_every_accepted_corpus_file_compiles() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let workspace = workspace.canonicalize().expect("the workspace exists");
    let krate = workspace.join("target/corpus-codegen");
    let src = krate.join("src");
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(&src).expect("target/ is writable");

    let files = corpus_files();
    let mut lib = String::new();
    let mut attempted = Vec::new();
    let mut failed = BTreeSet::new();
    for (i, file) in files.iter().enumerate() {
        let module = format!("f{i:03}");
        match Config::new().generate(&[&file.full_path], &file.include_dirs) {
            Ok(generated) => {
                generated.write(&src.join(&module)).expect("writable");
                let _ = writeln!(lib, "#[path = \"{module}/mod.rs\"]\npub mod {module};");
            }
            // Rejected IDL (the corpus test checks which) has nothing to compile.
            Err(Error::Idl { .. }) if !file.apache_ok => continue,
            Err(e) => {
                eprintln!("--- {}: generation failed:\n{e}", file.path);
                failed.insert(i);
            }
        }
        attempted.push(i);
    }
    // The snapshotted codegen fixtures must compile too, also with a hasher of the user's
    // choice on the hashed collections (used in constants and defaults as well).
    let mut hashed = Config::new();
    hashed.hasher("::std::hash::BuildHasherDefault<::std::hash::DefaultHasher>");
    let fixtures = workspace.join("compiler/tests/fixtures/codegen");
    let mut fixture_files: Vec<_> = std::fs::read_dir(&fixtures)
        .expect("fixtures exist")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "thrift"))
        .collect();
    fixture_files.sort();
    for (i, file) in fixture_files.iter().enumerate() {
        for (config, suffix) in [(&Config::new(), ""), (&hashed, "_hashed")] {
            let module = format!("fixture{i:02}{suffix}");
            let generated = config
                .generate(&[file], &[] as &[&Path])
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            generated.write(&src.join(&module)).expect("writable");
            let _ = writeln!(lib, "#[path = \"{module}/mod.rs\"]\npub mod {module};");
        }
    }
    std::fs::write(src.join("lib.rs"), lib).expect("writable");
    write_manifest(&workspace, &krate);

    let output = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet", "--message-format", "short"])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", krate.join("target"))
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    for line in stderr.lines().filter(|l| l.contains(": error")) {
        eprintln!("{line}");
        if let Some(i) = line
            .strip_prefix("src/f")
            .and_then(|l| l.get(..3)?.parse().ok())
        {
            failed.insert(i);
        }
    }
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains(": warning")).collect();
    assert!(
        warnings.is_empty(),
        "generated code has warnings:\n{}",
        warnings.join("\n")
    );
    let fixture_errors = stderr
        .lines()
        .filter(|l| l.starts_with("src/fixture"))
        .count();
    assert_eq!(
        fixture_errors, 0,
        "the codegen fixtures do not compile:\n{stderr}"
    );
    for i in &failed {
        eprintln!("does not compile: {}", files[*i].path);
    }
    let (apache_ok, apache_total) = tally(&files, &attempted, &failed, true);
    let (ours_ok, ours_total) = tally(&files, &attempted, &failed, false);
    println!(
        "generated code compiles: {apache_ok}/{apache_total} files (all Apache accepts), \
         and {ours_ok}/{ours_total} that only we accept"
    );
    assert!(
        output.status.success() || !failed.is_empty(),
        "cargo failed:\n{stderr}"
    );
    assert!(
        failed.is_empty(),
        "{} corpus files do not compile",
        failed.len()
    );
}

/// (compiled, attempted) among the files Apache accepts, or among those only we accept.
fn tally(
    files: &[CorpusFile],
    attempted: &[usize],
    failed: &BTreeSet<usize>,
    apache_ok: bool,
) -> (usize, usize) {
    let chosen: Vec<usize> = attempted
        .iter()
        .copied()
        .filter(|i| files[*i].apache_ok == apache_ok)
        .collect();
    let bad = chosen.iter().filter(|i| failed.contains(i)).count();
    (chosen.len() - bad, chosen.len())
}

/// A crate outside our workspace, on our runtime, pinned to our lock file.
fn write_manifest(workspace: &Path, krate: &Path) {
    let runtime = workspace.join("runtime");
    let manifest = format!(
        "[package]\nname = \"corpus-codegen\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         publish = false\n\n[dependencies]\nthrift-bidi = {{ path = {:?} }}\n\n[workspace]\n",
        runtime.display().to_string()
    );
    std::fs::write(krate.join("Cargo.toml"), manifest).expect("writable");
    std::fs::copy(workspace.join("Cargo.lock"), krate.join("Cargo.lock")).expect("lock copied");
}

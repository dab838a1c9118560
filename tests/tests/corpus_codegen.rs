//! Generated code compiles: each repository directory of the corpus is generated in one call
//! (every file, with the include directories the corpus's `check-apache.sh` uses, less
//! [`LEFT_OUT`], with serde on every type), each mounted as one module of a scratch crate (`target/corpus-codegen`), and
//! the crate is built with cargo against our runtime, under `-D warnings` with clippy's
//! pedantic lints. Build errors are traced back to the repository whose code they are in.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use thrift_bidi_build::Config;
use thrift_bidi_tests::corpus_files;
use thrift_bidi_tests::scratch::{Scratch, STRICT};

/// Corpus files that are deliberately wrong, left out of their repository's call, each listed
/// with its reason in `docs/codegen.md`.
const LEFT_OUT: &[&str] = &["cloudwego__pilota/pilota-build/test_data/thrift/auto_name.thrift"];

/// The files and include directories of one repository directory.
#[derive(Default)]
struct Repository {
    files: Vec<PathBuf>,
    include_dirs: Vec<PathBuf>,
}

fn repositories() -> BTreeMap<String, Repository> {
    let mut repositories: BTreeMap<String, Repository> = BTreeMap::new();
    for file in corpus_files() {
        if LEFT_OUT.contains(&file.path.as_str()) {
            continue;
        }
        let name = file.path.split('/').next().unwrap_or_default().to_owned();
        let repository = repositories.entry(name).or_default();
        repository.files.push(file.full_path);
        for dir in file.include_dirs {
            if !repository.include_dirs.contains(&dir) {
                repository.include_dirs.push(dir);
            }
        }
    }
    repositories
}

#[test]
fn each_corpus_repository_is_generated_in_one_call_and_builds() {
    let krate = Scratch::new("corpus-codegen");
    let src = krate.dir().join("src");

    let repositories = repositories();
    let names: Vec<&String> = repositories.keys().collect();
    let mut lib = String::from("//! The corpus, generated.\n");
    let mut failed = BTreeSet::new();
    for (i, repository) in repositories.values().enumerate() {
        let module = format!("r{i:02}");
        let mut config = Config::new();
        config.serde(".");
        match config.generate(&repository.files, &repository.include_dirs) {
            Ok(generated) => {
                generated.write(&src.join(&module)).expect("writable");
                let _ = writeln!(
                    lib,
                    "/// Generated.\n#[path = \"{module}/mod.rs\"]\npub mod {module};"
                );
            }
            Err(e) => {
                eprintln!("--- {}: generation failed:\n{e}", names[i]);
                failed.insert(i);
            }
        }
    }
    mount_fixtures(krate.workspace(), &src, &mut lib);
    krate.write("src/lib.rs", &lib);
    krate.manifest(&["serde"], "", false);
    let output = krate.cargo("clippy", STRICT);
    let stderr = String::from_utf8_lossy(&output.stderr);
    for line in stderr.lines().filter(|l| l.contains(": error")) {
        eprintln!("{line}");
        if let Some(i) = line
            .strip_prefix("src/r")
            .and_then(|l| l.get(..2)?.parse().ok())
        {
            failed.insert(i);
        }
    }
    assert!(
        !stderr.lines().any(|l| l.starts_with("src/fixture")),
        "the codegen fixtures do not build cleanly:\n{stderr}"
    );
    for i in &failed {
        eprintln!("does not build: {}", names[*i]);
    }
    println!(
        "corpus: {}/{} repositories generated in one call and built",
        names.len() - failed.len(),
        names.len()
    );
    assert!(output.status.success(), "cargo failed:\n{stderr}");
    assert!(
        failed.is_empty(),
        "{} repositories do not build",
        failed.len()
    );
}

/// Left-out files are documented, and are still wrong.
#[test]
fn left_out_files_are_documented_errors() {
    let docs = include_str!("../../docs/codegen.md");
    for path in LEFT_OUT {
        assert!(
            docs.contains(path),
            "{path} is not listed in docs/codegen.md"
        );
        let file = corpus_files().into_iter().find(|f| f.path == *path);
        let file = file.unwrap_or_else(|| panic!("{path} is not in the corpus"));
        let checked = thrift_bidi_build::check_files(&[file.full_path], &file.include_dirs);
        assert!(checked.has_errors(), "{path} has no error: put it back");
    }
}

/// The snapshotted codegen fixtures must build too, also with a hasher of the user's choice on
/// the hashed collections (used in constants and defaults as well).
fn mount_fixtures(workspace: &Path, src: &Path, lib: &mut String) {
    let mut hashed = Config::new();
    hashed.hasher("::std::hash::BuildHasherDefault<::std::hash::DefaultHasher>");
    let fixtures = workspace.join("compiler/tests/fixtures/codegen");
    let mut fixture_files: Vec<_> = std::fs::read_dir(&fixtures)
        .expect("fixtures exist")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "thrift"))
        .collect();
    fixture_files.sort();
    // The tree of same-named files in different directories, in one call.
    let tree = workspace.join("compiler/tests/fixtures/tree");
    let roots = [
        "billing/service.thrift",
        "users/service.thrift",
        "hyphen-ated.thrift",
    ];
    let generated = Config::new()
        .generate(&roots.map(|r| tree.join(r)), &[&tree])
        .expect("the tree generates");
    generated
        .write(&src.join("fixture_tree"))
        .expect("writable");
    let _ = writeln!(
        lib,
        "/// Generated.\n#[path = \"fixture_tree/mod.rs\"]\npub mod fixture_tree;"
    );
    for (i, file) in fixture_files.iter().enumerate() {
        for (config, suffix) in [(&Config::new(), ""), (&hashed, "_hashed")] {
            let module = format!("fixture{i:02}{suffix}");
            let generated = config
                .generate(&[file], &[] as &[&Path])
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            generated.write(&src.join(&module)).expect("writable");
            let _ = writeln!(
                lib,
                "/// Generated.\n#[path = \"{module}/mod.rs\"]\npub mod {module};"
            );
        }
    }
}

//! Scratch crates: a user's crate written by a test (generated code, a `build.rs`, a `main`),
//! built with cargo against our runtime and our lock file, outside the workspace. All of them
//! share one target directory, `target/scratch`, so the runtime is compiled once for them all.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `cargo clippy` arguments for the strictest user: short messages, every warning an error,
/// clippy's pedantic lints and rustdoc on everything public.
pub const STRICT: &[&str] = &[
    "--quiet",
    "--message-format",
    "short",
    "--",
    "-D",
    "warnings",
    "-D",
    "clippy::pedantic",
    "-D",
    "missing_docs",
];

/// A crate at `target/scratch-crates/<name>`.
#[derive(Debug)]
pub struct Scratch {
    dir: PathBuf,
    workspace: PathBuf,
}

impl Scratch {
    /// An empty crate called `name` (its `src/` cleared).
    ///
    /// # Panics
    /// If `target/` is not writable.
    pub fn new(name: &str) -> Self {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let workspace = workspace.canonicalize().expect("the workspace exists");
        let dir = workspace.join("target/scratch-crates").join(name);
        let _ = std::fs::remove_dir_all(dir.join("src"));
        std::fs::create_dir_all(dir.join("src")).expect("target/ is writable");
        Scratch { dir, workspace }
    }

    /// The crate's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The workspace the crate builds against.
    pub fn workspace(&self) -> &Path {
        &self.workspace
    }

    /// Writes `contents` at `path` below the crate.
    ///
    /// # Panics
    /// If the file cannot be written.
    pub fn write(&self, path: &str, contents: &str) {
        let path = self.dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("writable");
        }
        std::fs::write(path, contents).expect("writable");
    }

    /// Writes `Cargo.toml`: a crate depending on our runtime (with `features`), plus the
    /// `[dependencies]` lines in `extra` and a `[build-dependencies]` on our compiler when
    /// `build_rs` is set; and our `Cargo.lock`, so nothing new is resolved.
    ///
    /// # Panics
    /// If the files cannot be written.
    pub fn manifest(&self, features: &[&str], extra: &str, build_rs: bool) {
        let path = |p: &str| format!("{:?}", self.workspace.join(p).display().to_string());
        let mut manifest = format!(
            "[package]\nname = {:?}\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nthrift-bidi = {{ path = {}, features = {features:?} }}\n{extra}\n",
            self.dir.file_name().unwrap_or_default().to_string_lossy(),
            path("runtime"),
        );
        if build_rs {
            let compiler = path("compiler");
            let _ = writeln!(
                manifest,
                "[build-dependencies]\nthrift-bidi-build = {{ path = {compiler} }}"
            );
        }
        manifest += "\n[workspace]\n";
        self.write("Cargo.toml", &manifest);
        std::fs::copy(
            self.workspace.join("Cargo.lock"),
            self.dir.join("Cargo.lock"),
        )
        .expect("lock copied");
    }

    /// Runs `cargo <command> --offline <args>` in the crate, in the shared scratch target
    /// directory.
    ///
    /// # Panics
    /// If cargo cannot be started.
    pub fn cargo(&self, command: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO"))
            .args([command, "--offline"])
            .args(args)
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", self.workspace.join("target/scratch"))
            .env_remove("RUSTFLAGS")
            .output()
            .expect("cargo runs")
    }
}

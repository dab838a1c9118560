//! `thrift-bidi`: the command-line front of the compiler (`thrift-bidi-build`). Arguments in,
//! diagnostics (text or JSON) and generated files out; the library does all the work.

mod json;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use thrift_bidi_build::{Checked, Collections, Config, Strings};

#[derive(Parser)]
#[command(
    name = "thrift-bidi",
    version,
    about = "Apache Thrift IDL compiler for Rust, with bidirectional services"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse, resolve and check IDL files, reporting every problem.
    Check {
        #[command(flatten)]
        input: Input,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
        message_format: MessageFormat,
    },
    /// Generate Rust: one `.rs` file per IDL module (included files too) and a `mod.rs`
    /// declaring them, so `#[path = "DIR/mod.rs"] mod idl;` mounts the whole tree.
    Gen {
        #[command(flatten)]
        input: Input,
        /// The output directory (created if needed).
        #[arg(short = 'o', long = "out", value_name = "DIR")]
        out_dir: PathBuf,
        /// The Rust collections for `set` and `map`.
        #[arg(long, value_enum, default_value_t = CollectionsArg::Hash)]
        collections: CollectionsArg,
        /// The Rust type for `string`.
        #[arg(long, value_enum, default_value_t = StringsArg::String)]
        strings: StringsArg,
        /// The `BuildHasher` of the generated `HashMap`s and `HashSet`s, as a Rust type path
        /// (default: the standard library's `RandomState`).
        #[arg(long, value_name = "TYPE")]
        hasher: Option<String>,
    },
}

/// The files to read and how to show what is wrong with them.
#[derive(Args)]
struct Input {
    /// The `.thrift` files (their includes are read too).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Another directory to search for included files (searched after the including
    /// file's own directory, in the order given).
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    include_dirs: Vec<PathBuf>,
    /// When to colour human-readable output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, ValueEnum)]
enum MessageFormat {
    /// rustc-style text on standard error.
    Human,
    /// One JSON object per diagnostic on standard output.
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    /// Colour when standard error is a terminal.
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum CollectionsArg {
    /// `HashMap` / `HashSet`.
    Hash,
    /// `BTreeMap` / `BTreeSet`.
    Btree,
}

#[derive(Clone, Copy, ValueEnum)]
enum StringsArg {
    /// `String`.
    String,
    /// `thrift_bidi::ByteString` (cheap clones, zero-copy decoding).
    Bytestring,
}

fn main() -> anyhow::Result<ExitCode> {
    match Cli::parse().command {
        Command::Check {
            input,
            message_format: MessageFormat::Json,
        } => {
            let checked = thrift_bidi_build::check_files(&input.files, &input.include_dirs);
            let mut out = std::io::stdout().lock();
            for diagnostic in &checked.diagnostics {
                writeln!(out, "{}", json::diagnostic(&checked.sources, diagnostic))?;
            }
            Ok(exit_code(&checked))
        }
        Command::Check { input, .. } => Ok(exit_code(&check(&input)?)),
        Command::Gen {
            input,
            out_dir,
            collections,
            strings,
            hasher,
        } => {
            let checked = check(&input)?;
            if checked.has_errors() {
                return Ok(ExitCode::FAILURE);
            }
            let mut config = Config::new();
            config.collections(match collections {
                CollectionsArg::Hash => Collections::Hash,
                CollectionsArg::Btree => Collections::BTree,
            });
            config.strings(match strings {
                StringsArg::String => Strings::String,
                StringsArg::Bytestring => Strings::ByteString,
            });
            if let Some(hasher) = hasher {
                config.hasher(hasher);
            }
            config.generate_checked(&checked)?.write(&out_dir)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Checks the input, printing diagnostics as text on standard error.
fn check(input: &Input) -> anyhow::Result<Checked> {
    let checked = thrift_bidi_build::check_files(&input.files, &input.include_dirs);
    let color = match input.color {
        Color::Auto => std::io::stderr().is_terminal(),
        Color::Always => true,
        Color::Never => false,
    };
    let mut err = std::io::stderr().lock();
    write!(err, "{}", checked.render(color))?;
    let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = checked.diagnostics.len() - errors;
    if errors > 0 {
        writeln!(
            err,
            "error: {} found in {} file(s) ({warnings} warning(s))",
            plural(errors, "error"),
            input.files.len()
        )?;
    }
    Ok(checked)
}

fn exit_code(checked: &Checked) -> ExitCode {
    if checked.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

//! `thrift-bidi`: the command-line front of the compiler.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use thrift_bidi_build::diagnostics::render;

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
        /// The `.thrift` files to check (their includes are checked too).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Another directory to search for included files (searched after the including
        /// file's own directory, in the order given).
        #[arg(short = 'I', long = "include", value_name = "DIR")]
        include_dirs: Vec<PathBuf>,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
        message_format: MessageFormat,
        /// When to colour human-readable output.
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
    },
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

fn main() -> anyhow::Result<ExitCode> {
    let Command::Check {
        files,
        include_dirs,
        message_format,
        color,
    } = Cli::parse().command;
    let checked = thrift_bidi_build::check_files(&files, &include_dirs);
    match message_format {
        MessageFormat::Json => {
            let mut out = std::io::stdout().lock();
            for diagnostic in &checked.diagnostics {
                writeln!(out, "{}", render::json(&checked.sources, diagnostic))?;
            }
        }
        MessageFormat::Human => {
            let color = match color {
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
                    files.len()
                )?;
            }
        }
    }
    Ok(if checked.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

//! The thrift-bidi IDL compiler: Apache Thrift `.thrift` files in, diagnostics and (later)
//! Rust code out.
//!
//! ```text
//! .thrift ─► syntax ─► AST ─► resolve ─► IR ─► check ─► codegen
//!            (pest)           includes,         one rule
//!                             names, consts     per file
//! ```
//!
//! [`check_files`] runs the front end (everything before code generation) and returns the
//! sources, the [`ir::Program`] and every [`Diagnostic`]; render them with
//! [`diagnostics::render`]. Nothing here prints, panics or exits on bad input.

pub mod check;
pub mod codegen;
mod config;
pub mod diagnostics;
pub mod ir;
pub mod limits;
pub mod naming;
pub mod output;
pub mod resolve;
pub mod source;
pub mod syntax;

use std::path::PathBuf;

pub use config::{Collections, Config, Error, Strings};
pub use diagnostics::{Diagnostic, Severity};
pub use output::{Generated, GeneratedFile};
pub use resolve::Root;

/// What the front end made of a set of files.
#[derive(Debug)]
pub struct Checked {
    /// Every file read.
    pub sources: source::SourceMap,
    /// The resolved program (complete only when there are no errors).
    pub program: ir::Program,
    /// Every error and warning, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// `true` if any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The diagnostics rendered as rustc-style text.
    pub fn render(&self, color: bool) -> String {
        diagnostics::render::text(&self.sources, &self.diagnostics, color)
    }
}

/// Generates Rust for `files` into `$OUT_DIR` with the default [`Config`]; see
/// [`Config::compile`].
///
/// ```no_run
/// // build.rs
/// fn main() -> Result<(), thrift_bidi_build::Error> {
///     thrift_bidi_build::compile(&["idl/chat.thrift"], &["idl"])
/// }
/// ```
pub fn compile(
    files: &[impl AsRef<std::path::Path>],
    include_dirs: &[impl AsRef<std::path::Path>],
) -> Result<(), Error> {
    Config::new().compile(files, include_dirs)
}

/// Parses, resolves and checks `files` (and everything they include), searching includes next
/// to the including file, then in `include_dirs`.
///
/// ```no_run
/// let checked = thrift_bidi_build::check_files(&["idl/chat.thrift".into()], &[]);
/// eprint!("{}", checked.render(false));
/// assert!(!checked.has_errors());
/// ```
pub fn check_files(files: &[PathBuf], include_dirs: &[PathBuf]) -> Checked {
    let roots: Vec<Root> = files.iter().cloned().map(Root::Path).collect();
    check_roots(&roots, include_dirs)
}

/// Like [`check_files`], but a root may be given as text (its includes are read from disk).
pub fn check_roots(roots: &[Root], include_dirs: &[PathBuf]) -> Checked {
    let mut diags = diagnostics::Diagnostics::default();
    let loaded = resolve::load(roots, include_dirs, &mut diags);
    let mut program = resolve::resolve(&loaded, &mut diags);
    check::check(&mut program, &mut diags);
    Checked {
        sources: loaded.sources,
        program,
        diagnostics: diags.into_sorted(),
    }
}

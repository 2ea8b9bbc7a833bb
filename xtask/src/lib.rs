//! Maintainer tasks for the workspace, run as `cargo xtask <task>`.
//!
//! The tasks are a library so that their tests can run them on a temporary copy of the
//! workspace instead of the real checkout.

use std::path::{Path, PathBuf};

pub mod bench;
pub mod codegen;
pub mod requests;
pub mod trim;

/// The root of a workspace checkout that the tasks read from and write to.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
}

impl Workspace {
    /// A workspace rooted at `root`.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// `relative` inside the workspace.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// The workspace root.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

//! Maintainer tasks for the workspace, run as `cargo xtask <task>`.
//!
//! The tasks are a library so that their tests can run them on a temporary copy of the
//! workspace instead of the real checkout.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

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

    /// The checkout this run acts on, found at run time: never a path compiled into the binary,
    /// which with a shared target directory (a global `CARGO_TARGET_DIR`) may be another
    /// checkout's. `cargo xtask` (`cargo run`) sets `CARGO_MANIFEST_DIR` to this checkout's
    /// `xtask/`; run any other way, cargo is asked which workspace the current directory is in.
    pub fn locate() -> Result<Self> {
        let root = match std::env::var_os("CARGO_MANIFEST_DIR") {
            Some(xtask) => Path::new(&xtask)
                .parent()
                .context("CARGO_MANIFEST_DIR has no parent directory")?
                .to_path_buf(),
            None => {
                let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
                let output = std::process::Command::new(cargo)
                    .args(["locate-project", "--workspace", "--message-format", "plain"])
                    .output()
                    .context("running `cargo locate-project`")?;
                anyhow::ensure!(
                    output.status.success(),
                    "`cargo locate-project` failed: {}",
                    String::from_utf8_lossy(&output.stderr).trim()
                );
                let manifest = PathBuf::from(String::from_utf8(output.stdout)?.trim());
                manifest
                    .parent()
                    .context("the workspace manifest has no parent directory")?
                    .to_path_buf()
            }
        };
        anyhow::ensure!(
            root.join("xtask").join("Cargo.toml").is_file(),
            "{} is not a cloudflare-r2-catalog checkout (no xtask/Cargo.toml)",
            root.display()
        );
        Ok(Self::at(root))
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

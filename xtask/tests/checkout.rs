//! One `xtask` binary, as a shared target directory leaves it, run from two checkouts: each run
//! reads and writes its own checkout's files, never those of the checkout it was built in.

use std::path::Path;
use std::process::{Command, Output};

use xtask::Workspace;
use xtask::codegen::{OUTPUT, SPEC};

/// A minimal checkout in a temporary directory: a workspace manifest, `xtask/Cargo.toml`, and
/// copies of the real spec and generated module.
fn checkout() -> tempfile::TempDir {
    let real = Workspace::at(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    let dir = tempfile::tempdir().expect("temp dir");
    let files = [
        (SPEC, std::fs::read(real.path(SPEC)).expect("the spec")),
        (
            OUTPUT,
            std::fs::read(real.path(OUTPUT)).expect("the generated module"),
        ),
        (
            "Cargo.toml",
            b"[workspace]\nmembers = []\nresolver = \"2\"\n".to_vec(),
        ),
        ("xtask/Cargo.toml", Vec::new()),
    ];
    for (relative, bytes) in files {
        let target = dir.path().join(relative);
        std::fs::create_dir_all(target.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(target, bytes).expect("write");
    }
    dir
}

/// Runs this build's xtask binary in `checkout`, as `cargo xtask` would there (with
/// `CARGO_MANIFEST_DIR`) or as a direct call (without it).
fn xtask(checkout: &Path, through_cargo: bool, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .args(args)
        .current_dir(checkout)
        .env_remove("CARGO_MANIFEST_DIR");
    if through_cargo {
        command.env("CARGO_MANIFEST_DIR", checkout.join("xtask"));
    }
    command.output().expect("xtask runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn one_binary_checks_and_writes_the_checkout_it_runs_in() {
    let (fresh, changed) = (checkout(), checkout());
    let spec = changed.path().join(SPEC);
    let edited = std::fs::read_to_string(&spec).expect("spec").replacen(
        "Store catalog credentials",
        "Store the catalog credentials",
        1,
    );
    std::fs::write(&spec, edited).expect("edit the spec");

    for through_cargo in [true, false] {
        let output = xtask(fresh.path(), through_cargo, &["codegen", "--check"]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        assert!(text(&output).contains("is up to date"), "{}", text(&output));

        let output = xtask(changed.path(), through_cargo, &["codegen", "--check"]);
        assert_eq!(output.status.code(), Some(1), "{}", text(&output));
        assert!(text(&output).contains("is stale"), "{}", text(&output));
    }

    let untouched = std::fs::read(fresh.path().join(OUTPUT)).expect("read");
    let output = xtask(changed.path(), false, &["codegen"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(
        std::fs::read(fresh.path().join(OUTPUT)).expect("read"),
        untouched
    );
    let output = xtask(changed.path(), true, &["codegen", "--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}

#[test]
fn a_directory_that_is_not_a_checkout_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = xtask(dir.path(), true, &["codegen", "--check"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("is not a cloudflare-r2-catalog checkout"),
        "{}",
        text(&output)
    );
}

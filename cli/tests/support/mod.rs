//! Running the real `r2-catalog` binary in tests.
#![allow(dead_code)] // each suite uses its own subset

use std::io::Write;
use std::process::{Command, Output, Stdio};

use httpmock::MockServer;

use crate::common::{ACCOUNT_ID, API_TOKEN};

/// Runs `r2-catalog` with `args`, only the environment given in `env` (nothing inherited from
/// the developer's shell), and `stdin` on its standard input.
pub fn r2_catalog(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_r2-catalog"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // A command that fails before reading stdin closes it early; that is not a test failure.
    let written = child
        .stdin
        .take()
        .expect("piped")
        .write_all(stdin.as_bytes());
    if let Err(error) = written {
        assert_eq!(
            error.kind(),
            std::io::ErrorKind::BrokenPipe,
            "writing stdin: {error}"
        );
    }
    child.wait_with_output().expect("the binary finishes")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Environment variables for one run of the binary.
pub type Env = [(&'static str, String)];

/// The environment of an operator with an API token and an account id, aimed at `server`.
pub fn token_env(server: &MockServer) -> Vec<(&'static str, String)> {
    token_env_at(&server.base_url())
}

/// [`token_env`] aimed at `base_url` (a raw server).
pub fn token_env_at(base_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("CLOUDFLARE_API_TOKEN", API_TOKEN.to_owned()),
        ("CLOUDFLARE_ACCOUNT_ID", ACCOUNT_ID.to_owned()),
        ("CLOUDFLARE_BASE_URL", base_url.to_owned()),
    ]
}

pub fn borrowed<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect()
}

/// Runs `r2-catalog args…` as an operator with an API token would, against `server`.
pub fn run(server: &MockServer, args: &[&str]) -> Output {
    r2_catalog(args, &borrowed(&token_env(server)), "")
}

/// [`run`] against a raw server at `base_url`.
pub fn run_at(base_url: &str, args: &[&str]) -> Output {
    r2_catalog(args, &borrowed(&token_env_at(base_url)), "")
}

/// What the command printed on stdout, parsed as JSON; panics with stderr if it failed.
pub fn json_out(output: &Output) -> serde_json::Value {
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(output));
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// `value` without its null object fields: the SDK's models leave out what the server left
/// null, so this is how an upstream example prints.
pub fn without_nulls(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .filter(|(_, value)| !value.is_null())
                .map(|(key, value)| (key, without_nulls(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

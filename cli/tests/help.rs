//! The help of every command: its own options first, then the global ones under a heading of
//! their own; a value the environment gives an option shown as coming from there, an unset one
//! not shown as set; no secret of the environment anywhere; and a usage line that lists no
//! global option, whether the environment provides it or not.

#[path = "../../tests/tests/common/mod.rs"]
mod common;
mod support;

use common::*;
use support::*;

/// Every global option, as its help names it, in the order it is declared.
const GLOBALS: [&str; 8] = [
    "--account-id <ID>",
    "--base-url <URL>",
    "--iceberg-url <URL>",
    "--allow-insecure-http",
    "--paths <FAMILY>",
    "--output <FORMAT>",
    "--json",
    "--dry-run",
];

/// A password in a URL: the SDK refuses such a URL without echoing it, and so must help.
const URL_PASSWORD: &str = "url-password-SECRET-7c6b5a";

/// One heading of a help text and its entries: each entry's first line (the option or
/// argument, without its indentation) and the lines under it, trimmed, blank ones left out.
#[derive(Debug, PartialEq)]
struct Section {
    heading: String,
    entries: Vec<(String, Vec<String>)>,
}

/// The sections of a long (`--help`) help text after its usage line: a line at the margin
/// ending in `:` opens one, an indented line starting an option (`-`) or an argument (`<`)
/// within six columns opens an entry, and a line indented further belongs to the entry above it.
fn sections(help: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for line in help.lines() {
        let indent = line.len() - line.trim_start().len();
        let text = line.trim();
        if indent == 0 && text.ends_with(':') {
            sections.push(Section {
                heading: text.trim_end_matches(':').to_owned(),
                entries: Vec::new(),
            });
        } else if indent == 0 || text.is_empty() {
            continue;
        } else if let Some(section) = sections.last_mut() {
            if indent <= 6 && (text.starts_with('-') || text.starts_with('<')) {
                section.entries.push((text.to_owned(), Vec::new()));
            } else if let Some((_, body)) = section.entries.last_mut() {
                body.push(text.to_owned());
            }
        }
    }
    sections
}

/// The long help of `r2-catalog args… --help` with only `env` in its environment.
fn help(args: &[&str], env: &[(&str, &str)]) -> String {
    let args: Vec<&str> = args.iter().copied().chain(["--help"]).collect();
    let output = r2_catalog(&args, env, "");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    stdout(&output)
}

/// The lines under `option` in the section `heading` of `help`.
fn entry<'a>(help: &'a [Section], heading: &str, option: &str) -> &'a [String] {
    let section = help
        .iter()
        .find(|section| section.heading == heading)
        .unwrap_or_else(|| panic!("no {heading} section: {help:#?}"));
    section
        .entries
        .iter()
        .find(|(name, _)| name == option)
        .map(|(_, body)| body.as_slice())
        .unwrap_or_else(|| panic!("no {option} under {heading}: {help:#?}"))
}

/// The options of `section`, each as its first line names it.
fn options(section: &Section) -> Vec<&str> {
    section
        .entries
        .iter()
        .map(|(name, _)| name.as_str())
        .collect()
}

#[test]
fn catalog_get_shows_its_own_options_then_every_global_one_under_its_heading() {
    let help = help(&["catalog", "get"], &[("CLOUDFLARE_ACCOUNT_ID", "abc")]);
    let sections = sections(&help);

    let headings: Vec<&str> = sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(
        headings,
        ["Arguments", "Options", "Global options"],
        "{help}"
    );
    assert_eq!(options(&sections[0]), ["<BUCKET>"]);
    assert_eq!(options(&sections[1]), ["-h, --help"]);
    assert_eq!(options(&sections[2]), GLOBALS);
}

#[test]
fn a_value_from_the_environment_is_shown_as_such_and_an_unset_one_is_not_shown_as_set() {
    let set = sections(&help(
        &["catalog", "get"],
        &[
            ("CLOUDFLARE_ACCOUNT_ID", "abc"),
            ("CLOUDFLARE_CATALOG_PATHS", "r2-catalog"),
        ],
    ));
    assert_eq!(
        entry(&set, "Global options", "--account-id <ID>"),
        [
            "The Cloudflare account id (32 hexadecimal characters)",
            "[env: CLOUDFLARE_ACCOUNT_ID=abc]",
        ]
    );
    assert_eq!(
        entry(&set, "Global options", "--paths <FAMILY>")
            .last()
            .unwrap(),
        "[possible values: basin-catalog, r2-catalog]"
    );
    assert!(
        entry(&set, "Global options", "--paths <FAMILY>")
            .contains(&"[env: CLOUDFLARE_CATALOG_PATHS=r2-catalog]".to_owned())
    );
    // Unset: the variable named, with no `=` that would read as set to nothing.
    assert_eq!(
        entry(&set, "Global options", "--base-url <URL>"),
        ["The API's base URL", "[env: CLOUDFLARE_BASE_URL]"]
    );

    let unset = sections(&help(&["catalog", "get"], &[]));
    assert_eq!(
        entry(&unset, "Global options", "--account-id <ID>"),
        [
            "The Cloudflare account id (32 hexadecimal characters)",
            "[env: CLOUDFLARE_ACCOUNT_ID]",
        ]
    );
}

#[test]
fn the_usage_line_lists_no_global_option_whether_the_environment_gives_it_or_not() {
    let full = [
        ("CLOUDFLARE_ACCOUNT_ID", ACCOUNT_ID),
        ("CLOUDFLARE_API_TOKEN", API_TOKEN),
        ("CLOUDFLARE_BASE_URL", "http://127.0.0.1:1"),
    ];
    for env in [&full[..], &[]] {
        let help = help(&["catalog", "get"], env);
        let usage: Vec<&str> = help.lines().filter(|l| l.starts_with("Usage:")).collect();
        assert_eq!(usage, ["Usage: r2-catalog catalog get [OPTIONS] <BUCKET>"]);
    }
    // A missing account is still an error of the command, saying how to give one.
    let output = r2_catalog(
        &["catalog", "get", BUCKET],
        &[("CLOUDFLARE_API_TOKEN", API_TOKEN)],
        "",
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: no account id: pass --account-id or set CLOUDFLARE_ACCOUNT_ID\n"
    );
}

/// Every command under `path` (itself included), found through the `Commands:` of each help.
fn commands(path: Vec<String>, env: &[(&str, &str)], found: &mut Vec<Vec<String>>) {
    let args: Vec<&str> = path.iter().map(String::as_str).collect();
    let help = help(&args, env);
    found.push(path.clone());
    let subcommands: Vec<String> = help
        .lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| !line.is_empty())
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect();
    for name in subcommands {
        let mut path = path.clone();
        path.push(name);
        commands(path, env, found);
    }
}

#[test]
fn no_help_shows_a_secret_from_the_environment_and_each_puts_the_globals_last() {
    let env = [
        ("CLOUDFLARE_API_TOKEN", API_TOKEN),
        ("CLOUDFLARE_API_KEY", API_KEY),
        ("CLOUDFLARE_EMAIL", EMAIL),
        ("CLOUDFLARE_ACCOUNT_ID", ACCOUNT_ID),
        (
            "CLOUDFLARE_BASE_URL",
            &format!("https://ops:{URL_PASSWORD}@api.example.com"),
        ),
        (
            "CLOUDFLARE_ICEBERG_URL",
            &format!("https://ops:{URL_PASSWORD}@catalog.example.com"),
        ),
    ];
    let mut found = Vec::new();
    commands(Vec::new(), &env, &mut found);
    let names: Vec<String> = found.iter().map(|path| path.join(" ")).collect();
    for expected in [
        "",
        "catalog get",
        "credential store",
        "table maintenance runs",
        "emulate",
    ] {
        assert!(names.iter().any(|name| name == expected), "{names:?}");
    }

    for path in &found {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        let long = help(&args, &env);
        args.push("-h");
        let short = stdout(&r2_catalog(&args, &env, ""));
        let mut as_help_command = vec!["help"];
        as_help_command.extend(path.iter().map(String::as_str));
        let through_help = stdout(&r2_catalog(&as_help_command, &env, ""));
        // Whichever way asked, the same help: what the checks below read is really there.
        assert_eq!(through_help, long, "{path:?}");
        assert!(short.contains("\nGlobal options:\n"), "{path:?}:\n{short}");
        for (shown, text) in [("--help", &long), ("-h", &short), ("help", &through_help)] {
            for secret in [API_TOKEN, API_KEY, URL_PASSWORD] {
                assert!(
                    !text.contains(secret),
                    "{path:?} {shown} shows {secret}:\n{text}"
                );
            }
        }

        let sections = sections(&long);
        let last = sections.last().expect("sections");
        assert_eq!(last.heading, "Global options", "{path:?}:\n{long}");
        assert_eq!(options(last), GLOBALS, "{path:?}");
        let own = sections.iter().position(|s| s.heading == "Options");
        assert_eq!(own, Some(sections.len() - 2), "{path:?}:\n{long}");
        assert_eq!(
            entry(&sections, "Global options", "--account-id <ID>")
                .last()
                .unwrap(),
            &format!("[env: CLOUDFLARE_ACCOUNT_ID={ACCOUNT_ID}]"),
            "{path:?}"
        );
        assert_eq!(
            entry(&sections, "Global options", "--base-url <URL>"),
            ["The API's base URL", "[env: CLOUDFLARE_BASE_URL]"],
            "{path:?}"
        );
    }
}

#[test]
fn a_url_whose_query_or_fragment_may_hold_a_credential_is_not_shown() {
    let query = "query-SECRET-31d2";
    let fragment = "fragment-SECRET-8e0f";
    let env = [
        (
            "CLOUDFLARE_BASE_URL",
            format!("https://api.example.com/client/v4?token={query}"),
        ),
        (
            "CLOUDFLARE_ICEBERG_URL",
            format!("https://catalog.example.com/#key={fragment}"),
        ),
    ];
    let env: Vec<(&str, &str)> = env
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();

    let text = help(&["catalog", "get"], &env);

    for secret in [query, fragment] {
        assert!(!text.contains(secret), "{secret} shown:\n{text}");
    }
    for name in ["CLOUDFLARE_BASE_URL", "CLOUDFLARE_ICEBERG_URL"] {
        assert!(text.contains(&format!("[env: {name}]")), "{name}:\n{text}");
    }
}

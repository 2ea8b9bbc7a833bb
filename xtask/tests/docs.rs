//! The documentation a newcomer reads holds together: the README stays a first read, every page
//! of `docs/` is compiled by the doctest harness (so its Rust cannot drift from the API), and
//! every relative link of the README and the pages leads to a file and a heading that exist.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The most lines the README may have: a first read, with the rest in `docs/`.
const README_LINES: usize = 250;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The README and every page of `docs/`, as paths relative to the workspace.
fn pages() -> Vec<String> {
    let mut pages: Vec<String> = std::fs::read_dir(workspace().join("docs"))
        .expect("docs/ exists")
        .map(|entry| entry.expect("a directory entry").file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".md"))
        .map(|name| format!("docs/{name}"))
        .collect();
    pages.sort();
    pages.insert(0, "README.md".to_owned());
    pages
}

fn read(page: &str) -> String {
    std::fs::read_to_string(workspace().join(page))
        .unwrap_or_else(|error| panic!("{page}: {error}"))
}

/// `text` without its fenced code blocks, whose brackets are code, not links.
fn prose(text: &str) -> String {
    let mut fenced = false;
    text.lines()
        .filter(|line| {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                return false;
            }
            !fenced
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The anchors GitHub gives the headings of `text`: lower case, punctuation dropped, spaces as
/// hyphens, and `-1`, `-2` … after a repeated one.
fn anchors(text: &str) -> HashSet<String> {
    let mut anchors = HashSet::new();
    for line in prose(text).lines() {
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        let heading = heading.trim_start_matches('#').trim();
        let slug: String = heading
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == ' ')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let mut candidate = slug.clone();
        let mut repeat = 0;
        while !anchors.insert(candidate.clone()) {
            repeat += 1;
            candidate = format!("{slug}-{repeat}");
        }
    }
    anchors
}

/// The targets of the relative links (`[text](target)`) of `text`.
fn relative_links(text: &str) -> Vec<String> {
    let prose = prose(text);
    let mut links = Vec::new();
    let mut rest = prose.as_str();
    while let Some(start) = rest.find("](") {
        rest = &rest[start + 2..];
        let end = rest.find(')').unwrap_or(rest.len());
        let target = &rest[..end];
        let external = target.split_once(':').is_some_and(|(scheme, _)| {
            scheme.chars().all(|c| c.is_ascii_lowercase()) && !scheme.is_empty()
        });
        if !external && !target.contains(char::is_whitespace) {
            links.push(target.to_owned());
        }
    }
    links
}

#[test]
fn the_readme_is_a_first_read() {
    let lines = read("README.md").lines().count();
    assert!(lines <= README_LINES, "README.md has {lines} lines");
}

#[test]
fn every_page_is_compiled_by_the_doctest_harness() {
    let harness =
        std::fs::read_to_string(workspace().join("tests/src/lib.rs")).expect("the harness");
    let missing: Vec<String> = pages()
        .into_iter()
        .filter(|page| !harness.contains(&format!("\"{page}\"")))
        .collect();
    assert!(missing.is_empty(), "not in tests/src/lib.rs: {missing:?}");
}

#[test]
fn every_relative_link_leads_to_a_file_and_a_heading() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let base = Path::new(&page).parent().unwrap_or(Path::new(""));
        for target in relative_links(&read(&page)) {
            checked += 1;
            let (path, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let file = if path.is_empty() {
                workspace().join(&page)
            } else {
                workspace().join(base).join(path)
            };
            if !file.exists() {
                broken.push(format!("{page}: {target}: no such file"));
            } else if !anchor.is_empty() {
                let text = std::fs::read_to_string(&file).unwrap_or_default();
                if !anchors(&text).contains(anchor) {
                    broken.push(format!("{page}: {target}: no such heading"));
                }
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} links found: is the parser reading them?"
    );
    assert!(broken.is_empty(), "{broken:#?}");
}

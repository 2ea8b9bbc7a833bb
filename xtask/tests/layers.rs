//! The modules of the SDK and of the emulator form one-way layers, and each crate's `lib.rs`
//! (`sdk/src/lib.rs`, `emulator/src/lib.rs`) lists them bottom-up: every module may use only
//! modules declared before it (and itself), never one above it.

use std::path::{Path, PathBuf};

/// The `src` directory of each crate whose modules are layered, and how many modules its
/// `lib.rs` declares at least (a check that finds none would pass vacuously).
const CRATES: [(&str, usize); 2] = [("sdk", 10), ("emulator", 10)];

fn src_of(krate: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(krate)
        .join("src")
}

/// The modules `lib.rs` declares, in order.
fn declared_modules(lib: &str) -> Vec<String> {
    lib.lines()
        .filter_map(|line| {
            let line = line.trim();
            line.strip_prefix("mod ")
                .or_else(|| line.strip_prefix("pub mod "))
        })
        .filter_map(|rest| rest.strip_suffix(';'))
        .map(str::to_owned)
        .collect()
}

/// `text` without its comments, doc comments included: a doc link to a module above is no
/// dependency on it.
fn code_only(text: &str) -> String {
    let mut code = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        code.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*/")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    code.push_str(rest);
    code.lines()
        .map(|line| line.find("//").map_or(line, |comment| &line[..comment]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first path segment after every `crate::` in `code`, grouped imports included.
fn crate_paths(code: &str) -> Vec<String> {
    let ident = |text: &str| -> String {
        text.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut used = Vec::new();
    for (index, _) in code.match_indices("crate::") {
        let after = &code[index + "crate::".len()..];
        match after.strip_prefix('{') {
            Some(group) => {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                used.extend(group.split(',').map(ident).filter(|name| !name.is_empty()));
            }
            None => used.push(ident(after)),
        }
    }
    used
}

/// Every `.rs` file under `dir`, its subdirectories' included, in a stable order.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
    files
}

/// The code of `module` of the crate in `src`: its file (`module.rs`) and every file of its
/// directory (`module/`, with `mod.rs` or beside `module.rs`), whichever there are.
fn module_text(src: &Path, module: &str) -> String {
    let mut files = Vec::new();
    let file = src.join(format!("{module}.rs"));
    if file.exists() {
        files.push(file);
    }
    let dir = src.join(module);
    if dir.is_dir() {
        files.extend(rust_files(&dir));
    }
    assert!(!files.is_empty(), "module {module} of {src:?} has no files");
    files
        .iter()
        .map(|file| std::fs::read_to_string(file).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// What breaks the layers of the crate in `src`: each use of a module declared after the user,
/// or of an item at the crate root.
fn violations(src: &Path, at_least: usize) -> Vec<String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let modules = declared_modules(&lib);
    assert!(
        modules.len() >= at_least,
        "{src:?}/lib.rs declares {modules:?}"
    );
    let mut violations = Vec::new();
    for (position, module) in modules.iter().enumerate() {
        for used in crate_paths(&code_only(&module_text(src, module))) {
            match modules.iter().position(|m| *m == used) {
                Some(layer) if layer <= position => {}
                Some(_) => violations.push(format!("{module} uses {used}, declared after it")),
                // A re-export from the crate root hides which layer the item comes from.
                None => violations.push(format!("{module} uses crate::{used}, not a module")),
            }
        }
    }
    violations
}

#[test]
fn no_module_uses_one_declared_after_it_in_lib_rs() {
    for (krate, at_least) in CRATES {
        let violations = violations(&src_of(krate), at_least);
        assert!(violations.is_empty(), "{krate}: {violations:#?}");
    }
}

#[test]
fn a_module_of_a_directory_is_read_whole() {
    // The emulator's rules are a directory; its files import what the layers allow too.
    let rules = module_text(&src_of("emulator"), "rules");
    assert!(rules.contains("mod maintenance;") && rules.contains("fn queue_maintenance("));
}

#[test]
fn the_check_sees_uses_in_every_form_and_ignores_comments() {
    let code = code_only(
        "use crate::error::Error;\nuse crate::{wire, head::ResponseMeta};\n\
         let x = crate::retry::is_retryable_for(op, s); // crate::client\n\
         /// [`crate::Client`]\n/* crate::config */ crate::Client::new()",
    );
    assert_eq!(
        crate_paths(&code),
        ["error", "wire", "head", "retry", "Client"]
    );
}

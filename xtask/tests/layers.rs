//! The SDK's modules form one-way layers, and `sdk/src/lib.rs` lists them bottom-up: every
//! module may use only modules declared before it (and itself), never one above it.

use std::path::{Path, PathBuf};

fn sdk_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/src")
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

/// The code of `module`: its file, or every file of its directory.
fn module_text(module: &str) -> String {
    let file = sdk_src().join(format!("{module}.rs"));
    if file.exists() {
        return std::fs::read_to_string(file).unwrap();
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(sdk_src().join(module))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "module {module} has no files");
    files
        .iter()
        .map(|file| std::fs::read_to_string(file).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_module_uses_one_declared_after_it_in_lib_rs() {
    let lib = std::fs::read_to_string(sdk_src().join("lib.rs")).unwrap();
    let modules = declared_modules(&lib);
    assert!(modules.len() > 10, "lib.rs declares {modules:?}");
    let mut violations = Vec::new();
    for (position, module) in modules.iter().enumerate() {
        for used in crate_paths(&code_only(&module_text(module))) {
            match modules.iter().position(|m| *m == used) {
                Some(layer) if layer <= position => {}
                Some(_) => violations.push(format!("{module} uses {used}, declared after it")),
                // A re-export from the crate root hides which layer the item comes from.
                None => violations.push(format!("{module} uses crate::{used}, not a module")),
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
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

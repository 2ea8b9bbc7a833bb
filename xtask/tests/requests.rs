//! The import swap of `xtask/src/requests.rs`: on the real spec, every path parameter is encoded
//! by the SDK's `path_segment`; on small hand-made inputs, a module of another shape is an error.

use std::path::Path;

use xtask::Workspace;
use xtask::codegen;
use xtask::requests;

fn rewritten(source: &str) -> anyhow::Result<String> {
    let mut file: syn::File = syn::parse_str(source).expect("valid Rust");
    requests::rewrite(&mut file)?;
    Ok(prettyplease::unparse(&file))
}

/// A module shaped as progenitor 0.15 writes one, with `url` as its one operation's URL.
fn module(url: &str) -> String {
    format!(
        r#"
        use progenitor_client::{{encode_path, ClientHooks, OperationInfo}};
        impl Client {{
            pub async fn op<'a>(&'a self, name: &'a str) -> Result<(), Error> {{
                let url = {url};
                self.client.get(url).send().await
            }}
        }}"#
    )
}

#[test]
fn every_path_parameter_of_the_real_spec_goes_through_path_segment() {
    let workspace = Workspace::at(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    let module = codegen::render(&workspace).expect("codegen renders");
    assert!(module.contains("use crate::wire::path_segment as encode_path;"));
    assert!(!module.contains("progenitor_client::encode_path"));
    let imports = module
        .lines()
        .filter(|line| line.trim_start().starts_with("use progenitor_client::"))
        .collect::<Vec<_>>();
    assert!(
        imports.iter().all(|line| !line.contains("encode_path")),
        "{imports:?}"
    );
    // Every operation with path parameters (all 16) encodes them.
    assert!(module.matches("encode_path(&").count() >= 32);
}

#[test]
fn the_import_is_swapped_and_the_calls_are_left_as_written() {
    let code = rewritten(&module(
        r#"format!("{}/items/{}", self.baseurl, encode_path(&name.to_string()))"#,
    ))
    .expect("rewritten");
    assert!(
        code.contains("use progenitor_client::{ClientHooks, OperationInfo};"),
        "{code}"
    );
    assert!(
        code.contains("use crate::wire::path_segment as encode_path;"),
        "{code}"
    );
    assert!(code.contains("encode_path(& name.to_string())"), "{code}");
}

#[test]
fn a_module_without_the_import_is_an_error() {
    let source =
        module(r#"format!("{}/items/{}", self.baseurl, name)"#).replace("encode_path, ", "");
    let error = rewritten(&source).unwrap_err().to_string();
    assert!(error.contains("does not import `encode_path`"), "{error}");
}

#[test]
fn a_qualified_encode_path_call_is_an_error() {
    let error = rewritten(&module(
        r#"format!("{}/items/{}", self.baseurl, progenitor_client::encode_path(&name.to_string()))"#,
    ))
    .unwrap_err()
    .to_string();
    assert!(error.contains("qualified path"), "{error}");
}

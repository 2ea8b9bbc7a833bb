//! The rewrites of progenitor's request code (`xtask/src/requests.rs`): on the real spec, every
//! operation loses its per-request header map and its path copies; on small hand-made inputs,
//! what must stay stays and an unexpected shape is an error.

use std::path::Path;

use xtask::Workspace;
use xtask::codegen;
use xtask::requests;

fn rewritten(source: &str) -> anyhow::Result<String> {
    let mut file: syn::File = syn::parse_str(source).expect("valid Rust");
    requests::rewrite(&mut file)?;
    Ok(prettyplease::unparse(&file))
}

/// One operation as progenitor 0.15 writes it, with `extra` after the `api-version` line.
fn operation(params: &str, path_args: &str, capacity: usize, extra: &str) -> String {
    format!(
        r#"impl Client {{
            pub async fn op<'a>(&'a self, {params}) -> Result<(), Error> {{
                let url = format!("{{}}/items/{{}}/{{}}", self.baseurl, {path_args});
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity({capacity}usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(Self::api_version()),
                );
                {extra}
                let mut request = self.client.get(url).headers(header_map).build()?;
                let info = OperationInfo {{ operation_id: "op" }};
                self.exec(request, &info).await
            }}
        }}"#
    )
}

#[test]
fn every_generated_operation_sends_without_a_header_map_or_path_copies() {
    let workspace = Workspace::at(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    let module = codegen::render(&workspace).unwrap();
    assert_eq!(module.matches("operation_id:").count(), 16);
    assert!(!module.contains("header_map"));
    assert!(
        !module.contains("encode_path("),
        "no path parameter is copied"
    );
    // 16 operations, 43 path parameters between them, every one borrowed (text, validated
    // types and open enums alike).
    assert_eq!(module.matches("::wire::path_segment(").count(), 43);
    assert!(
        !module.contains("::wire::path_segment(&"),
        "a path parameter is copied"
    );
}

#[test]
fn every_path_parameter_goes_through_the_sdks_encoding_text_ones_borrowed() {
    let code = rewritten(&operation(
        "name: &'a str, id: &'a i64",
        "encode_path(&name.to_string()), encode_path(&id.to_string())",
        1,
        "",
    ))
    .unwrap();
    assert!(code.contains("::wire::path_segment(name)"), "{code}");
    assert!(
        code.contains("::wire::path_segment(& id.to_string())"),
        "{code}"
    );
    assert!(!code.contains("encode_path(&"), "{code}");
    assert!(!code.contains("header_map"), "{code}");
    assert!(!code.contains(".headers("), "{code}");
}

#[test]
fn a_header_parameter_keeps_the_map_and_only_the_api_version_line_goes() {
    let code = rewritten(&operation(
        "name: &'a str, trace: Option<&'a str>",
        "encode_path(&name.to_string()), encode_path(&name.to_string())",
        2,
        r#"if let Some(value) = trace { header_map.append("x-trace", value.to_string().try_into()?); }"#,
    ))
    .unwrap();
    assert!(!code.contains("api-version"), "{code}");
    assert!(code.contains("header_map.append(\"x-trace\""), "{code}");
    assert!(code.contains(".headers(header_map)"), "{code}");
}

#[test]
fn an_operation_of_another_shape_is_an_error_that_names_it() {
    let source = operation(
        "name: &'a str",
        "encode_path(&name.to_string()), name",
        1,
        "",
    )
    .replace("\"api-version\"", "\"x-version\"");
    let error = rewritten(&source).unwrap_err().to_string();
    assert!(error.contains("op"), "{error}");
    assert!(error.contains("xtask/src/requests.rs"), "{error}");
}

#[test]
fn an_encode_path_left_in_a_url_is_an_error_that_names_the_operation() {
    let source = operation(
        "name: &'a str",
        "progenitor_client::encode_path(&name.to_string())",
        1,
        "",
    );
    let error = rewritten(&source).unwrap_err().to_string();
    assert!(error.contains("op"), "{error}");
}

//! The one change made to the code progenitor generates: its path parameters go through the
//! SDK's encoding instead of progenitor's.
//!
//! progenitor puts each path parameter into the URL as `encode_path(&param.to_string())`, and
//! its `encode_path` leaves `\` alone, which URL parsers read as `/` in http(s) URLs: a table
//! named `..\..\..` would climb out of its segment onto another resource (review finding D1).
//! `crate::wire::path_segment` encodes everything but RFC 3986's unreserved characters. The
//! generated code is left as progenitor writes it; only the name it imports is swapped:
//! `use progenitor_client::{encode_path, …}` loses `encode_path`, and
//! `use crate::wire::path_segment as encode_path;` takes its place. A generated module without
//! that import, or that calls `encode_path` by another path, is an error rather than a module
//! whose URLs are encoded by progenitor.

use anyhow::{Result, bail};
use syn::punctuated::Punctuated;
use syn::visit_mut::{self, VisitMut};
use syn::{Item, UseTree, parse_quote};

/// The function progenitor encodes path parameters with.
const ENCODE_PATH: &str = "encode_path";

/// Makes every `encode_path` call of the generated `file` the SDK's `path_segment`.
pub fn rewrite(file: &mut syn::File) -> Result<()> {
    let mut swapped = 0;
    for item in &mut file.items {
        if let Item::Use(import) = item
            && let Some(group) = progenitor_client_group(&mut import.tree)
        {
            let before = group.len();
            *group = std::mem::take(group)
                .into_iter()
                .filter(|tree| !matches!(tree, UseTree::Name(name) if name.ident == ENCODE_PATH))
                .collect::<Punctuated<_, _>>();
            swapped += before - group.len();
        }
    }
    if swapped != 1 {
        bail!(
            "the generated module does not import `encode_path` from progenitor_client once \
             (found {swapped}); update xtask/src/requests.rs"
        );
    }
    let mut calls = QualifiedCalls::default();
    calls.visit_file_mut(file);
    if calls.found > 0 {
        bail!(
            "the generated module calls encode_path by a qualified path {} time(s), which the \
             import swap would miss; update xtask/src/requests.rs",
            calls.found
        );
    }
    file.items.push(parse_quote!(
        use crate::wire::path_segment as encode_path;
    ));
    Ok(())
}

/// The `{…}` of a `use progenitor_client::{…}`.
fn progenitor_client_group(tree: &mut UseTree) -> Option<&mut Punctuated<UseTree, syn::Token![,]>> {
    match tree {
        UseTree::Path(path) if path.ident == "progenitor_client" => match &mut *path.tree {
            UseTree::Group(group) => Some(&mut group.items),
            _ => None,
        },
        _ => None,
    }
}

/// Counts calls of `encode_path` through a path of more than one segment
/// (`progenitor_client::encode_path(…)`).
#[derive(Default)]
struct QualifiedCalls {
    found: usize,
}

impl VisitMut for QualifiedCalls {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        if let syn::Expr::Path(function) = &*call.func
            && function.path.segments.len() > 1
            && function
                .path
                .segments
                .last()
                .is_some_and(|last| last.ident == ENCODE_PATH)
        {
            self.found += 1;
        }
        visit_mut::visit_expr_call_mut(self, call);
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        // `format!` arguments are tokens to syn; parse them to see the calls inside (the
        // parsed copy is only looked at).
        if let Ok(mut args) =
            mac.parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        {
            for arg in &mut args {
                self.visit_expr_mut(arg);
            }
        }
    }
}

//! Two rewrites of the request code progenitor generates, for costs it has no setting to avoid.
//! `cargo xtask bench` found both on every call:
//!
//! - Every operation builds a fresh `HeaderMap` (two allocations, then a merge into the request)
//!   to send `api-version`. The SDK's HTTP client sends that header by default instead (see
//!   `sdk/src/config.rs`), so the per-request map goes.
//! - Every path parameter is copied with `to_string()`, then percent-encoded into another copy
//!   by progenitor's `encode_path`. `crate::wire::path_segment` replaces it: it borrows the text
//!   when nothing in it needs encoding (validation guarantees that for account ids and bucket
//!   names), and it encodes with an allow-list, where `encode_path` leaves `\` alone and lets a
//!   name climb out of its path segment. So this rewrite is also what keeps every identifier in
//!   its segment: no `encode_path` may be left in a URL.
//!
//! The first changes nothing that is sent. If progenitor's output no longer has the shape these
//! expect, codegen fails and names the operations, rather than leaving some of them
//! unrewritten.

use anyhow::{Result, bail};
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, FnArg, ImplItemFn, Pat, Stmt, Token, Type, parse_quote};

/// The local progenitor collects an operation's request headers in.
const HEADER_MAP: &str = "header_map";

/// Applies both rewrites to every operation of the generated client.
pub fn rewrite(file: &mut syn::File) -> Result<()> {
    let mut pass = Pass::default();
    pass.visit_file_mut(file);
    if !pass.unmatched.is_empty() {
        bail!(
            "progenitor's request code for {} no longer has the shape xtask/src/requests.rs \
             rewrites; update the rewrite",
            pass.unmatched.join(", ")
        );
    }
    if pass.rewritten == 0 {
        bail!("found no generated operation to rewrite; update xtask/src/requests.rs");
    }
    Ok(())
}

#[derive(Default)]
struct Pass {
    rewritten: usize,
    unmatched: Vec<String>,
}

impl VisitMut for Pass {
    fn visit_impl_item_fn_mut(&mut self, function: &mut ImplItemFn) {
        // Operations are the methods that declare `OperationInfo`.
        if !function
            .block
            .to_token_stream()
            .to_string()
            .contains("OperationInfo")
        {
            return visit_mut::visit_impl_item_fn_mut(self, function);
        }
        let path_params = text_params(function);
        let headers_dropped = drop_api_version_map(&mut function.block.stmts);
        let paths_rewritten = rewrite_url(&mut function.block.stmts, &path_params);
        if headers_dropped && paths_rewritten {
            self.rewritten += 1;
        } else {
            self.unmatched.push(function.sig.ident.to_string());
        }
    }
}

/// The parameters whose text can be borrowed: `&str`, the SDK's validated types and its open
/// enums (which all implement `AsRef<str>`).
fn text_params(function: &ImplItemFn) -> Vec<String> {
    function
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(typed) => Some(typed),
            FnArg::Receiver(_) => None,
        })
        .filter(|typed| match &*typed.ty {
            Type::Reference(reference) => {
                let target = reference.elem.to_token_stream().to_string();
                target == "str"
                    || target.starts_with("crate :: validate ::")
                    || target.starts_with("crate :: status ::")
            }
            _ => false,
        })
        .filter_map(|typed| match &*typed.pat {
            Pat::Ident(ident) => Some(ident.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// Removes the `api-version` header map and its `.headers(header_map)`. Returns whether it found
/// them. A map that also carries header parameters keeps them; only the `api-version` line goes.
fn drop_api_version_map(stmts: &mut Vec<Stmt>) -> bool {
    let before = stmts.len();
    stmts.retain(|stmt| !is_api_version_append(stmt));
    if stmts.len() + 1 != before {
        return false;
    }
    let mentions_map = |stmt: &Stmt| stmt.to_token_stream().to_string().contains(HEADER_MAP);
    let declares_map =
        |stmt: &Stmt| matches!(stmt, Stmt::Local(local) if pat_is(&local.pat, HEADER_MAP));
    let merges_map = |stmt: &Stmt| {
        stmt.to_token_stream()
            .to_string()
            .contains(". headers (header_map)")
    };
    let other_uses = stmts
        .iter()
        .filter(|stmt| mentions_map(stmt) && !declares_map(stmt) && !merges_map(stmt))
        .count();
    if other_uses > 0 {
        return true;
    }
    stmts.retain(|stmt| !declares_map(stmt));
    let mut unmerge = Unmerge { removed: 0 };
    for stmt in stmts.iter_mut() {
        unmerge.visit_stmt_mut(stmt);
    }
    unmerge.removed == 1
}

fn is_api_version_append(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Expr(Expr::MethodCall(call), _) => {
            call.method == "append"
                && call.receiver.to_token_stream().to_string() == HEADER_MAP
                && call
                    .args
                    .to_token_stream()
                    .to_string()
                    .contains("\"api-version\"")
        }
        _ => false,
    }
}

fn pat_is(pat: &Pat, name: &str) -> bool {
    matches!(pat, Pat::Ident(ident) if ident.ident == name)
}

/// Replaces `receiver.headers(header_map)` with `receiver`.
struct Unmerge {
    removed: usize,
}

impl VisitMut for Unmerge {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        visit_mut::visit_expr_mut(self, expr);
        if let Expr::MethodCall(call) = expr
            && call.method == "headers"
            && call.args.to_token_stream().to_string() == HEADER_MAP
        {
            *expr = (*call.receiver).clone();
            self.removed += 1;
        }
    }
}

/// In `let url = format!(..)`, replaces each `encode_path(&param.to_string())` of a text
/// parameter with `crate::wire::path_segment(param)`, and any other `encode_path(x)` with
/// `crate::wire::path_segment(x)`. Returns whether it found the URL and left no `encode_path`.
fn rewrite_url(stmts: &mut [Stmt], text_params: &[String]) -> bool {
    let Some(format) = stmts.iter_mut().find_map(|stmt| match stmt {
        Stmt::Local(local) if pat_is(&local.pat, "url") => match local.init.as_mut()?.expr.as_mut()
        {
            Expr::Macro(mac) if mac.mac.path.is_ident("format") => Some(&mut mac.mac),
            _ => None,
        },
        _ => None,
    }) else {
        return false;
    };
    let Ok(mut args) = format.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
    else {
        return false;
    };
    for arg in args.iter_mut() {
        let Expr::Call(call) = &*arg else { continue };
        if !matches!(&*call.func, Expr::Path(func) if func.path.is_ident("encode_path")) {
            continue;
        }
        let text = arg.to_token_stream().to_string();
        let replacement = match text_params
            .iter()
            .find(|param| text == format!("encode_path (& {param} . to_string ())"))
        {
            Some(param) => {
                let param = syn::Ident::new(param, proc_macro2::Span::call_site());
                parse_quote!(crate::wire::path_segment(#param))
            }
            None => {
                let encoded = &call.args;
                parse_quote!(crate::wire::path_segment(#encoded))
            }
        };
        *arg = replacement;
    }
    format.tokens = args.to_token_stream();
    !format.tokens.to_string().contains("encode_path")
}

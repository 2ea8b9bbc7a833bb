//! The listings: a catalog's namespaces (under a parent, if asked), a namespace's tables, and a
//! table's maintenance runs, newest first; each paged with the emulator's own tokens.

use std::time::SystemTime;

use cloudflare_r2_catalog::{
    input::Namespace,
    models::{
        MaintenanceRun, NamespaceDetails, NamespaceIdentifier, NamespacePage, TableDetails,
        TableIdentifier, TablePage,
    },
};
use serde_json::json;

use crate::models::table_location;
use crate::query::{ListQuery, MAX_RUNS_PAGE_SIZE, Paging, namespace_from_wire, value};
use crate::reply::{Reply, namespace_not_found};
use crate::run::RecordedRun;
use crate::state::{Contents, Entry, TableRecord};

pub(super) fn list_namespaces(contents: &Contents, query: &[(String, String)]) -> Reply {
    let options = match ListQuery::parse(query) {
        Ok(options) => options,
        Err(reply) => return reply,
    };
    let parent = match value(query, "parent").map(namespace_from_wire) {
        None => None,
        Some(Ok(parent)) => Some(parent),
        Some(Err(error)) => return Reply::bad_request(format!("parent: {error}")),
    };
    if let Some(parent) = &parent
        && !contents.namespaces.contains_key(parent.levels())
    {
        return namespace_not_found();
    }
    let depth = parent.as_ref().map_or(0, |parent| parent.levels().len()) + 1;
    let children: Vec<(&Vec<String>, &Entry)> = contents
        .namespaces
        .iter()
        .filter(|(levels, _)| {
            levels.len() == depth
                && parent
                    .as_ref()
                    .is_none_or(|parent| levels.starts_with(parent.levels()))
        })
        .collect();
    let (page, next_page_token) = match options.paging.page(&children) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let identifier = |levels: &Vec<String>| NamespaceIdentifier::from(levels.clone());
    let mut answer =
        NamespacePage::new(page.iter().map(|(levels, _)| identifier(levels)).collect());
    answer.details = options.details.then(|| {
        page.iter()
            .map(|(levels, entry)| {
                let mut details = NamespaceDetails::new(identifier(levels), entry.uuid.clone());
                details.created_at = Some(entry.created_at.clone());
                details
            })
            .collect()
    });
    answer.namespace_uuids = options
        .uuids
        .then(|| page.iter().map(|(_, entry)| entry.uuid.clone()).collect());
    answer.next_page_token = next_page_token;
    Reply::success(answer)
}

pub(super) fn list_tables(
    bucket: &str,
    contents: &Contents,
    namespace: &Namespace,
    query: &[(String, String)],
) -> Reply {
    let options = match ListQuery::parse(query) {
        Ok(options) => options,
        Err(reply) => return reply,
    };
    let tables: Vec<(&String, &TableRecord)> = contents
        .tables
        .iter()
        .filter(|((levels, _), _)| levels.as_slice() == namespace.levels())
        .map(|((_, name), table)| (name, table))
        .collect();
    let (page, next_page_token) = match options.paging.page(&tables) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let identifier = |name: &String| {
        TableIdentifier::new(
            name.clone(),
            NamespaceIdentifier::from(namespace.levels().to_vec()),
        )
    };
    let mut answer = TablePage::new(page.iter().map(|(name, _)| identifier(name)).collect());
    answer.details = options.details.then(|| {
        page.iter()
            .map(|(name, table)| {
                let mut details = TableDetails::new(identifier(name), table.entry.uuid.clone());
                details.created_at = Some(table.entry.created_at.clone());
                details.location = Some(table_location(bucket, &table.entry));
                details
            })
            .collect()
    });
    answer.next_page_token = next_page_token;
    answer.table_uuids = options.uuids.then(|| {
        page.iter()
            .map(|(_, table)| table.entry.uuid.clone())
            .collect()
    });
    Reply::success(answer)
}

/// A page of `table`'s runs, newest first, each as it is at `now`.
pub(super) fn list_runs(table: &TableRecord, query: &[(String, String)], now: SystemTime) -> Reply {
    let paging = match Paging::parse(query, MAX_RUNS_PAGE_SIZE, MAX_RUNS_PAGE_SIZE) {
        Ok(paging) => paging,
        Err(reply) => return reply,
    };
    let newest_first: Vec<&RecordedRun> = table.runs.iter().rev().collect();
    match paging.page(&newest_first) {
        // The spec requires `next_page_token`, null on the last page, which the SDK's model
        // (lenient about its absence) would leave out.
        Ok((page, next_page_token)) => Reply::success(json!({
            "next_page_token": next_page_token,
            "runs": page.iter().map(|run| run.as_of(now)).collect::<Vec<MaintenanceRun>>(),
        })),
        Err(reply) => reply,
    }
}

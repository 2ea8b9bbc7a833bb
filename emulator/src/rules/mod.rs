//! The API's rules over the store: which rule a checked call comes to (by bucket, catalog,
//! namespace and table, each refused as Cloudflare refuses it when missing or disabled), and the
//! rules themselves, one function per operation: the catalog's own in [`catalog`], maintenance
//! settings and queueing in [`maintenance`], the listings in [`listing`].

mod catalog;
mod listing;
mod maintenance;

use std::time::SystemTime;

use catalog::{delete, enable, store_credential};
use listing::{list_namespaces, list_runs, list_tables};
use maintenance::{queue_maintenance, update_catalog_maintenance, update_table_maintenance};

use cloudflare_r2_catalog::{
    input::{BucketName, TableName},
    models::{
        CatalogMaintenance, CredentialCheck, MaintenanceConfig, NamespaceIdentifier,
        TableIdentifier, TableMaintenance,
    },
};
use http::StatusCode;

use crate::access::Access;
use crate::models::{
    catalog_model, credential_status, credential_validity, table_maintenance, table_model,
};
use crate::operation::{Operation, PathParams};
use crate::query::namespace_from_wire;
use crate::reply::{Reply, catalog_inactive, catalog_not_found, codes, namespace_not_found};
use crate::state::{Contents, Holding, RunBook, Store, catalog_name};

/// A checked request: its operation, path parameters, query pairs and body, and the
/// credentials the emulator accepts (a stored catalog token must be one of them).
pub(crate) struct Call<'a> {
    pub(crate) operation: Operation,
    pub(crate) params: &'a PathParams,
    pub(crate) query: &'a [(String, String)],
    pub(crate) body: &'a [u8],
    pub(crate) access: &'a Access,
}

impl Store {
    /// Answers `call` for `account` (already checked), as Cloudflare would.
    pub(crate) fn answer(&mut self, account: &str, call: &Call<'_>) -> Reply {
        match call.operation {
            Operation::ListCatalogs => self.list_catalogs(account),
            _ => self.answer_for_bucket(account, call),
        }
    }

    fn answer_for_bucket(&mut self, account: &str, call: &Call<'_>) -> Reply {
        let raw_bucket = call.params.bucket.as_deref().unwrap_or_default();
        let bucket_name = match BucketName::new(raw_bucket) {
            Ok(name) => name,
            Err(error) => return Reply::bad_request(error.to_string()),
        };
        let Some(bucket) = self.buckets.get_mut(bucket_name.as_ref()) else {
            return match call.operation {
                Operation::EnableCatalog => Reply::failure(
                    StatusCode::NOT_FOUND,
                    codes::BUCKET_NOT_FOUND,
                    "The specified bucket does not exist",
                ),
                // Without a bucket there is no catalog either.
                operation => catalog_not_found(operation),
            };
        };
        let seeded = &bucket.seeded;
        let holding = bucket
            .accounts
            .entry(account.to_owned())
            .or_insert_with(|| Holding {
                catalog: None,
                contents: seeded.clone(),
            });
        let bucket = bucket_name.as_ref();
        match call.operation {
            Operation::EnableCatalog => enable(account, bucket, holding),
            Operation::DeleteCatalog => delete(holding, call.query),
            operation => {
                let Some(catalog) = holding.catalog.as_mut() else {
                    return catalog_not_found(operation);
                };
                let warehouse = catalog_name(account, bucket);
                let contents = &mut holding.contents;
                match operation {
                    Operation::GetCatalogDetails => {
                        Reply::success(catalog_model(account, bucket, catalog))
                    }
                    Operation::DisableCatalog => {
                        catalog.active = false;
                        Reply::no_content()
                    }
                    Operation::StoreCredentials => store_credential(catalog, call),
                    Operation::GetCredentialStatus => {
                        Reply::success(CredentialCheck::new(credential_validity(catalog)))
                    }
                    Operation::GetMaintenanceConfig => Reply::success(CatalogMaintenance::new(
                        credential_status(catalog),
                        catalog.maintenance.clone(),
                    )),
                    Operation::UpdateMaintenanceConfig => {
                        update_catalog_maintenance(&warehouse, catalog, call.body)
                    }
                    // What lives in the catalog is out of reach while it is disabled.
                    _ if !catalog.active => catalog_inactive(),
                    Operation::ListNamespaces => list_namespaces(contents, call.query),
                    _ => answer_for_namespace(
                        bucket,
                        contents,
                        &catalog.maintenance,
                        call,
                        &mut self.runs,
                    ),
                }
            }
        }
    }
}

/// Answers a namespace's or a table's operation; `catalog` is the catalog's maintenance
/// settings, which bound its tables'.
fn answer_for_namespace(
    bucket: &str,
    contents: &mut Contents,
    catalog: &MaintenanceConfig,
    call: &Call<'_>,
    runs: &mut RunBook,
) -> Reply {
    let raw = call.params.namespace.as_deref().unwrap_or_default();
    let namespace = match namespace_from_wire(raw) {
        Ok(namespace) => namespace,
        Err(error) => return Reply::bad_request(error.to_string()),
    };
    if !contents.namespaces.contains_key(namespace.levels()) {
        return namespace_not_found();
    }
    if call.operation == Operation::ListTables {
        return list_tables(bucket, contents, &namespace, call.query);
    }
    let raw = call.params.table.as_deref().unwrap_or_default();
    let table_name = match TableName::new(raw) {
        Ok(name) => name,
        Err(error) => return Reply::bad_request(error.to_string()),
    };
    let key = (namespace.levels().to_vec(), table_name.to_string());
    let Some(table) = contents.tables.get_mut(&key) else {
        return Reply::failure(
            StatusCode::NOT_FOUND,
            codes::TABLE_NOT_FOUND,
            "Table not found",
        );
    };
    match call.operation {
        Operation::GetTable => {
            let identifier = TableIdentifier::new(
                table_name.to_string(),
                NamespaceIdentifier::from(namespace.levels().to_vec()),
            );
            Reply::success(table_model(bucket, identifier, table))
        }
        Operation::GetTableMaintenanceConfig => {
            Reply::success(TableMaintenance::new(table_maintenance(&table.maintenance)))
        }
        Operation::QueueTableMaintenance => queue_maintenance(table, call, runs),
        Operation::ListTableMaintenanceRuns => list_runs(table, call.query, SystemTime::now()),
        _ => update_table_maintenance(table, catalog, call.body),
    }
}

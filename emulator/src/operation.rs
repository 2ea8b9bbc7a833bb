//! The 16 operations of the API, and which one a method and path name, under either path
//! family.

use std::fmt;
use std::str::FromStr;

use http::Method;

/// An operation of the Basin Catalog (formerly R2 Data Catalog) API, named by its `operationId`
/// in Cloudflare's spec without the `basin-` prefix: each is served under both
/// `/accounts/{account_id}/basin-catalog/…` and `/accounts/{account_id}/r2-catalog/…`, but
/// credential status, which Cloudflare documents only under `basin-catalog`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Operation {
    /// `GET /accounts/{account_id}/basin-catalog`
    ListCatalogs,
    /// `GET …/basin-catalog/{bucket_name}`
    GetCatalogDetails,
    /// `POST …/{bucket_name}/enable`
    EnableCatalog,
    /// `POST …/{bucket_name}/disable`
    DisableCatalog,
    /// `POST …/{bucket_name}/delete`
    DeleteCatalog,
    /// `POST …/{bucket_name}/credential`
    StoreCredentials,
    /// `GET …/{bucket_name}/credential/status`
    GetCredentialStatus,
    /// `GET …/{bucket_name}/maintenance-configs`
    GetMaintenanceConfig,
    /// `POST …/{bucket_name}/maintenance-configs`
    UpdateMaintenanceConfig,
    /// `GET …/{bucket_name}/namespaces`
    ListNamespaces,
    /// `GET …/namespaces/{namespace}/tables`
    ListTables,
    /// `GET …/tables/{table_name}`
    GetTable,
    /// `GET …/tables/{table_name}/maintenance-configs`
    GetTableMaintenanceConfig,
    /// `POST …/tables/{table_name}/maintenance-configs`
    UpdateTableMaintenanceConfig,
    /// `POST …/tables/{table_name}/maintenance-configs/{configuration_type}/queue`
    QueueTableMaintenance,
    /// `GET …/tables/{table_name}/maintenance-runs`
    ListTableMaintenanceRuns,
}

impl Operation {
    /// Every operation, in the order of the SDK's operation list (`openapi/operations.txt`). A
    /// slice, so that an operation Cloudflare adds does not change its type.
    pub const ALL: &'static [Operation] = &[
        Self::ListCatalogs,
        Self::GetCatalogDetails,
        Self::EnableCatalog,
        Self::DisableCatalog,
        Self::DeleteCatalog,
        Self::StoreCredentials,
        Self::GetCredentialStatus,
        Self::GetMaintenanceConfig,
        Self::UpdateMaintenanceConfig,
        Self::ListNamespaces,
        Self::ListTables,
        Self::GetTable,
        Self::GetTableMaintenanceConfig,
        Self::UpdateTableMaintenanceConfig,
        Self::QueueTableMaintenance,
        Self::ListTableMaintenanceRuns,
    ];

    /// The spec's `operationId` without its `basin-` prefix, e.g. `"enable-catalog"`.
    pub fn id(self) -> &'static str {
        match self {
            Self::ListCatalogs => "list-catalogs",
            Self::GetCatalogDetails => "get-catalog-details",
            Self::EnableCatalog => "enable-catalog",
            Self::DisableCatalog => "disable-catalog",
            Self::DeleteCatalog => "delete-catalog",
            Self::StoreCredentials => "store-credentials",
            Self::GetCredentialStatus => "get-credential-status",
            Self::GetMaintenanceConfig => "get-maintenance-config",
            Self::UpdateMaintenanceConfig => "update-maintenance-config",
            Self::ListNamespaces => "list-namespaces",
            Self::ListTables => "list-tables",
            Self::GetTable => "get-table",
            Self::GetTableMaintenanceConfig => "get-table-maintenance-config",
            Self::UpdateTableMaintenanceConfig => "update-table-maintenance-config",
            Self::QueueTableMaintenance => "queue-table-maintenance",
            Self::ListTableMaintenanceRuns => "list-table-maintenance-runs",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Text that names no operation of the spec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "not an operation of the Basin Catalog API (expected an operationId such as enable-catalog)"
)]
pub struct UnknownOperation;

impl FromStr for Operation {
    type Err = UnknownOperation;
    fn from_str(text: &str) -> Result<Self, UnknownOperation> {
        Self::ALL
            .iter()
            .copied()
            .find(|operation| operation.id() == text)
            .ok_or(UnknownOperation)
    }
}

/// The path segments after the account id that name the API, one per path family: Cloudflare
/// serves every operation under both (credential status only under basin-catalog), over the
/// same catalogs.
const FAMILIES: [&str; 2] = ["basin-catalog", "r2-catalog"];

/// The family that alone has credential status.
const BASIN_ONLY_FAMILY: &str = "basin-catalog";

/// The path parameters of a routed request, percent-decoded and not yet checked.
#[derive(Debug, Default)]
pub(crate) struct PathParams {
    pub(crate) account: String,
    pub(crate) bucket: Option<String>,
    pub(crate) namespace: Option<String>,
    pub(crate) table: Option<String>,
    /// The maintenance kind a queue request names (`compaction`, `snapshot_expiration`).
    pub(crate) configuration_type: Option<String>,
}

/// The operation `method` and the decoded `segments` after `/client/v4` name, if any, under
/// either path family.
pub(crate) fn route(method: &Method, segments: &[String]) -> Option<(Operation, PathParams)> {
    let words: Vec<&str> = segments.iter().map(String::as_str).collect();
    let ["accounts", account, family, rest @ ..] = words.as_slice() else {
        return None;
    };
    if !FAMILIES.contains(family) {
        return None;
    }
    let (operation, bucket, table_path) = route_in_family(method, rest)?;
    // Documented only under basin-catalog: elsewhere it is a route Cloudflare does not list,
    // so a client that sends it there finds out here rather than against the live API.
    if operation == Operation::GetCredentialStatus && *family != BASIN_ONLY_FAMILY {
        return None;
    }
    let owned = |text: Option<&str>| text.map(str::to_owned);
    let (namespace, table, configuration_type) = table_path.unwrap_or_default();
    Some((
        operation,
        PathParams {
            account: (*account).to_owned(),
            bucket: owned(bucket),
            namespace: owned(namespace),
            table: owned(table),
            configuration_type: owned(configuration_type),
        },
    ))
}

/// A namespace, table and configuration type named by a path, where it names them.
type TablePath<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>);

/// The operation and parameters of the segments after the family's (`{bucket_name}/…`).
fn route_in_family<'a>(
    method: &Method,
    rest: &[&'a str],
) -> Option<(Operation, Option<&'a str>, Option<TablePath<'a>>)> {
    let get = *method == Method::GET;
    let post = *method == Method::POST;
    let routed = match rest {
        [] if get => (Operation::ListCatalogs, None, None),
        [bucket] if get => (Operation::GetCatalogDetails, Some(*bucket), None),
        [bucket, action] => {
            let operation = match (*action, get, post) {
                ("enable", _, true) => Operation::EnableCatalog,
                ("disable", _, true) => Operation::DisableCatalog,
                ("delete", _, true) => Operation::DeleteCatalog,
                ("credential", _, true) => Operation::StoreCredentials,
                ("maintenance-configs", true, _) => Operation::GetMaintenanceConfig,
                ("maintenance-configs", _, true) => Operation::UpdateMaintenanceConfig,
                ("namespaces", true, _) => Operation::ListNamespaces,
                _ => return None,
            };
            (operation, Some(*bucket), None)
        }
        [bucket, "credential", "status"] if get => {
            (Operation::GetCredentialStatus, Some(*bucket), None)
        }
        [bucket, "namespaces", namespace, "tables"] if get => (
            Operation::ListTables,
            Some(*bucket),
            Some((Some(*namespace), None, None)),
        ),
        [bucket, "namespaces", namespace, "tables", table, tail @ ..] => {
            let (operation, kind) = route_table(tail, get, post)?;
            (
                operation,
                Some(*bucket),
                Some((Some(*namespace), Some(*table), kind)),
            )
        }
        _ => return None,
    };
    Some(routed)
}

/// The table operation of the segments after `tables/{table_name}`, and the configuration type
/// a queue request names.
fn route_table<'a>(
    tail: &[&'a str],
    get: bool,
    post: bool,
) -> Option<(Operation, Option<&'a str>)> {
    match tail {
        [] if get => Some((Operation::GetTable, None)),
        ["maintenance-configs"] if get => Some((Operation::GetTableMaintenanceConfig, None)),
        ["maintenance-configs"] if post => Some((Operation::UpdateTableMaintenanceConfig, None)),
        ["maintenance-configs", kind, "queue"] if post => {
            Some((Operation::QueueTableMaintenance, Some(*kind)))
        }
        ["maintenance-runs"] if get => Some((Operation::ListTableMaintenanceRuns, None)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(path: &str) -> Vec<String> {
        path.split('/').map(str::to_owned).collect()
    }

    #[test]
    fn operation_ids_round_trip() {
        for &operation in Operation::ALL {
            assert_eq!(operation.id().parse(), Ok(operation));
        }
        assert_eq!("enable".parse::<Operation>(), Err(UnknownOperation));
    }

    /// Each operation with its method and a path of it after `{family}/`.
    fn cases() -> Vec<(Method, &'static str, Operation)> {
        vec![
            (Method::GET, "", Operation::ListCatalogs),
            (Method::GET, "/b", Operation::GetCatalogDetails),
            (Method::POST, "/b/enable", Operation::EnableCatalog),
            (Method::POST, "/b/disable", Operation::DisableCatalog),
            (Method::POST, "/b/delete", Operation::DeleteCatalog),
            (Method::POST, "/b/credential", Operation::StoreCredentials),
            (
                Method::GET,
                "/b/credential/status",
                Operation::GetCredentialStatus,
            ),
            (
                Method::GET,
                "/b/maintenance-configs",
                Operation::GetMaintenanceConfig,
            ),
            (
                Method::POST,
                "/b/maintenance-configs",
                Operation::UpdateMaintenanceConfig,
            ),
            (Method::GET, "/b/namespaces", Operation::ListNamespaces),
            (Method::GET, "/b/namespaces/n/tables", Operation::ListTables),
            (Method::GET, "/b/namespaces/n/tables/t", Operation::GetTable),
            (
                Method::GET,
                "/b/namespaces/n/tables/t/maintenance-configs",
                Operation::GetTableMaintenanceConfig,
            ),
            (
                Method::POST,
                "/b/namespaces/n/tables/t/maintenance-configs",
                Operation::UpdateTableMaintenanceConfig,
            ),
            (
                Method::POST,
                "/b/namespaces/n/tables/t/maintenance-configs/compaction/queue",
                Operation::QueueTableMaintenance,
            ),
            (
                Method::GET,
                "/b/namespaces/n/tables/t/maintenance-runs",
                Operation::ListTableMaintenanceRuns,
            ),
        ]
    }

    #[test]
    fn every_operation_has_a_route_in_its_families_and_wrong_methods_have_none() {
        let cases = cases();
        let covered: std::collections::BTreeSet<Operation> =
            cases.iter().map(|(_, _, operation)| *operation).collect();
        assert_eq!(covered.len(), Operation::ALL.len());
        for family in FAMILIES {
            let a = format!("accounts/0123456789abcdef0123456789abcdef/{family}");
            for (method, rest, expected) in &cases {
                let path = format!("{a}{rest}");
                let routed = route(method, &segments(&path)).map(|(operation, _)| operation);
                // Credential status is served under basin-catalog only.
                if *expected == Operation::GetCredentialStatus && family != BASIN_ONLY_FAMILY {
                    assert_eq!(routed, None, "{method} {path}");
                    continue;
                }
                assert_eq!(routed, Some(*expected), "{method} {path}");
                let other = if *method == Method::GET {
                    Method::POST
                } else {
                    Method::GET
                };
                let wrong = route(&other, &segments(&path)).map(|(operation, _)| operation);
                assert_ne!(wrong, Some(*expected), "{other} {path}");
            }
            assert!(route(&Method::DELETE, &segments(&format!("{a}/b"))).is_none());
            assert!(route(&Method::GET, &segments(&format!("{a}/b/"))).is_none());
            assert!(
                route(
                    &Method::POST,
                    &segments(&format!("{a}/b/credential/status"))
                )
                .is_none()
            );
        }
        let other_family = "accounts/0123456789abcdef0123456789abcdef/r2-data-catalog/b";
        assert!(route(&Method::GET, &segments(other_family)).is_none());
        assert!(route(&Method::GET, &segments("accounts")).is_none());
    }

    #[test]
    fn a_queue_route_keeps_its_parameters() {
        let path = "accounts/0123456789abcdef0123456789abcdef/r2-catalog/b/namespaces/n/tables/t/maintenance-configs/anything/queue";
        let (operation, params) = route(&Method::POST, &segments(path)).expect("routed");
        assert_eq!(operation, Operation::QueueTableMaintenance);
        assert_eq!(params.account, "0123456789abcdef0123456789abcdef");
        assert_eq!(params.bucket.as_deref(), Some("b"));
        assert_eq!(params.namespace.as_deref(), Some("n"));
        assert_eq!(params.table.as_deref(), Some("t"));
        assert_eq!(params.configuration_type.as_deref(), Some("anything"));
    }
}

//! The 13 operations of the API, and which one a method and path name.

use std::fmt;
use std::str::FromStr;

use http::Method;

/// An operation of the R2 Data Catalog API, named by its `operationId` in Cloudflare's spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Operation {
    /// `GET /accounts/{account_id}/r2-catalog`
    ListCatalogs,
    /// `GET …/r2-catalog/{bucket_name}`
    GetCatalogDetails,
    /// `POST …/{bucket_name}/enable`
    EnableCatalog,
    /// `POST …/{bucket_name}/disable`
    DisableCatalog,
    /// `POST …/{bucket_name}/delete`
    DeleteCatalog,
    /// `POST …/{bucket_name}/credential`
    StoreCredentials,
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
}

impl Operation {
    /// Every operation, in the order of the spec's paths.
    pub const ALL: [Operation; 13] = [
        Self::ListCatalogs,
        Self::GetCatalogDetails,
        Self::EnableCatalog,
        Self::DisableCatalog,
        Self::DeleteCatalog,
        Self::StoreCredentials,
        Self::GetMaintenanceConfig,
        Self::UpdateMaintenanceConfig,
        Self::ListNamespaces,
        Self::ListTables,
        Self::GetTable,
        Self::GetTableMaintenanceConfig,
        Self::UpdateTableMaintenanceConfig,
    ];

    /// The spec's `operationId`, e.g. `"enable-catalog"`.
    pub fn id(self) -> &'static str {
        match self {
            Self::ListCatalogs => "list-catalogs",
            Self::GetCatalogDetails => "get-catalog-details",
            Self::EnableCatalog => "enable-catalog",
            Self::DisableCatalog => "disable-catalog",
            Self::DeleteCatalog => "delete-catalog",
            Self::StoreCredentials => "store-credentials",
            Self::GetMaintenanceConfig => "get-maintenance-config",
            Self::UpdateMaintenanceConfig => "update-maintenance-config",
            Self::ListNamespaces => "list-namespaces",
            Self::ListTables => "list-tables",
            Self::GetTable => "get-table",
            Self::GetTableMaintenanceConfig => "get-table-maintenance-config",
            Self::UpdateTableMaintenanceConfig => "update-table-maintenance-config",
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
    "not an operation of the R2 Data Catalog API (expected an operationId such as enable-catalog)"
)]
pub struct UnknownOperation;

impl FromStr for Operation {
    type Err = UnknownOperation;
    fn from_str(text: &str) -> Result<Self, UnknownOperation> {
        Self::ALL
            .into_iter()
            .find(|operation| operation.id() == text)
            .ok_or(UnknownOperation)
    }
}

/// The path parameters of a routed request, percent-decoded and not yet checked.
#[derive(Debug, Default)]
pub(super) struct PathParams {
    pub(super) account: String,
    pub(super) bucket: Option<String>,
    pub(super) namespace: Option<String>,
    pub(super) table: Option<String>,
}

/// The operation `method` and the decoded `segments` after `/client/v4` name, if any.
pub(super) fn route(method: &Method, segments: &[String]) -> Option<(Operation, PathParams)> {
    let words: Vec<&str> = segments.iter().map(String::as_str).collect();
    let get = *method == Method::GET;
    let post = *method == Method::POST;
    let (operation, bucket, namespace, table) = match words.as_slice() {
        ["accounts", _, "r2-catalog"] if get => (Operation::ListCatalogs, None, None, None),
        ["accounts", _, "r2-catalog", bucket] if get => {
            (Operation::GetCatalogDetails, Some(*bucket), None, None)
        }
        ["accounts", _, "r2-catalog", bucket, action] => {
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
            (operation, Some(*bucket), None, None)
        }
        [
            "accounts",
            _,
            "r2-catalog",
            bucket,
            "namespaces",
            namespace,
            "tables",
        ] if get => (Operation::ListTables, Some(*bucket), Some(*namespace), None),
        [
            "accounts",
            _,
            "r2-catalog",
            bucket,
            "namespaces",
            namespace,
            "tables",
            table,
        ] if get => (
            Operation::GetTable,
            Some(*bucket),
            Some(*namespace),
            Some(*table),
        ),
        [
            "accounts",
            _,
            "r2-catalog",
            bucket,
            "namespaces",
            namespace,
            "tables",
            table,
            "maintenance-configs",
        ] => {
            let operation = if get {
                Operation::GetTableMaintenanceConfig
            } else if post {
                Operation::UpdateTableMaintenanceConfig
            } else {
                return None;
            };
            (operation, Some(*bucket), Some(*namespace), Some(*table))
        }
        _ => return None,
    };
    let owned = |text: Option<&str>| text.map(str::to_owned);
    Some((
        operation,
        PathParams {
            account: segments[1].clone(),
            bucket: owned(bucket),
            namespace: owned(namespace),
            table: owned(table),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(path: &str) -> Vec<String> {
        path.split('/').map(str::to_owned).collect()
    }

    #[test]
    fn operation_ids_round_trip() {
        for operation in Operation::ALL {
            assert_eq!(operation.id().parse(), Ok(operation));
        }
        assert_eq!("enable".parse::<Operation>(), Err(UnknownOperation));
    }

    #[test]
    fn every_operation_has_a_route_and_wrong_methods_have_none() {
        let a = "accounts/0123456789abcdef0123456789abcdef/r2-catalog";
        let cases = [
            (Method::GET, a.to_owned(), Operation::ListCatalogs),
            (Method::GET, format!("{a}/b"), Operation::GetCatalogDetails),
            (
                Method::POST,
                format!("{a}/b/enable"),
                Operation::EnableCatalog,
            ),
            (
                Method::POST,
                format!("{a}/b/disable"),
                Operation::DisableCatalog,
            ),
            (
                Method::POST,
                format!("{a}/b/delete"),
                Operation::DeleteCatalog,
            ),
            (
                Method::POST,
                format!("{a}/b/credential"),
                Operation::StoreCredentials,
            ),
            (
                Method::GET,
                format!("{a}/b/maintenance-configs"),
                Operation::GetMaintenanceConfig,
            ),
            (
                Method::POST,
                format!("{a}/b/maintenance-configs"),
                Operation::UpdateMaintenanceConfig,
            ),
            (
                Method::GET,
                format!("{a}/b/namespaces"),
                Operation::ListNamespaces,
            ),
            (
                Method::GET,
                format!("{a}/b/namespaces/n/tables"),
                Operation::ListTables,
            ),
            (
                Method::GET,
                format!("{a}/b/namespaces/n/tables/t"),
                Operation::GetTable,
            ),
            (
                Method::GET,
                format!("{a}/b/namespaces/n/tables/t/maintenance-configs"),
                Operation::GetTableMaintenanceConfig,
            ),
            (
                Method::POST,
                format!("{a}/b/namespaces/n/tables/t/maintenance-configs"),
                Operation::UpdateTableMaintenanceConfig,
            ),
        ];
        for (method, path, expected) in cases {
            let routed = route(&method, &segments(&path)).map(|(operation, _)| operation);
            assert_eq!(routed, Some(expected), "{method} {path}");
            let other = if method == Method::GET {
                Method::POST
            } else {
                Method::GET
            };
            let wrong = route(&other, &segments(&path)).map(|(operation, _)| operation);
            assert_ne!(wrong, Some(expected), "{other} {path}");
        }
        assert!(route(&Method::DELETE, &segments(&format!("{a}/b"))).is_none());
        assert!(route(&Method::GET, &segments(&format!("{a}/b/"))).is_none());
        assert!(route(&Method::GET, &segments("accounts")).is_none());
    }
}

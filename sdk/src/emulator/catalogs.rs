//! What the emulator remembers (buckets, their catalogs, namespaces and tables) and the API's
//! rules over it: one function per operation, each answering what Cloudflare answers.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU64;
use std::time::SystemTime;

use http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};

use super::operation::{Operation, PathParams};
use crate::generated::types::{
    Catalog, CatalogActivation, CatalogList, CatalogMaintenance, CompactionConfig,
    MaintenanceConfig, MaintenanceState, MaintenanceUpdate, NamespaceDetails, NamespaceIdentifier,
    NamespacePage, SnapshotExpirationConfig, Table, TableCompactionConfig, TableDetails,
    TableIdentifier, TableMaintenance, TableMaintenanceConfig, TableMetadata, TablePage,
    TargetFileSize,
};
use crate::status::{CatalogStatus, CredentialStatus};
use crate::validate::{BucketName, Namespace, SnapshotAge, TableName};

/// The default page of the list operations, and the largest a request may ask for (the spec's).
const DEFAULT_PAGE_SIZE: usize = 100;
const MAX_PAGE_SIZE: usize = 1000;

/// An answer: a status and a JSON body, or none (a 204, or a status the spec declares bare).
#[derive(Debug)]
pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) body: Option<Value>,
}

impl Reply {
    /// Cloudflare's success envelope around `result`.
    pub(super) fn success(result: impl Serialize) -> Self {
        let result = serde_json::to_value(result).unwrap_or(Value::Null);
        Self {
            status: StatusCode::OK,
            body: Some(json!({"success": true, "errors": [], "messages": [], "result": result})),
        }
    }

    /// Cloudflare's failure envelope with one error.
    pub(super) fn failure(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            status,
            body: Some(json!({
                "success": false,
                "errors": [{"code": code, "message": message}],
                "messages": [],
                "result": null,
            })),
        }
    }

    fn no_content() -> Self {
        Self {
            status: StatusCode::NO_CONTENT,
            body: None,
        }
    }

    fn bare(status: StatusCode) -> Self {
        Self { status, body: None }
    }

    pub(super) fn bad_request(message: impl Into<String>) -> Self {
        Self::failure(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message)
    }
}

/// The error codes the emulator answers with. 40401 is the one wrangler reads as "catalog not
/// enabled"; 7000, 7003, 10000 and 971 are the v4 API's own; the others follow 40401's pattern.
pub(super) mod codes {
    pub(crate) const NO_ROUTE: u32 = 7000;
    pub(crate) const INVALID_OBJECT_IDENTIFIER: u32 = 7003;
    pub(crate) const AUTHENTICATION: u32 = 10000;
    pub(crate) const RATE_LIMITED: u32 = 971;
    pub(crate) const BAD_REQUEST: u32 = 40001;
    pub(crate) const FORBIDDEN: u32 = 40301;
    pub(crate) const CATALOG_NOT_FOUND: u32 = 40401;
    pub(crate) const BUCKET_NOT_FOUND: u32 = 40402;
    pub(crate) const NAMESPACE_NOT_FOUND: u32 = 40403;
    pub(crate) const TABLE_NOT_FOUND: u32 = 40404;
    pub(crate) const ALREADY_ENABLED: u32 = 40901;
    pub(crate) const NOT_EMPTY: u32 = 40902;
    pub(crate) const INTERNAL: u32 = 50001;
}

/// Every bucket the emulator knows, by name.
#[derive(Debug, Default)]
pub(super) struct Store {
    buckets: BTreeMap<String, Bucket>,
}

/// A bucket: what was seeded into it, and what each account that used it holds there.
#[derive(Debug, Default)]
struct Bucket {
    seeded: Contents,
    accounts: HashMap<String, Holding>,
}

/// One account's view of a bucket: its catalog (absent until enabled) and the catalog's
/// namespaces and tables.
#[derive(Debug)]
struct Holding {
    catalog: Option<CatalogRecord>,
    contents: Contents,
}

#[derive(Debug)]
struct CatalogRecord {
    id: String,
    active: bool,
    has_credential: bool,
    maintenance: MaintenanceConfig,
}

#[derive(Debug, Clone, Default)]
struct Contents {
    namespaces: BTreeMap<Vec<String>, Entry>,
    tables: BTreeMap<(Vec<String>, String), TableRecord>,
}

impl Contents {
    fn add_namespace(&mut self, namespace: &Namespace) {
        self.namespaces
            .entry(namespace.levels().to_vec())
            .or_insert_with(Entry::new);
    }

    fn add_table(&mut self, namespace: &Namespace, table: &TableName) {
        self.add_namespace(namespace);
        self.tables
            .entry((namespace.levels().to_vec(), table.to_string()))
            .or_insert_with(|| TableRecord {
                entry: Entry::new(),
                maintenance: default_maintenance(),
            });
    }

    fn is_empty(&self) -> bool {
        self.namespaces.is_empty() && self.tables.is_empty()
    }
}

#[derive(Debug, Clone)]
struct Entry {
    uuid: String,
    created_at: String,
}

impl Entry {
    fn new() -> Self {
        Self {
            uuid: uuid_v4(),
            created_at: rfc3339(SystemTime::now()),
        }
    }
}

#[derive(Debug, Clone)]
struct TableRecord {
    entry: Entry,
    /// Kept in the catalog's type, which has the same fields: one update applies to both.
    maintenance: MaintenanceConfig,
}

/// A checked request: its operation, path parameters, query pairs and body.
pub(super) struct Call<'a> {
    pub(super) operation: Operation,
    pub(super) params: &'a PathParams,
    pub(super) query: &'a [(String, String)],
    pub(super) body: &'a [u8],
}

impl Store {
    pub(super) fn add_bucket(&mut self, bucket: &BucketName) {
        self.buckets.entry(bucket.to_string()).or_default();
    }

    /// Seeds `namespace` into `bucket` for every account, now and later.
    pub(super) fn add_namespace(&mut self, bucket: &BucketName, namespace: &Namespace) -> bool {
        self.seed(bucket, |contents| contents.add_namespace(namespace))
    }

    /// Seeds `table` (and its namespace) into `bucket` for every account, now and later.
    pub(super) fn add_table(
        &mut self,
        bucket: &BucketName,
        namespace: &Namespace,
        table: &TableName,
    ) -> bool {
        self.seed(bucket, |contents| contents.add_table(namespace, table))
    }

    fn seed(&mut self, bucket: &BucketName, mut add: impl FnMut(&mut Contents)) -> bool {
        let Some(bucket) = self.buckets.get_mut(bucket.as_ref()) else {
            return false;
        };
        add(&mut bucket.seeded);
        bucket
            .accounts
            .values_mut()
            .for_each(|holding| add(&mut holding.contents));
        true
    }

    /// Answers `call` for `account` (already checked), as Cloudflare would.
    pub(super) fn answer(&mut self, account: &str, call: &Call<'_>) -> Reply {
        match call.operation {
            Operation::ListCatalogs => self.list_catalogs(account),
            _ => self.answer_for_bucket(account, call),
        }
    }

    fn list_catalogs(&self, account: &str) -> Reply {
        let warehouses = self
            .buckets
            .iter()
            .filter_map(|(name, bucket)| {
                let holding = bucket.accounts.get(account)?;
                Some(catalog_model(account, name, holding.catalog.as_ref()?))
            })
            .collect();
        Reply::success(CatalogList { warehouses })
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
                    "R2 bucket not found",
                ),
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
                let contents = &mut holding.contents;
                match operation {
                    Operation::GetCatalogDetails => {
                        Reply::success(catalog_model(account, bucket, catalog))
                    }
                    Operation::DisableCatalog => {
                        catalog.active = false;
                        Reply::no_content()
                    }
                    Operation::StoreCredentials => store_credential(catalog, call.body),
                    Operation::GetMaintenanceConfig => Reply::success(CatalogMaintenance {
                        credential_status: credential_status(catalog),
                        maintenance_config: catalog.maintenance.clone(),
                    }),
                    Operation::UpdateMaintenanceConfig => {
                        update_catalog_maintenance(catalog, call.body)
                    }
                    Operation::ListNamespaces => list_namespaces(contents, call.query),
                    _ => answer_for_namespace(bucket, contents, call),
                }
            }
        }
    }
}

fn catalog_not_found(operation: Operation) -> Reply {
    // The spec declares delete-catalog's 404 without a body.
    if operation == Operation::DeleteCatalog {
        return Reply::bare(StatusCode::NOT_FOUND);
    }
    Reply::failure(
        StatusCode::NOT_FOUND,
        codes::CATALOG_NOT_FOUND,
        "Catalog not found",
    )
}

fn enable(account: &str, bucket: &str, holding: &mut Holding) -> Reply {
    match holding.catalog.as_mut() {
        Some(catalog) if catalog.active => Reply::failure(
            StatusCode::CONFLICT,
            codes::ALREADY_ENABLED,
            "Catalog already enabled",
        ),
        Some(catalog) => {
            catalog.active = true;
            Reply::success(activation(account, bucket, catalog))
        }
        None => {
            let catalog = holding.catalog.insert(CatalogRecord {
                id: uuid_v4(),
                active: true,
                has_credential: false,
                maintenance: default_maintenance(),
            });
            Reply::success(activation(account, bucket, catalog))
        }
    }
}

fn delete(holding: &mut Holding, query: &[(String, String)]) -> Reply {
    let force = match flag(query, "force") {
        Ok(force) => force,
        Err(reply) => return reply,
    };
    if holding.catalog.is_none() {
        return catalog_not_found(Operation::DeleteCatalog);
    }
    if !holding.contents.is_empty() && !force {
        let (namespaces, tables) = (
            holding.contents.namespaces.len(),
            holding.contents.tables.len(),
        );
        return Reply::failure(
            StatusCode::CONFLICT,
            codes::NOT_EMPTY,
            format!(
                "Catalog is non-empty ({namespaces} namespace(s), {tables} table(s)); delete them first or use force"
            ),
        );
    }
    holding.contents = Contents::default();
    holding.catalog = None;
    Reply::no_content()
}

fn store_credential(catalog: &mut CatalogRecord, body: &[u8]) -> Reply {
    #[derive(serde::Deserialize)]
    struct Body {
        token: String,
    }
    match serde_json::from_slice::<Body>(body) {
        Ok(Body { token }) if !token.trim().is_empty() => {
            catalog.has_credential = true;
            Reply::success(Value::Null)
        }
        // serde's message could quote the token; say what is wrong without it.
        _ => Reply::bad_request("body must be a JSON object with a non-empty string \"token\""),
    }
}

fn update_catalog_maintenance(catalog: &mut CatalogRecord, body: &[u8]) -> Reply {
    match update_maintenance(&mut catalog.maintenance, body) {
        Ok(()) => Reply::success(catalog.maintenance.clone()),
        Err(reply) => reply,
    }
}

/// Applies the update in `body` to `current`: the fields it sets, and nothing else. The
/// catalog's and a table's updates have one wire shape (the spec's
/// catalog- and table-maintenance-update-request).
fn update_maintenance(current: &mut MaintenanceConfig, body: &[u8]) -> Result<(), Reply> {
    let update = maintenance_update(body)?;
    if let Some(compaction) = update.compaction {
        let config = current.compaction.get_or_insert_with(default_compaction);
        if let Some(state) = compaction.state {
            config.state = state;
        }
        if let Some(size) = compaction.target_size_mb {
            config.target_size_mb = size;
        }
    }
    if let Some(expiration) = update.snapshot_expiration {
        apply_expiration(
            current
                .snapshot_expiration
                .get_or_insert_with(default_expiration),
            expiration,
        );
    }
    Ok(())
}

fn maintenance_update(body: &[u8]) -> Result<MaintenanceUpdate, Reply> {
    serde_json::from_slice(body)
        .map_err(|error| Reply::bad_request(format!("invalid maintenance update: {error}")))
}

fn apply_expiration(
    config: &mut SnapshotExpirationConfig,
    update: crate::generated::types::SnapshotExpirationUpdate,
) {
    if let Some(state) = update.state {
        config.state = state;
    }
    if let Some(age) = update.max_snapshot_age {
        config.max_snapshot_age = age;
    }
    if let Some(keep) = update.min_snapshots_to_keep {
        config.min_snapshots_to_keep = keep;
    }
}

fn list_namespaces(contents: &Contents, query: &[(String, String)]) -> Reply {
    let options = match ListQuery::parse(query) {
        Ok(options) => options,
        Err(reply) => return reply,
    };
    let parent = match value(query, "parent").map(Namespace::from_wire) {
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
    let (page, next_page_token) = match options.page(&children) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let identifier = |levels: &Vec<String>| NamespaceIdentifier(levels.clone());
    Reply::success(NamespacePage {
        details: options.details.then(|| {
            page.iter()
                .map(|(levels, entry)| NamespaceDetails {
                    created_at: Some(entry.created_at.clone()),
                    namespace: identifier(levels),
                    namespace_uuid: entry.uuid.clone(),
                    updated_at: None,
                })
                .collect()
        }),
        namespace_uuids: options
            .uuids
            .then(|| page.iter().map(|(_, entry)| entry.uuid.clone()).collect()),
        namespaces: page.iter().map(|(levels, _)| identifier(levels)).collect(),
        next_page_token,
    })
}

fn answer_for_namespace(bucket: &str, contents: &mut Contents, call: &Call<'_>) -> Reply {
    let raw = call.params.namespace.as_deref().unwrap_or_default();
    let namespace = match Namespace::from_wire(raw) {
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
    let identifier = TableIdentifier {
        name: table_name.to_string(),
        namespace: NamespaceIdentifier(namespace.levels().to_vec()),
    };
    match call.operation {
        Operation::GetTable => Reply::success(Table {
            metadata: table_metadata(bucket, &table.entry),
            metadata_location: Some(format!(
                "{}/metadata/00000-{}.metadata.json",
                table_location(bucket, &table.entry),
                table.entry.uuid
            )),
            identifier,
            returned_snapshots: 0,
            table_uuid: table.entry.uuid.clone(),
            total_snapshots: 0,
        }),
        Operation::GetTableMaintenanceConfig => Reply::success(TableMaintenance {
            maintenance_config: table_maintenance(&table.maintenance),
        }),
        _ => update_table_maintenance(table, call.body),
    }
}

fn update_table_maintenance(table: &mut TableRecord, body: &[u8]) -> Reply {
    match update_maintenance(&mut table.maintenance, body) {
        Ok(()) => Reply::success(table_maintenance(&table.maintenance)),
        Err(reply) => reply,
    }
}

fn list_tables(
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
    let (page, next_page_token) = match options.page(&tables) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let identifier = |name: &String| TableIdentifier {
        name: name.clone(),
        namespace: NamespaceIdentifier(namespace.levels().to_vec()),
    };
    Reply::success(TablePage {
        details: options.details.then(|| {
            page.iter()
                .map(|(name, table)| TableDetails {
                    created_at: Some(table.entry.created_at.clone()),
                    identifier: identifier(name),
                    location: Some(table_location(bucket, &table.entry)),
                    metadata_location: None,
                    table_uuid: table.entry.uuid.clone(),
                    updated_at: None,
                })
                .collect()
        }),
        identifiers: page.iter().map(|(name, _)| identifier(name)).collect(),
        next_page_token,
        table_uuids: options.uuids.then(|| {
            page.iter()
                .map(|(_, table)| table.entry.uuid.clone())
                .collect()
        }),
    })
}

fn namespace_not_found() -> Reply {
    Reply::failure(
        StatusCode::NOT_FOUND,
        codes::NAMESPACE_NOT_FOUND,
        "Namespace not found",
    )
}

/// The paging and detail options of a list call.
struct ListQuery {
    size: usize,
    start: usize,
    uuids: bool,
    details: bool,
}

impl ListQuery {
    fn parse(query: &[(String, String)]) -> Result<Self, Reply> {
        let size = match value(query, "page_size") {
            None => DEFAULT_PAGE_SIZE,
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|size| (1..=MAX_PAGE_SIZE).contains(size))
                .ok_or_else(|| Reply::bad_request("page_size must be an integer from 1 to 1000"))?,
        };
        let start = match value(query, "page_token") {
            None => 0,
            Some(token) => token
                .strip_prefix(PAGE_TOKEN_PREFIX)
                .and_then(|offset| offset.parse::<usize>().ok())
                .ok_or_else(|| Reply::bad_request("page_token is not one this API issued"))?,
        };
        Ok(Self {
            size,
            start,
            uuids: flag(query, "return_uuids")?,
            details: flag(query, "return_details")?,
        })
    }

    /// The page of `items` asked for, and the token of the next one if there is more.
    fn page<'i, T>(&self, items: &'i [T]) -> Result<(&'i [T], Option<String>), Reply> {
        if self.start > items.len() {
            return Err(Reply::bad_request(
                "page_token is past the end of the listing",
            ));
        }
        let end = self.start.saturating_add(self.size).min(items.len());
        let next = (end < items.len()).then(|| format!("{PAGE_TOKEN_PREFIX}{end}"));
        Ok((&items[self.start..end], next))
    }
}

/// Page tokens are opaque to clients; the emulator's are an offset behind this prefix.
const PAGE_TOKEN_PREFIX: &str = "emulator-page-";

fn value<'q>(query: &'q [(String, String)], name: &str) -> Option<&'q str> {
    query
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

fn flag(query: &[(String, String)], name: &str) -> Result<bool, Reply> {
    match value(query, name) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(Reply::bad_request(format!("{name} must be true or false"))),
    }
}

fn credential_status(catalog: &CatalogRecord) -> CredentialStatus {
    if catalog.has_credential {
        CredentialStatus::Present
    } else {
        CredentialStatus::Absent
    }
}

fn catalog_model(account: &str, bucket: &str, catalog: &CatalogRecord) -> Catalog {
    Catalog {
        bucket: bucket.to_owned(),
        credential_status: Some(credential_status(catalog)),
        id: catalog.id.clone(),
        maintenance_config: Some(catalog.maintenance.clone()),
        name: catalog_name(account, bucket),
        status: if catalog.active {
            CatalogStatus::Active
        } else {
            CatalogStatus::Inactive
        },
    }
}

fn activation(account: &str, bucket: &str, catalog: &CatalogRecord) -> CatalogActivation {
    CatalogActivation {
        id: catalog.id.clone(),
        name: catalog_name(account, bucket),
    }
}

/// As Cloudflare names a catalog (and its Iceberg warehouse).
fn catalog_name(account: &str, bucket: &str) -> String {
    format!("{account}_{bucket}")
}

/// Compaction is off until turned on, at the spec's default target size (128 MB).
fn default_compaction() -> CompactionConfig {
    CompactionConfig {
        state: MaintenanceState::Disabled,
        target_size_mb: TargetFileSize::X128,
    }
}

/// The spec's documented defaults: 7 days, 100 snapshots; off until turned on.
fn default_expiration() -> SnapshotExpirationConfig {
    SnapshotExpirationConfig {
        max_snapshot_age: SnapshotAge::new("7d").unwrap_or_else(|_| unreachable!("a valid age")),
        min_snapshots_to_keep: NonZeroU64::new(100).unwrap_or(NonZeroU64::MIN),
        state: MaintenanceState::Disabled,
    }
}

fn default_maintenance() -> MaintenanceConfig {
    MaintenanceConfig {
        compaction: Some(default_compaction()),
        snapshot_expiration: Some(default_expiration()),
    }
}

/// A table's maintenance settings in the type its operations answer with.
fn table_maintenance(config: &MaintenanceConfig) -> TableMaintenanceConfig {
    TableMaintenanceConfig {
        compaction: config
            .compaction
            .as_ref()
            .map(|compaction| TableCompactionConfig {
                state: compaction.state,
                target_size_mb: compaction.target_size_mb,
            }),
        snapshot_expiration: config.snapshot_expiration.clone(),
    }
}

fn table_location(bucket: &str, table: &Entry) -> String {
    format!("s3://{bucket}/__r2_data_catalog/{}", table.uuid)
}

/// Iceberg table metadata (format version 2) of an empty table with no columns or snapshots.
fn table_metadata(bucket: &str, table: &Entry) -> TableMetadata {
    let json = json!({
        "format-version": 2,
        "table-uuid": table.uuid,
        "location": table_location(bucket, table),
        "last-sequence-number": 0,
        "last-updated-ms": 0,
        "last-column-id": 0,
        "current-schema-id": 0,
        "schemas": [{"type": "struct", "schema-id": 0, "fields": []}],
        "default-spec-id": 0,
        "partition-specs": [{"spec-id": 0, "fields": []}],
        "last-partition-id": 999,
        "default-sort-order-id": 0,
        "sort-orders": [{"order-id": 0, "fields": []}],
        "properties": {},
        "snapshots": [],
        "snapshot-log": [],
        "metadata-log": [],
    });
    match json {
        Value::Object(map) => TableMetadata(map),
        _ => TableMetadata(serde_json::Map::new()),
    }
}

/// A random (version 4) UUID, as the API gives catalogs, namespaces and tables.
fn uuid_v4() -> String {
    let bits = (fastrand::u128(..) & !(0xf << 76) | (0x4 << 76)) & !(0b11 << 62) | (0b10 << 62);
    let hex = format!("{bits:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `time` as an RFC 3339 UTC timestamp (the spec's `date-time`), to the second.
fn rfc3339(time: SystemTime) -> String {
    let seconds = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    // Howard Hinnant's civil_from_days, for days since 1970-01-01 (never negative here).
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        let at = |seconds| rfc3339(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_795_530_645), "2026-11-24T14:30:45Z");
    }

    #[test]
    fn uuids_are_version_4() {
        let uuid = uuid_v4();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
        assert!(matches!(&uuid[19..20], "8" | "9" | "a" | "b"), "{uuid}");
    }
}

//! What the emulator remembers (buckets, their catalogs, namespaces, tables and the tables'
//! maintenance runs) and the API's rules over it: one function per operation, each answering
//! what Cloudflare answers.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::SystemTime;

use http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};

use super::operation::{Operation, PathParams};
use super::{Access, DAILY_LIMIT_MESSAGE};
use cloudflare_r2_catalog::{
    BucketName, CatalogStatus, CredentialStatus, CredentialValidity, MaintenanceKind,
    MaintenanceState, MaintenanceStep, Namespace, RequestId, RunStatus, SnapshotExpirationUpdate,
    StepStatus, TableName, TargetFileSize, ValidationError,
};
use cloudflare_r2_catalog::{
    Catalog, CatalogActivation, CatalogList, CatalogMaintenance, CompactionConfig, CredentialCheck,
    MaintenanceConfig, MaintenanceRun, MaintenanceRunStep, MaintenanceUpdate, NamespaceDetails,
    NamespaceIdentifier, NamespacePage, QueuedMaintenance, SnapshotExpirationConfig, Table,
    TableCompactionConfig, TableDetails, TableIdentifier, TableMaintenance, TableMaintenanceConfig,
    TableMetadata, TablePage, TableSnapshotExpirationConfig,
};

/// The unit separator the API puts between the levels of a nested namespace in a path or query
/// value (`%1F` on the wire), as the SDK joins them.
const NAMESPACE_SEPARATOR: char = '\u{1f}';

/// A namespace as the API receives it in a path or query value: its levels joined by
/// [`NAMESPACE_SEPARATOR`].
fn namespace_from_wire(text: &str) -> Result<Namespace, ValidationError> {
    Namespace::new(text.split(NAMESPACE_SEPARATOR))
}

/// A random version 4 UUID in canonical text form: a new catalog's, namespace's or table's id,
/// or a queued run's request id when the request named none.
fn random_uuid() -> String {
    RequestId::random().to_string()
}

/// The default page of the namespace and table listings, and the largest a request may ask
/// for (the spec's).
const DEFAULT_PAGE_SIZE: usize = 100;
const MAX_PAGE_SIZE: usize = 1000;

/// The largest page of maintenance runs a request may ask for (the spec's), also the default:
/// the spec names none, and the other listings default to 100 too.
const MAX_RUNS_PAGE_SIZE: usize = 100;

/// How many runs a table keeps, the oldest dropped first: Cloudflare lists "recent" runs, and a
/// long-running emulator stays bounded in memory.
const RUNS_KEPT: usize = 1000;

/// An answer: a status and a JSON body, or none (a 204, or a status the spec declares bare).
#[derive(Debug)]
pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) body: Option<Value>,
}

impl Reply {
    /// Cloudflare's success envelope around `result`, HTTP 200.
    pub(super) fn success(result: impl Serialize) -> Self {
        Self::success_with(StatusCode::OK, result)
    }

    /// The success envelope with HTTP 202: accepted, to be carried out later.
    fn accepted(result: impl Serialize) -> Self {
        Self::success_with(StatusCode::ACCEPTED, result)
    }

    fn success_with(status: StatusCode, result: impl Serialize) -> Self {
        let result = serde_json::to_value(result).unwrap_or(Value::Null);
        Self {
            status,
            body: Some(json!({"success": true, "errors": [], "messages": [], "result": result})),
        }
    }

    /// Cloudflare's failure envelope with one error.
    pub(super) fn failure(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
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

/// The error codes the emulator answers with. Those Cloudflare is known to use come from
/// [`cloudflare_r2_catalog::codes`], where each is cited; 7000, 7003, 10000 and 971 are the v4 API's own. The
/// rest are the emulator's guesses in the pattern of 40401 (status × 100 + n), chosen not to
/// clash with a known code: Cloudflare's own are not documented.
pub(super) mod codes {
    pub(crate) use cloudflare_r2_catalog::codes::{
        AUTHENTICATION, BUCKET_NOT_FOUND, CATALOG_COMPACTION_DISABLED, CATALOG_INACTIVE,
        CATALOG_NOT_FOUND, CATALOG_SNAPSHOT_EXPIRATION_DISABLED, DAILY_QUEUE_LIMIT, NO_ROUTE,
        TABLE_NOT_FOUND,
    };
    /// Cloudflare's "perhaps your object identifier is invalid?" (a malformed account id).
    pub(crate) const INVALID_OBJECT_IDENTIFIER: i64 = cloudflare_r2_catalog::codes::INVALID_ROUTE;
    /// The first of the two codes Cloudflare refuses a catalog token with.
    pub(crate) const INVALID_CREDENTIAL: i64 = cloudflare_r2_catalog::codes::INVALID_CREDENTIAL[0];
    pub(crate) const RATE_LIMITED: i64 = 971;
    /// Guessed: any other 400, including "A credential is not present …", whose code is not
    /// known.
    pub(crate) const BAD_REQUEST: i64 = 40001;
    pub(crate) const FORBIDDEN: i64 = 40301;
    /// Guessed: a request body not whole within the emulator's body timeout.
    pub(crate) const REQUEST_TIMEOUT: i64 = 40801;
    /// Guessed; 40403 is the table's.
    pub(crate) const NAMESPACE_NOT_FOUND: i64 = 40404;
    /// Guessed: a queue request naming a maintenance kind that is not one.
    pub(crate) const MAINTENANCE_CONFIG_NOT_FOUND: i64 = 40405;
    pub(crate) const ALREADY_ENABLED: i64 = 40901;
    pub(crate) const NOT_EMPTY: i64 = 40902;
    pub(crate) const INTERNAL: i64 = 50001;
}

/// Every bucket the emulator knows, by name, and the book of maintenance runs.
#[derive(Debug)]
pub(super) struct Store {
    buckets: BTreeMap<String, Bucket>,
    runs: RunBook,
}

/// What queueing maintenance needs beyond one table: the limit rule, and the run ids.
#[derive(Debug)]
struct RunBook {
    /// Accepted queue requests per table per UTC day; the next is refused (429, 42901).
    daily_limit: Option<u32>,
    /// The id of the next run, across every table: ids only grow.
    next_run_id: i64,
}

impl RunBook {
    fn take_run_id(&mut self) -> i64 {
        let id = self.next_run_id;
        self.next_run_id = self.next_run_id.saturating_add(1);
        id
    }
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
                runs: VecDeque::new(),
                queued: QueueCount::default(),
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
            uuid: random_uuid(),
            created_at: rfc3339(SystemTime::now()),
        }
    }
}

#[derive(Debug, Clone)]
struct TableRecord {
    entry: Entry,
    /// Kept in the catalog's type, which has the same fields: one update applies to both.
    maintenance: MaintenanceConfig,
    /// Its maintenance runs, oldest first, at most [`RUNS_KEPT`].
    runs: VecDeque<MaintenanceRun>,
    /// The queue requests it accepted today, for the daily limit.
    queued: QueueCount,
}

impl TableRecord {
    /// Counts one more accepted queue request on `day` (the count starts afresh each day),
    /// unless `limit` requests were already accepted that day.
    fn admit_queue_request(&mut self, limit: Option<u32>, day: u64) -> bool {
        if self.queued.day != day {
            self.queued = QueueCount { day, accepted: 0 };
        }
        if limit.is_some_and(|limit| self.queued.accepted >= limit) {
            return false;
        }
        self.queued.accepted = self.queued.accepted.saturating_add(1);
        true
    }

    /// The request id, as first sent, of the run it queued for `request_id`, if it still
    /// lists one. UUIDs are compared without regard to case, as a UUID is the same in either.
    fn run_requested_as(&self, request_id: &str) -> Option<&str> {
        self.runs
            .iter()
            .filter_map(|run| run.request_id.as_deref())
            .find(|id| id.eq_ignore_ascii_case(request_id))
    }

    fn record_run(&mut self, run: MaintenanceRun) {
        if self.runs.len() == RUNS_KEPT {
            self.runs.pop_front();
        }
        self.runs.push_back(run);
    }
}

/// Queue requests accepted on one UTC day (days since 1970-01-01).
#[derive(Debug, Clone, Copy, Default)]
struct QueueCount {
    day: u64,
    accepted: u32,
}

/// A checked request: its operation, path parameters, query pairs and body, and the
/// credentials the emulator accepts (a stored catalog token must be one of them).
pub(super) struct Call<'a> {
    pub(super) operation: Operation,
    pub(super) params: &'a PathParams,
    pub(super) query: &'a [(String, String)],
    pub(super) body: &'a [u8],
    pub(super) access: &'a Access,
}

impl Store {
    /// An empty store; `daily_queue_limit` caps the queue requests each table accepts a day.
    pub(super) fn new(daily_queue_limit: Option<u32>) -> Self {
        Self {
            buckets: BTreeMap::new(),
            runs: RunBook {
                daily_limit: daily_queue_limit,
                next_run_id: 1,
            },
        }
    }

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

    /// Whether `bucket` has the namespace of `levels` seeded; `None` if there is no such bucket.
    pub(super) fn seeded_namespace(&self, bucket: &BucketName, levels: &[String]) -> Option<bool> {
        let bucket = self.buckets.get(bucket.as_ref())?;
        Some(bucket.seeded.namespaces.contains_key(levels))
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

    /// The name (`{account}_{bucket}`, its Iceberg warehouse) of the catalog on `bucket` in
    /// `account`, if it is there and active; `None` for a bucket that does not exist or has
    /// no catalog (never enabled, deleted) or a disabled one. Changes nothing.
    pub(super) fn active_warehouse(&self, account: &str, bucket: &BucketName) -> Option<String> {
        let holding = self.buckets.get(bucket.as_ref())?.accounts.get(account)?;
        holding
            .catalog
            .as_ref()
            .filter(|catalog| catalog.active)
            .map(|_| catalog_name(account, bucket.as_ref()))
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
        Reply::success(CatalogList::new(warehouses))
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

/// What a catalog that was never enabled, or was deleted, answers: 404, 40401.
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

/// What namespace, table and run operations answer on a disabled catalog: 404 (the catalog's
/// contents are not reachable) with Cloudflare's "warehouse inactive" code, 40402.
fn catalog_inactive() -> Reply {
    Reply::failure(
        StatusCode::NOT_FOUND,
        codes::CATALOG_INACTIVE,
        "Catalog is inactive: enable it to reach its namespaces and tables",
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
                id: random_uuid(),
                active: true,
                has_credential: false,
                maintenance: new_catalog_maintenance(),
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

/// Stores a catalog token. Cloudflare authenticates a token before storing it, so when the
/// emulator was told which tokens to accept, any other is refused (400, 30004).
fn store_credential(catalog: &mut CatalogRecord, call: &Call<'_>) -> Reply {
    #[derive(serde::Deserialize)]
    struct Body {
        token: String,
    }
    match serde_json::from_slice::<Body>(call.body) {
        Ok(Body { token }) if token.trim().is_empty() => {
            Reply::bad_request("body must be a JSON object with a non-empty string \"token\"")
        }
        Ok(Body { token }) if !call.access.accepts_catalog_token(&token) => Reply::failure(
            StatusCode::BAD_REQUEST,
            codes::INVALID_CREDENTIAL,
            "The credential is not valid: it does not authenticate",
        ),
        Ok(_) => {
            catalog.has_credential = true;
            Reply::success(Value::Null)
        }
        // serde's message could quote the token; say what is wrong without it.
        Err(_) => {
            Reply::bad_request("body must be a JSON object with a non-empty string \"token\"")
        }
    }
}

/// Applies a catalog-level update. Turning compaction or snapshot expiration on needs a stored
/// credential, which the jobs run with (Cloudflare's 400 "A credential is not present for the
/// warehouse=…"); tables' updates do not.
fn update_catalog_maintenance(warehouse: &str, catalog: &mut CatalogRecord, body: &[u8]) -> Reply {
    let update = match maintenance_update(body) {
        Ok(update) => update,
        Err(reply) => return reply,
    };
    if turns_a_job_on(&update) && !catalog.has_credential {
        return Reply::bad_request(format!(
            "{} for the warehouse={warehouse}",
            cloudflare_r2_catalog::codes::CREDENTIAL_MISSING_MESSAGE
        ));
    }
    apply_maintenance(&mut catalog.maintenance, update);
    Reply::success(catalog.maintenance.clone())
}

/// Whether `update` sets compaction's or snapshot expiration's state to enabled.
fn turns_a_job_on(update: &MaintenanceUpdate) -> bool {
    let (compaction, expiration) = turned_on(update);
    compaction || expiration
}

/// Whether `update` sets compaction's state, and snapshot expiration's, to enabled.
fn turned_on(update: &MaintenanceUpdate) -> (bool, bool) {
    let enabled = |state: Option<&MaintenanceState>| state == Some(&MaintenanceState::Enabled);
    (
        update
            .compaction
            .as_ref()
            .is_some_and(|compaction| enabled(compaction.state.as_ref())),
        update
            .snapshot_expiration
            .as_ref()
            .is_some_and(|expiration| enabled(expiration.state.as_ref())),
    )
}

/// Applies `update` to `current`: the fields it sets, and nothing else. The catalog's and a
/// table's updates have one wire shape (the spec's catalog- and table-maintenance-update-request).
fn apply_maintenance(current: &mut MaintenanceConfig, update: MaintenanceUpdate) {
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
}

/// The update in `body`, refused (400) unless it parses and names only states and sizes the
/// spec allows: the SDK's enums keep values they do not know, which Cloudflare refuses.
fn maintenance_update(body: &[u8]) -> Result<MaintenanceUpdate, Reply> {
    let invalid =
        |reason: String| Reply::bad_request(format!("invalid maintenance update: {reason}"));
    let value: Value = serde_json::from_slice(body).map_err(|error| invalid(error.to_string()))?;
    // The SDK's models read a number where an answer has a string enum; a request must send
    // the spec's strings.
    for (job, field) in ENUM_FIELDS {
        let sent = &value[job][field];
        if !(sent.is_null() || sent.is_string()) {
            return Err(invalid(format!("{job}.{field} must be a string")));
        }
    }
    let update: MaintenanceUpdate =
        serde_json::from_value(value).map_err(|error| invalid(error.to_string()))?;
    known_values(&update).map_err(|error| invalid(error.to_string()))?;
    Ok(update)
}

/// Refuses a state or target size the SDK does not know, with the SDK's own error for it:
/// what parsing the same text as an input says (the SDK checks an update so before sending
/// it). The order is the SDK's: compaction's state, its size, then snapshot expiration's state.
fn known_values(update: &MaintenanceUpdate) -> Result<(), ValidationError> {
    if let Some(compaction) = &update.compaction {
        if let Some(state) = &compaction.state {
            state.as_str().parse::<MaintenanceState>()?;
        }
        if let Some(size) = &compaction.target_size_mb {
            size.as_str().parse::<TargetFileSize>()?;
        }
    }
    if let Some(state) = update
        .snapshot_expiration
        .as_ref()
        .and_then(|expiration| expiration.state.as_ref())
    {
        state.as_str().parse::<MaintenanceState>()?;
    }
    Ok(())
}

/// The string enums of a maintenance update, by job.
const ENUM_FIELDS: [(&str, &str); 3] = [
    ("compaction", "state"),
    ("compaction", "target_size_mb"),
    ("snapshot_expiration", "state"),
];

fn apply_expiration(config: &mut SnapshotExpirationConfig, update: SnapshotExpirationUpdate) {
    if let Some(state) = update.state {
        config.state = state;
    }
    if let Some(age) = update.max_snapshot_age {
        config.max_snapshot_age = age.to_string();
    }
    if let Some(keep) = update.min_snapshots_to_keep {
        config.min_snapshots_to_keep = i64::try_from(keep.get()).unwrap_or(i64::MAX);
    }
}

fn list_namespaces(contents: &Contents, query: &[(String, String)]) -> Reply {
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
        Operation::ListTableMaintenanceRuns => list_runs(table, call.query),
        _ => update_table_maintenance(table, catalog, call.body),
    }
}

fn table_model(bucket: &str, identifier: TableIdentifier, table: &TableRecord) -> Table {
    let mut model = Table::new(
        identifier,
        table_metadata(bucket, &table.entry),
        0,
        table.entry.uuid.clone(),
        0,
    );
    model.metadata_location = Some(format!(
        "{}/metadata/00000-{}.metadata.json",
        table_location(bucket, &table.entry),
        table.entry.uuid
    ));
    model
}

/// Applies a table-level update. A job cannot be on for a table while it is off for its
/// catalog: turning compaction on then is 400, code 40012, and snapshot expiration 400, code
/// 40013 (compaction judged first); nothing of such an update is applied.
fn update_table_maintenance(
    table: &mut TableRecord,
    catalog: &MaintenanceConfig,
    body: &[u8],
) -> Reply {
    let update = match maintenance_update(body) {
        Ok(update) => update,
        Err(reply) => return reply,
    };
    let (compaction_on, expiration_on) = turned_on(&update);
    let catalog_has = |state: Option<&MaintenanceState>| state == Some(&MaintenanceState::Enabled);
    let catalog_compaction = catalog.compaction.as_ref().map(|job| &job.state);
    if compaction_on && !catalog_has(catalog_compaction) {
        return Reply::failure(
            StatusCode::BAD_REQUEST,
            codes::CATALOG_COMPACTION_DISABLED,
            CATALOG_COMPACTION_DISABLED_MESSAGE,
        );
    }
    let catalog_expiration = catalog.snapshot_expiration.as_ref().map(|job| &job.state);
    if expiration_on && !catalog_has(catalog_expiration) {
        return Reply::failure(
            StatusCode::BAD_REQUEST,
            codes::CATALOG_SNAPSHOT_EXPIRATION_DISABLED,
            CATALOG_EXPIRATION_DISABLED_MESSAGE,
        );
    }
    apply_maintenance(&mut table.maintenance, update);
    Reply::success(table_maintenance(&table.maintenance))
}

/// The emulator's messages with 40012 and 40013; Cloudflare's own are not known.
const CATALOG_COMPACTION_DISABLED_MESSAGE: &str =
    "Compaction cannot be enabled for the table while it is disabled for the catalog";
const CATALOG_EXPIRATION_DISABLED_MESSAGE: &str =
    "Snapshot expiration cannot be enabled for the table while it is disabled for the catalog";

/// Queues maintenance of `table`: checks the kind and the body, answers a request id it
/// already accepted as it did then, applies the daily limit, and records the run it queues. A real run starts when Cloudflare's scheduler next polls; the
/// emulator's tables hold no data, so its run is over at once: `succeeded`, each step
/// `skipped` (nothing to do), so code that polls the listing for the end of its run ends.
fn queue_maintenance(table: &mut TableRecord, call: &Call<'_>, runs: &mut RunBook) -> Reply {
    let kind = call
        .params
        .configuration_type
        .as_deref()
        .and_then(|kind| kind.parse::<MaintenanceKind>().ok());
    let Some(kind) = kind else {
        return Reply::failure(
            StatusCode::NOT_FOUND,
            codes::MAINTENANCE_CONFIG_NOT_FOUND,
            "Maintenance configuration not found: it is compaction or snapshot_expiration",
        );
    };
    let request_id = match queue_request_id(call.body) {
        Ok(request_id) => request_id,
        Err(reply) => return reply,
    };
    // A request id the table already accepted: Cloudflare answers the original result and
    // queues nothing, so a client may retry a queue request whose answer it lost.
    if let Some(original) = request_id
        .as_deref()
        .and_then(|id| table.run_requested_as(id))
    {
        return queued(original.to_owned());
    }
    let now = SystemTime::now();
    if !table.admit_queue_request(runs.daily_limit, days_since_epoch(now)) {
        return Reply::failure(
            StatusCode::TOO_MANY_REQUESTS,
            codes::DAILY_QUEUE_LIMIT,
            DAILY_LIMIT_MESSAGE,
        );
    }
    let request_id = request_id.unwrap_or_else(random_uuid);
    table.record_run(finished_run(runs.take_run_id(), kind, &request_id, now));
    queued(request_id)
}

/// The answer to an accepted queue request: 202, with its request id as first sent.
fn queued(request_id: String) -> Reply {
    let mut queued = QueuedMaintenance::new(
        "Maintenance queued: it runs when the scheduler next polls".to_owned(),
        true,
    );
    queued.request_id = Some(request_id);
    Reply::accepted(queued)
}

/// The `request_id` of a queue request's body: a JSON object whose `request_id`, if there and
/// not null, is a UUID. Other fields are ignored, as Cloudflare ignores them.
fn queue_request_id(body: &[u8]) -> Result<Option<String>, Reply> {
    let invalid =
        || Reply::bad_request("body must be a JSON object whose request_id is a UUID or null");
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return Err(invalid());
    };
    match fields.get("request_id") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(id)) if RequestId::new(id.as_str()).is_ok() => Ok(Some(id.clone())),
        Some(_) => Err(invalid()),
    }
}

/// A run of `kind` started and finished at `at`, marked with `request_id`.
fn finished_run(
    run_id: i64,
    kind: MaintenanceKind,
    request_id: &str,
    at: SystemTime,
) -> MaintenanceRun {
    // Compaction rewrites manifests first (since 2026-07-13); expiration is one step.
    let steps: &[MaintenanceStep] = match kind {
        MaintenanceKind::Compaction => &[
            MaintenanceStep::RewriteManifests,
            MaintenanceStep::Compaction,
        ],
        _ => &[MaintenanceStep::SnapshotExpiration],
    };
    let operation_results = steps
        .iter()
        .map(|step| MaintenanceRunStep::new(0, step.clone(), StepStatus::Skipped))
        .collect();
    let time = rfc3339(at);
    let mut run = MaintenanceRun::new(
        kind,
        operation_results,
        run_id,
        time.clone(),
        RunStatus::Succeeded,
    );
    run.completed_at = Some(time);
    run.duration_ms = Some(0);
    run.request_id = Some(request_id.to_owned());
    run
}

/// A page of `table`'s runs, newest first.
fn list_runs(table: &TableRecord, query: &[(String, String)]) -> Reply {
    let paging = match Paging::parse(query, MAX_RUNS_PAGE_SIZE, MAX_RUNS_PAGE_SIZE) {
        Ok(paging) => paging,
        Err(reply) => return reply,
    };
    let newest_first: Vec<&MaintenanceRun> = table.runs.iter().rev().collect();
    match paging.page(&newest_first) {
        // The spec requires `next_page_token`, null on the last page, which the SDK's model
        // (lenient about its absence) would leave out.
        Ok((page, next_page_token)) => Reply::success(json!({
            "next_page_token": next_page_token,
            "runs": page,
        })),
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

fn namespace_not_found() -> Reply {
    Reply::failure(
        StatusCode::NOT_FOUND,
        codes::NAMESPACE_NOT_FOUND,
        "Namespace not found",
    )
}

/// The paging and detail options of a namespace or table listing.
struct ListQuery {
    paging: Paging,
    uuids: bool,
    details: bool,
}

impl ListQuery {
    fn parse(query: &[(String, String)]) -> Result<Self, Reply> {
        Ok(Self {
            paging: Paging::parse(query, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?,
            uuids: flag(query, "return_uuids")?,
            details: flag(query, "return_details")?,
        })
    }
}

/// Where a cursor listing starts, and how much it returns.
struct Paging {
    size: usize,
    start: usize,
}

impl Paging {
    /// `page_size` (1 to `max`, `default` if absent) and `page_token` (one this emulator issued).
    fn parse(query: &[(String, String)], default: usize, max: usize) -> Result<Self, Reply> {
        let size = match value(query, "page_size") {
            None => default,
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|size| (1..=max).contains(size))
                .ok_or_else(|| {
                    Reply::bad_request(format!("page_size must be an integer from 1 to {max}"))
                })?,
        };
        let start = match value(query, "page_token") {
            None => 0,
            Some(token) => token
                .strip_prefix(PAGE_TOKEN_PREFIX)
                .and_then(|offset| offset.parse::<usize>().ok())
                .ok_or_else(|| Reply::bad_request("page_token is not one this API issued"))?,
        };
        Ok(Self { size, start })
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

/// What credential status answers: a stored token was accepted when stored, so it is valid.
fn credential_validity(catalog: &CatalogRecord) -> CredentialValidity {
    if catalog.has_credential {
        CredentialValidity::Valid
    } else {
        CredentialValidity::Absent
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
    let status = if catalog.active {
        CatalogStatus::Active
    } else {
        CatalogStatus::Inactive
    };
    let mut model = Catalog::new(
        bucket.to_owned(),
        catalog.id.clone(),
        catalog_name(account, bucket),
        status,
    );
    model.credential_status = Some(credential_status(catalog));
    model.maintenance_config = Some(catalog.maintenance.clone());
    model
}

fn activation(account: &str, bucket: &str, catalog: &CatalogRecord) -> CatalogActivation {
    CatalogActivation::new(catalog.id.clone(), catalog_name(account, bucket))
}

/// As Cloudflare names a catalog (and its Iceberg warehouse).
fn catalog_name(account: &str, bucket: &str) -> String {
    format!("{account}_{bucket}")
}

/// Compaction off, at the spec's default target size (128 MB).
fn default_compaction() -> CompactionConfig {
    CompactionConfig::new(MaintenanceState::Disabled, TargetFileSize::Mb128)
}

/// The spec's documented defaults: 7 days, 100 snapshots; off until turned on.
fn default_expiration() -> SnapshotExpirationConfig {
    SnapshotExpirationConfig::new("7d".to_owned(), 100, MaintenanceState::Disabled)
}

/// How often maintenance runs, as Cloudflare reports it ("triggers hourly").
const MAINTENANCE_INTERVAL: &str = "1h";

/// A table's settings until changed: both jobs off.
fn default_maintenance() -> MaintenanceConfig {
    let mut maintenance = MaintenanceConfig::new();
    maintenance.compaction = Some(default_compaction());
    maintenance.interval = Some(MAINTENANCE_INTERVAL.to_owned());
    maintenance.snapshot_expiration = Some(default_expiration());
    maintenance
}

/// A new catalog's settings: compaction on at 128 MB, as Cloudflare starts every catalog (it
/// runs once a credential is stored); snapshot expiration off.
fn new_catalog_maintenance() -> MaintenanceConfig {
    let mut maintenance = default_maintenance();
    if let Some(compaction) = maintenance.compaction.as_mut() {
        compaction.state = MaintenanceState::Enabled;
    }
    maintenance
}

/// A table's maintenance settings in the type its operations answer with.
fn table_maintenance(config: &MaintenanceConfig) -> TableMaintenanceConfig {
    let mut table = TableMaintenanceConfig::new();
    table.compaction = config.compaction.as_ref().map(|compaction| {
        TableCompactionConfig::new(compaction.state.clone(), compaction.target_size_mb.clone())
    });
    table.interval = config.interval.clone();
    table.snapshot_expiration = config.snapshot_expiration.as_ref().map(|expiration| {
        TableSnapshotExpirationConfig::new(
            expiration.max_snapshot_age.clone(),
            expiration.min_snapshots_to_keep,
            expiration.state.clone(),
        )
    });
    table
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
        Value::Object(map) => TableMetadata::from(map),
        _ => TableMetadata::from(serde_json::Map::new()),
    }
}

fn seconds_since_epoch(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// The UTC day of `time`, counted from 1970-01-01: what the daily queue limit counts by.
fn days_since_epoch(time: SystemTime) -> u64 {
    seconds_since_epoch(time) / 86_400
}

/// `time` as an RFC 3339 UTC timestamp (the spec's `date-time`), to the second.
fn rfc3339(time: SystemTime) -> String {
    let seconds = seconds_since_epoch(time);
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

    fn table() -> TableRecord {
        let mut contents = Contents::default();
        let (namespace, name) = (Namespace::new(["n"]).unwrap(), TableName::new("t").unwrap());
        contents.add_table(&namespace, &name);
        contents.tables.into_values().next().unwrap()
    }

    #[test]
    fn the_daily_queue_limit_counts_per_day_and_starts_afresh() {
        let mut table = table();
        assert!(table.admit_queue_request(Some(2), 100));
        assert!(table.admit_queue_request(Some(2), 100));
        assert!(!table.admit_queue_request(Some(2), 100));
        assert!(
            !table.admit_queue_request(Some(2), 100),
            "refusals are not counted in"
        );
        assert!(table.admit_queue_request(Some(2), 101), "a new day");
        assert!(!table.admit_queue_request(Some(0), 102));
        assert!((0..1000).all(|_| table.admit_queue_request(None, 103)));
    }

    #[test]
    fn a_queue_body_is_an_object_with_an_optional_uuid() {
        let id = "6BA7B810-9dad-11d1-80b4-00c04fd430c8";
        let read = |body: &str| queue_request_id(body.as_bytes()).map_err(|reply| reply.status);
        assert_eq!(
            read(&format!(r#"{{"request_id":"{id}","extra":1}}"#)),
            Ok(Some(id.to_owned()))
        );
        assert_eq!(read("{}"), Ok(None));
        assert_eq!(read(r#"{"request_id":null}"#), Ok(None));
        for bad in [
            "",
            "null",
            "[]",
            r#"{"request_id":""}"#,
            r#"{"request_id":1}"#,
            r#"{"request_id":"x"}"#,
        ] {
            assert_eq!(read(bad), Err(StatusCode::BAD_REQUEST), "{bad:?}");
        }
    }

    #[test]
    fn a_maintenance_update_names_only_the_specs_values() {
        let read = |body: &str| maintenance_update(body.as_bytes()).map_err(|reply| reply.status);
        assert!(read(r#"{"compaction":{"state":"enabled","target_size_mb":"256"}}"#).is_ok());
        for bad in [
            r#"{"compaction":{"target_size_mb":"100"}}"#,
            r#"{"compaction":{"state":"paused"}}"#,
            r#"{"snapshot_expiration":{"state":"on"}}"#,
            r#"{"compaction":{"target_size_mb":256}}"#,
            r#"{"snapshot_expiration":{"state":1}}"#,
        ] {
            assert_eq!(read(bad).err(), Some(StatusCode::BAD_REQUEST), "{bad}");
        }
    }

    #[test]
    fn runs_are_kept_up_to_a_bound_oldest_dropped_first() {
        let mut table = table();
        let at = SystemTime::UNIX_EPOCH;
        for id in 0..=i64::try_from(RUNS_KEPT).unwrap() {
            table.record_run(finished_run(id, MaintenanceKind::Compaction, "r", at));
        }
        assert_eq!(table.runs.len(), RUNS_KEPT);
        assert_eq!(table.runs.front().map(|run| run.run_id), Some(1));
    }
}

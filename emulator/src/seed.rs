//! Seeding: the shape of a [`Seed`], and the rule every seeded namespace keeps. The API lists a
//! namespace only under its parent, so a nested namespace whose parent is not seeded would be
//! stored and never listed: it is refused instead, naming it. A seed is checked whole before
//! any of it is applied, so a refused one leaves the emulator as it was.

use std::collections::{BTreeMap, BTreeSet};

use cloudflare_r2_catalog::{
    error::ValidationError,
    input::{BucketName, Namespace, TableName},
};

use crate::error::EmulatorError;
use crate::state::Store;

/// What the emulator's buckets hold at start: the `--seed` file of `r2-catalog emulate`.
///
/// ```json
/// {"buckets": {"my-data-bucket": {
///     "namespaces": [["bronze"], ["bronze", "raw"]],
///     "tables": [{"namespace": ["bronze"], "name": "events"}]
/// }}}
/// ```
///
/// A nested namespace's parent must be in the seed too (or already in the emulator), whether the
/// namespace is listed or only holds a table: [`Emulator::seed`](crate::Emulator::seed) refuses the
/// whole seed otherwise, with [`EmulatorError::MissingParent`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Seed {
    /// Buckets by name; each exists, with what it holds.
    #[serde(default)]
    pub buckets: BTreeMap<String, BucketSeed>,
}

/// One bucket of a [`Seed`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct BucketSeed {
    /// Namespaces, each as its levels (`["bronze", "raw"]` is `bronze.raw`, and needs
    /// `["bronze"]`).
    #[serde(default)]
    pub namespaces: Vec<Vec<String>>,
    /// Tables; their namespaces need not be listed too (a table's namespace is seeded with it),
    /// but a nested one's parent must be.
    #[serde(default)]
    pub tables: Vec<TableSeed>,
}

/// One table of a [`BucketSeed`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TableSeed {
    /// Its namespace's levels.
    pub namespace: Vec<String>,
    /// Its name.
    pub name: String,
}

/// What a seed adds to one bucket, every name checked.
struct Planting {
    bucket: BucketName,
    namespaces: Vec<Namespace>,
    tables: Vec<(Namespace, TableName)>,
}

impl Seed {
    /// Adds everything the seed names to `store`, or, if any of it is refused, nothing.
    pub(crate) fn apply(&self, store: &mut Store) -> Result<(), EmulatorError> {
        let plantings = self
            .buckets
            .iter()
            .map(|(bucket, contents)| contents.checked(bucket, store))
            .collect::<Result<Vec<_>, _>>()?;
        for Planting {
            bucket,
            namespaces,
            tables,
        } in &plantings
        {
            store.add_bucket(bucket);
            for namespace in namespaces {
                store.add_namespace(bucket, namespace);
            }
            for (namespace, table) in tables {
                store.add_table(bucket, namespace, table);
            }
        }
        Ok(())
    }
}

impl BucketSeed {
    /// Its names checked, and each namespace's parent found in the seed or already in `store`:
    /// the seed's own order does not matter.
    fn checked(&self, bucket: &str, store: &Store) -> Result<Planting, EmulatorError> {
        let bucket = BucketName::new(bucket)?;
        let namespaces = self
            .namespaces
            .iter()
            .map(|levels| Namespace::new(levels.iter().cloned()))
            .collect::<Result<Vec<_>, _>>()?;
        let tables = self
            .tables
            .iter()
            .map(|table| {
                let namespace = Namespace::new(table.namespace.iter().cloned())?;
                Ok((namespace, TableName::new(table.name.as_str())?))
            })
            .collect::<Result<Vec<_>, ValidationError>>()?;
        let seeded = || {
            let of_tables = tables.iter().map(|(namespace, _)| namespace);
            namespaces.iter().chain(of_tables)
        };
        let levels: BTreeSet<&[String]> = seeded().map(Namespace::levels).collect();
        for namespace in seeded() {
            check_parent(&bucket, namespace, |parent| {
                levels.contains(parent) || store.seeded_namespace(&bucket, parent) == Some(true)
            })?;
        }
        Ok(Planting {
            bucket,
            namespaces,
            tables,
        })
    }
}

/// Refuses a nested `namespace` of `bucket` whose parent is not `present`.
pub(crate) fn check_parent(
    bucket: &BucketName,
    namespace: &Namespace,
    present: impl Fn(&[String]) -> bool,
) -> Result<(), EmulatorError> {
    match namespace.levels().split_last() {
        Some((_, parent)) if !parent.is_empty() && !present(parent) => {
            Err(EmulatorError::MissingParent {
                bucket: bucket.clone(),
                namespace: namespace.clone(),
                parent: Namespace::new(parent.iter().cloned())?,
            })
        }
        _ => Ok(()),
    }
}

/// Refuses `namespace` when it is nested and its parent is not seeded in `bucket`; an unknown
/// bucket passes, for the caller to refuse as such.
pub(crate) fn require_seeded_parent(
    store: &Store,
    bucket: &BucketName,
    namespace: &Namespace,
) -> Result<(), EmulatorError> {
    check_parent(bucket, namespace, |parent| {
        store.seeded_namespace(bucket, parent).unwrap_or(true)
    })
}

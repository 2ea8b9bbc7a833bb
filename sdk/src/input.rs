//! The identifiers and values a call takes, each checked once against the API's rules when it
//! is made, and the [`Input`] trait through which the handles take them as text or checked.

pub use crate::validate::{
    AccountId, BucketName, CatalogToken, Input, Namespace, RequestId, SnapshotAge, TableName,
};

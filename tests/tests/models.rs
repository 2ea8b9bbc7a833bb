//! What a user builds for the unit tests of their own code: each model from its constructor
//! (required fields, optional ones left at `None` and set afterwards) equals the same model as
//! Cloudflare sends it, parsed. Newtypes (`NamespaceIdentifier`) come `From` what they wrap.

use cloudflare_r2_catalog::{
    MaintenanceKind, Response,
    models::{
        Catalog, CatalogStatus, CredentialCheck, CredentialValidity, MaintenanceRun,
        MaintenanceRunPage, NamespaceIdentifier, NamespacePage, QueuedMaintenance, RunStatus,
    },
};
use serde_json::json;

fn parsed<T: serde::de::DeserializeOwned>(sent: serde_json::Value) -> T {
    serde_json::from_value(sent).expect("the model as Cloudflare sends it")
}

#[test]
fn constructed_models_equal_the_ones_cloudflare_sends() {
    let mut catalog = Catalog::new(
        "my-data-bucket".into(),
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8".into(),
        "0123456789abcdef0123456789abcdef_my-data-bucket".into(),
        CatalogStatus::Active,
    );
    assert_eq!(catalog.credential_status, None);
    assert_eq!(
        catalog,
        parsed(json!({
            "bucket": "my-data-bucket",
            "id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            "name": "0123456789abcdef0123456789abcdef_my-data-bucket",
            "status": "active",
        }))
    );
    catalog.credential_status = Some("present".parse().expect("a known status"));
    assert_eq!(
        catalog,
        parsed(json!({
            "bucket": "my-data-bucket",
            "id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            "name": "0123456789abcdef0123456789abcdef_my-data-bucket",
            "status": "active",
            "credential_status": "present",
        }))
    );

    let mut page = NamespacePage::new(vec![NamespaceIdentifier::from(vec!["bronze".to_owned()])]);
    page.next_page_token = Some("cursor-2".into());
    assert_eq!(
        page,
        parsed(json!({"namespaces": [["bronze"]], "next_page_token": "cursor-2"}))
    );

    let run = MaintenanceRun::new(
        MaintenanceKind::Compaction,
        Vec::new(),
        7,
        "2026-11-30T10:00:00Z".into(),
        RunStatus::Succeeded,
    );
    assert_eq!(
        MaintenanceRunPage::new(vec![run]),
        parsed(json!({"runs": [{
            "configuration_type": "compaction",
            "operation_results": [],
            "run_id": 7,
            "started_at": "2026-11-30T10:00:00Z",
            "status": "succeeded",
        }]}))
    );

    let queued = QueuedMaintenance::new("Maintenance queued".into(), true);
    assert_eq!(
        queued,
        parsed(json!({"message": "Maintenance queued", "queued": true}))
    );
    assert_eq!(
        Response::new(CredentialCheck::new(CredentialValidity::Valid)).result,
        parsed(json!({"status": "valid"}))
    );
}

#[test]
fn a_run_is_over_once_its_status_is_final_or_an_unknown_status_has_ended() {
    let run = |status: &str, completed_at: Option<&str>| {
        let mut run = MaintenanceRun::new(
            MaintenanceKind::Compaction,
            Vec::new(),
            7,
            "2026-12-01T00:00:00Z".into(),
            RunStatus::from(status),
        );
        run.completed_at = completed_at.map(str::to_owned);
        run
    };
    for status in [
        "succeeded",
        "failed",
        "interrupted",
        "timed_out",
        "cancelled",
    ] {
        assert!(RunStatus::from(status).is_final(), "{status}");
        assert!(run(status, None).is_over(), "{status}");
    }
    assert!(!RunStatus::Running.is_final());
    assert!(!run("running", Some("2026-12-01T00:01:00Z")).is_over());
    // A status Cloudflare adds later is neither, until the run has a completion time.
    assert!(!RunStatus::from("queued").is_final());
    assert!(!run("queued", None).is_over());
    assert!(run("skipped_by_scheduler", Some("2026-12-01T00:01:00Z")).is_over());
}

//! `r2-catalog namespace …`

use clap::Subcommand;
use cloudflare_r2_catalog::input::Namespace;

use crate::Context;
use crate::output::{Failure, show};
use crate::paging::PagingFlags;
use crate::views::{self, dotted, first_fields, next_page};

#[derive(Subcommand)]
pub(crate) enum Command {
    /// List namespaces, top-level ones or those under --parent.
    List {
        /// The R2 bucket.
        bucket: String,
        /// Only the namespaces directly under this one (levels joined with `.`; a `.` or `\` inside a
        /// level written `\.`, `\\`).
        #[arg(long, value_name = "NS")]
        parent: Option<String>,
        #[command(flatten)]
        paging: PagingFlags,
    },
}

impl Command {
    /// The bucket the command acts on.
    pub(crate) fn bucket(&self) -> &str {
        match self {
            Self::List { bucket, .. } => bucket,
        }
    }

    pub(crate) async fn run(self, context: &Context) -> Result<(), Failure> {
        let Self::List {
            bucket,
            parent,
            paging,
        } = self;
        let catalog = context.catalog(bucket)?;
        let command = match &parent {
            Some(parent) => format!(
                "r2-catalog namespace list {} --parent '{parent}'",
                catalog.bucket()
            ),
            None => format!("r2-catalog namespace list {}", catalog.bucket()),
        };
        let human = |page: &serde_json::Value| namespaces_table(page, &command);
        let parent = parent
            .as_deref()
            .map(|dotted| catalog.namespace(Namespace::parse_dotted(dotted)?))
            .transpose()?;
        let options = paging.options();
        let namespaces = match &parent {
            Some(parent) => parent.namespaces(),
            None => catalog.namespaces(),
        };
        if paging.all() {
            paging
                .print_all(context.format, namespaces.pages(options), human)
                .await
        } else {
            let page = namespaces.list(options).await?.result;
            show(context.format, &page, human)
        }
    }
}

/// A page of namespaces as a table: each namespace as the command line writes it, with its
/// UUID and times when the page has them, then how to get the next page.
fn namespaces_table(page: &serde_json::Value, command: &str) -> String {
    let namespaces = page["namespaces"].as_array().map(Vec::as_slice);
    let rows: Vec<serde_json::Value> = namespaces
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(index, levels)| {
            let details = &page["details"][index];
            first_fields([
                ("namespace", &dotted(levels)),
                ("uuid", &page["namespace_uuids"][index]),
                ("created_at", &details["created_at"]),
                ("updated_at", &details["updated_at"]),
            ])
        })
        .collect();
    let listed = if rows.is_empty() {
        "No namespaces here.".to_owned()
    } else {
        views::table(&rows, &["namespace", "uuid", "created_at", "updated_at"])
    };
    format!("{}{}", listed.trim_end(), next_page(page, command))
}

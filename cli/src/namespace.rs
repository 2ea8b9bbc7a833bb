//! `r2-catalog namespace …`

use clap::Subcommand;
use cloudflare_r2_catalog::Namespace;

use crate::Context;
use crate::output::{Failure, print_json};
use crate::paging::PagingFlags;

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
        let parent = parent
            .as_deref()
            .map(|dotted| catalog.namespace(Namespace::parse_dotted(dotted)?))
            .transpose()?;
        let options = paging.options()?;
        let namespaces = match &parent {
            Some(parent) => parent.namespaces(),
            None => catalog.namespaces(),
        };
        if paging.all() {
            paging.print_all(namespaces.pages(options)).await
        } else {
            print_json(&namespaces.list(&options).await?.result)
        }
    }
}

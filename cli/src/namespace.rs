//! `r2-catalog namespace …`

use clap::Subcommand;
use cloudflare_r2_catalog::{Error, Namespace};

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
    pub(crate) async fn run(self, context: &Context) -> Result<(), Failure> {
        let Self::List {
            bucket,
            parent,
            paging,
        } = self;
        let parent = parent
            .as_deref()
            .map(Namespace::parse_dotted)
            .transpose()
            .map_err(Error::from)?;
        let options = paging.options()?;
        let namespaces = context.client.namespaces();
        let account = &context.account_id;
        if paging.all() {
            let pages = namespaces.pages(account, bucket, parent.as_ref(), options);
            paging.print_all(pages).await
        } else {
            let page = namespaces
                .list(account, bucket, parent.as_ref(), &options)
                .await?;
            print_json(&page.result)
        }
    }
}

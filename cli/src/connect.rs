//! `r2-catalog catalog connect BUCKET --engine …`: the configuration an Iceberg engine takes to
//! reach a catalog, in the engine's own format, ready to paste.
//!
//! The URI and warehouse are the ones `catalog get` prints (the client's Iceberg endpoint, so an
//! emulator's address on an emulator). The token is never printed: each format reads it from
//! the environment variable [`TOKEN_ENV`] where the engine can, and names it in a placeholder
//! where it cannot (DuckDB).

use cloudflare_r2_catalog::models::{CatalogConnection, CatalogStatus};
use serde::Serialize;

use crate::output::{Failure, Format, note, print_json, print_parts};
use crate::{Context, catalog};

/// The environment variable each snippet reads the token from: the one this CLI reads its own
/// token from, and the one `catalog check` tells to set to the token engines will use.
pub(crate) const TOKEN_ENV: &str = "CLOUDFLARE_API_TOKEN";

/// The name each snippet gives the catalog inside the engine.
const NAME: &str = "r2_catalog";

/// The engines `catalog connect` writes a configuration for.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Engine {
    /// A Python snippet: `load_catalog(...)` with the token from `os.environ`.
    Pyiceberg,
    /// A PySpark snippet: a `SparkSession` with the catalog's properties, the token from
    /// `os.environ`.
    Spark,
    /// DuckDB SQL: `CREATE SECRET` and `ATTACH`.
    Duckdb,
    /// A Trino catalog properties file (`etc/catalog/r2_catalog.properties`).
    Trino,
}

/// What `--output json` prints: the snippet and what it was made of, for scripts.
#[derive(Serialize)]
struct Connection<'a> {
    engine: Engine,
    uri: &'a str,
    warehouse: &'a str,
    token_env: &'static str,
    config: String,
}

/// Prints the configuration `engine` takes to reach the catalog of `bucket`: the snippet itself
/// as text (at a terminal too: it is what is pasted), or `{engine, uri, warehouse, token_env,
/// config}` as JSON. A catalog that is not active serves no engine and is refused.
pub(crate) async fn connect(
    context: &Context,
    bucket: String,
    engine: Engine,
) -> Result<(), Failure> {
    let handle = context.catalog(bucket)?;
    let found = handle.get().await?.result;
    if found.status != CatalogStatus::Active {
        let bucket = handle.bucket();
        return Err(Failure::Stopped(format!(
            "the catalog of bucket {bucket} is {}: no engine can connect to it; turn it on: r2-catalog catalog enable {bucket}",
            found.status
        )));
    }
    let connection = catalog::connection(&found, context).ok_or_else(|| {
        Failure::Stopped(format!(
            "Cloudflare named the catalog's bucket {:?}, which is not a bucket name: no URI to give",
            found.bucket.as_str()
        ))
    })?;
    // The warehouse is the server's word, written into a file an engine reads: a line break
    // in it would add lines of its own (a Trino `iceberg.rest-catalog.uri=` sending the token
    // elsewhere, say). Only what a URI and a catalog name are made of goes in.
    for (what, value) in [
        ("URI", &connection.uri),
        ("warehouse", &connection.warehouse),
    ] {
        if !value.chars().all(fits_a_configuration) {
            return Err(Failure::Stopped(format!(
                "the catalog's {what} {value:?} holds characters no engine's configuration can carry as they are; nothing printed"
            )));
        }
    }
    let config = config(engine, &connection);
    match context.format {
        Format::Json => print_json(&Connection {
            engine,
            uri: &connection.uri,
            warehouse: &connection.warehouse,
            token_env: TOKEN_ENV,
            config,
        }),
        Format::Text => {
            if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                note(&hint(engine));
            }
            print_parts([config.trim_end_matches('\n')])
        }
    }
}

/// The line stderr shows at a terminal: where the token comes from.
fn hint(engine: Engine) -> String {
    match engine {
        Engine::Duckdb => format!(
            "note: put the value of {TOKEN_ENV} (an API token with R2 Data Catalog and R2 Storage permissions) where the snippet says"
        ),
        _ => format!(
            "note: set {TOKEN_ENV} to an API token with R2 Data Catalog and R2 Storage permissions where the engine runs"
        ),
    }
}

/// The configuration of `engine` for `connection`, one line a line, ending with a newline.
pub(crate) fn config(engine: Engine, connection: &CatalogConnection) -> String {
    let CatalogConnection { uri, warehouse, .. } = connection;
    match engine {
        // Follows https://developers.cloudflare.com/r2/data-catalog/config-examples/pyiceberg/
        // (uri, warehouse, token of a REST catalog), through `load_catalog`, PyIceberg's entry
        // point, as a snippet rather than `.pyiceberg.yaml`: Python reads the token from the
        // environment itself, where the YAML file would need it written in or a
        // PYICEBERG_CATALOG__… variable of its own.
        Engine::Pyiceberg => format!(
            "import os

from pyiceberg.catalog import load_catalog

catalog = load_catalog(
    {name},
    type=\"rest\",
    uri={uri},
    warehouse={warehouse},
    token=os.environ[\"{TOKEN_ENV}\"],
)
",
            name = python_str(NAME),
            uri = python_str(uri),
            warehouse = python_str(warehouse),
        ),
        // Follows https://developers.cloudflare.com/r2/data-catalog/config-examples/spark-python/
        // (its packages and `spark.sql.catalog.<name>.*` properties, vended credentials), as
        // PySpark: Python reads the token from the environment, where a `spark-sql --conf`
        // would put it in the command line, which other users of the machine can read.
        Engine::Spark => {
            let prefix = format!("spark.sql.catalog.{NAME}");
            let config = |key: &str, value: &str| {
                format!("    .config({}, {})\n", python_str(key), python_str(value))
            };
            let mut session = String::from("    SparkSession.builder.appName(\"r2_catalog\")\n");
            session += &config(
                "spark.jars.packages",
                "org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.6.1,\
                 org.apache.iceberg:iceberg-aws-bundle:1.6.1",
            );
            session += &config(
                "spark.sql.extensions",
                "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
            );
            session += &config(&prefix, "org.apache.iceberg.spark.SparkCatalog");
            session += &config(&format!("{prefix}.type"), "rest");
            session += &config(&format!("{prefix}.uri"), uri);
            session += &config(&format!("{prefix}.warehouse"), warehouse);
            session += &format!(
                "    .config({}, os.environ[\"{TOKEN_ENV}\"])\n",
                python_str(&format!("{prefix}.token"))
            );
            session += &config(
                &format!("{prefix}.header.X-Iceberg-Access-Delegation"),
                "vended-credentials",
            );
            session += &config(&format!("{prefix}.s3.remote-signing-enabled"), "false");
            session += &config("spark.sql.defaultCatalog", NAME);
            format!(
                "import os\n\nfrom pyspark.sql import SparkSession\n\nspark = (\n{session}    .getOrCreate()\n)\n"
            )
        }
        // Follows https://developers.cloudflare.com/r2/data-catalog/config-examples/duckdb/ and
        // https://duckdb.org/docs/stable/core_extensions/iceberg/iceberg_rest_catalogs (a
        // bearer token in an ICEBERG secret, the secret named in ATTACH). DuckDB SQL reads no
        // environment variable there, so the token is a placeholder naming the variable.
        Engine::Duckdb => format!(
            "INSTALL iceberg;
LOAD iceberg;
INSTALL httpfs;
LOAD httpfs;
CREATE SECRET {NAME}_secret (
    TYPE ICEBERG,
    TOKEN '<the value of {TOKEN_ENV}>'
);
ATTACH {warehouse} AS {NAME} (
    TYPE ICEBERG,
    SECRET {NAME}_secret,
    ENDPOINT {uri}
);
",
            warehouse = sql_str(warehouse),
            uri = sql_str(uri),
        ),
        // Follows https://developers.cloudflare.com/r2/data-catalog/config-examples/trino/
        // (an Iceberg REST catalog with an OAuth2 token) and Trino's
        // https://trino.io/docs/current/object-storage/metastores.html; the token through
        // `${ENV:…}` (https://trino.io/docs/current/security/secrets.html), and the catalog's
        // vended credentials for R2 rather than an R2 access key and secret.
        Engine::Trino => format!(
            "connector.name=iceberg
iceberg.catalog.type=rest
iceberg.rest-catalog.uri={uri}
iceberg.rest-catalog.warehouse={warehouse}
iceberg.rest-catalog.security=OAUTH2
iceberg.rest-catalog.oauth2.token=${{ENV:{TOKEN_ENV}}}
iceberg.rest-catalog.vended-credentials-enabled=true
fs.native-s3.enabled=true
s3.region=auto
"
        ),
    }
}

/// `text` as a Python string literal.
fn python_str(text: &str) -> String {
    // A JSON string is a valid Python string literal with the same value.
    serde_json::Value::from(text).to_string()
}

/// Whether `character` may stand in an engine's configuration as it is, in any of its formats:
/// what URIs (no query, no fragment) and catalog names are made of.
fn fits_a_configuration(character: char) -> bool {
    character.is_ascii_alphanumeric() || "-_.:/%".contains(character)
}

/// `text` as an SQL string literal.
fn sql_str(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_each_value_one_literal() {
        assert_eq!(python_str(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(sql_str("it's"), "'it''s'");
    }
}

//! What codegen refuses to write: generated code with a closed enum of typify's own, or settings
//! that name a type the spec no longer gives.

use anyhow::Result;

use super::settings::{MODELS, REPLACEMENTS};

/// A type the generated module declares: its name, and whether it is an enum.
pub(super) struct GeneratedType {
    name: String,
    is_enum: bool,
}

/// Every struct and enum the generated module declares, in its nested modules too.
pub(super) fn generated_types(file: &syn::File) -> Vec<GeneratedType> {
    fn collect(items: &[syn::Item], found: &mut Vec<GeneratedType>) {
        for item in items {
            let (ident, is_enum) = match item {
                syn::Item::Struct(item) => (&item.ident, false),
                syn::Item::Enum(item) => (&item.ident, true),
                syn::Item::Mod(module) => {
                    if let Some((_, items)) = &module.content {
                        collect(items, found);
                    }
                    continue;
                }
                _ => continue,
            };
            found.push(GeneratedType {
                name: ident.to_string(),
                is_enum,
            });
        }
    }
    let mut found = Vec::new();
    collect(&file.items, &mut found);
    found
}

/// Fails when typify generated an enum of its own: every enum Cloudflare sends must be one of
/// the SDK's open enums (a replacement or a conversion in [`super::settings::settings`]), or one
/// new value from the server would fail every response that carries it.
pub(super) fn refuse_closed_enums(types: &[GeneratedType]) -> Result<()> {
    let enums: Vec<&str> = types
        .iter()
        .filter(|generated| generated.is_enum)
        .map(|generated| generated.name.as_str())
        // progenitor's own error type is not a model.
        .filter(|name| *name != "Error")
        .collect();
    if !enums.is_empty() {
        anyhow::bail!(
            "typify generated closed enums {}: map each to an open enum of sdk/src/status.rs in \
             xtask/src/codegen/settings.rs (REPLACEMENTS for a named schema, OPEN_ENUMS for an \
             inline one)",
            enums.join(", ")
        );
    }
    Ok(())
}

/// The type names typify gives the spec's component schemas (`r2-data-catalog_catalog` is
/// `R2DataCatalogCatalog`).
pub(super) fn schema_type_names(spec: &serde_json::Value) -> Vec<String> {
    let schemas = spec["components"]["schemas"].as_object();
    schemas
        .into_iter()
        .flat_map(|schemas| schemas.keys())
        .map(|name| {
            name.split(|c: char| !c.is_ascii_alphanumeric())
                .flat_map(|part| {
                    let mut chars = part.chars();
                    chars
                        .next()
                        .map(|first| first.to_ascii_uppercase())
                        .into_iter()
                        .chain(chars)
                })
                .collect()
        })
        .collect()
}

/// Fails, naming the entries, when [`REPLACEMENTS`] or [`MODELS`] name a type the spec no longer
/// gives: typify ignores a patch or replacement for a name it never generates, so a schema
/// renamed upstream would silently lose its open enum, its validated type or its public name.
pub(super) fn refuse_stale_names(schemas: &[String], types: &[GeneratedType]) -> Result<()> {
    let stale: Vec<&str> = REPLACEMENTS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !schemas.iter().any(|schema| schema == name))
        .chain(
            MODELS
                .iter()
                .filter(|(_, public, _)| !types.iter().any(|generated| generated.name == *public))
                .map(|(name, _, _)| *name),
        )
        .collect();
    if !stale.is_empty() {
        anyhow::bail!(
            "xtask/src/codegen/settings.rs names types the spec no longer gives: {}; update \
             REPLACEMENTS and MODELS to the spec's schema names",
            stale.join(", ")
        );
    }
    Ok(())
}

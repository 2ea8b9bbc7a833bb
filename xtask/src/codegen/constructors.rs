//! The `new` constructors codegen adds to the sealed models, which users cannot build otherwise.

use anyhow::Result;

use super::settings::MODELS;

/// Gives every sealed model (`#[non_exhaustive]`, see [`MODELS`]) with named fields a `new`
/// taking its required fields in declaration order, the optional ones (`Option`, or
/// `#[serde(default)]`) left at their defaults: users, who cannot write such a struct as a
/// literal, can build one for their tests, then set any optional field, which is public. A field
/// Cloudflare adds as optional changes no `new`. Fails if a sealed model is not in the
/// generated types.
pub(super) fn add_constructors(file: &mut syn::File) -> Result<()> {
    let Some(types) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(module) if module.ident == "types" => module.content.as_mut(),
        _ => None,
    }) else {
        anyhow::bail!("progenitor generated no `types` module");
    };
    let mut constructors = Vec::new();
    for (_, public, sealed) in MODELS {
        if !sealed {
            continue;
        }
        let model = types.1.iter().find_map(|item| match item {
            syn::Item::Struct(model) if model.ident == public => Some(model),
            _ => None,
        });
        let Some(model) = model else {
            anyhow::bail!("the model {public} named in MODELS was not generated");
        };
        if let syn::Fields::Named(fields) = &model.fields {
            constructors.push(constructor(&model.ident, fields));
        }
    }
    types.1.extend(constructors);
    Ok(())
}

/// `impl <model> { pub fn new(<required fields>) -> Self }`.
fn constructor(model: &syn::Ident, fields: &syn::FieldsNamed) -> syn::Item {
    let (optional, required): (Vec<&syn::Field>, Vec<&syn::Field>) =
        fields.named.iter().partition(|field| is_optional(field));
    let names = required.iter().map(|field| &field.ident);
    let types = required.iter().map(|field| &field.ty);
    let set = names.clone();
    let defaulted = optional.iter().map(|field| &field.ident);
    let doc = format!(
        " A `{model}` of its required fields, in order, with every optional field at its default \
         (`None`, empty): set those afterwards, as the fields are public. For tests of code that \
         takes the SDK's results."
    );
    syn::parse_quote! {
        impl #model {
            #[doc = #doc]
            pub fn new(#(#names: #types),*) -> Self {
                Self {
                    #(#set,)*
                    #(#defaulted: ::std::default::Default::default(),)*
                }
            }
        }
    }
}

/// Whether a generated field may be left out of an answer: an `Option`, or `#[serde(default)]`.
fn is_optional(field: &syn::Field) -> bool {
    let is_option = matches!(&field.ty, syn::Type::Path(path)
        if path.path.segments.last().is_some_and(|segment| segment.ident == "Option"));
    let has_default = field.attrs.iter().any(|attr| {
        let mut found = false;
        if attr.path().is_ident("serde") {
            let _ = attr.parse_nested_meta(|meta| {
                found |= meta.path.is_ident("default");
                if meta.input.peek(syn::Token![=]) {
                    meta.value()?.parse::<syn::Expr>()?;
                }
                Ok(())
            });
        }
        found
    });
    is_option || has_default
}

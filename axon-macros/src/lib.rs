//! `#[derive(Boxes)]` for axon components.
//!
//! The derive generates **metadata only**: for every field whose type is `Inbox<_>` or
//! `Outbox<_>` it lists the box under the field's name, with the field's doc comment as the
//! box's documentation. It never generates control flow.
//!
//! Field attributes:
//! * `#[boxes(skip)]` — not a box (or a box you do not want listed).
//! * `#[boxes(name = "other")]` — list the box under another name.
//! * `#[boxes(flatten)]` — the field is itself `Boxes`; list its boxes as this component's.
//!
//! For each box it also records how to show its messages as text in taps and tracing events:
//! with `Debug` if the message type is known to implement it where the component is defined
//! (resolved on the concrete type, so a type parameter without a `Debug` bound falls back to the
//! type's name); see `axon::model` on taps.
//!
//! See `axon::Boxes` for an example.

use proc_macro::TokenStream;
use quote::quote;
use syn::{parse_macro_input, Data, DeriveInput, Fields, LitStr, Type};

/// Derives `axon::Boxes` from the struct's `Inbox`/`Outbox` fields and their doc comments.
#[proc_macro_derive(Boxes, attributes(boxes))]
pub fn derive_boxes(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

enum Kind {
    Inbox,
    Outbox,
    Flatten,
}

fn expand(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(n) => n.named.iter().collect::<Vec<_>>(),
            Fields::Unnamed(_) | Fields::Unit => Vec::new(),
        },
        _ => {
            return Err(syn::Error::new_spanned(
                name,
                "#[derive(Boxes)] works on structs only",
            ))
        }
    };
    let mut calls = Vec::new();
    for f in fields {
        let ident = f.ident.as_ref().expect("named field");
        let mut box_name = ident.to_string();
        let mut kind = box_kind(&f.ty);
        for attr in f.attrs.iter().filter(|a| a.path().is_ident("boxes")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("skip") {
                    kind = None;
                    Ok(())
                } else if meta.path.is_ident("flatten") {
                    kind = Some(Kind::Flatten);
                    Ok(())
                } else if meta.path.is_ident("name") {
                    box_name = meta.value()?.parse::<LitStr>()?.value();
                    Ok(())
                } else {
                    Err(meta.error("expected `skip`, `flatten` or `name = \"...\"`"))
                }
            })?;
        }
        let doc = doc_of(&f.attrs);
        // Autoref-based selection: `ViaDebug` is implemented for `&Probe<T>` where `T: Debug`,
        // `ViaName` for every `Probe<T>`; method lookup on `&&Probe<T>` tries the former first.
        let describe = quote! {
            {
                #[allow(unused_imports)]
                use ::axon::model::__private::{ViaDebug as _, ViaName as _};
                ::axon::model::__private::describe(
                    &self.#ident,
                    (&&::axon::model::__private::probe(&self.#ident)).message_format(),
                );
            }
        };
        calls.push(match kind {
            // `&(literal, literal)` is promoted to a static: one copy per component type.
            Some(Kind::Inbox) => {
                quote! { boxes.static_inbox(&(#box_name, #doc), &self.#ident); #describe }
            }
            Some(Kind::Outbox) => {
                quote! { boxes.static_outbox(&(#box_name, #doc), &self.#ident); #describe }
            }
            Some(Kind::Flatten) => quote! { ::axon::Boxes::register_boxes(&self.#ident, boxes); },
            None => continue,
        });
    }
    Ok(quote! {
        impl #impl_generics ::axon::Boxes for #name #ty_generics #where_clause {
            #[allow(unused_variables)]
            fn register_boxes(&self, boxes: &mut ::axon::BoxRegistrar<'_>) {
                #(#calls)*
            }
        }
    })
}

fn box_kind(ty: &Type) -> Option<Kind> {
    let Type::Path(p) = ty else { return None };
    match p.path.segments.last()?.ident.to_string().as_str() {
        "Inbox" => Some(Kind::Inbox),
        "Outbox" => Some(Kind::Outbox),
        _ => None,
    }
}

fn doc_of(attrs: &[syn::Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    lines.join(" ").trim().to_string()
}

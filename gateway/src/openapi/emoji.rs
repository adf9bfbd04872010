//! The `Emoji` component: the exact set of strings a reaction may be, listed from the same
//! table the gateway checks (`parley_schema::markup::reaction_forms`). "One emoji" is not
//! a rule a JSON Schema pattern can hold, so the document enumerates it.

use parley_schema::markup::reaction_forms;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// One emoji, as a reaction names it (the `Emoji` component).
pub(crate) struct Emoji;

impl PartialSchema for Emoji {
    fn schema() -> RefOr<Schema> {
        let description = "One emoji of Unicode's list: a skin tone, a flag, a keycap or a \
            joined sequence is one. Each may also be written without its variation \
            selectors (`❤` for `❤️`); both are the same reaction, stored in the first form.";
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(reaction_forms()))
            .description(Some(description))
            .examples(["👍", "❤️", "👍🏽"])
            .into()
    }
}

impl ToSchema for Emoji {}

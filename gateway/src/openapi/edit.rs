//! Finding a schema or a property in the generated document, for the modifiers that add
//! what the derives cannot say.

use utoipa::openapi::schema::{Object, Schema};
use utoipa::openapi::{Components, RefOr};

/// The object schema of `component`, if it is one.
pub(super) fn component<'a>(components: &'a mut Components, name: &str) -> Option<&'a mut Object> {
    schema_object(components.schemas.get_mut(name)?)
}

/// Property `name` of the object schema `component`.
pub(super) fn property<'a>(
    components: &'a mut Components,
    schema: &str,
    name: &str,
) -> Option<&'a mut RefOr<Schema>> {
    component(components, schema)?.properties.get_mut(name)
}

/// `schema` when it is an inline object (not a reference, not a composition).
pub(super) fn schema_object(schema: &mut RefOr<Schema>) -> Option<&mut Object> {
    match schema {
        RefOr::T(Schema::Object(object)) => Some(object),
        _ => None,
    }
}

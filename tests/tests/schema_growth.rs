//! Schemas only grow (SPEC §6.4): the current event schemas against the released copy in
//! `events/schemas/released/` (the schemas as last released; refresh it when releasing).

use meshcustomers_tests::repo_root;
use meshcustomers_tests::schema_growth::breaking_changes;

#[test]
fn the_current_schemas_only_grow_from_the_released_ones() {
    let schemas = repo_root().join("events/schemas");
    let breaks = breaking_changes(&schemas.join("released"), &schemas);
    assert!(
        breaks.is_empty(),
        "event schemas changed in ways that break integrators (events/schemas vs events/schemas/released):\n{}",
        breaks.join("\n")
    );
}

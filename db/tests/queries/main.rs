//! Integration tests of `parley-db`'s queries against a real Postgres (`DATABASE_URL`,
//! exported by `eval "$(scripts/services up)"`): one module per table, each test on a fresh,
//! migrated database of its own that is dropped when the test ends (see [`support`]).

mod friends;
mod ledger;
mod members;
mod messages;
mod rooms;
mod saved;
mod sends;
mod sessions;
mod support;
mod users;
mod views;

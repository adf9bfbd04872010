//! `applied_commands`: what `record_many` stores, `find_many` returns as it was written.

use crate::support::with_db;
use parley_db::ledger::{self, Entry};
use parley_schema::RequestId;

#[tokio::test]
async fn record_many_then_find_many_returns_the_entries_as_written() -> anyhow::Result<()> {
    with_db(|conn| {
        // Odd spacing and key order: the events are text, stored and returned byte for byte.
        let entries = vec![
            Entry {
                request_id: RequestId::new(),
                status: 200,
                events: r#"[{"b": 1,  "a": 2}]"#.into(),
            },
            Entry {
                request_id: RequestId::new(),
                status: 409,
                events: "[]".into(),
            },
        ];

        ledger::record_many(conn, &entries)?;
        ledger::record_many(conn, &[])?;
        let ids: Vec<RequestId> = entries.iter().map(|e| e.request_id).collect();
        let mut found = ledger::find_many(conn, &ids)?;

        found.sort_by_key(|e| e.request_id);
        let mut want = entries;
        want.sort_by_key(|e| e.request_id);
        assert_eq!(found, want);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn find_many_returns_nothing_for_unknown_ids() -> anyhow::Result<()> {
    with_db(|conn| {
        let known = Entry {
            request_id: RequestId::new(),
            status: 201,
            events: "[1]".into(),
        };
        ledger::record_many(conn, std::slice::from_ref(&known))?;

        let unknown = ledger::find_many(conn, &[RequestId::new(), RequestId::new()])?;
        let mixed = ledger::find_many(conn, &[RequestId::new(), known.request_id])?;

        assert!(unknown.is_empty());
        assert_eq!(mixed, vec![known]);
        Ok(())
    })
    .await
}

//! `indexer --rebuild`: the index made again from Postgres, the source of truth, after a
//! wipe (or a change of how text is indexed). Every event up to the consumer group's
//! committed offsets was applied to Postgres before it was published, so the rebuilt index
//! holds all of them; the live consumer then goes on from those offsets, replaying the rest
//! in order, so nothing falls between. Run it while no other indexer runs: one that indexed
//! a deletion during the rebuild could see the message put back.

use anyhow::Context;
use diesel::Connection;
use parley_db::search;
use parley_db::PgPool;
use std::time::Instant;

const PAGE: i64 = 2_000;

/// Wipes the index and fills it from `messages`; returns how many messages it indexed.
pub fn rebuild(pool: &PgPool) -> anyhow::Result<usize> {
    let started = Instant::now();
    let mut conn = pool.get().context("connecting to Postgres")?;
    search::wipe(&mut conn).context("wiping the index")?;
    let (mut after, mut done) = (None, 0);
    loop {
        let page = search::live_messages_after(&mut conn, after, PAGE)?;
        let Some(last) = page.last() else { break };
        after = Some(last.message_id);
        conn.transaction(|c| page.iter().try_for_each(|e| search::upsert(c, e)))
            .context("indexing a page")?;
        done += page.len();
        if done % 100_000 < PAGE as usize {
            tracing::info!(indexed = done, "rebuilding the search index");
        }
    }
    tracing::info!(
        indexed = done,
        secs = started.elapsed().as_secs_f64(),
        "index rebuilt"
    );
    Ok(done)
}

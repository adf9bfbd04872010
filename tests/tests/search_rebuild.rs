//! `indexer --rebuild` (#16) against the real services, in a test binary of its own (it
//! wipes the index of its system): after a wipe the index is empty; the rebuild from
//! Postgres gives the same results as before, edits and deletes included; and the live
//! indexer goes on indexing new messages.

use parley_tests::env::start_indexer;
use parley_tests::{test_env, unique, Api, Session};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The ids of the results of `q` (ASCII) once `n` are there, or what is there after 20 s.
async fn ids_once(who: &Session, q: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = who.get(&format!("/api/search?q={q}")).await;
        assert_eq!(status, 200, "{body}");
        let ids: Vec<Value> = (body["results"].as_array().into_iter().flatten())
            .map(|r| r["message"]["id"].clone())
            .collect();
        if ids.len() == n || Instant::now() > deadline {
            return ids;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_rebuild_after_a_wipe_gives_the_same_results_and_live_indexing_goes_on() {
    start_indexer();
    let api = Api::new(&test_env().base_url);
    let alice = api.signup(&unique("rebuild-a")).await;
    let bob = api.signup(&unique("rebuild-b")).await;
    let room = alice.create_room("rebuild", "private", &[&bob]).await;
    let mut ids = Vec::new();
    for body in ["alpha one", "alpha two", "alpha three", "beta four"] {
        let (status, sent) = alice.send_message(&room, body).await;
        assert_eq!(status, 201);
        ids.push(sent["id"].as_str().unwrap_or_default().to_owned());
    }
    let edit = format!("/api/rooms/{room}/messages/{}", ids[3]);
    let (status, _) = alice
        .write(Method::PATCH, &edit, Some(json!({"body": "alpha edited"})))
        .await;
    assert_eq!(status, 200);
    let delete = format!("/api/rooms/{room}/messages/{}", ids[1]);
    let (status, _) = alice.write(Method::DELETE, &delete, None).await;
    assert!(status == 200 || status == 204, "{status}");
    let before = ids_once(&bob, "alpha", 3).await;
    assert_eq!(
        before.len(),
        3,
        "one, three, and the edit; not the deleted two"
    );

    let url = test_env().database_url.clone();
    let pool = parley_db::pool::build_pool(&url.into(), 1, Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("pool: {e}"));
    let p = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut c = p.get().unwrap_or_else(|e| panic!("connection: {e}"));
        parley_db::search::wipe(&mut c).unwrap_or_else(|e| panic!("wipe: {e}"));
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        ids_once(&bob, "alpha", 0).await,
        Vec::<Value>::new(),
        "wiped"
    );

    let rebuilt = tokio::task::spawn_blocking(move || parley_indexer::rebuild::rebuild(&pool))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("rebuild: {e:#}"));
    assert!(rebuilt >= 3, "{rebuilt}");
    assert_eq!(
        ids_once(&bob, "alpha", 3).await,
        before,
        "the same results, same order"
    );

    let (status, _) = alice.send_message(&room, "alpha five").await;
    assert_eq!(status, 201);
    assert_eq!(
        ids_once(&bob, "alpha", 4).await.len(),
        4,
        "live indexing goes on"
    );
}

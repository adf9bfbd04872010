//! Search (#16, first part) against the real services: messages go through the worker,
//! the events topic and the indexer (its own consumer group) into the index, and
//! `GET /api/search` answers from it. Korean one- and two-syllable queries, mixed scripts
//! and case, ranking and snippets, edits and deletes, membership now, paging, bad input.

use parley_tests::env::start_indexer;
use parley_tests::{test_env, unique, Api, Session};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn api() -> Api {
    start_indexer();
    Api::new(&test_env().base_url)
}

async fn search(who: &Session, query: &str) -> (u16, Value) {
    let q: String = url_escape(query);
    who.get(&format!("/api/search?{q}")).await
}

/// `q=<query>&...`: the query percent-encoded (the rest of `query` after a `&` kept).
fn url_escape(query: &str) -> String {
    let (q, rest) = query.split_once('&').map_or((query, ""), |(q, r)| (q, r));
    let mut out = String::from("q=");
    for b in q.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if !rest.is_empty() {
        out.push('&');
        out.push_str(rest);
    }
    out
}

/// The bodies of the results of `query` once there are `n` (the indexer is a moment
/// behind the worker), in the order given.
async fn bodies_once(who: &Session, query: &str, n: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = search(who, query).await;
        assert_eq!(status, 200, "{query}: {body}");
        let got: Vec<String> = (body["results"].as_array().into_iter().flatten())
            .filter_map(|r| r["message"]["body"].as_str().map(str::to_owned))
            .collect();
        if got.len() == n || Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn pair(prefix: &str) -> (Session, Session, String) {
    let api = api();
    let alice = api.signup(&unique(&format!("{prefix}-a"))).await;
    let bob = api.signup(&unique(&format!("{prefix}-b"))).await;
    let room = alice.create_room(prefix, "private", &[&bob]).await;
    (alice, bob, room)
}

#[tokio::test]
async fn korean_one_and_two_syllable_queries_mixed_scripts_and_case_are_found() {
    let (alice, bob, room) = pair("ko").await;
    for body in [
        "내일 오전 회의실 예약했어요",
        "점심 뭐 먹을까?",
        "Sprint 회의 at 3pm",
        "LUNCH 메뉴 추천",
        "점을 찍다 심심해",
    ] {
        assert_eq!(alice.send_message(&room, body).await.0, 201);
    }
    let mut two = bodies_once(&bob, "회의", 2).await;
    two.sort();
    assert_eq!(two, ["Sprint 회의 at 3pm", "내일 오전 회의실 예약했어요"]);
    assert_eq!(bodies_once(&bob, "점심", 1).await, ["점심 뭐 먹을까?"]);
    assert_eq!(bodies_once(&bob, "점", 2).await.len(), 2, "one syllable");
    assert_eq!(bodies_once(&bob, "lunch", 1).await, ["LUNCH 메뉴 추천"]);
    assert_eq!(
        bodies_once(&bob, "SPRINT 회의", 1).await,
        ["Sprint 회의 at 3pm"]
    );
    assert_eq!(
        bodies_once(&bob, "회의 lunch", 0).await,
        Vec::<String>::new()
    );

    let (_, body) = search(&bob, "회의&room_id=".to_owned().as_str()).await;
    assert_eq!(body["error"]["field"], "query", "{body}");
    let (_, found) = search(&bob, &format!("sprint&room_id={room}")).await;
    let hit = &found["results"][0];
    assert_eq!(hit["snippet"]["text"], "Sprint 회의 at 3pm");
    assert_eq!(hit["snippet"]["highlights"], json!([[0, 6]]));
    assert_eq!(hit["message"]["room_id"], room);
}

#[tokio::test]
async fn the_whole_phrase_ranks_first_then_the_newest() {
    let (alice, bob, room) = pair("rank").await;
    for body in [
        "오전 회의 취소",
        "회의는 오전에 해요",
        "오전에 회의가 또 있어요",
    ] {
        assert_eq!(alice.send_message(&room, body).await.0, 201);
    }
    let order = bodies_once(&bob, "오전 회의", 3).await;
    assert_eq!(
        order,
        [
            "오전 회의 취소",
            "오전에 회의가 또 있어요",
            "회의는 오전에 해요"
        ],
        "the phrase first although oldest, then newest first"
    );
    // One a page: the same order, across the phrase matches and the others.
    let (mut paged, mut before) = (Vec::new(), String::new());
    for _ in 0..4 {
        let (status, page) = search(&bob, &format!("오전 회의&limit=1{before}")).await;
        assert_eq!(status, 200, "{page}");
        paged.extend(
            page["results"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| r["message"]["body"].clone()),
        );
        match page["next_before"].as_str() {
            Some(b) => before = format!("&before={b}"),
            None => break,
        }
    }
    assert_eq!(paged, order.iter().map(|b| json!(b)).collect::<Vec<_>>());
}

#[tokio::test]
async fn an_edit_is_found_by_its_new_text_and_a_delete_leaves_the_index() {
    let (alice, bob, room) = pair("edit").await;
    let (_, sent) = alice.send_message(&room, "분기 보고서 초안").await;
    let id = sent["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(bodies_once(&bob, "보고서", 1).await.len(), 1);
    let path = format!("/api/rooms/{room}/messages/{id}");
    let (status, _) = alice
        .write(
            Method::PATCH,
            &path,
            Some(json!({"body": "월간 정리 초안"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(bodies_once(&bob, "정리", 1).await, ["월간 정리 초안"]);
    assert_eq!(bodies_once(&bob, "보고서", 0).await, Vec::<String>::new());
    let (status, _) = alice.write(Method::DELETE, &path, None).await;
    assert!(status == 200 || status == 204, "{status}");
    assert_eq!(bodies_once(&bob, "정리", 0).await, Vec::<String>::new());
    // Gone from the index itself, not only hidden by the gateway.
    let deadline = Instant::now() + Duration::from_secs(20);
    while index_rows(&id) != 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        index_rows(&id),
        0,
        "the deleted message left search_messages"
    );
}

/// Rows of `search_messages` for the message `id`.
fn index_rows(id: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let url = &test_env().database_url;
    let mut c = PgConnection::establish(url).unwrap_or_else(|e| panic!("database: {e}"));
    let rows: Vec<Count> =
        diesel::sql_query("SELECT count(*) AS n FROM search_messages WHERE message_id::text = $1")
            .bind::<diesel::sql_types::Text, _>(id)
            .load(&mut c)
            .unwrap_or_else(|e| panic!("count: {e}"));
    rows.first().map_or(-1, |r| r.n)
}

#[tokio::test]
async fn only_members_find_a_rooms_messages_and_a_removed_member_stops_finding_them() {
    let (alice, bob, room) = pair("member").await;
    let carol = api().signup(&unique("member-c")).await;
    assert_eq!(alice.send_message(&room, "비밀 프로젝트 일정").await.0, 201);
    assert_eq!(bodies_once(&bob, "비밀", 1).await.len(), 1);
    assert_eq!(
        bodies_once(&carol, "비밀", 0).await.len(),
        0,
        "not a member"
    );
    let (status, body) = search(&carol, &format!("비밀&room_id={room}")).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (403, &json!("not_a_member"))
    );

    let path = format!("/api/rooms/{room}/members/{}", bob.user.username);
    let (status, _) = alice.write(Method::DELETE, &path, None).await;
    assert!(status == 200 || status == 204, "{status}");
    assert_eq!(bodies_once(&bob, "비밀", 0).await.len(), 0, "removed");
}

#[tokio::test]
async fn results_page_with_before_and_bad_input_is_a_validation_error() {
    let (alice, bob, room) = pair("page").await;
    for i in 0..5 {
        assert_eq!(
            alice.send_message(&room, &format!("페이지 {i}")).await.0,
            201
        );
    }
    assert_eq!(bodies_once(&bob, "페이지", 5).await.len(), 5);
    let mut seen = Vec::new();
    let mut before: Option<String> = None;
    for _ in 0..4 {
        let extra = before
            .as_ref()
            .map_or(String::new(), |b| format!("&before={b}"));
        let (status, page) = search(&bob, &format!("페이지&limit=2{extra}")).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(
            page["results"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| r["message"]["body"].clone()),
        );
        before = page["next_before"].as_str().map(str::to_owned);
        if before.is_none() {
            break;
        }
    }
    let expected: Vec<Value> = (0..5).rev().map(|i| json!(format!("페이지 {i}"))).collect();
    assert_eq!(seen, expected, "newest first, each once, across pages");

    for (query, field) in [
        ("  ", "q"),
        (&"가".repeat(101)[..], "q"),
        ("a b c d e f g h i", "q"),
        ("x&limit=0", "limit"),
        ("x&limit=51", "limit"),
        ("x&before=junk", "before"),
    ] {
        let (status, body) = search(&bob, query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["code"], "validation_failed");
        assert_eq!(body["error"]["field"], field, "{query}");
    }
    let (status, body) = bob.get("/api/search").await;
    assert_eq!((status, &body["error"]["field"]), (400, &json!("query")));
    let anonymous = api().request(Method::GET, "/api/search?q=x").send().await;
    assert_eq!(anonymous.map(|r| r.status().as_u16()).ok(), Some(401));
}

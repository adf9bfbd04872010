//! Editing and deleting messages in the worker (#13), through its batch function on a real
//! Postgres: who may, what history then holds, and the `message_updated` event.

use anyhow::Context;
use parley_schema::command::Command;
use parley_schema::{MessageId, RoomId, UserId};
use parley_tests::batch::{envelope, event_of, events, fixture, send, Fixture};
use parley_worker::batch::apply_batch;
use serde_json::Value;

fn edit(
    actor: UserId,
    room_id: RoomId,
    message_id: MessageId,
    body: &str,
) -> parley_worker::poison::Input {
    let command = Command::EditMessage {
        room_id,
        message_id,
        body: body.into(),
    };
    envelope(Some(actor), command)
}

fn delete(actor: UserId, room_id: RoomId, message_id: MessageId) -> parley_worker::poison::Input {
    envelope(
        Some(actor),
        Command::DeleteMessage {
            room_id,
            message_id,
        },
    )
}

/// The statuses of the batch's `result` events, in order.
fn statuses(events: &[Value]) -> Vec<Value> {
    let results = events.iter().filter(|e| e["event"]["event"] == "result");
    results
        .map(|e| e["event"]["data"]["status"].clone())
        .collect()
}

/// A message of the fixture's user, stored.
fn posted(f: &mut Fixture, text: &str) -> anyhow::Result<MessageId> {
    let (id, input) = send(f.user, f.room, text);
    apply_batch(&mut f.conn, &[input])?;
    Ok(id)
}

#[tokio::test]
async fn the_author_edits_and_history_and_the_event_show_the_new_text() -> anyhow::Result<()> {
    let mut f = fixture().await?;
    let id = posted(&mut f, "teh typo")?;
    let got = events(&apply_batch(
        &mut f.conn,
        &[edit(f.user, f.room, id, "the typo")],
    )?);

    let updated = event_of(&got, "message_updated", &id.to_string()).context("event")?;
    assert_eq!(updated["event"]["data"]["body"], "the typo");
    assert!(updated["event"]["data"]["edited_at"].is_string());
    assert_eq!(
        updated["room"],
        f.room.to_string(),
        "sent to the room's members"
    );
    let stored = parley_db::edits::view(&mut f.conn, id)?.context("stored")?;
    assert_eq!((stored.body.as_str(), stored.seq), ("the typo", 1));
    assert!(stored.edited_at.is_some() && !stored.deleted);
    f.db.drop_database().await?;
    Ok(())
}

#[tokio::test]
async fn only_the_author_edits_and_a_deleted_message_stays_deleted() -> anyhow::Result<()> {
    let mut f = fixture().await?;
    let id = posted(&mut f, "mine")?;
    let stranger = UserId::new();
    let unknown = MessageId::new();
    let batch = [
        edit(stranger, f.room, id, "not yours"),
        edit(f.user, f.room, unknown, "nothing there"),
        delete(f.user, f.room, id),
        edit(f.user, f.room, id, "back from the dead"),
        delete(f.user, f.room, id),
    ];
    let got = events(&apply_batch(&mut f.conn, &batch)?);

    // A stranger is not a member (403); an unknown message is 404; the delete is 200 with
    // the tombstone; editing the tombstone is 404; deleting it again is 204.
    assert_eq!(statuses(&got), [403, 404, 200, 404, 204]);
    let stored = parley_db::edits::view(&mut f.conn, id)?.context("stored")?;
    assert!(stored.deleted);
    assert_eq!(
        (stored.body.as_str(), stored.seq),
        ("", 1),
        "a tombstone keeps its seq"
    );
    let updated = event_of(&got, "message_updated", &id.to_string()).context("event")?;
    assert_eq!(updated["event"]["data"]["deleted"], true);
    assert_eq!(updated["event"]["data"]["body"], "");
    f.db.drop_database().await?;
    Ok(())
}

mod over_http {
    //! The same through the API: the routes, the events on a member's stream, history and
    //! the saved-messages drawer.
    use parley_tests::{test_env, unique, Api};
    use reqwest::Method;
    use serde_json::json;
    use std::time::Duration;

    const WAIT: Duration = Duration::from_secs(15);

    #[tokio::test]
    async fn edits_and_deletes_reach_members_history_and_saved_items() {
        let api = Api::new(&test_env().base_url);
        let (alice, bob) = (
            api.signup(&unique("ed_a")).await,
            api.signup(&unique("ed_b")).await,
        );
        let room = alice.create_room("edits", "private", &[&bob]).await;
        let mut bob_stream = bob.events(None).await;
        assert!(bob_stream.next_named("ready", WAIT).await.is_some());
        let (_, sent) = alice.send_message(&room, "teh typo").await;
        let id = sent["id"].as_str().unwrap_or_default().to_owned();
        let (_, bobs) = bob.send_message(&room, "bob's words").await;
        let bobs_id = bobs["id"].as_str().unwrap_or_default().to_owned();
        let path = |m: &str| format!("/api/rooms/{room}/messages/{m}");

        let (status, _) = bob
            .write(Method::PATCH, &path(&id), Some(json!({"body": "mine now"})))
            .await;
        assert_eq!(status, 403, "only the author edits");
        let (status, edited) = alice
            .write(Method::PATCH, &path(&id), Some(json!({"body": "the typo"})))
            .await;
        assert_eq!(status, 200, "{edited}");
        assert_eq!(edited["body"], "the typo");
        let event = bob_stream.next_named("message_updated", WAIT).await;
        assert!(event.is_some_and(|e| e.json()["body"] == "the typo"));

        let (status, _) = bob
            .write(Method::PUT, &format!("/api/saved/{bobs_id}"), None)
            .await;
        assert_eq!(status, 204);
        let (status, tomb) = alice.write(Method::DELETE, &path(&bobs_id), None).await;
        assert_eq!(
            (status, &tomb["deleted"], &tomb["body"]),
            (200, &json!(true), &json!("")),
            "the owner deletes"
        );
        let (status, _) = bob.write(Method::DELETE, &path(&bobs_id), None).await;
        assert_eq!(status, 204, "deleted already");

        let (_, history) = bob.get(&format!("/api/rooms/{room}/messages")).await;
        let shown: Vec<(i64, String, bool)> = history["messages"]
            .as_array()
            .map(|ms| {
                ms.iter()
                    .map(|m| {
                        (
                            m["seq"].as_i64().unwrap_or(0),
                            m["body"].as_str().unwrap_or("?").to_owned(),
                            m["deleted"] == true,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            shown,
            [(1, "the typo".into(), false), (2, String::new(), true)]
        );
        let (_, saved) = bob.get("/api/saved").await;
        assert!(saved.to_string().contains("\"deleted\":true"), "{saved}");
    }
}

mod seen_by {
    //! "Seen by": derived from the read markers, honouring `share_read_receipts`.
    use parley_tests::{test_env, unique, Api};
    use reqwest::Method;
    use serde_json::{json, Value};

    fn names(list: &Value) -> Vec<String> {
        let users = list["users"].as_array().cloned().unwrap_or_default();
        users
            .iter()
            .map(|u| u["username"].as_str().unwrap_or("?").to_owned())
            .collect()
    }

    #[tokio::test]
    async fn readers_are_listed_but_not_the_author_nor_who_hides_it() {
        let api = Api::new(&test_env().base_url);
        let [a, b, c] = [unique("sa"), unique("sb"), unique("sc")];
        let (alice, bob, carol) = (
            api.signup(&a).await,
            api.signup(&b).await,
            api.signup(&c).await,
        );
        let room = alice.create_room("seen", "private", &[&bob, &carol]).await;
        let (_, m) = alice.send_message(&room, "did you see this?").await;
        let seen = format!(
            "/api/rooms/{room}/messages/{}/seen",
            m["id"].as_str().unwrap_or_default()
        );
        assert_eq!(names(&alice.get(&seen).await.1), Vec::<String>::new());

        for s in [&bob, &carol] {
            let (status, _) = s
                .write(
                    Method::PUT,
                    &format!("/api/rooms/{room}/read"),
                    Some(json!({"seq": 1})),
                )
                .await;
            assert_eq!(status, 200);
        }
        let mut both = vec![b.clone(), c.clone()];
        both.sort();
        assert_eq!(names(&alice.get(&seen).await.1), both);

        let (status, settings) = carol
            .write(
                Method::PUT,
                "/api/me/settings",
                Some(json!({"share_read_receipts": false})),
            )
            .await;
        assert_eq!(
            (status, &settings["share_read_receipts"]),
            (200, &json!(false))
        );
        assert_eq!(
            carol.get("/api/me/settings").await.1["share_read_receipts"],
            false
        );
        assert_eq!(names(&alice.get(&seen).await.1), vec![b.clone()]);

        // A removed member is no longer among those who saw it.
        let (status, _) = alice
            .write(
                Method::DELETE,
                &format!("/api/rooms/{room}/members/{b}"),
                None,
            )
            .await;
        assert_eq!(status, 204);
        assert_eq!(names(&alice.get(&seen).await.1), Vec::<String>::new());

        let stranger = api.signup(&unique("sx")).await;
        assert_eq!(stranger.get(&seen).await.0, 403);
        let unknown = format!("/api/rooms/{room}/messages/{}/seen", uuid::Uuid::new_v4());
        assert_eq!(alice.get(&unknown).await.0, 404);
    }
}

mod mute {
    //! Muting a room: per member, shown in the room list, told to all my streams.
    use parley_tests::{test_env, unique, Api};
    use reqwest::Method;
    use serde_json::json;
    use std::time::Duration;

    #[tokio::test]
    async fn a_member_mutes_a_room_for_themselves_only() {
        let api = Api::new(&test_env().base_url);
        let (alice, bob) = (
            api.signup(&unique("ma")).await,
            api.signup(&unique("mb")).await,
        );
        let room = alice.create_room("loud", "private", &[&bob]).await;
        let mut bob_stream = bob.events(None).await;
        assert!(bob_stream
            .next_named("ready", Duration::from_secs(15))
            .await
            .is_some());
        let path = format!("/api/rooms/{room}/settings");
        let (status, body) = bob
            .write(Method::PUT, &path, Some(json!({"muted": true})))
            .await;
        assert_eq!((status, &body["muted"]), (200, &json!(true)), "{body}");
        let event = bob_stream
            .next_named("room_settings", Duration::from_secs(15))
            .await;
        assert!(event.is_some_and(|e| e.json()["muted"] == true));

        let muted = |list: &serde_json::Value| {
            let rooms = list["rooms"].as_array().cloned().unwrap_or_default();
            rooms
                .iter()
                .find(|r| r["id"] == room.as_str())
                .map(|r| r["muted"].clone())
        };
        assert_eq!(muted(&bob.get("/api/rooms").await.1), Some(json!(true)));
        assert_eq!(muted(&alice.get("/api/rooms").await.1), Some(json!(false)));
        let stranger = api.signup(&unique("mx")).await;
        let (status, _) = stranger
            .write(Method::PUT, &path, Some(json!({"muted": true})))
            .await;
        assert_eq!(status, 403);
    }
}

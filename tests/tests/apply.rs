//! The worker's batch function against a real Postgres (no Kafka): what a command comes to
//! does not depend on the way it was applied, batched with other sends or alone after a
//! failed batch, and the event says what history stores.

use anyhow::Context;
use chrono::Utc;

use parley_schema::command::Command;
use parley_schema::model::Visibility;
use parley_schema::{MessageId, RoomId, UserId};
use parley_tests::batch::{envelope, event_of, events, fixture, send, unwanted_result};
use parley_tests::unique;
use parley_worker::batch::apply_batch;
use parley_worker::poison::Input;
use serde_json::Value;

#[tokio::test]
async fn a_send_replayed_alone_after_a_failed_batch_reports_what_history_stores(
) -> anyhow::Result<()> {
    let mut f = fixture().await?;
    // Postgres refuses a NUL in text: the batched insert fails, the batch is rolled back
    // and each send is applied again as a batch of one.
    let (good, good_input) = send(f.user, f.room, "hello");
    let (_, bad_input) = send(f.user, f.room, "nul \u{0} inside");
    let prepared = apply_batch(&mut f.conn, &[good_input, bad_input])?;
    let events = events(&prepared);

    let stored = parley_db::messages::find(&mut f.conn, good)?.context("stored message")?;
    let sent = event_of(&events, "message", &good.to_string()).context("message event")?;
    let sent_at: chrono::DateTime<Utc> =
        serde_json::from_value(sent["event"]["data"]["created_at"].clone())?;
    assert_eq!(
        sent_at, stored.created_at,
        "the event says what history stores"
    );
    assert_eq!(sent["event"]["data"]["seq"], 1);

    let read = events
        .iter()
        .find(|e| e["event"]["event"] == "read")
        .context("read event")?;
    assert_eq!(read["event"]["data"]["last_read_seq"], 1);
    assert_eq!(read["event"]["data"]["unread_count"], 0);

    let statuses: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"]["event"] == "result")
        .map(|e| &e["event"]["data"]["status"])
        .collect();
    assert_eq!(
        statuses,
        [201, 500],
        "the good send stored, the bad one refused"
    );
    assert_eq!(
        prepared.dead_letters.len(),
        1,
        "the bad send is a dead letter"
    );
    f.db.drop_database().await?;
    Ok(())
}

#[tokio::test]
async fn batched_sends_and_a_send_alone_come_to_the_same_shape() -> anyhow::Result<()> {
    let mut f = fixture().await?;
    let (first, first_input) = send(f.user, f.room, "one");
    let (second, second_input) = send(f.user, f.room, "two");
    let batched = events(&apply_batch(&mut f.conn, &[first_input, second_input])?);
    let (alone, alone_input) = send(f.user, f.room, "three");
    let single = events(&apply_batch(&mut f.conn, &[alone_input])?);

    for (events, id, seq) in [
        (&batched, first, 1),
        (&batched, second, 2),
        (&single, alone, 3),
    ] {
        let sent = event_of(events, "message", &id.to_string()).context("message event")?;
        let stored = parley_db::messages::find(&mut f.conn, id)?.context("stored")?;
        let created_at: chrono::DateTime<Utc> =
            serde_json::from_value(sent["event"]["data"]["created_at"].clone())?;
        assert_eq!(created_at, stored.created_at);
        assert_eq!(sent["event"]["data"]["seq"], seq);
    }
    // One read event per sender and room in a batch: at the sender's last message.
    let reads = |events: &[Value]| -> Vec<Value> {
        let is_read = |e: &&Value| e["event"]["event"] == "read";
        events
            .iter()
            .filter(is_read)
            .map(|e| e["event"]["data"].clone())
            .collect()
    };
    let (batched_reads, single_reads) = (reads(&batched), reads(&single));
    assert_eq!(batched_reads.len(), 1);
    assert_eq!(batched_reads[0]["last_read_seq"], 2);
    assert_eq!(batched_reads[0]["unread_count"], 0);
    assert_eq!(single_reads.len(), 1);
    assert_eq!(single_reads[0]["last_read_seq"], 3);
    assert_eq!(single_reads[0]["unread_count"], 0);
    f.db.drop_database().await?;
    Ok(())
}

#[tokio::test]
async fn a_batch_consumed_again_replays_the_same_bytes_and_applies_nothing() -> anyhow::Result<()> {
    let mut f = fixture().await?;
    let (_, input) = send(f.user, f.room, "once");
    let mark = envelope(
        Some(f.user),
        Command::MarkRead {
            room_id: f.room,
            seq: 1,
        },
    );
    let batch = [input, mark];
    let first = apply_batch(&mut f.conn, &batch)?;
    let again = apply_batch(&mut f.conn, &batch)?;
    assert_eq!((first.applied, first.replayed), (2, 0));
    assert_eq!((again.applied, again.replayed), (0, 2));
    assert_eq!(
        first.events, again.events,
        "the ledger keeps the bytes published"
    );
    let history = parley_db::messages::page(&mut f.conn, f.room, None, None, 10)?;
    assert_eq!(history.len(), 1, "stored once");
    f.db.drop_database().await?;
    Ok(())
}

#[tokio::test]
async fn a_send_nobody_waits_for_gets_a_result_only_when_it_is_refused() -> anyhow::Result<()> {
    let mut f = fixture().await?;
    let (good, good_input) = send(f.user, f.room, "nobody waits");
    let (_, refused_input) = send(f.user, RoomId::new(), "to a room that does not exist");
    let batch = [unwanted_result(good_input), unwanted_result(refused_input)];
    let events = events(&apply_batch(&mut f.conn, &batch)?);
    let message = event_of(&events, "message", &good.to_string()).context("message event")?;
    assert_eq!(
        message["room"],
        serde_json::json!(f.room),
        "for the room's members"
    );
    assert_eq!(
        message["audience"],
        serde_json::json!([]),
        "not a list of them"
    );
    let statuses: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"]["event"] == "result")
        .map(|e| &e["event"]["data"]["status"])
        .collect();
    assert_eq!(statuses.len(), 1, "only the refusal: {statuses:?}");
    assert!(statuses[0].as_u64() >= Some(400), "{statuses:?}");
    f.db.drop_database().await?;
    Ok(())
}

#[tokio::test]
async fn a_message_record_is_the_same_size_in_a_room_of_one_and_a_room_of_sixty(
) -> anyhow::Result<()> {
    let mut f = fixture().await?;
    let names: Vec<String> = (0..60).map(|i| unique(&format!("m{i}"))).collect();
    let ids: Vec<UserId> = names.iter().map(|_| UserId::new()).collect();
    let registers: Vec<Input> = names
        .iter()
        .zip(&ids)
        .map(|(name, id)| {
            let register = Command::Register {
                user_id: *id,
                username: name.clone(),
                username_key: name.to_lowercase(),
                password_hash: "not-a-real-hash".into(),
                display_name: name.clone(),
            };
            envelope(None, register)
        })
        .collect();
    apply_batch(&mut f.conn, &registers)?;
    for id in &ids {
        // They have the creator as a friend, so they join rather than being invited.
        parley_db::friends::add(&mut f.conn, *id, f.user)?;
    }
    let crowd = RoomId::new();
    let create = Command::CreateRoom {
        room_id: crowd,
        name: "crowd".into(),
        visibility: Visibility::Public,
        members: names,
    };
    apply_batch(&mut f.conn, &[envelope(Some(f.user), create)])?;
    let (alone, alone_input) = send(f.user, f.room, "same body");
    let (crowded, crowd_input) = send(f.user, crowd, "same body");
    let prepared = apply_batch(&mut f.conn, &[alone_input, crowd_input])?;
    let size = |id: MessageId| {
        prepared.events.iter().find_map(|o| {
            let v: Value = serde_json::from_slice(&o.payload).ok()?;
            (v["event"]["data"]["id"] == id.to_string()).then_some(o.payload.len())
        })
    };
    let members = parley_db::members::member_ids(&mut f.conn, crowd)?.len();
    assert_eq!(members, 61, "the crowd room has its members");
    assert!(size(alone).is_some());
    assert_eq!(
        size(alone),
        size(crowded),
        "the record does not grow with the room"
    );
    f.db.drop_database().await?;
    Ok(())
}

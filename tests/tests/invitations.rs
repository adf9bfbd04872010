//! Invitations and blocking (#14), over HTTP against the real services: who joins and
//! who is invited, accepting and declining, and what a block does and does not reveal.

use parley_tests::{test_env, unique, Api, EventStream, Session};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

fn api() -> Api {
    Api::new(&test_env().base_url)
}

async fn stream(who: &Session) -> EventStream {
    let mut s = who.events(None).await;
    assert!(s.next_named("ready", WAIT).await.is_some(), "ready");
    s
}

fn code(status: u16, body: &Value) -> (u16, Value) {
    (status, body["error"]["code"].clone())
}

async fn create(owner: &Session, name: &str, members: &[&Session]) -> (u16, Value) {
    let names: Vec<&str> = members.iter().map(|m| m.user.username.as_str()).collect();
    let body = json!({"name": name, "visibility": "private", "members": names});
    owner.write(Method::POST, "/api/rooms", Some(body)).await
}

#[tokio::test]
async fn strangers_are_invited_and_join_by_accepting() {
    let api = api();
    let alice = api.signup(&unique("inviter")).await;
    let bob = api.signup(&unique("stranger")).await;
    let carol = api.signup(&unique("friend")).await;
    carol.befriend(&alice).await;
    let mut bob_s = stream(&bob).await;
    let mut alice_s = stream(&alice).await;

    // Carol has alice as a friend: she joins. Bob does not: he is invited.
    let (status, room) = create(&alice, "invites", &[&bob, &carol]).await;
    assert_eq!(
        (status, room["member_count"].clone()),
        (201, json!(2)),
        "{room}"
    );
    let room_id = room["id"].as_str().unwrap_or_default().to_owned();
    let event = bob_s.next_named("invitation", WAIT).await.map(|e| e.json());
    let event = event.unwrap_or_default();
    println!("bob got invitation {event}");
    assert_eq!(event["change"], "created");
    assert_eq!(event["invitation"]["room"]["id"], room_id.as_str());
    assert_eq!(
        event["invitation"]["inviter"]["username"],
        alice.user.username.as_str()
    );
    let (_, list) = bob.get("/api/invitations").await;
    let invitation = list["invitations"][0].clone();
    assert_eq!(invitation["id"], event["invitation"]["id"], "{list}");
    let id = invitation["id"].as_str().unwrap_or_default().to_owned();

    // Bob cannot write there before accepting; carol cannot accept his invitation.
    let (status, body) = bob.send_message(&room_id, "let me in").await;
    assert_eq!(code(status, &body), (403, json!("not_a_member")));
    let accept = format!("/api/invitations/{id}/accept");
    let (status, body) = carol.write(Method::POST, &accept, None).await;
    assert_eq!(code(status, &body), (404, json!("not_found")));

    let (status, joined) = bob.write(Method::POST, &accept, None).await;
    assert_eq!(
        (status, joined["member_count"].clone()),
        (201, json!(3)),
        "{joined}"
    );
    let member = alice_s.next_named("member", WAIT).await.map(|e| e.json());
    assert_eq!(
        member.unwrap_or_default()["user"]["id"],
        bob.user.id.to_string().as_str()
    );
    let accepted = bob_s.next_named("invitation", WAIT).await.map(|e| e.json());
    assert_eq!(accepted.unwrap_or_default()["change"], "accepted");
    let (status, _) = bob.send_message(&room_id, "thanks").await;
    assert_eq!(status, 201);
    let (status, body) = bob.write(Method::POST, &accept, None).await;
    assert_eq!(code(status, &body), (404, json!("not_found")), "used up");
    let (_, list) = bob.get("/api/invitations").await;
    assert_eq!(list["invitations"], json!([]));
}

#[tokio::test]
async fn adding_a_stranger_to_a_private_room_invites_and_declining_tells_no_one() {
    let api = api();
    let alice = api.signup(&unique("host")).await;
    let dave = api.signup(&unique("shy")).await;
    let room = alice.create_room("quiet", "private", &[]).await;
    let mut alice_s = stream(&alice).await;
    let mut dave_s = stream(&dave).await;
    let add = json!({"username": dave.user.username});
    let path = format!("/api/rooms/{room}/members");
    let (status, invitation) = alice.write(Method::POST, &path, Some(add.clone())).await;
    assert_eq!(status, 201, "{invitation}");
    assert_eq!(
        invitation["inviter"]["id"],
        alice.user.id.to_string().as_str()
    );
    assert_eq!(invitation["room"]["id"], room.as_str());
    // Asking again names the same invitation.
    let (_, again) = alice.write(Method::POST, &path, Some(add)).await;
    assert_eq!(again["id"], invitation["id"]);

    let id = invitation["id"].as_str().unwrap_or_default();
    let decline = format!("/api/invitations/{id}/decline");
    let (status, _) = dave.write(Method::POST, &decline, None).await;
    assert_eq!(status, 204);
    let dave_saw = dave_s.drain(Duration::from_secs(1)).await;
    let changes: Vec<Value> = dave_saw
        .iter()
        .filter(|e| e.event == "invitation")
        .map(|e| e.json()["change"].clone())
        .collect();
    assert_eq!(
        changes,
        vec![json!("created"), json!("created"), json!("declined")]
    );
    let alice_saw = alice_s.drain(Duration::from_millis(300)).await;
    assert!(
        alice_saw
            .iter()
            .all(|e| e.event != "invitation" && e.event != "member"),
        "the inviter is not told: {alice_saw:?}"
    );
    let (_, detail) = alice.get(&format!("/api/rooms/{room}")).await;
    assert_eq!(detail["member_count"], 1);
    let (status, body) = dave.write(Method::POST, &decline, None).await;
    assert_eq!(code(status, &body), (404, json!("not_found")));
    let (status, body) = dave
        .write(Method::POST, "/api/invitations/not-a-uuid/accept", None)
        .await;
    assert_eq!(code(status, &body), (404, json!("not_found")));
}

#[tokio::test]
async fn a_block_looks_like_an_unknown_user_and_flags_their_messages() {
    let api = api();
    let alice = api.signup(&unique("pest")).await;
    let bob = api.signup(&unique("blocker")).await;
    let carol = api.signup(&unique("bystander")).await;
    bob.befriend(&alice).await;
    let room = alice
        .create_room("shared", "private", &[&bob, &carol])
        .await;
    let mut bob_s = stream(&bob).await;

    let (status, blocked) = bob
        .write(
            Method::PUT,
            &format!("/api/blocks/{}", alice.user.username),
            None,
        )
        .await;
    assert_eq!(
        (status, blocked["id"].clone()),
        (200, json!(alice.user.id.to_string()))
    );
    let event = bob_s.next_named("block", WAIT).await.map(|e| e.json());
    assert_eq!(event.unwrap_or_default()["blocked"], true);
    let (_, friends) = bob.get("/api/friends").await;
    assert_eq!(friends["friends"], json!([]), "blocking unfriends");
    let (_, blocks) = bob.get("/api/blocks").await;
    assert_eq!(
        blocks["blocks"][0]["username"],
        alice.user.username.as_str()
    );
    let (status, _) = bob
        .write(
            Method::PUT,
            &format!("/api/blocks/{}", alice.user.username),
            None,
        )
        .await;
    assert_eq!(status, 200, "idempotent");
    let (status, body) = bob
        .write(
            Method::PUT,
            &format!("/api/blocks/{}", bob.user.username),
            None,
        )
        .await;
    assert_eq!(code(status, &body), (403, json!("forbidden")));

    // Alice cannot reach bob, and the answers are those for a name nobody has.
    let nobody = unique("nobody");
    for name in [bob.user.username.as_str(), nobody.as_str()] {
        let (s1, b1) = alice
            .write(
                Method::POST,
                "/api/friends",
                Some(json!({"username": name})),
            )
            .await;
        let (s2, b2) = alice
            .write(
                Method::POST,
                "/api/rooms",
                Some(json!({"name": "trap", "visibility": "private", "members": [name]})),
            )
            .await;
        let other = alice.create_room("other", "private", &[]).await;
        let (s3, b3) = alice
            .write(
                Method::POST,
                &format!("/api/rooms/{other}/members"),
                Some(json!({"username": name})),
            )
            .await;
        println!("{name}: {b1} | {b2} | {b3}");
        for (status, body) in [(s1, &b1), (s2, &b2), (s3, &b3)] {
            assert_eq!(code(status, body), (404, json!("not_found")));
            let message = body["error"]["message"].as_str().unwrap_or_default();
            assert_eq!(message, format!("no user named {name:?}"), "same words");
        }
    }

    // Her messages reach bob flagged (event and history), carol unflagged; her mention
    // of bob does not count.
    let text = format!("hey @{}", bob.user.username);
    let (status, sent) = alice.send_message(&room, &text).await;
    assert_eq!(status, 201);
    assert_eq!(sent["mentions"], json!([]), "a blocker is not mentioned");
    let msg = bob_s.next_named("message", WAIT).await.map(|e| e.json());
    assert_eq!(msg.unwrap_or_default()["from_blocked"], true);
    let (_, page) = bob.get(&format!("/api/rooms/{room}/messages")).await;
    let last = page["messages"].as_array().and_then(|m| m.last().cloned());
    assert_eq!(last.unwrap_or_default()["from_blocked"], true, "{page}");
    let (_, page) = carol.get(&format!("/api/rooms/{room}/messages")).await;
    let last = page["messages"].as_array().and_then(|m| m.last().cloned());
    assert_eq!(last.unwrap_or_default().get("from_blocked"), None);
    let (_, rooms) = bob.get("/api/rooms").await;
    assert!(rooms.to_string().contains("\"mention_count\":0"), "{rooms}");

    let unblock = format!("/api/blocks/{}", alice.user.username);
    let (status, _) = bob.write(Method::DELETE, &unblock, None).await;
    assert_eq!(status, 204);
    let (status, body) = bob.write(Method::DELETE, &unblock, None).await;
    assert_eq!(code(status, &body), (404, json!("not_found")));
    alice.send_message(&room, "friends again?").await;
    let msg = bob_s.next_named("message", WAIT).await.map(|e| e.json());
    assert_eq!(
        msg.unwrap_or_default().get("from_blocked"),
        None,
        "unflagged"
    );
}

#[tokio::test]
async fn the_new_endpoints_need_a_session() {
    let api = api();
    let id = uuid::Uuid::now_v7();
    for (method, path) in [
        (Method::GET, "/api/blocks".to_owned()),
        (Method::PUT, "/api/blocks/someone".to_owned()),
        (Method::DELETE, "/api/blocks/someone".to_owned()),
        (Method::GET, "/api/invitations".to_owned()),
        (Method::POST, format!("/api/invitations/{id}/accept")),
        (Method::POST, format!("/api/invitations/{id}/decline")),
        (Method::POST, format!("/api/rooms/{id}/typing")),
        (Method::PUT, "/api/me/presence".to_owned()),
    ] {
        let (status, body) = parley_tests::client::send(
            api.request(method.clone(), &path)
                .json(&json!({"state": "away"})),
        )
        .await;
        assert_eq!(
            code(status, &body),
            (401, json!("unauthenticated")),
            "{method} {path}"
        );
    }
}

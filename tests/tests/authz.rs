//! The authorization matrix: owner, member, non-member, logged-out and deleted users
//! against every room and message endpoint and the event stream.

use parley_tests::client::send;
use parley_tests::{test_env, unique, Api, Session};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

#[derive(Clone, Copy, Debug)]
enum Role {
    Owner,
    Member,
    Outsider,
    LoggedOut,
    Deleted,
}

struct World {
    api: Api,
    owner: Session,
    member: Session,
    outsider: Session,
    deleted: Session,
    room: String,
    message: String,
}

impl World {
    async fn new() -> Self {
        let api = Api::new(&test_env().base_url);
        let owner = api.signup(&unique("owner")).await;
        let member = api.signup(&unique("member")).await;
        let outsider = api.signup(&unique("outsider")).await;
        let deleted = api.signup(&unique("deleted")).await;
        let room = owner
            .create_room("matrix", "private", &[&member, &deleted])
            .await;
        let (_, msg) = owner.send_message(&room, "hello matrix").await;
        let (status, _) = deleted.write(Method::DELETE, "/api/me", None).await;
        assert_eq!(status, 204);
        Self {
            message: msg["id"].as_str().unwrap_or_default().to_owned(),
            api,
            owner,
            member,
            outsider,
            deleted,
            room,
        }
    }

    /// Sends as `role`, waiting for the outcome of writes.
    async fn call(
        &self,
        role: Role,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, String) {
        let mut req = match role {
            Role::Owner => self.owner.request(method, path),
            Role::Member => self.member.request(method, path),
            Role::Outsider => self.outsider.request(method, path),
            Role::Deleted => self.deleted.request(method, path),
            Role::LoggedOut => self.api.request(method, path),
        }
        .header("Prefer", "wait=10");
        if let Some(b) = body {
            req = req.json(&b);
        }
        let (status, body) = send(req).await;
        (
            status,
            body["error"]["code"].as_str().unwrap_or("").to_owned(),
        )
    }
}

fn ok(status: u16) -> (u16, String) {
    (status, String::new())
}

fn err(status: u16, code: &str) -> (u16, String) {
    (status, code.to_owned())
}

#[tokio::test]
async fn every_room_and_message_endpoint_checks_who_is_asking() {
    let w = World::new().await;
    let room = &w.room;
    let roles = [
        Role::Owner,
        Role::Member,
        Role::Outsider,
        Role::LoggedOut,
        Role::Deleted,
    ];
    let denied = |r: Role| match r {
        Role::Outsider => err(403, "not_a_member"),
        _ => err(401, "unauthenticated"),
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut check = |role: Role, what: &str, got: (u16, String), want: (u16, String)| {
        checked += 1;
        if got != want {
            failures.push(format!("{role:?} {what}: got {got:?}, want {want:?}"));
        }
    };

    for role in roles {
        let allowed = matches!(role, Role::Owner | Role::Member);
        let want = |s: u16| if allowed { ok(s) } else { denied(role) };
        let got = w
            .call(role, Method::GET, &format!("/api/rooms/{room}"), None)
            .await;
        check(role, "GET room", got, want(200));
        let got = w
            .call(
                role,
                Method::GET,
                &format!("/api/rooms/{room}/messages"),
                None,
            )
            .await;
        check(role, "GET messages", got, want(200));
        let body = json!({"body": format!("from {role:?}")});
        let got = w
            .call(
                role,
                Method::POST,
                &format!("/api/rooms/{room}/messages"),
                Some(body),
            )
            .await;
        check(role, "POST message", got, want(201));
        let got = w
            .call(
                role,
                Method::PUT,
                &format!("/api/rooms/{room}/read"),
                Some(json!({"seq": 1})),
            )
            .await;
        check(role, "PUT read", got, want(200));
        let got = w
            .call(
                role,
                Method::PUT,
                &format!("/api/saved/{}", w.message),
                None,
            )
            .await;
        check(role, "PUT saved", got, want(204));
        let react = format!(
            "/api/rooms/{room}/messages/{}/reactions/%F0%9F%91%8D",
            w.message
        );
        let got = w.call(role, Method::PUT, &react, None).await;
        check(role, "PUT reaction", got, want(204));
        let got = w.call(role, Method::DELETE, &react, None).await;
        check(role, "DELETE reaction", got, want(204));
        let reply = json!({"body": "a reply", "reply_to": w.message});
        let got = w
            .call(
                role,
                Method::POST,
                &format!("/api/rooms/{room}/messages"),
                Some(reply),
            )
            .await;
        check(role, "POST reply", got, want(201));
        let newcomer = w.api.signup(&unique("new")).await;
        let add = json!({"username": newcomer.user.username});
        let got = w
            .call(
                role,
                Method::POST,
                &format!("/api/rooms/{room}/members"),
                Some(add),
            )
            .await;
        check(role, "POST member (invite)", got, want(201));
    }

    // Editing the owner's message: only its author. Deleting the member's message: its
    // author or the room's owner (here, the owner, after the others were refused).
    let (_, mine) = w.member.send_message(room, "the member's words").await;
    let members_message = mine["id"].as_str().unwrap_or_default().to_owned();
    let edit_path = format!("/api/rooms/{room}/messages/{}", w.message);
    for (role, want) in [
        (Role::Member, err(403, "forbidden")),
        (Role::Outsider, err(403, "not_a_member")),
        (Role::LoggedOut, err(401, "unauthenticated")),
        (Role::Deleted, err(401, "unauthenticated")),
        (Role::Owner, ok(200)),
    ] {
        let edit = Some(json!({"body": format!("edited by {role:?}")}));
        let got = w.call(role, Method::PATCH, &edit_path, edit).await;
        check(role, "PATCH message", got, want);
    }
    let delete_path = format!("/api/rooms/{room}/messages/{members_message}");
    for (role, want) in [
        (Role::Outsider, err(403, "not_a_member")),
        (Role::LoggedOut, err(401, "unauthenticated")),
        (Role::Deleted, err(401, "unauthenticated")),
        (Role::Owner, ok(200)),
    ] {
        let got = w.call(role, Method::DELETE, &delete_path, None).await;
        check(role, "DELETE message", got, want);
    }
    let (_, owners) = w.owner.send_message(room, "the owner's words").await;
    let owners_path = format!(
        "/api/rooms/{room}/messages/{}",
        owners["id"].as_str().unwrap_or_default()
    );
    let got = w
        .call(Role::Member, Method::DELETE, &owners_path, None)
        .await;
    check(
        Role::Member,
        "DELETE another's message",
        got,
        err(403, "forbidden"),
    );

    // Removing someone else: only the owner; deleting the room: only the owner.
    let victim = w.api.signup(&unique("victim")).await;
    victim.befriend(&w.owner).await;
    w.owner
        .write(
            Method::POST,
            &format!("/api/rooms/{room}/members"),
            Some(json!({"username": victim.user.username})),
        )
        .await;
    let remove = format!("/api/rooms/{room}/members/{}", victim.user.username);
    for (role, want) in [
        (Role::Member, err(403, "forbidden")),
        (Role::Outsider, err(403, "not_a_member")),
        (Role::LoggedOut, err(401, "unauthenticated")),
        (Role::Deleted, err(401, "unauthenticated")),
        (Role::Owner, ok(204)),
    ] {
        let got = w.call(role, Method::DELETE, &remove, None).await;
        check(role, "DELETE other member", got, want);
    }
    let delete = format!("/api/rooms/{room}");
    for (role, want) in [
        (Role::Member, err(403, "forbidden")),
        (Role::Outsider, err(403, "not_a_member")),
        (Role::LoggedOut, err(401, "unauthenticated")),
        (Role::Deleted, err(401, "unauthenticated")),
        (Role::Owner, ok(204)),
    ] {
        let got = w.call(role, Method::DELETE, &delete, None).await;
        check(role, "DELETE room", got, want);
    }
    let got = w.call(Role::Owner, Method::GET, &delete, None).await;
    check(Role::Owner, "GET deleted room", got, err(404, "not_found"));
    println!(
        "authorization matrix: {checked} checks, {} failures",
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn a_public_room_is_visible_and_joinable_but_not_writable_by_outsiders() {
    let api = Api::new(&test_env().base_url);
    let owner = api.signup(&unique("pubowner")).await;
    let outsider = api.signup(&unique("passerby")).await;
    let room = owner.create_room("open", "public", &[]).await;
    let (status, _) = outsider.get(&format!("/api/rooms/{room}")).await;
    assert_eq!(status, 200, "anyone sees a public room");
    let (status, body) = outsider.get(&format!("/api/rooms/{room}/messages")).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (403, json!("not_a_member"))
    );
    let (status, body) = outsider.send_message(&room, "hi").await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (403, json!("not_a_member"))
    );
    let (_, public) = outsider.get("/api/rooms?scope=public").await;
    let listed = public["rooms"]
        .as_array()
        .is_some_and(|rs| rs.iter().any(|r| r["id"] == room.as_str()));
    assert!(listed, "the public room is discoverable");
    let me = json!({"username": outsider.user.username});
    let (status, _) = outsider
        .write(
            Method::POST,
            &format!("/api/rooms/{room}/members"),
            Some(me.clone()),
        )
        .await;
    assert_eq!(status, 201, "joins by its own name");
    let (status, body) = outsider
        .write(
            Method::POST,
            &format!("/api/rooms/{room}/members"),
            Some(me),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (409, json!("already_member"))
    );
    let (status, _) = outsider.send_message(&room, "hi").await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn a_private_room_cannot_be_joined_uninvited() {
    let api = Api::new(&test_env().base_url);
    let owner = api.signup(&unique("privowner")).await;
    let outsider = api.signup(&unique("crasher")).await;
    let room = owner.create_room("closed", "private", &[]).await;
    let me = json!({"username": outsider.user.username});
    let (status, body) = outsider
        .write(
            Method::POST,
            &format!("/api/rooms/{room}/members"),
            Some(me),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (403, json!("forbidden"))
    );
    let (_, public) = outsider.get("/api/rooms?scope=public").await;
    let listed = public["rooms"]
        .as_array()
        .is_some_and(|rs| rs.iter().any(|r| r["id"] == room.as_str()));
    assert!(!listed, "private rooms are not discoverable");
}

#[tokio::test]
async fn a_non_member_never_receives_a_rooms_events() {
    let api = Api::new(&test_env().base_url);
    let owner = api.signup(&unique("secretive")).await;
    let member = api.signup(&unique("insider")).await;
    let outsider = api.signup(&unique("eavesdrop")).await;
    let mut spy = outsider.events(None).await;
    spy.next_named("ready", WAIT).await;
    let mut insider = member.events(None).await;
    insider.next_named("ready", WAIT).await;
    let room = owner.create_room("secret", "private", &[&member]).await;
    owner.send_message(&room, "classified").await;
    let late = api.signup(&unique("latecomer")).await;
    late.befriend(&owner).await;
    owner
        .write(
            Method::POST,
            &format!("/api/rooms/{room}/members"),
            Some(json!({"username": late.user.username})),
        )
        .await;
    owner
        .write(
            Method::DELETE,
            &format!("/api/rooms/{room}/members/{}", late.user.username),
            None,
        )
        .await;
    member.send_message(&room, "last words").await;
    let seen = insider.drain(Duration::from_secs(2)).await;
    let leaked = spy.drain(Duration::from_millis(500)).await;
    let names =
        |evs: &[parley_tests::SseEvent]| evs.iter().map(|e| e.event.clone()).collect::<Vec<_>>();
    println!(
        "member saw {:?}; outsider saw {:?}",
        names(&seen),
        names(&leaked)
    );
    assert!(seen.iter().filter(|e| e.event == "message").count() >= 2);
    assert!(
        leaked.iter().all(|e| !e.data.contains(&room)),
        "leaked: {leaked:?}"
    );
    let (status, _) = send(api.request(Method::GET, "/api/events")).await;
    assert_eq!(status, 401, "no stream without a session");
}

#[tokio::test]
async fn a_member_gets_a_rooms_messages_from_joining_until_leaving() {
    let api = Api::new(&test_env().base_url);
    let owner = api.signup(&unique("host")).await;
    let guest = api.signup(&unique("guest")).await;
    guest.befriend(&owner).await;
    let mut stream = guest.events(None).await;
    stream.next_named("ready", WAIT).await;
    let room = owner.create_room("party", "private", &[]).await;
    let members = format!("/api/rooms/{room}/members");
    owner.send_message(&room, "before you came").await;
    let body = json!({"username": guest.user.username});
    owner.write(Method::POST, &members, Some(body)).await;
    owner.send_message(&room, "welcome").await;
    let guest_path = format!("{members}/{}", guest.user.username);
    owner.write(Method::DELETE, &guest_path, None).await;
    owner.send_message(&room, "after you left").await;
    let seen = stream.drain(Duration::from_secs(2)).await;
    let bodies: Vec<String> = seen
        .iter()
        .filter(|e| e.event == "message")
        .filter_map(|e| serde_json::from_str::<Value>(&e.data).ok())
        .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(bodies, ["welcome"], "only what was sent while a member");
}

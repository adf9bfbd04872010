//! Who may see whom, as this gateway knows it at its position in the events topic: who
//! has whom as a friend, who blocks whom, and who hides their presence. Seeded from
//! Postgres at start, then moved by the `friend`, `block`, `settings` and
//! `account_deleted` events, like the rooms' members (`rooms.rs`). It filters what no
//! database look-up may slow down: typing, presence and the `from_blocked` flag. Each
//! event also says whose presence audience it moved (`member` events included).

use parley_schema::event::{EventName, FriendChange, RawEventEnvelope};
use parley_schema::UserId;
use std::collections::{HashMap, HashSet};

/// Everything the social graph is seeded with, read from Postgres.
#[derive(Debug, Default)]
pub struct Seed {
    /// `(user, friend)`: `friend` is on `user`'s list.
    pub friendships: Vec<(UserId, UserId)>,
    /// `(blocker, blocked)`.
    pub blocks: Vec<(UserId, UserId)>,
    /// Users who do not share their presence.
    pub hidden: Vec<UserId>,
}

#[derive(Default)]
pub struct Social {
    /// Friend → the users who have them on their list (who see their presence).
    followers: HashMap<UserId, HashSet<UserId>>,
    /// Blocker → the users they block.
    blocks: HashMap<UserId, HashSet<UserId>>,
    hidden: HashSet<UserId>,
}

#[derive(serde::Deserialize)]
struct Ref {
    id: UserId,
}

#[derive(serde::Deserialize)]
struct FriendData {
    change: FriendChange,
    user: Ref,
}

#[derive(serde::Deserialize)]
struct MemberData {
    user: Ref,
}

#[derive(serde::Deserialize)]
struct BlockData {
    user: Ref,
    blocked: bool,
}

#[derive(serde::Deserialize)]
struct SettingsData {
    share_presence: bool,
}

/// What an event changed in whom someone's presence is shown to.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Moved {
    /// Users whose audience changed: their presence should be told again.
    pub users: Vec<UserId>,
}

impl Social {
    pub fn seed(&mut self, seed: Seed) {
        *self = Self::default();
        for (user, friend) in seed.friendships {
            self.followers.entry(friend).or_default().insert(user);
        }
        for (blocker, blocked) in seed.blocks {
            self.blocks.entry(blocker).or_default().insert(blocked);
        }
        self.hidden = seed.hidden.into_iter().collect();
    }

    /// Whether `blocker` blocks `blocked`.
    pub fn blocks(&self, blocker: UserId, blocked: UserId) -> bool {
        self.blocks
            .get(&blocker)
            .is_some_and(|s| s.contains(&blocked))
    }

    /// Whether either of the two blocks the other: then no signal passes between them.
    pub fn apart(&self, a: UserId, b: UserId) -> bool {
        self.blocks(a, b) || self.blocks(b, a)
    }

    /// The users who have `user` as a friend.
    pub fn followers(&self, user: UserId) -> impl Iterator<Item = &UserId> + '_ {
        self.followers.get(&user).into_iter().flatten()
    }

    pub fn is_hidden(&self, user: UserId) -> bool {
        self.hidden.contains(&user)
    }

    /// Follows one event; returns whose presence audience it moved.
    pub fn follow(&mut self, env: &RawEventEnvelope) -> Moved {
        let data = env.event.data.get();
        if env.event.event == EventName::Member {
            // Joined or left: their room-mates changed.
            let users = serde_json::from_str::<MemberData>(data).map(|m| vec![m.user.id]);
            return Moved {
                users: users.unwrap_or_default(),
            };
        }
        let Some(&owner) = env.audience.first() else {
            return Moved::default();
        };
        let users = match env.event.event {
            EventName::Friend => match serde_json::from_str::<FriendData>(data) {
                Ok(f) => {
                    let set = self.followers.entry(f.user.id).or_default();
                    match f.change {
                        FriendChange::Added => set.insert(owner),
                        FriendChange::Removed => set.remove(&owner),
                    };
                    vec![f.user.id]
                }
                Err(_) => Vec::new(),
            },
            EventName::Block => match serde_json::from_str::<BlockData>(data) {
                Ok(b) => {
                    let set = self.blocks.entry(owner).or_default();
                    match b.blocked {
                        true => set.insert(b.user.id),
                        false => set.remove(&b.user.id),
                    };
                    vec![owner, b.user.id]
                }
                Err(_) => Vec::new(),
            },
            EventName::Settings => match serde_json::from_str::<SettingsData>(data) {
                Ok(s) if s.share_presence == self.hidden.contains(&owner) => {
                    match s.share_presence {
                        true => self.hidden.remove(&owner),
                        false => self.hidden.insert(owner),
                    };
                    vec![owner]
                }
                _ => Vec::new(),
            },
            EventName::AccountDeleted => {
                self.followers.remove(&owner);
                self.blocks.remove(&owner);
                self.hidden.remove(&owner);
                Vec::new()
            }
            _ => Vec::new(),
        };
        Moved { users }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &str, data: &str, owner: UserId) -> RawEventEnvelope {
        let json = format!(
            r#"{{"id":"x/0","request_id":null,"audience":["{owner}"],
                "event":{{"event":"{name}","data":{data}}}}}"#
        );
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
    }

    #[test]
    fn friends_blocks_and_hiding_follow_their_events() {
        let (ann, bob, cyd) = (UserId::new(), UserId::new(), UserId::new());
        let mut social = Social::default();
        social.seed(Seed {
            friendships: vec![(ann, bob)],
            blocks: vec![(cyd, ann)],
            hidden: vec![],
        });
        assert_eq!(social.followers(bob).collect::<Vec<_>>(), vec![&ann]);
        assert!(social.blocks(cyd, ann) && !social.blocks(ann, cyd));
        assert!(social.apart(ann, cyd) && !social.apart(ann, bob));

        let added = format!(r#"{{"change":"added","user":{{"id":"{bob}"}}}}"#);
        let moved = social.follow(&event("friend", &added, cyd));
        assert_eq!(moved.users, vec![bob]);
        assert_eq!(social.followers(bob).count(), 2);

        let blocked = format!(r#"{{"user":{{"id":"{bob}"}},"blocked":true}}"#);
        social.follow(&event("block", &blocked, ann));
        assert!(social.blocks(ann, bob));
        let unblocked = format!(r#"{{"user":{{"id":"{bob}"}},"blocked":false}}"#);
        social.follow(&event("block", &unblocked, ann));
        assert!(!social.blocks(ann, bob));

        let off = r#"{"share_read_receipts":true,"share_presence":false}"#;
        assert_eq!(social.follow(&event("settings", off, bob)).users, vec![bob]);
        assert!(social.is_hidden(bob));
        assert!(
            social.follow(&event("settings", off, bob)).users.is_empty(),
            "no change"
        );
        let on = r#"{"share_read_receipts":true,"share_presence":true}"#;
        social.follow(&event("settings", on, bob));
        assert!(!social.is_hidden(bob));
    }
}

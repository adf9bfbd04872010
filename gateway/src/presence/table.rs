//! The cluster's presence: each gateway's announced users, as heard on the ephemeral
//! topic. A user is as present as on the gateway where they are most present (online
//! over away over offline). A gateway not heard from within the time to live is
//! forgotten, and its users go offline: a gateway killed without a word is noticed so.

use parley_schema::social::Presence;
use parley_schema::UserId;
use std::collections::HashMap;
use std::time::{Duration, Instant};

struct Announced {
    heard: Instant,
    users: HashMap<UserId, Presence>,
}

#[derive(Default)]
pub struct Table {
    gateways: HashMap<String, Announced>,
    /// Everyone ever announced since this gateway started, by name (kept when they go
    /// offline, for the event that says so; tens of bytes a user).
    names: HashMap<UserId, String>,
}

/// One user's state in an announcement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub id: UserId,
    pub name: String,
    pub state: Presence,
}

fn rank(p: Presence) -> u8 {
    match p {
        Presence::Online => 2,
        Presence::Away => 1,
        Presence::Offline => 0,
    }
}

impl Table {
    /// The user's state, over every gateway.
    pub fn state(&self, user: UserId) -> Presence {
        self.gateways
            .values()
            .filter_map(|g| g.users.get(&user).copied())
            .max_by_key(|p| rank(*p))
            .unwrap_or(Presence::Offline)
    }

    pub fn name(&self, user: UserId) -> Option<&str> {
        self.names.get(&user).map(String::as_str)
    }

    /// What `gateway` announced: changes, or (`full`) every user it holds. Returns the
    /// users whose state changed.
    pub fn announce(
        &mut self,
        gateway: &str,
        entries: &[Entry],
        full: bool,
        now: Instant,
    ) -> Vec<UserId> {
        let mut touched: Vec<UserId> = entries.iter().map(|e| e.id).collect();
        if full {
            if let Some(g) = self.gateways.get(gateway) {
                touched.extend(g.users.keys().copied());
            }
        }
        touched.sort();
        touched.dedup();
        let before: Vec<Presence> = touched.iter().map(|u| self.state(*u)).collect();
        let g = self
            .gateways
            .entry(gateway.to_owned())
            .or_insert_with(|| Announced {
                heard: now,
                users: HashMap::new(),
            });
        g.heard = now;
        if full {
            g.users.clear();
        }
        for e in entries {
            match e.state {
                Presence::Offline => g.users.remove(&e.id),
                state => g.users.insert(e.id, state),
            };
            self.names.insert(e.id, e.name.clone());
        }
        self.changed(touched, &before)
    }

    /// `gateway` stopped (said so, or went silent): its users are no longer there.
    pub fn forget(&mut self, gateway: &str) -> Vec<UserId> {
        let users: Vec<UserId> = match self.gateways.get(gateway) {
            Some(g) => g.users.keys().copied().collect(),
            None => return Vec::new(),
        };
        let before: Vec<Presence> = users.iter().map(|u| self.state(*u)).collect();
        self.gateways.remove(gateway);
        self.changed(users, &before)
    }

    /// Forgets the gateways not heard from within `ttl`; returns whose state changed.
    pub fn expire(&mut self, now: Instant, ttl: Duration) -> Vec<UserId> {
        let silent: Vec<String> = self
            .gateways
            .iter()
            .filter(|(_, g)| now.saturating_duration_since(g.heard) > ttl)
            .map(|(id, _)| id.clone())
            .collect();
        let mut changed = Vec::new();
        for gateway in silent {
            tracing::info!(gateway, "a gateway went silent: its users are offline");
            changed.extend(self.forget(&gateway));
        }
        changed
    }

    fn changed(&self, users: Vec<UserId>, before: &[Presence]) -> Vec<UserId> {
        users
            .into_iter()
            .zip(before)
            .filter(|(u, b)| self.state(*u) != **b)
            .map(|(u, _)| u)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: UserId, state: Presence) -> Entry {
        Entry {
            id,
            name: "n".into(),
            state,
        }
    }

    #[test]
    fn the_most_present_gateway_wins_and_silent_gateways_are_forgotten() {
        let (ann, bob) = (UserId::new(), UserId::new());
        let t0 = Instant::now();
        let mut table = Table::default();
        let changed = table.announce("g1", &[entry(ann, Presence::Away)], false, t0);
        assert_eq!(changed, vec![ann]);
        assert_eq!(table.state(ann), Presence::Away);
        let changed = table.announce("g2", &[entry(ann, Presence::Online)], false, t0);
        assert_eq!((changed, table.state(ann)), (vec![ann], Presence::Online));
        let changed = table.announce("g2", &[entry(ann, Presence::Online)], false, t0);
        assert!(changed.is_empty(), "nothing new");

        // A full announcement from g1 without ann: ann is no longer there (still on g2).
        let changed = table.announce("g1", &[entry(bob, Presence::Online)], true, t0);
        assert_eq!(changed, vec![bob].into_iter().collect::<Vec<_>>());
        assert_eq!(table.state(ann), Presence::Online);

        // g2 goes silent: ann is offline after the time to live, bob (on g1) stays.
        let ttl = Duration::from_secs(15);
        let later = t0 + Duration::from_secs(10);
        table.announce("g1", &[], false, later);
        assert!(table.expire(t0 + Duration::from_secs(14), ttl).is_empty());
        let changed = table.expire(t0 + Duration::from_secs(16), ttl);
        assert_eq!(changed, vec![ann]);
        assert_eq!(table.state(ann), Presence::Offline);
        assert_eq!(table.state(bob), Presence::Online);
        assert_eq!(table.forget("g1"), vec![bob]);
        assert_eq!(table.state(bob), Presence::Offline);
    }
}

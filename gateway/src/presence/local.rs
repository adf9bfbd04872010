//! This gateway's own users: who has a stream open here, under which sessions' stated
//! presence (`PUT /api/me/presence`), and whose state may have changed since it was last
//! announced.

use parley_schema::social::{ClientPresence, Presence};
use parley_schema::{SessionId, UserId};
use std::collections::{HashMap, HashSet};

#[derive(Default)]
pub struct Local {
    /// Sessions whose client said `away` (only those with a stream here are kept).
    away: HashSet<SessionId>,
    /// The usernames of the users with a stream here.
    names: HashMap<UserId, String>,
    /// Users whose state may have changed since the last announcement.
    dirty: HashSet<UserId>,
}

impl Local {
    /// A stream of `user` opened or closed.
    pub fn touched(&mut self, user: UserId, name: Option<&str>) {
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            self.names.insert(user, name.to_owned());
        }
        self.dirty.insert(user);
    }

    /// The client of `session` said how present it is.
    pub fn set(&mut self, user: UserId, session: SessionId, state: ClientPresence) {
        match state {
            ClientPresence::Away => self.away.insert(session),
            ClientPresence::Online => self.away.remove(&session),
        };
        self.dirty.insert(user);
    }

    /// `user`'s state here, given the sessions of their open streams.
    pub fn state(&self, sessions: &[SessionId]) -> Presence {
        if sessions.is_empty() {
            Presence::Offline
        } else if sessions.iter().any(|s| !self.away.contains(s)) {
            Presence::Online
        } else {
            Presence::Away
        }
    }

    pub fn name(&self, user: UserId) -> String {
        self.names.get(&user).cloned().unwrap_or_default()
    }

    /// The users to announce again.
    pub fn take_dirty(&mut self) -> Vec<UserId> {
        self.dirty.drain().collect()
    }

    /// `user` has no stream here any more.
    pub fn forget(&mut self, user: UserId) {
        self.names.remove(&user);
    }

    /// No stream of `session` is open here any more.
    pub fn session_closed(&mut self, session: SessionId) {
        self.away.remove(&session);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn online_while_any_session_is_not_away() {
        let mut local = Local::default();
        let (user, phone, laptop) = (UserId::new(), SessionId::new(), SessionId::new());
        local.touched(user, Some("ann"));
        assert_eq!(local.state(&[]), Presence::Offline);
        assert_eq!(local.state(&[phone, laptop]), Presence::Online);
        local.set(user, laptop, ClientPresence::Away);
        assert_eq!(local.state(&[phone, laptop]), Presence::Online);
        assert_eq!(local.state(&[laptop]), Presence::Away);
        local.set(user, laptop, ClientPresence::Online);
        assert_eq!(local.state(&[laptop]), Presence::Online);
        assert_eq!(local.take_dirty(), vec![user]);
        assert!(local.take_dirty().is_empty());
        assert_eq!(local.name(user), "ann");
    }
}

//! Setting up a run through the API: a random run tag (so runs never collide), users
//! registered and logged in with bounded concurrency (each costs the gateway one Argon2id
//! hash to register and one to verify at login), and private rooms with their members.

use crate::api::{Api, Session};
use anyhow::Context;
use backon::Retryable;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use rand::distributions::Alphanumeric;
use rand::Rng;
use std::time::{Duration, Instant};

/// Every benchmark user has this password.
const PASSWORD: &str = "parley-bench-password";
/// The gateway accepts at most this many members in `POST /api/rooms`; the rest are added
/// one by one.
const MAX_INITIAL_MEMBERS: usize = 100;
/// Attempts for one setup request (a busy gateway may answer 503/504 or time out).
const ATTEMPTS: u32 = 3;

/// A fresh run tag: `pb` and six random lowercase letters or digits.
pub fn run_tag() -> String {
    let suffix: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(6)
        .map(|b| char::from(b).to_ascii_lowercase())
        .collect();
    format!("pb{suffix}")
}

/// The name of user `i` of run `tag` (at most 3 + 6 + 1 + 7 characters).
pub fn username(tag: &str, i: usize) -> String {
    format!("{tag}_{i}")
}

/// Waits until every gateway answers `GET /readyz` with 200.
pub async fn wait_ready(apis: &[Api]) -> anyhow::Result<()> {
    for api in apis {
        // Every 250 ms for about 30 s.
        (|| api.ready())
            .retry(std::iter::repeat_n(Duration::from_millis(250), 120))
            .await
            .with_context(|| format!("{} is not ready", api.base()))?;
    }
    Ok(())
}

/// Registers and logs in `count` users named `username(tag, i)`, user `i` on gateway
/// `i % apis.len()`. Returns them in order.
pub async fn users(
    apis: &[Api],
    tag: &str,
    count: usize,
    concurrency: usize,
) -> anyhow::Result<Vec<Session>> {
    let started = Instant::now();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let sessions: Vec<Session> = stream::iter(0..count)
        .map(|i| {
            let api = apis[i % apis.len()].clone();
            let name = username(tag, i);
            let done = &done;
            async move {
                let s = user(api, name).await?;
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if n.is_multiple_of(500) {
                    eprintln!(
                        "  {n}/{count} users ({:.1} s)",
                        started.elapsed().as_secs_f64()
                    );
                }
                anyhow::Ok(s)
            }
        })
        .buffered(concurrency.max(1))
        .try_collect()
        .await?;
    Ok(sessions)
}

async fn user(api: Api, username: String) -> anyhow::Result<Session> {
    retry(|| api.register(&username, PASSWORD))
        .await
        .with_context(|| format!("registering {username}"))?;
    let token = retry(|| api.login(&username, PASSWORD))
        .await
        .with_context(|| format!("logging in {username}"))?;
    Ok(Session {
        api,
        username,
        token,
    })
}

/// Creates a private room owned by `owner` with `members` (not the owner): each member
/// first puts the owner on their friend list (so they join rather than being invited),
/// then the first hundred go in the create request and the rest are added one by one,
/// `concurrency` at once.
pub async fn room(
    owner: &Session,
    name: &str,
    members: &[&Session],
    concurrency: usize,
) -> anyhow::Result<String> {
    stream::iter(members)
        .map(|m| async move {
            retry(|| m.api.add_friend(&m.token, &owner.username))
                .await
                .with_context(|| format!("{} befriending {}", m.username, owner.username))
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect::<Vec<()>>()
        .await?;
    let members: Vec<String> = members.iter().map(|m| m.username.clone()).collect();
    let (first, rest) = members.split_at(members.len().min(MAX_INITIAL_MEMBERS));
    let id = retry(|| owner.api.create_room(&owner.token, name, first))
        .await
        .with_context(|| format!("creating room {name}"))?;
    stream::iter(rest)
        .map(|m| {
            let id = &id;
            async move {
                retry(|| owner.api.add_member(&owner.token, id, m))
                    .await
                    .with_context(|| format!("adding {m} to {name}"))
            }
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect::<Vec<()>>()
        .await?;
    Ok(id)
}

/// Runs `f` up to `ATTEMPTS` times, 500 ms more apart each time.
async fn retry<T, F, Fut>(f: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    f.retry((1..ATTEMPTS).map(|n| Duration::from_millis(500 * u64::from(n))))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_valid_and_distinct_per_run() {
        let (a, b) = (run_tag(), run_tag());
        assert_ne!(a, b);
        let name = username(&a, 1_999_999);
        assert!((3..=32).contains(&name.chars().count()), "{name}");
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    }
}

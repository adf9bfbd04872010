//! Start-up chores on stored data: the confusable skeleton of accounts made before
//! skeletons were stored. Two such accounts that look alike both stay; the second keeps
//! no skeleton (logged), since neither can be renamed for the other.

use diesel::PgConnection;
use parley_db::users;
use parley_schema::text::nickname_skeleton;

/// Stores the missing skeletons; returns how many were stored.
pub fn skeletons(conn: &mut PgConnection) -> anyhow::Result<usize> {
    let mut stored = 0;
    for (id, username) in users::without_skeleton(conn)? {
        match users::set_skeleton(conn, id, &nickname_skeleton(&username)) {
            Ok(n) => stored += n,
            Err(e) if parley_db::error::is_unique_violation(&e) => {
                tracing::warn!(%id, "an older account looks like another; left without skeleton");
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(stored)
}

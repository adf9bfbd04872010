//! Linux process facts the `connections` mode needs: this process's open-file limit
//! (raised for many sockets), the pid of the process listening on a TCP port (from
//! `/proc/net/tcp{,6}` and `/proc/<pid>/fd`), and a process's resident memory (`VmRSS`).

use anyhow::{bail, Context};
use std::collections::HashSet;
use std::fs;

/// Raises this process's soft `RLIMIT_NOFILE` to at least `want` (and the hard limit too,
/// which only root may do). Returns the soft limit in force afterwards.
pub fn raise_nofile(want: u64) -> anyhow::Result<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable rlimit for the duration of the call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        bail!("getrlimit: {}", std::io::Error::last_os_error());
    }
    if lim.rlim_cur >= want {
        return Ok(lim.rlim_cur);
    }
    let raised = libc::rlimit {
        rlim_cur: want,
        rlim_max: lim.rlim_max.max(want),
    };
    // SAFETY: `raised` is a valid rlimit; the call only reads it.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
        return Ok(want);
    }
    // Not root: go as far as the hard limit allows.
    let capped = libc::rlimit {
        rlim_cur: lim.rlim_max,
        rlim_max: lim.rlim_max,
    };
    // SAFETY: as above.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &capped) } == 0 {
        return Ok(lim.rlim_max);
    }
    Ok(lim.rlim_cur)
}

/// Resident memory of `pid` in bytes (`VmRSS` of `/proc/<pid>/status`).
pub fn rss_bytes(pid: u32) -> anyhow::Result<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    status_kib(&status, "VmRSS:")
        .map(|kib| kib * 1024)
        .with_context(|| format!("no VmRSS in /proc/{pid}/status"))
}

/// CPU seconds `pid` has used (user + system, from `/proc/<pid>/stat`).
pub fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    // The command name may hold spaces: count fields after its closing parenthesis.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are the 14th and 15th fields of the line, 12th and 13th after `)`.
    Ok((ticks(11) + ticks(12)) / 100.0)
}

fn status_kib(status: &str, key: &str) -> Option<u64> {
    let rest = status.lines().find_map(|l| l.strip_prefix(key))?;
    rest.split_whitespace().next()?.parse().ok()
}

/// The pid of the process that listens on TCP `port` (any local address).
pub fn listener_pid(port: u16) -> anyhow::Result<u32> {
    let mut inodes = HashSet::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        if let Ok(text) = fs::read_to_string(table) {
            inodes.extend(listening_inodes(&text, port));
        }
    }
    if inodes.is_empty() {
        bail!("nothing listens on TCP port {port}");
    }
    for entry in fs::read_dir("/proc").context("reading /proc")?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = fs::read_dir(entry.path().join("fd")) else {
            continue; // gone, or not ours to look at
        };
        for fd in fds.flatten() {
            let Ok(target) = fs::read_link(fd.path()) else {
                continue;
            };
            let target = target.to_string_lossy();
            let inode = target
                .strip_prefix("socket:[")
                .and_then(|s| s.strip_suffix(']'))
                .and_then(|s| s.parse::<u64>().ok());
            if inode.is_some_and(|i| inodes.contains(&i)) {
                return Ok(pid);
            }
        }
    }
    bail!("port {port} is listened on, but its process is not visible (try --gateway-pid)")
}

/// Socket inodes in LISTEN state (`0A`) on `port` in a `/proc/net/tcp` table.
fn listening_inodes(table: &str, port: u16) -> Vec<u64> {
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let local = cols.get(1)?;
            let (_, hex_port) = local.rsplit_once(':')?;
            let listening = *cols.get(3)? == "0A";
            let matches = u16::from_str_radix(hex_port, 16).ok()? == port;
            (listening && matches).then(|| cols.get(9)?.parse().ok())?
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F9A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 101366 1 0000 100 0 0 10 0
   1: 0100007F:1F9A 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 101999 1 0000 20 4 30 10 -1
   2: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 70048 1 0000 100 0 0 10 0
";

    #[test]
    fn finds_only_the_listening_socket_on_the_port() {
        assert_eq!(listening_inodes(TABLE, 8090), vec![101366]);
        assert_eq!(listening_inodes(TABLE, 5432), vec![70048]);
        assert!(listening_inodes(TABLE, 1).is_empty());
    }

    #[test]
    fn reads_kib_fields_of_status() {
        let status = "Name:\tgateway\nVmHWM:\t  20000 kB\nVmRSS:\t   12345 kB\n";
        assert_eq!(status_kib(status, "VmRSS:"), Some(12345));
        assert_eq!(status_kib(status, "VmSwap:"), None);
    }

    #[test]
    fn own_cpu_time_is_readable() {
        let spin: u64 = (0..5_000_000u64).fold(0, |a, b| a.wrapping_add(b * b));
        assert!(spin > 0);
        assert!(cpu_seconds(std::process::id()).is_ok_and(|s| s >= 0.0));
    }

    #[test]
    fn own_rss_is_readable() {
        let rss = rss_bytes(std::process::id());
        assert!(rss.is_ok_and(|b| b > 0));
    }
}

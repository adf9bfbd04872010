//! A client that vanishes without a word (network gone, laptop asleep) is noticed within
//! 30 s (#12): its stream is closed and its slot freed. The client runs in a network
//! namespace of its own (`ip netns`, veth), whose link is then cut, so that the gateway's
//! keep-alives go unanswered, as on a real network. Needs root and iproute2.

use parley_tests::client::streams_open;
use parley_tests::{spawn_env_with, unique, Api, Services};
use std::process::{Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

/// A network namespace joined to this host by a veth pair; removed on drop.
struct Netns {
    name: String,
    host_ip: String,
}

fn ip(args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new("ip").args(args).status()?;
    anyhow::ensure!(status.success(), "ip {}: {status}", args.join(" "));
    Ok(())
}

impl Netns {
    fn create() -> anyhow::Result<Self> {
        let n = std::process::id() % 200 + 20;
        let (name, host, peer) = (
            format!("parley-gone{n}"),
            format!("pgh{n}"),
            format!("pgn{n}"),
        );
        let (host_ip, peer_ip) = (format!("10.213.{n}.1"), format!("10.213.{n}.2"));
        let _ = ip(&["netns", "del", &name]);
        ip(&["netns", "add", &name])?;
        let net = Self { name, host_ip };
        ip(&["link", "add", &host, "type", "veth", "peer", "name", &peer])?;
        ip(&["link", "set", &peer, "netns", &net.name])?;
        ip(&["addr", "add", &format!("{}/30", net.host_ip), "dev", &host])?;
        ip(&["link", "set", &host, "up"])?;
        let inside = |args: &[&str]| {
            let mut all = vec!["netns", "exec", &net.name, "ip"];
            all.extend_from_slice(args);
            ip(&all)
        };
        inside(&["addr", "add", &format!("{peer_ip}/30"), "dev", &peer])?;
        inside(&["link", "set", &peer, "up"])?;
        inside(&["link", "set", "lo", "up"])?;
        Ok(net)
    }

    /// Cuts the namespace off: what the gateway sends it is lost from now on.
    fn cut(&self) -> anyhow::Result<()> {
        let peer = self.name.replace("parley-gone", "pgn");
        ip(&[
            "netns", "exec", &self.name, "ip", "link", "set", &peer, "down",
        ])
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.name]); // takes the veth pair with it
    }
}

#[tokio::test]
async fn a_client_that_vanishes_is_noticed_within_30_s() -> anyhow::Result<()> {
    let net = Netns::create()?;
    // On every address, so that the namespace reaches it through the veth.
    let env = spawn_env_with(&Services::from_env(), |c| c.listen = "0.0.0.0:0".into()).await?;
    let _stop_on_panic = env.shutdown.clone().drop_guard();
    let me = Api::new(&env.base_url).signup(&unique("gone")).await;
    let port = env.base_url.rsplit(':').next().unwrap_or_default();
    let url = format!("http://{}:{port}/api/events", net.host_ip);
    let mut curl = tokio::process::Command::new("ip")
        .args(["netns", "exec", &net.name, "curl", "-sN", "-H"])
        .arg(format!("Authorization: Bearer {}", me.token))
        .arg(&url)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let out = curl
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut lines = BufReader::new(out).lines();
    let ready = async {
        while let Some(line) = lines.next_line().await? {
            if line == "event: ready" {
                return anyhow::Ok(());
            }
        }
        anyhow::bail!("the stream ended before `ready`")
    };
    tokio::time::timeout(Duration::from_secs(15), ready).await??;
    let open = streams_open(&env.base_url).await;
    anyhow::ensure!(open >= 1, "parley_streams_open is {open}");

    net.cut()?;
    let gone = tokio::time::Instant::now();
    while streams_open(&env.base_url).await >= open {
        anyhow::ensure!(
            gone.elapsed() < Duration::from_secs(30),
            "the vanished client's stream is still open after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    eprintln!("a vanished client was noticed after {:?}", gone.elapsed());
    drop(curl);
    drop(net);
    env.stop().await
}

//! Who is asking: the client's address and the host it asked for. `X-Forwarded-For` and
//! `X-Forwarded-Host` are believed only from the proxies in `PARLEY_TRUSTED_PROXIES`;
//! from anyone else they are ignored, so a client cannot pick its own address or host.

use actix_web::HttpRequest;
use ipnet::IpNet;
use std::net::IpAddr;
use std::str::FromStr;

/// The networks whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl FromStr for TrustedProxies {
    type Err = String;

    /// A comma-separated list of addresses or CIDR networks; empty trusts nobody.
    fn from_str(s: &str) -> Result<Self, String> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<IpNet>()
                    .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("not an address or CIDR network: {p:?}"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl TrustedProxies {
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: the peer's, or, when the peer is a trusted proxy, the
    /// right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
    pub fn client_ip(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        if !self.trusts(peer) {
            return Some(peer);
        }
        let forwarded: Vec<IpAddr> = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse().ok())
            .collect();
        let first = forwarded.first().copied();
        Some(
            forwarded
                .into_iter()
                .rev()
                .find(|ip| !self.trusts(*ip))
                .or(first)
                .unwrap_or(peer),
        )
    }

    /// The host the client asked for (`Host`, or the HTTP/2 authority); a trusted proxy's
    /// `X-Forwarded-Host` wins.
    pub fn host(&self, req: &HttpRequest) -> Option<String> {
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(',').next().unwrap_or(v).trim().to_owned())
        };
        let from_proxy = req
            .peer_addr()
            .filter(|p| self.trusts(p.ip()))
            .and_then(|_| header("x-forwarded-host"));
        from_proxy
            .or_else(|| header("host"))
            .or_else(|| req.uri().authority().map(|a| a.as_str().to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use std::net::SocketAddr;

    fn from(peer: &str) -> TestRequest {
        let addr: SocketAddr = peer.parse().unwrap_or_else(|_| panic!("{peer}"));
        TestRequest::default().peer_addr(addr)
    }

    #[test]
    fn forwarding_headers_from_strangers_are_ignored() {
        let proxies = TrustedProxies::default();
        let req = from("203.0.113.9:5000")
            .insert_header(("x-forwarded-for", "10.0.0.1"))
            .insert_header(("x-forwarded-host", "evil.example"))
            .insert_header(("host", "chat.example"))
            .to_http_request();
        assert_eq!(proxies.client_ip(&req), "203.0.113.9".parse().ok());
        assert_eq!(proxies.host(&req).as_deref(), Some("chat.example"));
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_host() {
        let proxies: TrustedProxies = "127.0.0.1, 10.0.0.0/8".parse().unwrap_or_default();
        let req = from("127.0.0.1:5000")
            .insert_header(("x-forwarded-for", "198.51.100.7, 203.0.113.5, 10.1.2.3"))
            .insert_header(("x-forwarded-host", "chat.example"))
            .to_http_request();
        // The right-most untrusted hop: what the client put first may be forged.
        assert_eq!(proxies.client_ip(&req), "203.0.113.5".parse().ok());
        assert_eq!(proxies.host(&req).as_deref(), Some("chat.example"));
    }

    #[test]
    fn bad_proxy_lists_are_refused() {
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("nonsense".parse::<TrustedProxies>().is_err());
        assert!("".parse::<TrustedProxies>().is_ok());
    }
}

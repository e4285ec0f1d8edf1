//! The client's address: the TCP peer, or, when the peer is a trusted reverse proxy
//! (`USCPIS_TRUSTED_PROXIES`), the right-most address in `X-Forwarded-For` that is not
//! itself a trusted proxy. A client can write anything into the header, so it is read
//! only from proxies the operator named, and only up to the first hop they do not trust.
//! The rate limits of login and certificate verification use this address.

use std::net::IpAddr;
use std::sync::Arc;

use ipnet::IpNet;
use poem::Request;

/// The reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<Vec<IpNet>>);

impl TrustedProxies {
    /// From a comma- or space-separated CIDR list (`10.0.0.0/8, 127.0.0.1`); a bare
    /// address is a single host. Names the first entry that is neither.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{s}` is not an address or a CIDR block"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|nets| Self(Arc::new(nets)))
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client behind `peer`, given the `X-Forwarded-For` values in order.
    pub fn client<'a>(&self, peer: IpAddr, forwarded: impl Iterator<Item = &'a str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer.to_canonical();
        }
        let hops: Vec<&str> = forwarded
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .collect();
        let mut client = peer.to_canonical();
        for hop in hops.iter().rev() {
            // A hop that is not an address ends the trail: what came before it is the
            // untrusted client's own writing. Some balancers add the port.
            let Some(ip) = hop
                .parse::<IpAddr>()
                .ok()
                .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
            else {
                break;
            };
            client = ip.to_canonical();
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// The client address of a request, put there by the middleware.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// Resolves the request's client address with `proxies`.
    pub(crate) fn resolve(req: &Request, proxies: &TrustedProxies) -> Option<Self> {
        let peer = req.remote_addr().as_socket_addr()?.ip();
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .into_iter()
            .filter_map(|v| v.to_str().ok());
        Some(Self(proxies.client(peer, forwarded)))
    }

    /// The address the middleware found for `req`, as text.
    pub fn of(req: &Request) -> Option<String> {
        req.extensions().get::<Self>().map(|c| c.0.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn the_header_is_ignored_unless_the_peer_is_trusted() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("203.0.113.9"), ["1.2.3.4"].into_iter()),
            ip("203.0.113.9")
        );
        let lb = TrustedProxies::parse("10.0.0.0/8").expect("valid");
        assert_eq!(
            lb.client(ip("203.0.113.9"), ["1.2.3.4"].into_iter()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let p = TrustedProxies::parse("10.0.0.0/8, 192.168.1.1").expect("valid");
        // A client that forged "6.6.6.6" in front of its own address gains nothing.
        let hops = ["6.6.6.6, 198.51.100.7", "10.1.2.3"];
        assert_eq!(
            p.client(ip("192.168.1.1"), hops.into_iter()),
            ip("198.51.100.7")
        );
        // Only trusted hops: the left-most of them.
        assert_eq!(
            p.client(ip("10.0.0.1"), ["10.0.0.2"].into_iter()),
            ip("10.0.0.2")
        );
        // No header: the proxy itself.
        assert_eq!(p.client(ip("10.0.0.1"), std::iter::empty()), ip("10.0.0.1"));
        // Garbage ends the trail at the last good hop.
        assert_eq!(
            p.client(ip("10.0.0.1"), ["junk, 10.0.0.5"].into_iter()),
            ip("10.0.0.5")
        );
        // Ports (as some balancers send them) and empty items are read past.
        assert_eq!(
            p.client(ip("10.0.0.1"), ["198.51.100.7:5678,"].into_iter()),
            ip("198.51.100.7")
        );
        assert_eq!(
            p.client(ip("10.0.0.1"), ["[2001:db8::1]:443"].into_iter()),
            ip("2001:db8::1")
        );
        // IPv4-mapped IPv6 peers match IPv4 blocks.
        assert_eq!(
            p.client(ip("::ffff:10.0.0.1"), ["2001:db8::1"].into_iter()),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn the_list_names_a_bad_entry() {
        assert!(TrustedProxies::parse("").expect("empty").0.is_empty());
        assert_eq!(
            TrustedProxies::parse("127.0.0.1 ::1")
                .expect("hosts")
                .0
                .len(),
            2
        );
        let e = TrustedProxies::parse("10.0.0.0/8,proxy.local").expect_err("bad");
        assert!(e.contains("proxy.local"), "{e}");
    }
}

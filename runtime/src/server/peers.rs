//! The per-peer connection limit: how many connections each peer has open, so that the accept
//! loop can close at once those over the limit. A peer is one IPv4 address, or one IPv6 /64
//! network (what one host is usually given, and can pick addresses from).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};

/// Who a connection from `ip` counts against.
pub(super) fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !u128::from(u64::MAX))),
        },
    }
}

/// The connections open from each peer.
pub(super) struct Peers {
    max: usize,
    open: HashMap<IpAddr, Open>,
}

#[derive(Default)]
struct Open {
    connections: usize,
    /// A refusal was logged since the peer was last under the limit.
    warned: bool,
}

impl Peers {
    pub(super) fn new(max: usize) -> Self {
        Self {
            max,
            open: HashMap::new(),
        }
    }

    /// Counts a new connection from `peer`; `false` (counting nothing) when the peer has the
    /// most it may have. The first refusal of a run is logged at `warn`, the others at
    /// `debug`, so that a flood of connections is not a flood of log lines.
    pub(super) fn enter(&mut self, peer: IpAddr) -> bool {
        let open = self.open.entry(peer).or_default();
        if open.connections < self.max {
            open.connections += 1;
            return true;
        }
        if open.warned {
            tracing::debug!(%peer, limit = self.max, "connection refused: too many from this peer");
        } else {
            open.warned = true;
            tracing::warn!(
                %peer,
                limit = self.max,
                "connections refused: too many from this peer (logged once until it is under the limit)"
            );
        }
        false
    }

    /// Counts a connection from `peer` as closed.
    pub(super) fn leave(&mut self, peer: IpAddr) {
        if let Some(open) = self.open.get_mut(&peer) {
            open.connections -= 1;
            open.warned = false;
            if open.connections == 0 {
                self.open.remove(&peer);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_is_an_ipv4_address_or_an_ipv6_network() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("an address");
        assert_eq!(key(ip("10.1.2.3")), ip("10.1.2.3"));
        assert_eq!(key(ip("::ffff:10.1.2.3")), ip("10.1.2.3"));
        assert_eq!(
            key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(key(ip("2001:db8:1:2::9")), key(ip("2001:db8:1:2:ffff::1")));
        assert_ne!(key(ip("2001:db8:1:2::9")), key(ip("2001:db8:1:3::9")));
    }

    #[test]
    fn a_peer_gets_up_to_the_limit_and_more_as_its_connections_close() {
        let mut peers = Peers::new(2);
        let (a, b) = (IpAddr::from([127, 0, 0, 1]), IpAddr::from([127, 0, 0, 2]));
        assert!(peers.enter(a) && peers.enter(a));
        assert!(!peers.enter(a), "a third from the same peer");
        assert!(peers.enter(b), "another peer");
        peers.leave(a);
        assert!(peers.enter(a));
        assert!(!peers.enter(a));
        peers.leave(a);
        peers.leave(a);
        assert!(
            !peers.open.contains_key(&a),
            "forgotten when it has none open"
        );
    }
}

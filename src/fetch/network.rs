//! Where requests may go: the network policy.
//!
//! URLs the operator names (command-line arguments, input lists, sitemaps
//! and feeds named on the command line or under `[[watch]]`, configured
//! endpoints and `EMBARC_*_URL` variables) go anywhere: [`Origin::Operator`].
//!
//! Everything else is derived from content, which is untrusted: redirect
//! targets, sitemap and feed entries, post hosts such as Mastodon
//! instances. A page can name any host, so content may not move requests
//! into a more internal network than the place it came from
//! ([`Origin::Public`], [`Origin::Internal`]). Content of local files and of public hosts counts
//! as public: it may not reach an address inside a private network
//! (loopback, private (RFC 1918), shared (CGNAT), link-local (the cloud
//! metadata service at 169.254.169.254), unique-local, unspecified,
//! multicast, broadcast and reserved addresses, IPv4 addresses written
//! inside IPv6 ones included), nor a port other than 80 and 443. Content
//! served from an internal address may point within its own network. The
//! operator lifts the rule with `--allow-private` or `allow_private = true`
//! under `[network]`, or for named hosts with `allow_hosts`.
//!
//! Two checks keep the rule: a URL whose host is an address (in any
//! spelling: `url` reads `2130706433`, `0x7f.1` and `0177.0.0.1` as
//! 127.0.0.1) is checked before it is asked ([`Network::check_url`]), and a
//! name is checked after resolution, inside the resolver the HTTP client
//! connects through ([`Guard`]), so the address checked is the address
//! connected to and DNS rebinding cannot slip between the two.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use url::{Host, Url};

/// What the operator allows, and how names are resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Network {
    /// Requests may go to private, loopback and other internal addresses.
    pub allow_private: bool,
    /// Hosts (names or addresses, as URLs write them) that may be internal
    /// when `allow_private` is off: an intranet site the operator archives.
    /// Where they redirect or link is checked as anywhere else.
    pub allow_hosts: Vec<String>,
    /// Names answered from this table instead of the system's resolver
    /// (as curl's `--resolve`): tests map names to 127.0.0.1 with it.
    pub hosts: BTreeMap<String, Vec<IpAddr>>,
}

/// Where a URL came from, which decides where it may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Origin {
    /// Named by the operator: it may go anywhere (where it redirects is
    /// content).
    Operator,
    /// Derived from content of a local file or a public host (and the
    /// default): public addresses and web ports only.
    #[default]
    Public,
    /// Derived from content served from an internal address (not one of
    /// `allow_hosts`): it may point within its own network.
    Internal,
}

impl Origin {
    /// True when a request of this origin may go to internal addresses and
    /// any port whatever the policy.
    pub fn trusted(self) -> bool {
        matches!(self, Origin::Operator | Origin::Internal)
    }
}

/// Ports content may name on public hosts.
pub const WEB_PORTS: [u16; 2] = [80, 443];

/// The way out, named in every refusal.
pub const WAY_OUT: &str =
    "pass --allow-private (or set allow_private = true under [network] in embarc.toml) to allow it";

/// A request the policy refused: why, in words (`127.0.0.1 is a loopback
/// address`). Found in the HTTP client's error chain by the fetcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    pub reason: String,
}

impl std::fmt::Display for Blocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.reason)
    }
}

impl std::error::Error for Blocked {}

impl Network {
    /// True when a request to `url` of this origin goes out unchecked (the
    /// operator's own URLs, content of internal hosts, `allow_private`).
    pub fn unchecked(&self, origin: Origin) -> bool {
        self.allow_private || origin.trusted()
    }

    /// Refuse a URL from public content whose host is an internal address
    /// written as such. Names are left to the resolver ([`Guard`]).
    pub fn check_url(&self, url: &Url) -> Result<(), Blocked> {
        if self.allow_private || self.allowed(url.host_str().unwrap_or_default()) {
            return Ok(());
        }
        let ip = match url.host() {
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
            _ => return Ok(()),
        };
        match internal(ip) {
            Some(kind) => Err(Blocked {
                reason: format!("{ip} is {kind} address"),
            }),
            None => Ok(()),
        }
    }

    /// Refuse a URL from public content that names a port other than 80
    /// and 443 (a host of `allow_hosts` may use any).
    pub fn check_port(&self, url: &Url) -> Result<(), Blocked> {
        let port = url.port_or_known_default().unwrap_or(0);
        if self.allow_private
            || WEB_PORTS.contains(&port)
            || self.allowed(url.host_str().unwrap_or_default())
        {
            return Ok(());
        }
        Err(Blocked {
            reason: format!("port {port} is not a web port (80 or 443)"),
        })
    }

    /// Where what an answer from `addr` (for `host`) names may go: within
    /// its own network when it came from an internal address, unless that
    /// host is one of `allow_hosts` (reaching it is allowed; where it
    /// points is checked as for any public host).
    pub fn origin_of(&self, host: &str, addr: Option<SocketAddr>) -> Origin {
        match addr {
            Some(a) if internal(a.ip()).is_some() && !self.allowed(host) => Origin::Internal,
            _ => Origin::Public,
        }
    }

    /// The resolver the HTTP client connects through. `open`: for
    /// requests that go out unchecked (the names table still applies).
    pub fn guard(&self, open: bool) -> Guard {
        Guard {
            allow_private: self.allow_private || open,
            allow_hosts: Arc::new(self.allow_hosts.iter().map(|h| key(h)).collect()),
            hosts: Arc::new(self.hosts.clone()),
        }
    }

    fn allowed(&self, host: &str) -> bool {
        let host = key(host);
        self.allow_hosts.iter().any(|h| key(h) == host)
    }
}

/// A host name as compared: lower case, without a final dot or brackets.
fn key(host: &str) -> String {
    host.trim_end_matches('.')
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

/// A resolver that answers from the table or the system, and refuses a
/// name with any internal address unless allowed.
#[derive(Debug, Clone)]
pub struct Guard {
    allow_private: bool,
    allow_hosts: Arc<Vec<String>>,
    hosts: Arc<BTreeMap<String, Vec<IpAddr>>>,
}

impl Guard {
    /// The addresses of `name` the client may connect to.
    pub async fn lookup(
        &self,
        name: &str,
    ) -> Result<Vec<IpAddr>, Box<dyn std::error::Error + Send + Sync>> {
        let key = key(name);
        let addrs: Vec<IpAddr> = match self.hosts.get(&key) {
            Some(addrs) => addrs.clone(),
            None => tokio::net::lookup_host((name, 0))
                .await?
                .map(|a| a.ip())
                .collect(),
        };
        if !self.allow_private && !self.allow_hosts.contains(&key) {
            for ip in &addrs {
                if let Some(kind) = internal(*ip) {
                    return Err(Box::new(Blocked {
                        reason: format!("it resolves to {ip}, {kind} address"),
                    }));
                }
            }
        }
        Ok(addrs)
    }
}

impl Resolve for Guard {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.clone();
        Box::pin(async move {
            let addrs = guard.lookup(name.as_str()).await?;
            let addrs: Addrs = Box::new(addrs.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

/// The kind of internal address `ip` is (`a loopback`), `None` for a
/// public one.
pub fn internal(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => internal_v6(v6),
    }
}

fn internal_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (127, _, _) => "a loopback",
        (10, _, _) | (192, 168, _) => "a private",
        (172, 16..=31, _) => "a private",
        (169, 254, _) => "a link-local",
        (100, 64..=127, _) => "a shared (CGNAT)",
        (0, _, _) => "an unspecified",
        (224..=239, _, _) => "a multicast",
        (255, 255, 255) if ip.is_broadcast() => "a broadcast",
        (240..=255, _, _) => "a reserved",
        (192, 0, 0) => "a reserved",
        (198, 18..=19, _) => "a reserved",
        _ => return None,
    })
}

fn internal_v6(ip: Ipv6Addr) -> Option<&'static str> {
    // IPv4 written inside IPv6: mapped (::ffff:a.b.c.d), compatible
    // (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::).
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if let Some(v4) = ip.to_ipv4_mapped() {
        return internal_v4(v4);
    }
    if s[..6] == [0; 6] && !(s[6] == 0 && s[7] <= 1) {
        return internal_v4(embedded(s[6], s[7]));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return internal_v4(embedded(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return internal_v4(embedded(s[1], s[2]));
    }
    Some(match s[0] {
        _ if ip.is_loopback() => "a loopback",
        _ if ip.is_unspecified() => "an unspecified",
        0xfe80..=0xfebf => "a link-local",
        0xfec0..=0xfeff => "a site-local",
        0xfc00..=0xfdff => "a unique-local",
        0xff00..=0xffff => "a multicast",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Option<&'static str> {
        internal(s.parse().unwrap())
    }

    #[test]
    fn internal_addresses_of_every_kind() {
        for (ip, expected) in [
            ("127.0.0.1", "a loopback"),
            ("127.255.0.9", "a loopback"),
            ("10.1.2.3", "a private"),
            ("172.16.0.1", "a private"),
            ("172.31.255.255", "a private"),
            ("192.168.1.1", "a private"),
            ("169.254.169.254", "a link-local"),
            ("100.64.0.1", "a shared (CGNAT)"),
            ("100.127.255.254", "a shared (CGNAT)"),
            ("0.0.0.0", "an unspecified"),
            ("224.0.0.1", "a multicast"),
            ("255.255.255.255", "a broadcast"),
            ("240.0.0.1", "a reserved"),
            ("::1", "a loopback"),
            ("::", "an unspecified"),
            ("fe80::1", "a link-local"),
            ("fc00::1", "a unique-local"),
            ("fd12:3456::1", "a unique-local"),
            ("ff02::1", "a multicast"),
            ("::ffff:127.0.0.1", "a loopback"),
            ("::ffff:169.254.169.254", "a link-local"),
            ("::10.0.0.1", "a private"),
            ("64:ff9b::192.168.0.1", "a private"),
            ("2002:7f00:1::", "a loopback"),
        ] {
            assert_eq!(kind(ip), Some(expected), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::8.8.8.8",
        ] {
            assert_eq!(kind(ip), None, "{ip}");
        }
    }

    #[test]
    fn addresses_in_urls_in_every_spelling_are_refused() {
        let net = Network::default();
        for url in [
            "http://127.0.0.1:8080/",
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0177.0.0.1/",
            "http://0x7f.1/",
            "http://127.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:a9fe:a9fe]/",
            "http://[fe80::1]/",
            "http://0/",
            "http://10.0.0.1/",
        ] {
            let u = Url::parse(url).unwrap();
            let e = net.check_url(&u).expect_err(url);
            assert!(e.reason.contains(" address"), "{url}: {e}");
        }
        let allowed = Network {
            allow_private: true,
            ..Network::default()
        };
        assert!(
            allowed
                .check_url(&Url::parse("http://127.0.0.1/").unwrap())
                .is_ok()
        );
        let intranet = Network {
            allow_hosts: vec!["10.0.0.1".into(), "[::1]".into()],
            ..Network::default()
        };
        assert!(
            intranet
                .check_url(&Url::parse("http://10.0.0.1/").unwrap())
                .is_ok()
        );
        assert!(
            intranet
                .check_url(&Url::parse("http://[::1]:8/").unwrap())
                .is_ok()
        );
        assert!(
            intranet
                .check_url(&Url::parse("http://10.0.0.2/").unwrap())
                .is_err()
        );
        // Names are the resolver's to check.
        assert!(
            net.check_url(&Url::parse("http://news.example/").unwrap())
                .is_ok()
        );
        assert!(
            net.check_url(&Url::parse("http://93.184.216.34/").unwrap())
                .is_ok()
        );
    }

    #[test]
    fn content_of_public_hosts_names_web_ports_only_and_internal_content_stays_inside() {
        let net = Network {
            allow_hosts: vec!["intranet.example".into()],
            ..Network::default()
        };
        let port = |u: &str| net.check_port(&Url::parse(u).unwrap());
        assert!(port("https://news.example/a").is_ok());
        assert!(port("http://news.example:80/a").is_ok());
        assert!(port("https://news.example:443/a").is_ok());
        assert_eq!(
            port("https://news.example:8443/a").unwrap_err().reason,
            "port 8443 is not a web port (80 or 443)"
        );
        assert!(port("http://intranet.example:8080/a").is_ok());
        let open = Network {
            allow_private: true,
            ..Network::default()
        };
        assert!(
            open.check_port(&Url::parse("http://news.example:22/").unwrap())
                .is_ok()
        );

        let at = |s: &str| Some(s.parse::<SocketAddr>().unwrap());
        assert_eq!(
            net.origin_of("a.example", at("127.0.0.1:8080")),
            Origin::Internal
        );
        assert_eq!(
            net.origin_of("a.example", at("[fd00::1]:443")),
            Origin::Internal
        );
        assert_eq!(
            net.origin_of("a.example", at("93.184.216.34:443")),
            Origin::Public
        );
        assert_eq!(net.origin_of("a.example", None), Origin::Public);
        // Reaching an allowed host is allowed; where it points is not.
        assert_eq!(
            net.origin_of("Intranet.Example", at("10.0.0.1:80")),
            Origin::Public
        );
        assert!(net.unchecked(Origin::Operator) && net.unchecked(Origin::Internal));
        assert!(!net.unchecked(Origin::Public) && open.unchecked(Origin::Public));
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_with_internal_addresses() {
        let mut net = Network::default();
        let ips = |list: &[&str]| list.iter().map(|s| s.parse().unwrap()).collect::<Vec<_>>();
        net.hosts
            .insert("metadata.example".into(), ips(&["169.254.169.254"]));
        net.hosts
            .insert("split.example".into(), ips(&["93.184.216.34", "10.0.0.5"]));
        net.hosts
            .insert("public.example".into(), ips(&["93.184.216.34"]));
        let guard = net.guard(false);
        let e = guard.lookup("metadata.example").await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "it resolves to 169.254.169.254, a link-local address"
        );
        assert!(e.downcast_ref::<Blocked>().is_some());
        // One internal address among public ones is enough to refuse.
        assert!(guard.lookup("split.example").await.is_err());
        assert!(guard.lookup("METADATA.example.").await.is_err());
        assert_eq!(
            guard.lookup("public.example").await.unwrap(),
            ips(&["93.184.216.34"])
        );
        net.allow_hosts = vec!["Split.Example".into()];
        assert!(net.guard(false).lookup("split.example").await.is_ok());
        assert!(net.guard(false).lookup("metadata.example").await.is_err());
        net.allow_private = true;
        assert_eq!(
            net.guard(false).lookup("metadata.example").await.unwrap(),
            ips(&["169.254.169.254"])
        );
    }
}

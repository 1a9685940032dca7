//! Mesos-DNS's HTTP API (resolver/resolver.go): go-restful JSON, always 200, one all-empty
//! record when nothing matches.

use crate::http::{percent_decode, Reply, Request};
use crate::json::J;
use crate::mesos_dns::records::RecordSet;
use crate::world::World;

/// Answers one Mesos-DNS request; `path` has any DC/OS prefix (`/mesos_dns`) removed.
pub fn respond(world: &World, req: &Request, path: &str) -> Reply {
    if req.method != "GET" && req.method != "HEAD" {
        return Reply::bytes(405, "text/plain; charset=utf-8", "405: Method Not Allowed");
    }
    match path {
        "/v1/version" => Reply::go_json(
            // A Go map[string]string: keys come out sorted.
            &J::obj()
                .with("Service", J::str("Mesos-DNS"))
                .with("URL", J::str("https://github.com/mesosphere/mesos-dns"))
                .with("Version", J::str(&world.mesos_dns.version)),
        ),
        "/v1/config" => Reply::go_json(&config(world)),
        "/v1/enumerate" if world.mesos_dns.enumeration => enumerate(world),
        _ => {
            if let Some(rest) = path.strip_prefix("/v1/services/") {
                match percent_decode(rest, false) {
                    Some(service) if !service.is_empty() && !service.contains('/') => {
                        services(world, &service)
                    }
                    _ => not_found(),
                }
            } else if let Some(rest) = path.strip_prefix("/v1/hosts/") {
                match percent_decode(rest, false) {
                    Some(host) if host.ends_with("/ports") && !host.is_empty() => {
                        Reply::bytes(501, "text/plain; charset=utf-8", "To be implemented...")
                    }
                    Some(host) if !host.is_empty() && !host.contains('/') => hosts(world, &host),
                    _ => not_found(),
                }
            } else {
                not_found()
            }
        }
    }
}

/// go-restful's answer for an unknown route.
fn not_found() -> Reply {
    Reply::bytes(404, "text/plain; charset=utf-8", "404: Page Not Found")
}

/// Lowercase, `.*` wildcards removed, trailing dot added (resolver.go cleanWild + RestService).
fn normalize(name: &str) -> String {
    let mut dom = name.replace(".*", "").to_ascii_lowercase();
    if !dom.ends_with('.') {
        dom.push('.');
    }
    dom
}

fn services(world: &World, service: &str) -> Reply {
    let rs = RecordSet::build(world);
    let dom = normalize(service);
    let mut records = Vec::new();
    for target in rs.srv(&dom) {
        let Some((host, port)) = target.rsplit_once(':') else {
            continue;
        };
        let record = |ip: &str| {
            J::obj()
                .with("service", J::str(service))
                .with("host", J::str(host))
                .with("ip", J::str(ip))
                .with("port", J::str(port))
        };
        if let Some(ip) = rs.a(host).first() {
            records.push(record(ip));
        }
        if let Some(ip) = rs.aaaa(host).first() {
            records.push(record(ip));
        }
    }
    if records.is_empty() {
        records.push(
            J::obj()
                .with("service", J::str(""))
                .with("host", J::str(""))
                .with("ip", J::str(""))
                .with("port", J::str("")),
        );
    }
    Reply::go_json(&J::Arr(records))
}

fn hosts(world: &World, host: &str) -> Reply {
    let rs = RecordSet::build(world);
    let dom = normalize(host);
    let mut records: Vec<J> = rs
        .a(&dom)
        .iter()
        .chain(rs.aaaa(&dom))
        .map(|ip| J::obj().with("host", J::str(&dom)).with("ip", J::str(ip)))
        .collect();
    if records.is_empty() {
        records.push(J::obj().with("host", J::str("")).with("ip", J::str("")));
    }
    Reply::go_json(&J::Arr(records))
}

fn enumerate(world: &World) -> Reply {
    let rs = RecordSet::build(world);
    let tasks = rs.tasks.iter().map(|t| {
        J::obj()
            .with("name", J::str(&t.name))
            .with("id", J::str(&t.id))
            .with(
                "records",
                J::arr(t.records.iter().map(|(name, host, rtype)| {
                    J::obj()
                        .with("name", J::str(name))
                        .with("host", J::str(host))
                        .with("rtype", J::str(rtype.name()))
                })),
            )
    });
    let framework = J::obj()
        .with("tasks", J::arr(tasks))
        .with("name", J::str(&rs.framework));
    Reply::go_json(&J::obj().with("frameworks", J::arr([framework])))
}

/// `/v1/config`: records.Config's exported fields (Go names, struct order), as DC/OS serves.
fn config(world: &World) -> J {
    let dns = &world.mesos_dns;
    let soa_mname = format!("ns1.{}.", dns.domain);
    J::obj()
        .with("RefreshSeconds", J::int(60))
        .with("Port", J::int(53))
        .with("Timeout", J::int(5))
        .with("StateTimeoutSeconds", J::int(300))
        .with("ZkDetectionTimeout", J::int(30))
        .with("HttpPort", J::int(8123))
        .with("TTL", J::int(60))
        .with("SOASerial", J::int(1_495_828_250))
        .with("SOARefresh", J::int(60))
        .with("SOARetry", J::int(600))
        .with("SOAExpire", J::int(86_400))
        .with("SOAMinttl", J::int(60))
        .with("SOAMname", J::str(&soa_mname))
        .with("SOARname", J::str(format!("root.{soa_mname}")))
        .with("Masters", J::Null)
        .with("ZoneResolvers", J::obj())
        .with("Resolvers", J::strs(["8.8.8.8"]))
        .with("IPSources", J::strs(&dns.ip_sources))
        .with("Zk", J::str("zk://localhost:2181/mesos"))
        .with("Domain", J::str(&dns.domain))
        .with("File", J::str(""))
        .with("Listener", J::str("0.0.0.0"))
        .with("HTTPListener", J::str("0.0.0.0"))
        .with("RecurseOn", J::Bool(true))
        .with("DnsOn", J::Bool(true))
        .with("HttpOn", J::Bool(true))
        .with("ExternalOn", J::Bool(true))
        .with("EnforceRFC952", J::Bool(dns.enforce_rfc952))
        .with("SetTruncateBit", J::Bool(false))
        .with("EnumerationOn", J::Bool(dns.enumeration))
        .with("MesosHTTPSOn", J::Bool(false))
        .with("CACertFile", J::str(""))
        .with("CertFile", J::str(""))
        .with("KeyFile", J::str(""))
        .with(
            "MesosCredentials",
            J::obj()
                .with("Principal", J::str(""))
                .with("Secret", J::str("")),
        )
        .with("IAMConfigFile", J::str(""))
        .with("MesosAuthentication", J::str(""))
}

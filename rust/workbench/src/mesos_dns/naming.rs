//! Mesos-DNS's naming rules (records/labels/labels.go, records/generator.go), reimplemented
//! here on purpose rather than shared with the client: the workbench must name records the
//! way Mesos-DNS does, not the way the client expects.

use sha1::{Digest, Sha1};

/// Marathon's `TaskInfo.name` / `DiscoveryInfo.name`: the app path reversed and dot-joined
/// (`/group/app` → `app.group`, PathId.toHostname).
pub fn marathon_task_name(app_id: &str) -> String {
    let mut segments: Vec<&str> = app_id.split('/').filter(|s| !s.is_empty()).collect();
    segments.reverse();
    segments.join(".")
}

/// Which DNS label rule Mesos-DNS applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelRule {
    /// Default: max 63 characters.
    Rfc1123,
    /// `EnforceRFC952`: max 24 characters, no leading digit.
    Rfc952,
}

impl LabelRule {
    /// Lowercases; `.`, `_` and `-` become `-`; any other character outside `[a-z0-9]` is
    /// dropped; leading `-` (and digits under RFC 952) trimmed; cut to the maximum length;
    /// trailing `-` trimmed.
    pub fn label(self, name: &str) -> String {
        let mapped: String = name
            .chars()
            .filter_map(|c| {
                let c = c.to_ascii_lowercase();
                match c {
                    'a'..='z' | '0'..='9' => Some(c),
                    '.' | '_' | '-' => Some('-'),
                    _ => None,
                }
            })
            .collect();
        let (max, trimmed) = match self {
            LabelRule::Rfc1123 => (63, mapped.trim_start_matches('-')),
            LabelRule::Rfc952 => (
                24,
                mapped.trim_start_matches(|c: char| c == '-' || c.is_ascii_digit()),
            ),
        };
        let cut: String = trimmed.chars().take(max).collect();
        cut.trim_end_matches('-').to_string()
    }

    /// `DomainFrag`: each dot-separated part labelled, empty parts dropped.
    pub fn domain_frag(self, name: &str) -> String {
        name.split('.')
            .map(|part| self.label(part))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(".")
    }
}

const ZBASE32: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";

/// z-base-32 of `bytes` (MSB first, no padding).
fn zbase32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ZBASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ZBASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The 5-character task hash in canonical names: z-base-32 of SHA-1 of the task id.
pub fn task_hash(task_id: &str) -> String {
    let digest = Sha1::digest(task_id.as_bytes());
    zbase32(&digest)[..5].to_string()
}

/// The last `-` field of the agent id, lowercased (`…-S1` → `s1`).
pub fn slave_id_tail(slave_id: &str) -> String {
    slave_id
        .rsplit('-')
        .next()
        .unwrap_or(slave_id)
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_hashes_match_published_mesos_dns_output() {
        // v1_enumerate.json: nginx-jhy6r-s1 for task nginx.48dccce7-…
        assert_eq!(
            task_hash("nginx.48dccce7-90bc-11e6-ae70-70b3d5800001"),
            "jhy6r"
        );
        // DC/OS service-naming example: kafka-7fdws-s0, chronos-4dj75-s0.
        assert_eq!(
            task_hash("kafka.443d5d63-f527-11e5-81a5-2a8c0aaf83b5"),
            "7fdws"
        );
        assert_eq!(
            task_hash("chronos.40a4f462-f527-11e5-81a5-2a8c0aaf83b5"),
            "4dj75"
        );
    }

    #[test]
    fn labels() {
        let r = LabelRule::Rfc1123;
        assert_eq!(r.label("manager.wso2"), "manager-wso2");
        assert_eq!(r.label("-My_App!-"), "my-app");
        assert_eq!(
            r.label("nginx.router.mesosphere.tutorial"),
            "nginx-router-mesosphere-tutorial"
        );
        assert_eq!(
            LabelRule::Rfc952.label("9lives-nginx.router.mesosphere"),
            "lives-nginx-router-mesos"
        );
        assert_eq!(
            LabelRule::Rfc952.label("nginx-router-mesosphere-tutorial"),
            "nginx-router-mesosphere"
        );
        assert_eq!(r.label(&"a".repeat(70)).len(), 63);
        assert_eq!(r.domain_frag("marathon-user"), "marathon-user");
        assert_eq!(marathon_task_name("/a/b/c"), "c.b.a");
        assert_eq!(
            slave_id_tail("c28a2184-c702-482c-91c8-5af9318434d4-S1"),
            "s1"
        );
    }
}

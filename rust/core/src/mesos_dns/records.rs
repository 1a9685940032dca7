//! Pure parsing and selection of Mesos-DNS `/v1/services/{name}` answers.
//!
//! Mesos-DNS answers `[{"service", "host", "ip", "port"}]` (`port` a string, `host` the SRV
//! target: one per task) and, when nothing matches, a single all-empty record — never a 404.
//! It publishes one SRV record per port of each running task; the member of a task is the
//! record of its Hazelcast port: the named record when a port name is configured, otherwise
//! the task's lowest port (the original scheme's rule, applied per task instead of per app).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::{Member, Warning};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServiceRecord {
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub ip: Option<String>,
    #[serde(default)]
    pub port: Option<String>,
}

impl ServiceRecord {
    /// The SRV target (the task's name) without its root dot; `None` for `.` (RFC 2782: the
    /// service is decidedly not available at this domain) and for an empty target.
    pub fn target(&self) -> Option<&str> {
        let target = self.host.as_deref()?.trim().trim_end_matches('.');
        (!target.is_empty()).then_some(target)
    }

    fn is_empty(&self) -> bool {
        [&self.host, &self.ip, &self.port]
            .iter()
            .all(|f| f.as_deref().is_none_or(str::is_empty))
    }
}

/// Parses an answer; the all-empty placeholder yields no records.
pub fn parse_services(body: &[u8]) -> Result<Vec<ServiceRecord>> {
    let records: Vec<ServiceRecord> = serde_json::from_slice(body)
        .map_err(|e| Error::protocol(format!("not a Mesos-DNS services answer: {e}")))?;
    Ok(records.into_iter().filter(|r| !r.is_empty()).collect())
}

/// One member per SRV target (task): its lowest port. Records without a target are skipped.
pub fn members(app_id: &str, records: &[ServiceRecord]) -> (Vec<Member>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let mut by_target: BTreeMap<String, (String, u16)> = BTreeMap::new();
    for record in records {
        let ip = record.ip.as_deref().unwrap_or("").trim();
        let Some(target) = record.target() else {
            warnings.push(Warning::app(
                app_id,
                format!(
                    "Mesos-DNS record {:?} → {:?} at {ip}:{}: no SRV target (empty, or \".\": not available); skipped",
                    record.service.as_deref().unwrap_or(""),
                    record.host.as_deref().unwrap_or(""),
                    record.port.as_deref().unwrap_or("").trim(),
                ),
            ));
            continue;
        };
        let target = target.to_string();
        let port = record.port.as_deref().unwrap_or("").trim();
        let port = match port.parse::<u16>() {
            Ok(p) if p != 0 => p,
            _ => {
                warnings.push(Warning::task(
                    app_id,
                    &target,
                    format!("Mesos-DNS record has no usable port ({port:?}); skipped"),
                ));
                continue;
            }
        };
        if ip.parse::<std::net::IpAddr>().is_err() {
            warnings.push(Warning::task(
                app_id,
                &target,
                format!("Mesos-DNS record has no usable IP ({ip:?}); skipped"),
            ));
            continue;
        }
        by_target
            .entry(target)
            .and_modify(|(_, lowest)| *lowest = (*lowest).min(port))
            .or_insert((ip.to_string(), port));
    }
    let members = by_target
        .into_iter()
        .map(|(target, (host, port))| Member {
            host,
            port,
            app_id: app_id.to_string(),
            task_id: target,
            state: "TASK_RUNNING".to_string(),
            healthy: None,
        })
        .collect();
    (members, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(host: &str, ip: &str, port: &str) -> ServiceRecord {
        ServiceRecord {
            service: Some("_a._tcp.marathon.mesos.".into()),
            host: Some(host.into()),
            ip: Some(ip.into()),
            port: Some(port.into()),
        }
    }

    #[test]
    fn empty_placeholder_means_nothing() {
        let body = b"[\n {\n  \"service\": \"\",\n  \"host\": \"\",\n  \"ip\": \"\",\n  \"port\": \"\"\n }\n]";
        assert!(parse_services(body).unwrap().is_empty());
        assert!(parse_services(b"{}").is_err());
    }

    #[test]
    fn one_member_per_task_with_its_lowest_port() {
        let records = vec![
            rec("t1-abcde-s1.marathon.mesos.", "10.0.0.1", "31002"),
            rec("t1-abcde-s1.marathon.mesos.", "10.0.0.1", "31001"),
            rec("t2-fghij-s1.marathon.mesos.", "10.0.0.1", "31005"),
            rec("t3-klmno-s2.marathon.mesos.", "10.0.0.2", "x"),
        ];
        let (members, warnings) = members("/a", &records);
        let got: Vec<(String, u16, String)> = members
            .iter()
            .map(|m| (m.host.clone(), m.port, m.task_id.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "10.0.0.1".into(),
                    31001,
                    "t1-abcde-s1.marathon.mesos".into()
                ),
                (
                    "10.0.0.1".into(),
                    31005,
                    "t2-fghij-s1.marathon.mesos".into()
                ),
            ]
        );
        assert_eq!(warnings.len(), 1);
    }
}

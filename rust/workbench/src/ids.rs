//! Deterministic identifiers: UUIDs, Mesos agent/framework ids and Marathon task ids, all
//! derived from the cluster seed so that served bodies are identical from run to run.

use crate::cluster::MarathonVersion;

/// SplitMix64: tiny, good enough to spread ids, and stable across platforms.
#[derive(Clone, Debug)]
pub struct IdSource {
    state: u64,
}

impl IdSource {
    pub fn new(seed: u64) -> IdSource {
        IdSource {
            state: seed ^ 0x6d65_736f_732d_6469,
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A time-based (version 1) looking UUID, like the ones Marathon puts in task ids
    /// (`01da9a15-68a7-11e7-a229-e6a514ca0c21`).
    pub fn uuid_v1(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-11e7-{:04x}-{:012x}",
            (a >> 32) as u32,
            (a >> 16) as u16,
            0x8000 | ((b >> 48) as u16 & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }

    /// A random-looking (version 4) UUID, as Mesos uses inside agent and framework ids.
    pub fn uuid_v4(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            (a >> 32) as u32,
            (a >> 16) as u16,
            a as u16 & 0x0fff,
            0x8000 | ((b >> 48) as u16 & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }
}

/// `/a/b/c` → `a_b_c`, Marathon's "safe path" used as the task id prefix.
pub fn safe_app_path(app_id: &str) -> String {
    app_id
        .split('/')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// A task's id and its instance id as the given Marathon version would mint them.
///
/// - ≤1.5 (tasks launched before instances existed): `<safe>.<uuid>`; 1.5 reports the instance
///   as `<safe>.marathon-<uuid>` (marathon-lb's 1.5 fixture);
/// - 1.10: `<safe>.instance-<uuid>._app.<incarnation>`, instance `<safe>.instance-<uuid>`.
pub fn task_ids(version: MarathonVersion, app_id: &str, uuid: &str) -> (String, String) {
    let safe = safe_app_path(app_id);
    match version {
        MarathonVersion::V1_1 | MarathonVersion::V1_4 => {
            let id = format!("{safe}.{uuid}");
            (id.clone(), id)
        }
        MarathonVersion::V1_5 => (format!("{safe}.{uuid}"), format!("{safe}.marathon-{uuid}")),
        MarathonVersion::V1_10 => {
            let instance = format!("{safe}.instance-{uuid}");
            (format!("{instance}._app.1"), instance)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_deterministic_and_shaped() {
        let mut a = IdSource::new(7);
        let mut b = IdSource::new(7);
        let u = a.uuid_v1();
        assert_eq!(u, b.uuid_v1());
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..18], "11e7");
        assert_ne!(u, a.uuid_v1());
    }

    #[test]
    fn task_id_forms_per_version() {
        let (t, i) = task_ids(MarathonVersion::V1_10, "/foo/bar", "u");
        assert_eq!(t, "foo_bar.instance-u._app.1");
        assert_eq!(i, "foo_bar.instance-u");
        let (t, i) = task_ids(MarathonVersion::V1_5, "/nginx-green", "u");
        assert_eq!(t, "nginx-green.u");
        assert_eq!(i, "nginx-green.marathon-u");
        let (t, _) = task_ids(MarathonVersion::V1_1, "/tools/docker/registry", "u");
        assert_eq!(t, "tools_docker_registry.u");
    }
}

//! Mesos-DNS has no event stream: poll it.

use std::sync::Arc;

use super::AppLook;
use crate::membership::Core;
use crate::mesos_dns;
use crate::model::Discovery;

pub(crate) async fn follow(core: Arc<Core>) {
    loop {
        match mesos_dns::query_all(&core.http, &core.config).await {
            Ok(answers) => {
                let looks =
                    core.config
                        .apps
                        .iter()
                        .cloned()
                        .zip(answers.into_iter().map(|(members, warnings)| {
                            AppLook::found(Discovery { members, warnings })
                        }))
                        .collect();
                core.tracker().replace_apps(looks);
            }
            Err(e) => core.tracker().failed(e),
        }
        tokio::time::sleep(core.config.poll_interval).await;
    }
}

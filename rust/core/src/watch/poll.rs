//! Mesos-DNS has no event stream: poll it.

use std::sync::Arc;

use super::Tracker;
use crate::config::Config;
use crate::http::HttpClient;
use crate::mesos_dns;
use crate::model::Discovery;

pub(super) async fn follow(config: Config, http: Arc<HttpClient>, mut tracker: Tracker) {
    loop {
        match mesos_dns::query_all(&http, &config).await {
            Ok(answers) => {
                let apps = config
                    .apps
                    .iter()
                    .cloned()
                    .zip(
                        answers
                            .into_iter()
                            .map(|(members, warnings)| Discovery { members, warnings }),
                    )
                    .collect();
                tracker.replace_apps(apps);
            }
            Err(e) => tracker.failed(e),
        }
        tokio::time::sleep(config.poll_interval).await;
    }
}

//! One Marathon task object (`Task::from_value`), as embedded in an app or listed by
//! `/v2/tasks`: either a task with its four required fields, or a message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mesos_discovery::marathon::api::Task;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let raw_app_id = value
        .get("appId")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    match Task::from_value(value, "/fuzz/app") {
        Ok(task) => {
            assert!(!task.id.is_empty() && !task.host.is_empty() && !task.state.is_empty());
            match raw_app_id.filter(|a| !a.is_empty()) {
                Some(app) => assert_eq!(task.app_id, app),
                None => assert_eq!(task.app_id, "/fuzz/app"),
            }
        }
        Err(why) => assert!(!why.is_empty()),
    }
});

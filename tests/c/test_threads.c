/* Many threads on one handle: MD_THREADS (default 32) threads x MD_CALLS (default 200) calls
 * on one discovery client (structs and JSON alternating, every answer checked), each thread
 * also checking that its last-error message is its own; then the same on one detector. */
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>

#include "common.h"

static mesos_discovery_client *client;
static mesos_discovery_detector *detector;
static int calls;

static void *discover_many(void *arg) {
  long index = (long)arg;
  char expected_error[64];
  snprintf(expected_error, sizeof expected_error, "out is NULL");
  for (int i = 0; i < calls; i++) {
    if ((i + index) % 2 == 0) {
      mesos_discovery_members *found = NULL;
      CHECK_RC(mesos_discovery_client_members(client, 20000, &found), MESOS_DISCOVERY_OK);
      CHECK(found->len == 3);
      CHECK(found->members[0].port == 31001 && found->members[2].port == 31003);
      mesos_discovery_members_free(found);
    } else {
      char *json = NULL;
      CHECK_RC(mesos_discovery_client_members_json(client, 20000, &json), MESOS_DISCOVERY_OK);
      CHECK(strstr(json, "\"port\":31002") != NULL);
      mesos_discovery_string_free(json);
    }
    CHECK_STR(mesos_discovery_last_error(), "");
    if (i % 50 == 0) {
      CHECK_RC(mesos_discovery_client_members(client, 100, NULL), MESOS_DISCOVERY_INVALID_ARGUMENT);
      CHECK_STR(mesos_discovery_last_error(), expected_error);
    }
  }
  return NULL;
}

static void *wait_many(void *arg) {
  (void)arg;
  for (int i = 0; i < calls; i++) {
    mesos_discovery_leader_state *state = NULL;
    CHECK_RC(mesos_discovery_detector_wait(detector, UINT64_MAX, 0, &state), MESOS_DISCOVERY_OK);
    mesos_discovery_leader_state_free(state);
    /* Generation 0 (nothing known) differs from 1: answered at once too. */
    CHECK_RC(mesos_discovery_detector_wait(detector, 1, 0, &state), MESOS_DISCOVERY_OK);
    mesos_discovery_leader_state_free(state);
  }
  return NULL;
}

static int env_int(const char *name, int fallback) {
  const char *v = getenv(name);
  return v && *v ? atoi(v) : fallback;
}

static void run(int threads, void *(*body)(void *)) {
  pthread_t *ids = calloc((size_t)threads, sizeof *ids);
  CHECK(ids != NULL);
  for (long t = 0; t < threads; t++) CHECK(pthread_create(&ids[t], NULL, body, (void *)t) == 0);
  for (int t = 0; t < threads; t++) CHECK(pthread_join(ids[t], NULL) == 0);
  free(ids);
}

int main(void) {
  const char *wb = md_env("MD_WORKBENCH_URL");
  int threads = env_int("MD_THREADS", 32);
  calls = env_int("MD_CALLS", 200);
  mesos_discovery_kv kv[] = {{"MARATHON_ENDPOINT", wb}, {"MARATHON_APPLICATIONS", "/wso2/am,/wso2/is"}};
  CHECK_RC(mesos_discovery_client_new(kv, 2, MESOS_DISCOVERY_ENV_IGNORE, &client), MESOS_DISCOVERY_OK);
  run(threads, discover_many);
  mesos_discovery_client_free(client);
  printf("test_threads: %d threads x %d discoveries on one client\n", threads, calls);

  /* A detector nobody answers for: waits, watcher start race, and frees under contention. */
  CHECK_RC(mesos_discovery_detector_new("zk://127.0.0.1:1/mesos", 2000, 200, &detector), MESOS_DISCOVERY_OK);
  run(threads, wait_many);
  mesos_discovery_detector_free(detector);
  printf("test_threads: %d threads x %d waits on one detector\n", threads, calls);
  md_done("test_threads");
  return 0;
}

/* Discovery against the workbench (tests/c/cluster.json): members as structs and as JSON, the
 * two agreeing exactly; warnings; "not found"; Mesos-DNS; the environment overlay; logging. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "admin.h"

static const char *wb;

struct expected {
  const char *host;
  uint16_t port;
  const char *app;
  const char *task_prefix;
  int8_t healthy;
};

/* tests/c/cluster.json, sorted by (host, port). */
static const struct expected marathon_members[] = {
    {"10.0.2.1", 31001, "/wso2/am", "wso2_am.", MESOS_DISCOVERY_HEALTH_PASSING},
    {"10.0.2.2", 31002, "/wso2/am", "wso2_am.", MESOS_DISCOVERY_HEALTH_FAILING},
    {"10.0.2.2", 31003, "/wso2/is", "wso2_is.", MESOS_DISCOVERY_HEALTH_UNKNOWN},
};

static mesos_discovery_client *client_for(const mesos_discovery_kv *kv, size_t n, uint32_t overlay) {
  mesos_discovery_client *client = NULL;
  CHECK_RC(mesos_discovery_client_new(kv, n, overlay, &client), MESOS_DISCOVERY_OK);
  return client;
}

static void append(char *buf, size_t cap, const char *text) {
  size_t used = strlen(buf);
  CHECK(used + strlen(text) < cap);
  memcpy(buf + used, text, strlen(text) + 1);
}

/* The JSON the model serialises for one member (field order of the Rust struct). */
static void member_json(char *buf, size_t cap, const mesos_discovery_member *m) {
  char one[512];
  const char *healthy = m->healthy == MESOS_DISCOVERY_HEALTH_UNKNOWN ? "null"
                        : m->healthy == MESOS_DISCOVERY_HEALTH_PASSING ? "true" : "false";
  snprintf(one, sizeof one,
           "{\"host\":\"%s\",\"port\":%u,\"app_id\":\"%s\",\"task_id\":\"%s\",\"state\":\"%s\",\"healthy\":%s}",
           m->host, (unsigned)m->port, m->app_id, m->task_id, m->state, healthy);
  append(buf, cap, one);
}

static void check_marathon_structs_and_json(void) {
  mesos_discovery_kv kv[] = {{"MARATHON_ENDPOINT", wb},
                             {"MARATHON_APPLICATIONS", "/wso2/is, wso2/am"},
                             {"MESOS_DISCOVERY_DEADLINE", ""}};
  mesos_discovery_client *client = client_for(kv, 3, MESOS_DISCOVERY_ENV_IGNORE);
  mesos_discovery_members *found = NULL;
  CHECK_RC(mesos_discovery_client_members(client, 10000, &found), MESOS_DISCOVERY_OK);
  CHECK_STR(mesos_discovery_last_error(), "");
  CHECK(found->len == 3);
  CHECK(found->warnings_len == 0);
  char expected_json[4096] = "[";
  for (size_t i = 0; i < found->len; i++) {
    const mesos_discovery_member *m = &found->members[i];
    const struct expected *e = &marathon_members[i];
    CHECK_STR(m->host, e->host);
    CHECK(m->port == e->port);
    CHECK_STR(m->app_id, e->app);
    CHECK(strncmp(m->task_id, e->task_prefix, strlen(e->task_prefix)) == 0);
    CHECK(strlen(m->task_id) > strlen(e->task_prefix));
    CHECK_STR(m->state, "TASK_RUNNING");
    CHECK(m->healthy == e->healthy);
    if (i > 0) append(expected_json, sizeof expected_json, ",");
    member_json(expected_json, sizeof expected_json, m);
  }
  append(expected_json, sizeof expected_json, "]");

  char *json = NULL;
  CHECK_RC(mesos_discovery_client_members_json(client, 10000, &json), MESOS_DISCOVERY_OK);
  CHECK_STR(json, expected_json);
  mesos_discovery_string_free(json);
  mesos_discovery_members_free(found);

  /* Timeout 0: the configured deadline bounds the call. */
  CHECK_RC(mesos_discovery_client_members(client, 0, &found), MESOS_DISCOVERY_OK);
  CHECK(found->len == 3);
  mesos_discovery_members_free(found);
  mesos_discovery_client_free(client);
}

static void check_warnings_and_not_found(void) {
  mesos_discovery_kv some[] = {{"MARATHON_ENDPOINT", wb}, {"MARATHON_APPLICATIONS", "/wso2/am,/nope"}};
  mesos_discovery_client *client = client_for(some, 2, MESOS_DISCOVERY_ENV_IGNORE);
  mesos_discovery_members *found = NULL;
  CHECK_RC(mesos_discovery_client_members(client, 10000, &found), MESOS_DISCOVERY_OK);
  CHECK(found->len == 2);
  CHECK(found->warnings_len >= 1);
  int named = 0;
  for (size_t i = 0; i < found->warnings_len; i++) {
    const mesos_discovery_warning *w = &found->warnings[i];
    CHECK(w->message != NULL && strlen(w->message) > 0);
    if (w->app_id != NULL && strcmp(w->app_id, "/nope") == 0) {
      named = 1;
      CHECK(w->task_id == NULL);
    }
  }
  CHECK(named);
  mesos_discovery_members_free(found);
  mesos_discovery_client_free(client);

  mesos_discovery_kv none[] = {{"MARATHON_ENDPOINT", wb}, {"MARATHON_APPLICATIONS", "/nope"}};
  client = client_for(none, 2, MESOS_DISCOVERY_ENV_IGNORE);
  found = (mesos_discovery_members *)0x1;
  CHECK_RC(mesos_discovery_client_members(client, 10000, &found), MESOS_DISCOVERY_NOT_FOUND);
  CHECK(strstr(mesos_discovery_last_error(), "/nope") != NULL);
  CHECK(found == (mesos_discovery_members *)0x1);
  mesos_discovery_client_free(client);
}

static void check_mesos_dns(void) {
  mesos_discovery_kv kv[] = {{"MESOS_MEMBER_DISCOVERY_SCHEME", "MesosDNS"},
                             {"MESOS_DNS_ENDPOINT", wb},
                             {"MARATHON_APPLICATIONS", "/wso2/am,/wso2/is"},
                             {"DNS_UPDATE_TIMEOUT", "2"}};
  mesos_discovery_client *client = client_for(kv, 4, MESOS_DISCOVERY_ENV_IGNORE);
  mesos_discovery_members *found = NULL;
  CHECK_RC(mesos_discovery_client_members(client, 10000, &found), MESOS_DISCOVERY_OK);
  CHECK(found->len == 3);
  uint32_t ports = 0;
  for (size_t i = 0; i < found->len; i++) {
    ports += found->members[i].port;
    CHECK(found->members[i].healthy == MESOS_DISCOVERY_HEALTH_UNKNOWN);
    CHECK_STR(found->members[i].state, "TASK_RUNNING");
  }
  CHECK(ports == 31001 + 31002 + 31003);
  mesos_discovery_members_free(found);
  mesos_discovery_client_free(client);
}

static void check_env_overlay(void) {
  CHECK(setenv("MARATHON_APPLICATIONS", "/wso2/is", 1) == 0);
  mesos_discovery_kv kv[] = {{"MARATHON_ENDPOINT", wb}, {"MARATHON_APPLICATIONS", "/wso2/am"}};
  mesos_discovery_client *wins = client_for(kv, 2, MESOS_DISCOVERY_ENV_WINS);
  mesos_discovery_client *fills = client_for(kv, 2, MESOS_DISCOVERY_ENV_FILLS);
  mesos_discovery_client *only_env = client_for(kv, 1, MESOS_DISCOVERY_ENV_FILLS);
  mesos_discovery_members *found = NULL;
  CHECK_RC(mesos_discovery_client_members(wins, 10000, &found), MESOS_DISCOVERY_OK);
  CHECK(found->len == 1);
  CHECK_STR(found->members[0].app_id, "/wso2/is");
  mesos_discovery_members_free(found);
  CHECK_RC(mesos_discovery_client_members(fills, 10000, &found), MESOS_DISCOVERY_OK);
  CHECK(found->len == 2);
  CHECK_STR(found->members[0].app_id, "/wso2/am");
  mesos_discovery_members_free(found);
  CHECK_RC(mesos_discovery_client_members(only_env, 10000, &found), MESOS_DISCOVERY_OK);
  CHECK(found->len == 1);
  mesos_discovery_members_free(found);
  mesos_discovery_client_free(wins);
  mesos_discovery_client_free(fills);
  mesos_discovery_client_free(only_env);
  CHECK(unsetenv("MARATHON_APPLICATIONS") == 0);
}

/* Logging: lines arrive at the callback (thread-safe collector), none after turning it off. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_lines = 0;
static int warn_about_nope = 0;
static int saw_secret = 0;

static void collect(void *userdata, uint32_t level, const char *target, const char *message) {
  CHECK(userdata == &log_lines);
  CHECK(level >= MESOS_DISCOVERY_LOG_ERROR && level <= MESOS_DISCOVERY_LOG_TRACE);
  CHECK(target != NULL && message != NULL);
  pthread_mutex_lock(&log_lock);
  log_lines++;
  if (level == MESOS_DISCOVERY_LOG_WARN && strstr(message, "/nope") != NULL) warn_about_nope = 1;
  if (strstr(message, "hunter2") != NULL) saw_secret = 1;
  pthread_mutex_unlock(&log_lock);
}

static void check_logging(void) {
  CHECK_RC(mesos_discovery_set_logger(collect, &log_lines, MESOS_DISCOVERY_LOG_TRACE), MESOS_DISCOVERY_OK);
  mesos_discovery_kv kv[] = {{"MARATHON_ENDPOINT", wb},
                             {"MARATHON_APPLICATIONS", "/wso2/am,/nope"},
                             {"ENABLE_MARATHON_BASIC_AUTH", "true"},
                             {"MARATHON_USERNAME", "admin"},
                             {"MARATHON_PASSWORD", "hunter2"}};
  mesos_discovery_client *client = client_for(kv, 5, MESOS_DISCOVERY_ENV_IGNORE);
  mesos_discovery_members *found = NULL;
  CHECK_RC(mesos_discovery_client_members(client, 10000, &found), MESOS_DISCOVERY_OK);
  mesos_discovery_members_free(found);
  CHECK_RC(mesos_discovery_set_logger(NULL, NULL, MESOS_DISCOVERY_LOG_OFF), MESOS_DISCOVERY_OK);
  pthread_mutex_lock(&log_lock);
  int seen = log_lines;
  CHECK(seen > 0);
  CHECK(warn_about_nope);
  CHECK(!saw_secret);
  pthread_mutex_unlock(&log_lock);
  CHECK_RC(mesos_discovery_client_members(client, 10000, &found), MESOS_DISCOVERY_OK);
  mesos_discovery_members_free(found);
  pthread_mutex_lock(&log_lock);
  CHECK(log_lines == seen);
  pthread_mutex_unlock(&log_lock);
  mesos_discovery_client_free(client);
}

static int admin_post(const char *path, const char *body) { return md_admin_post(wb, path, body); }

/* The member-set wait sees a scale-up and a scale-down of /wso2/watch (an app only this test
 * uses; it restores the instance count, so reruns on the same workbench see the same). */
static void check_member_set_wait(void) {
  mesos_discovery_kv kv[] = {{"MARATHON_ENDPOINT", wb}, {"MARATHON_APPLICATIONS", "/wso2/watch"}};
  mesos_discovery_client *client = client_for(kv, 2, MESOS_DISCOVERY_ENV_IGNORE);
  uint64_t gen = 0;
  mesos_discovery_members *found = NULL;
  CHECK_RC(mesos_discovery_client_wait(client, 0, 20000, &gen, &found), MESOS_DISCOVERY_OK);
  CHECK(gen >= 1);
  size_t start = found->len;
  CHECK(start >= 1);
  mesos_discovery_members_free(found);
  found = (mesos_discovery_members *)0x1;
  uint64_t untouched = 77;
  CHECK_RC(mesos_discovery_client_wait(client, gen, 200, &untouched, &found), MESOS_DISCOVERY_UNCHANGED);
  CHECK(untouched == 77 && found == (mesos_discovery_members *)0x1);

  char body[128];
  snprintf(body, sizeof body, "{\"app\":\"/wso2/watch\",\"instances\":%zu}", start + 1);
  CHECK(admin_post("/_workbench/scale", body) == 200);
  CHECK_RC(mesos_discovery_client_wait(client, gen, 20000, &gen, &found), MESOS_DISCOVERY_OK);
  CHECK(found->len == start + 1);
  mesos_discovery_members_free(found);

  snprintf(body, sizeof body, "{\"app\":\"/wso2/watch\",\"instances\":%zu}", start);
  CHECK(admin_post("/_workbench/scale", body) == 200);
  char *json = NULL;
  CHECK_RC(mesos_discovery_client_wait_json(client, gen, 20000, &json), MESOS_DISCOVERY_OK);
  unsigned long long next = 0;
  CHECK(sscanf(json, "{\"generation\":%llu,\"members\":[", &next) == 1 && next > gen);
  CHECK(strstr(json, "\"error\":null}") != NULL);
  mesos_discovery_string_free(json);

  CHECK_RC(mesos_discovery_client_wait(client, gen, 0, NULL, &found), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_RC(mesos_discovery_client_close(client), MESOS_DISCOVERY_OK);
  CHECK_RC(mesos_discovery_client_wait(client, 0, 0, &gen, &found), MESOS_DISCOVERY_CLOSED);
  /* One-shot discovery still works on a closed client. */
  CHECK_RC(mesos_discovery_client_members(client, 10000, &found), MESOS_DISCOVERY_OK);
  CHECK(found->len == start);
  mesos_discovery_members_free(found);
  mesos_discovery_client_free(client);
}

int main(void) {
  wb = md_env("MD_WORKBENCH_URL");
  check_marathon_structs_and_json();
  check_warnings_and_not_found();
  check_mesos_dns();
  check_env_overlay();
  check_logging();
  check_member_set_wait();
  md_done("test_discovery");
  return 0;
}

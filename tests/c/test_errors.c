/* Every error path that needs no server: NULL arguments, bad configuration, bad URLs,
 * unreachable endpoints, a server that never answers (the call's timeout), version and result
 * names, NULL-tolerant frees, and "out-parameters are written only on success". */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

/* A pointer value the library must never write over on failure. */
#define UNTOUCHED ((void *)0x5a5a5a5a)

static void check_version(void) {
  char expected[64];
  snprintf(expected, sizeof expected, "%d.%d.%d", MESOS_DISCOVERY_VERSION_MAJOR,
           MESOS_DISCOVERY_VERSION_MINOR, MESOS_DISCOVERY_VERSION_PATCH);
  CHECK_STR(MESOS_DISCOVERY_VERSION, expected);
  CHECK_STR(mesos_discovery_version(), MESOS_DISCOVERY_VERSION);
}

static void check_result_names(void) {
  static const char *const names[] = {
      "ok",        "invalid_argument", "config",   "network", "timeout",
      "auth",      "not_found",        "protocol", "unavailable", "zookeeper",
      "closed",    "internal",         "panic",    "unchanged"};
  for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++) CHECK_STR(mesos_discovery_result_name(i), names[i]);
  CHECK(MESOS_DISCOVERY_UNCHANGED == 13);
  CHECK(MESOS_DISCOVERY_PANIC == 12);
  CHECK_STR(mesos_discovery_result_name(-1), "unknown");
  CHECK_STR(mesos_discovery_result_name(14), "unknown");
  CHECK_STR(mesos_discovery_last_error(), "");
}

static void check_frees_accept_null(void) {
  mesos_discovery_client_free(NULL);
  mesos_discovery_detector_free(NULL);
  mesos_discovery_members_free(NULL);
  mesos_discovery_master_free(NULL);
  mesos_discovery_masters_free(NULL);
  mesos_discovery_leader_state_free(NULL);
  mesos_discovery_string_free(NULL);
}

static mesos_discovery_client *client_or_die(const mesos_discovery_kv *kv, size_t n) {
  mesos_discovery_client *client = NULL;
  CHECK_RC(mesos_discovery_client_new(kv, n, MESOS_DISCOVERY_ENV_IGNORE, &client), MESOS_DISCOVERY_OK);
  CHECK(client != NULL);
  CHECK_STR(mesos_discovery_last_error(), "");
  return client;
}

static void check_client_arguments(void) {
  mesos_discovery_kv good[] = {{"MARATHON_APPLICATIONS", "/wso2/am"}};
  mesos_discovery_client *out = UNTOUCHED;

  CHECK_RC(mesos_discovery_client_new(good, 1, MESOS_DISCOVERY_ENV_IGNORE, NULL), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_STR(mesos_discovery_last_error(), "out is NULL");
  CHECK_RC(mesos_discovery_client_new(NULL, 1, MESOS_DISCOVERY_ENV_IGNORE, &out), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_RC(mesos_discovery_client_new(good, 1, 7, &out), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK(strstr(mesos_discovery_last_error(), "env_overlay 7") != NULL);

  mesos_discovery_kv null_key[] = {{NULL, "x"}};
  CHECK_RC(mesos_discovery_client_new(null_key, 1, MESOS_DISCOVERY_ENV_IGNORE, &out), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_STR(mesos_discovery_last_error(), "config[0].key is NULL");
  mesos_discovery_kv null_value[] = {{"MARATHON_APPLICATIONS", "/a"}, {"MARATHON_PASSWORD", NULL}};
  CHECK_RC(mesos_discovery_client_new(null_value, 2, MESOS_DISCOVERY_ENV_IGNORE, &out), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK(strstr(mesos_discovery_last_error(), "MARATHON_PASSWORD (config[1]) is NULL") != NULL);
  mesos_discovery_kv bad_utf8[] = {{"MARATHON_APPLICATIONS", "\xff\xfe"}};
  CHECK_RC(mesos_discovery_client_new(bad_utf8, 1, MESOS_DISCOVERY_ENV_IGNORE, &out), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK(strstr(mesos_discovery_last_error(), "not UTF-8") != NULL);

  /* Configuration errors name the key (and never a secret). */
  mesos_discovery_kv typo[] = {{"MARATHON_APPLICATIONS", "/a"}, {"MARATHON_ENDPIONT", "http://x"}};
  CHECK_RC(mesos_discovery_client_new(typo, 2, MESOS_DISCOVERY_ENV_IGNORE, &out), MESOS_DISCOVERY_CONFIG);
  CHECK(strstr(mesos_discovery_last_error(), "\"MARATHON_ENDPIONT\"") != NULL);
  CHECK_RC(mesos_discovery_client_new(NULL, 0, MESOS_DISCOVERY_ENV_IGNORE, &out), MESOS_DISCOVERY_CONFIG);
  CHECK(strstr(mesos_discovery_last_error(), "MARATHON_APPLICATIONS") != NULL);
  mesos_discovery_kv bad_number[] = {{"MARATHON_APPLICATIONS", "/a"}, {"MESOS_DISCOVERY_RETRIES", "many"}};
  CHECK_RC(mesos_discovery_client_new(bad_number, 2, MESOS_DISCOVERY_ENV_IGNORE, &out), MESOS_DISCOVERY_CONFIG);
  CHECK(strstr(mesos_discovery_last_error(), "MESOS_DISCOVERY_RETRIES=\"many\"") != NULL);
  mesos_discovery_kv bad_url[] = {{"MARATHON_APPLICATIONS", "/a"}, {"MARATHON_ENDPOINT", "ftp://u:hunter2@h"}};
  CHECK_RC(mesos_discovery_client_new(bad_url, 2, MESOS_DISCOVERY_ENV_IGNORE, &out), MESOS_DISCOVERY_CONFIG);
  CHECK(strstr(mesos_discovery_last_error(), "MARATHON_ENDPOINT") != NULL);
  CHECK(strstr(mesos_discovery_last_error(), "hunter2") == NULL);
  mesos_discovery_kv token[] = {{"MARATHON_APPLICATIONS", "/a"}, {"MARATHON_AUTH_TOKEN", "hunter2\x01x"}};
  CHECK_RC(mesos_discovery_client_new(token, 2, MESOS_DISCOVERY_ENV_IGNORE, &out), MESOS_DISCOVERY_CONFIG);
  CHECK(strstr(mesos_discovery_last_error(), "hunter2") == NULL);
  CHECK(out == UNTOUCHED);

  mesos_discovery_client *client = client_or_die(good, 1);
  mesos_discovery_members *members = UNTOUCHED;
  char *json = UNTOUCHED;
  CHECK_RC(mesos_discovery_client_members(NULL, 100, &members), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_STR(mesos_discovery_last_error(), "client is NULL");
  CHECK_RC(mesos_discovery_client_members(client, 100, NULL), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_RC(mesos_discovery_client_members_json(NULL, 100, &json), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_RC(mesos_discovery_client_members_json(client, 100, NULL), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK(members == UNTOUCHED && json == UNTOUCHED);
  mesos_discovery_client_free(client);
}

/* A port that refuses connections: bind, learn the port, close. */
static int refused_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  CHECK(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
  CHECK(getsockname(fd, (struct sockaddr *)&addr, &len) == 0);
  close(fd);
  return ntohs(addr.sin_port);
}

/* A port that accepts TCP connections (the kernel completes the handshake into the backlog)
 * but never answers: requests hang until someone's timeout. */
static int silent_listener(int *port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  CHECK(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
  CHECK(listen(fd, 64) == 0);
  CHECK(getsockname(fd, (struct sockaddr *)&addr, &len) == 0);
  *port = ntohs(addr.sin_port);
  return fd;
}

static void check_unreachable_and_timeouts(void) {
  char endpoint[64];
  snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", refused_port());
  mesos_discovery_kv refused[] = {{"MARATHON_ENDPOINT", endpoint},
                                  {"MARATHON_APPLICATIONS", "/wso2/am"},
                                  {"MESOS_DISCOVERY_RETRIES", "0"}};
  mesos_discovery_client *client = client_or_die(refused, 3);
  mesos_discovery_members *members = UNTOUCHED;
  CHECK_RC(mesos_discovery_client_members(client, 10000, &members), MESOS_DISCOVERY_NETWORK);
  CHECK(strstr(mesos_discovery_last_error(), endpoint + 7) != NULL);
  CHECK(members == UNTOUCHED);
  mesos_discovery_client_free(client);

  int port = 0;
  int fd = silent_listener(&port);
  snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", port);
  mesos_discovery_kv silent[] = {{"MARATHON_ENDPOINT", endpoint},
                                 {"MARATHON_APPLICATIONS", "/wso2/am"},
                                 {"MESOS_DISCOVERY_REQUEST_TIMEOUT", "60"},
                                 {"MESOS_DISCOVERY_DEADLINE", "60"}};
  client = client_or_die(silent, 4);
  char *json = UNTOUCHED;
  CHECK_RC(mesos_discovery_client_members_json(client, 300, &json), MESOS_DISCOVERY_TIMEOUT);
  CHECK(strstr(mesos_discovery_last_error(), "300 ms") != NULL);
  CHECK(json == UNTOUCHED);
  mesos_discovery_client_free(client);

  /* The configured deadline bounds a call with timeout 0. */
  mesos_discovery_kv deadline[] = {{"MARATHON_ENDPOINT", endpoint},
                                   {"MARATHON_APPLICATIONS", "/wso2/am"},
                                   {"MESOS_DISCOVERY_DEADLINE", "0.3"}};
  client = client_or_die(deadline, 3);
  CHECK_RC(mesos_discovery_client_members(client, 0, &members), MESOS_DISCOVERY_TIMEOUT);
  CHECK(members == UNTOUCHED);
  mesos_discovery_client_free(client);
  close(fd);
}

static void check_detector_arguments(void) {
  mesos_discovery_detector *det = UNTOUCHED;
  CHECK_RC(mesos_discovery_detector_new(NULL, 0, 0, &det), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_STR(mesos_discovery_last_error(), "zk_url is NULL");
  CHECK_RC(mesos_discovery_detector_new("zk://127.0.0.1:2181/mesos", 0, 0, NULL), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_RC(mesos_discovery_detector_new("http://127.0.0.1:2181/mesos", 0, 0, &det), MESOS_DISCOVERY_CONFIG);
  CHECK_RC(mesos_discovery_detector_new("zk://", 0, 0, &det), MESOS_DISCOVERY_CONFIG);
  CHECK_RC(mesos_discovery_detector_new("zk://jo:hunter2@127.0.0.1:99999/mesos", 0, 0, &det), MESOS_DISCOVERY_CONFIG);
  CHECK(strstr(mesos_discovery_last_error(), "hunter2") == NULL);
  CHECK(det == UNTOUCHED);

  char url[64];
  snprintf(url, sizeof url, "zk://127.0.0.1:%d/mesos", refused_port());
  CHECK_RC(mesos_discovery_detector_new(url, 2000, 300, &det), MESOS_DISCOVERY_OK);
  mesos_discovery_master *leader = UNTOUCHED;
  mesos_discovery_masters *masters = UNTOUCHED;
  mesos_discovery_leader_state *state = UNTOUCHED;
  char *json = UNTOUCHED;
  mesos_discovery_result rc = mesos_discovery_detector_leader(det, 5000, &leader);
  CHECK(rc == MESOS_DISCOVERY_TIMEOUT || rc == MESOS_DISCOVERY_NETWORK || rc == MESOS_DISCOVERY_ZOOKEEPER);
  CHECK(strlen(mesos_discovery_last_error()) > 0);
  rc = mesos_discovery_detector_masters_json(det, 5000, &json);
  CHECK(rc == MESOS_DISCOVERY_TIMEOUT || rc == MESOS_DISCOVERY_NETWORK || rc == MESOS_DISCOVERY_ZOOKEEPER);
  CHECK_RC(mesos_discovery_detector_leader(NULL, 100, &leader), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_RC(mesos_discovery_detector_leader(det, 100, NULL), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_RC(mesos_discovery_detector_masters(NULL, 100, &masters), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_RC(mesos_discovery_detector_leader_json(det, 100, NULL), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK(leader == UNTOUCHED && masters == UNTOUCHED && json == UNTOUCHED);

  /* Nothing known yet: a wait times out as "unchanged"; UINT64_MAX reads generation 0. */
  CHECK_RC(mesos_discovery_detector_wait(det, 0, 50, &state), MESOS_DISCOVERY_UNCHANGED);
  CHECK_STR(mesos_discovery_last_error(), "");
  CHECK(state == UNTOUCHED);
  CHECK_RC(mesos_discovery_detector_wait(det, UINT64_MAX, 0, &state), MESOS_DISCOVERY_OK);
  CHECK(state->generation == 0 && state->leader == NULL);
  mesos_discovery_leader_state_free(state);
  CHECK_RC(mesos_discovery_detector_wait(det, 0, 0, NULL), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_RC(mesos_discovery_detector_wait_json(NULL, 0, 0, &json), MESOS_DISCOVERY_INVALID_ARGUMENT);

  uint64_t id = 77;
  CHECK_RC(mesos_discovery_detector_subscribe(det, NULL, NULL, &id), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_STR(mesos_discovery_last_error(), "callback is NULL");
  CHECK(id == 77);
  CHECK_RC(mesos_discovery_detector_unsubscribe(det, 12345), MESOS_DISCOVERY_NOT_FOUND);
  CHECK_RC(mesos_discovery_detector_unsubscribe(NULL, 1), MESOS_DISCOVERY_INVALID_ARGUMENT);
  mesos_discovery_detector_free(det);
}

/* Closing a detector wakes a thread blocked in a wait; later watch calls fail as closed. */
static void *blocked_wait(void *arg) {
  mesos_discovery_leader_state *state = UNTOUCHED;
  CHECK_RC(mesos_discovery_detector_wait(arg, 0, 60000, &state), MESOS_DISCOVERY_CLOSED);
  CHECK(state == UNTOUCHED);
  return NULL;
}

static void check_close_wakes_waiters(void) {
  mesos_discovery_detector *det = NULL;
  CHECK_RC(mesos_discovery_detector_new("zk://127.0.0.1:1/mesos", 2000, 200, &det), MESOS_DISCOVERY_OK);
  pthread_t t;
  CHECK(pthread_create(&t, NULL, blocked_wait, det) == 0);
  usleep(200000);
  CHECK_RC(mesos_discovery_detector_close(det), MESOS_DISCOVERY_OK);
  CHECK(pthread_join(t, NULL) == 0);
  CHECK_RC(mesos_discovery_detector_close(det), MESOS_DISCOVERY_OK);
  uint64_t id = 0;
  CHECK_RC(mesos_discovery_detector_subscribe(det, (mesos_discovery_leader_callback)1, NULL, &id), MESOS_DISCOVERY_CLOSED);
  mesos_discovery_leader_state *state = UNTOUCHED;
  CHECK_RC(mesos_discovery_detector_wait(det, 0, 0, &state), MESOS_DISCOVERY_CLOSED);
  CHECK_RC(mesos_discovery_detector_close(NULL), MESOS_DISCOVERY_INVALID_ARGUMENT);
  mesos_discovery_detector_free(det);
}

static void check_logger_arguments(void) {
  CHECK_RC(mesos_discovery_set_logger(NULL, NULL, 6), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_RC(mesos_discovery_set_logger(NULL, NULL, MESOS_DISCOVERY_LOG_OFF), MESOS_DISCOVERY_OK);
}

/* The last error is per thread. */
static void *other_thread(void *arg) {
  (void)arg;
  CHECK_STR(mesos_discovery_last_error(), "");
  CHECK_RC(mesos_discovery_detector_new(NULL, 0, 0, NULL), MESOS_DISCOVERY_INVALID_ARGUMENT);
  return NULL;
}

static void check_last_error_is_per_thread(void) {
  mesos_discovery_detector *det = NULL;
  CHECK_RC(mesos_discovery_detector_new("nonsense", 0, 0, &det), MESOS_DISCOVERY_CONFIG);
  char mine[512];
  snprintf(mine, sizeof mine, "%s", mesos_discovery_last_error());
  pthread_t t;
  CHECK(pthread_create(&t, NULL, other_thread, NULL) == 0);
  CHECK(pthread_join(t, NULL) == 0);
  CHECK_STR(mesos_discovery_last_error(), mine);
}

int main(void) {
  check_version();
  check_result_names();
  check_frees_accept_null();
  check_client_arguments();
  check_unreachable_and_timeouts();
  check_detector_arguments();
  check_close_wakes_waiters();
  check_logger_arguments();
  check_last_error_is_per_thread();
  md_done("test_errors");
  return 0;
}

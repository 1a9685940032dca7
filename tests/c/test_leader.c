/* Leader detection against a real ZooKeeper (MD_ZK=host:port) with fake Mesos masters
 * registered by mesos-master-sim (MD_MASTER_SIM): one-shot leader and masters (structs and
 * JSON), and a leader change seen through the blocking wait and through the callback, in
 * order; unsubscribe and free (also from inside a callback) stop the calls. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static char url[256];

/* Starts a fake master; closing the returned pipe (pclose) makes it leave. */
static FILE *start_master(const char *id, int port, const char *format) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd,
           "exec '%s' --zk '%s' --id %s --ip 127.0.0.1 --port %d --hostname %s.example "
           "--version 1.11.0 --capability AGENT_UPDATE --format %s >/dev/null",
           md_env("MD_MASTER_SIM"), url, id, port, id, format);
  FILE *sim = popen(cmd, "w");
  CHECK(sim != NULL);
  return sim;
}

static void stop_master(FILE *sim) { CHECK(pclose(sim) == 0); }

/* What the callback saw, in order. */
#define MAX_SEEN 64
struct seen {
  pthread_mutex_t lock;
  pthread_cond_t changed;
  int count;
  uint64_t generation[MAX_SEEN];
  char leader[MAX_SEEN][64];
  pthread_t thread;
};

static struct seen seen = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, {0}, {{0}}, 0};

static void on_change(void *userdata, const mesos_discovery_leader_state *state) {
  struct seen *s = userdata;
  pthread_mutex_lock(&s->lock);
  if (s->count < MAX_SEEN) {
    s->generation[s->count] = state->generation;
    snprintf(s->leader[s->count], sizeof s->leader[0], "%s", state->leader ? state->leader->id : "none");
    s->count++;
  }
  s->thread = pthread_self();
  pthread_cond_broadcast(&s->changed);
  pthread_mutex_unlock(&s->lock);
}

/* Waits until the callback has seen `leader` (by id, or "none"); returns its index. */
static int await_seen(const char *leader, int from) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 20;
  pthread_mutex_lock(&seen.lock);
  for (;;) {
    for (int i = from; i < seen.count; i++) {
      if (strcmp(seen.leader[i], leader) == 0) {
        pthread_mutex_unlock(&seen.lock);
        return i;
      }
    }
    int rc = pthread_cond_timedwait(&seen.changed, &seen.lock, &deadline);
    if (rc == ETIMEDOUT) {
      fprintf(stderr, "the callback never saw leader %s (saw %d states)\n", leader, seen.count);
      exit(1);
    }
  }
}

/* Blocks on the detector until its leader is `leader` (or "none"); returns the generation. */
static uint64_t await_leader(mesos_discovery_detector *det, uint64_t known, const char *leader) {
  for (int round = 0; round < 20; round++) {
    mesos_discovery_leader_state *state = NULL;
    mesos_discovery_result rc = mesos_discovery_detector_wait(det, known, 20000, &state);
    CHECK(rc == MESOS_DISCOVERY_OK);
    CHECK(state->generation > known || known == UINT64_MAX);
    known = state->generation;
    int match = state->leader ? strcmp(state->leader->id, leader) == 0 : strcmp(leader, "none") == 0;
    if (state->leader != NULL) CHECK(state->error_code == MESOS_DISCOVERY_OK && state->error == NULL);
    mesos_discovery_leader_state_free(state);
    if (match) return known;
  }
  fprintf(stderr, "the wait never reported leader %s\n", leader);
  exit(1);
}

static void check_master(const mesos_discovery_master *m, const char *id, int port, int leader,
                         const char *format) {
  char host[64];
  CHECK_STR(m->id, id);
  CHECK_STR(m->ip, "127.0.0.1");
  CHECK(m->port == port);
  snprintf(host, sizeof host, "%s.example", id);
  CHECK_STR(m->hostname, host);
  CHECK_STR(m->version, "1.11.0");
  CHECK(m->capabilities_len == 1);
  CHECK_STR(m->capabilities[0], "AGENT_UPDATE");
  const char *path = strrchr(url, '/');
  CHECK(strncmp(m->znode, path, strlen(path)) == 0 && m->znode[strlen(path)] == '/');
  CHECK_STR(m->format, format);
  CHECK(m->leader == (leader != 0));
}

/* A callback that frees its own detector (allowed by the contract). */
static volatile int freed_from_callback = 0;
static void free_own_detector(void *userdata, const mesos_discovery_leader_state *state) {
  (void)state;
  mesos_discovery_detector **slot = userdata;
  mesos_discovery_detector_free(*slot);
  *slot = NULL;
  __sync_synchronize();
  freed_from_callback = 1;
}

/* A callback that unsubscribes itself on its first call. */
static uint64_t self_id;
static mesos_discovery_detector *self_det;
static volatile int self_calls = 0;
static void unsubscribe_self(void *userdata, const mesos_discovery_leader_state *state) {
  (void)userdata;
  (void)state;
  self_calls++;
  CHECK_RC(mesos_discovery_detector_unsubscribe(self_det, self_id), MESOS_DISCOVERY_OK);
}

int main(void) {
  snprintf(url, sizeof url, "zk://%s/mesos-c-test-%ld", md_env("MD_ZK"), (long)getpid());
  mesos_discovery_detector *det = NULL;
  CHECK_RC(mesos_discovery_detector_new(url, 4000, 10000, &det), MESOS_DISCOVERY_OK);

  /* No master yet: success with no leader and no masters. */
  mesos_discovery_master *leader = (mesos_discovery_master *)0x1;
  CHECK_RC(mesos_discovery_detector_leader(det, 20000, &leader), MESOS_DISCOVERY_OK);
  CHECK(leader == NULL);
  char *json = NULL;
  CHECK_RC(mesos_discovery_detector_leader_json(det, 20000, &json), MESOS_DISCOVERY_OK);
  CHECK_STR(json, "null");
  mesos_discovery_string_free(json);
  CHECK_RC(mesos_discovery_detector_masters_json(det, 20000, &json), MESOS_DISCOVERY_OK);
  CHECK_STR(json, "[]");
  mesos_discovery_string_free(json);

  uint64_t sub = 0;
  CHECK_RC(mesos_discovery_detector_subscribe(det, on_change, &seen, &sub), MESOS_DISCOVERY_OK);
  uint64_t gen = await_leader(det, 0, "none");
  CHECK(gen == 1);
  int at = await_seen("none", 0);

  FILE *a = start_master("master-a", 5051, "json");
  gen = await_leader(det, gen, "master-a");
  at = await_seen("master-a", at);
  CHECK(!pthread_equal(seen.thread, pthread_self()));

  CHECK_RC(mesos_discovery_detector_leader(det, 20000, &leader), MESOS_DISCOVERY_OK);
  CHECK(leader != NULL);
  check_master(leader, "master-a", 5051, 1, "json");
  mesos_discovery_master_free(leader);
  CHECK_RC(mesos_discovery_detector_leader_json(det, 20000, &json), MESOS_DISCOVERY_OK);
  const char *leader_prefix = "{\"id\":\"master-a\",\"hostname\":\"master-a.example\",\"ip\":\"127.0.0.1\",\"port\":5051,";
  CHECK(strncmp(json, leader_prefix, strlen(leader_prefix)) == 0);
  CHECK(strstr(json, "\"leader\":true") != NULL);
  mesos_discovery_string_free(json);

  FILE *b = start_master("master-b", 5052, "protobuf");
  mesos_discovery_masters *all = NULL;
  for (int tries = 0; tries < 200; tries++) {
    CHECK_RC(mesos_discovery_detector_masters(det, 20000, &all), MESOS_DISCOVERY_OK);
    if (all->len == 2) break;
    mesos_discovery_masters_free(all);
    all = NULL;
    usleep(50000);
  }
  CHECK(all != NULL && all->len == 2);
  check_master(&all->masters[0], "master-a", 5051, 1, "json");
  check_master(&all->masters[1], "master-b", 5052, 0, "protobuf");
  CHECK(all->masters[0].sequence < all->masters[1].sequence);
  mesos_discovery_masters_free(all);

  /* The leader leaves: both the wait and the callback see master-b take over, in order. */
  stop_master(a);
  uint64_t gen_b = await_leader(det, gen, "master-b");
  CHECK(gen_b > gen);
  int at_b = await_seen("master-b", at);
  pthread_mutex_lock(&seen.lock);
  for (int i = 1; i < seen.count; i++) CHECK(seen.generation[i] > seen.generation[i - 1]);
  pthread_mutex_unlock(&seen.lock);

  CHECK_RC(mesos_discovery_detector_wait_json(det, UINT64_MAX, 0, &json), MESOS_DISCOVERY_OK);
  char prefix[64];
  snprintf(prefix, sizeof prefix, "{\"generation\":%" PRIu64 ",\"leader\":{\"id\":\"master-b\"", gen_b);
  CHECK(strncmp(json, prefix, strlen(prefix)) == 0);
  CHECK(strstr(json, "\"error\":null}") != NULL);
  mesos_discovery_string_free(json);

  /* A callback that unsubscribes itself runs exactly once. */
  self_det = det;
  CHECK_RC(mesos_discovery_detector_subscribe(det, unsubscribe_self, NULL, &self_id), MESOS_DISCOVERY_OK);

  /* After unsubscribe returns the callback never runs again. */
  CHECK_RC(mesos_discovery_detector_unsubscribe(det, sub), MESOS_DISCOVERY_OK);
  CHECK_RC(mesos_discovery_detector_unsubscribe(det, sub), MESOS_DISCOVERY_NOT_FOUND);
  pthread_mutex_lock(&seen.lock);
  int count_after = seen.count;
  pthread_mutex_unlock(&seen.lock);
  stop_master(b);
  await_leader(det, gen_b, "none");
  usleep(300000);
  pthread_mutex_lock(&seen.lock);
  CHECK(seen.count == count_after);
  pthread_mutex_unlock(&seen.lock);
  CHECK(self_calls == 1);
  (void)at_b;
  mesos_discovery_detector_free(det);

  /* Freeing a detector from its own callback is allowed. */
  mesos_discovery_detector *doomed = NULL;
  CHECK_RC(mesos_discovery_detector_new(url, 4000, 10000, &doomed), MESOS_DISCOVERY_OK);
  CHECK_RC(mesos_discovery_detector_subscribe(doomed, free_own_detector, &doomed, &sub), MESOS_DISCOVERY_OK);
  for (int i = 0; i < 400 && !freed_from_callback; i++) usleep(50000);
  CHECK(freed_from_callback);
  CHECK(doomed == NULL);

  md_done("test_leader");
  return 0;
}

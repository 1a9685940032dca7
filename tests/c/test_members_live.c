/* Live membership against the workbench (MD_WORKBENCH_URL): an app of this test's own
 * (/live/c<pid>, created and deleted here through the admin API) is scaled up and down while a
 * client watches it. The changes are seen through the blocking wait, the struct callback and
 * the JSON callback, in order and without gaps, off the caller's thread; snapshots never start
 * the watcher; a callback may unsubscribe itself or free its own client; after unsubscribe,
 * close or free returns, a callback never runs again (ASan/valgrind would catch a late call
 * touching freed userdata). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "admin.h"

static const char *wb;
static char app[64];

static void scale(int instances) {
  char body[160];
  snprintf(body, sizeof body, "{\"app\":\"%s\",\"instances\":%d}", app, instances);
  CHECK(md_admin_post(wb, "/_workbench/scale", body) == 200);
}

static mesos_discovery_client *new_client(void) {
  mesos_discovery_kv kv[] = {{"MARATHON_ENDPOINT", wb}, {"MARATHON_APPLICATIONS", app}};
  mesos_discovery_client *client = NULL;
  CHECK_RC(mesos_discovery_client_new(kv, 2, MESOS_DISCOVERY_ENV_IGNORE, &client), MESOS_DISCOVERY_OK);
  return client;
}

static void deadline_in(struct timespec *t, int seconds) {
  clock_gettime(CLOCK_REALTIME, t);
  t->tv_sec += seconds;
}

/* --- what the struct callback saw ------------------------------------------------------------ */

#define MAX_CHANGES 64
struct changes {
  pthread_mutex_t lock;
  pthread_cond_t changed;
  mesos_discovery_client *client; /* for calls from inside the callback */
  int count;
  uint64_t generation[MAX_CHANGES];
  size_t added[MAX_CHANGES], removed[MAX_CHANGES], members[MAX_CHANGES];
  uint64_t snapshot_generation[MAX_CHANGES]; /* what a snapshot said from inside the callback */
  int on_caller_thread, bad_thread_name, bad_member;
  pthread_t caller;
};

static void check_member_fields(struct changes *c, const mesos_discovery_member *m) {
  if (m->host == NULL || m->app_id == NULL || m->task_id == NULL || m->state == NULL ||
      m->port == 0 || strcmp(m->app_id, app) != 0 || strcmp(m->state, "TASK_RUNNING") != 0 ||
      strncmp(m->host, "10.0.2.", 7) != 0)
    c->bad_member++;
}

static void on_change(void *userdata, const mesos_discovery_member_change *change) {
  struct changes *c = userdata;
  /* Allowed from a callback: any call of the library (here a snapshot, which does no I/O). */
  uint64_t snap_gen = 0;
  mesos_discovery_members *snap = NULL;
  mesos_discovery_result rc = mesos_discovery_client_snapshot(c->client, &snap_gen, &snap);
  if (rc == MESOS_DISCOVERY_OK) mesos_discovery_members_free(snap);
  char name[32] = {0};
  pthread_getname_np(pthread_self(), name, sizeof name);
  pthread_mutex_lock(&c->lock);
  if (pthread_equal(pthread_self(), c->caller)) c->on_caller_thread++;
  if (strncmp(name, "mesos-discovery", 15) != 0) c->bad_thread_name++;
  for (size_t i = 0; i < change->added_len; i++) check_member_fields(c, &change->added[i]);
  for (size_t i = 0; i < change->removed_len; i++) check_member_fields(c, &change->removed[i]);
  for (size_t i = 0; i < change->members_len; i++) check_member_fields(c, &change->members[i]);
  if (c->count < MAX_CHANGES) {
    c->generation[c->count] = change->generation;
    c->added[c->count] = change->added_len;
    c->removed[c->count] = change->removed_len;
    c->members[c->count] = change->members_len;
    c->snapshot_generation[c->count] = rc == MESOS_DISCOVERY_OK ? snap_gen : 0;
    c->count++;
  }
  pthread_cond_broadcast(&c->changed);
  pthread_mutex_unlock(&c->lock);
}

/* Waits until the callback reported a member set of `size`; returns the index of that change. */
static int await_size(struct changes *c, int from, size_t size) {
  struct timespec deadline;
  deadline_in(&deadline, 30);
  pthread_mutex_lock(&c->lock);
  for (;;) {
    for (int i = from; i < c->count; i++) {
      if (c->members[i] == size) {
        pthread_mutex_unlock(&c->lock);
        return i;
      }
    }
    if (pthread_cond_timedwait(&c->changed, &c->lock, &deadline) == ETIMEDOUT) {
      fprintf(stderr, "the callback never saw %zu members (saw %d changes)\n", size, c->count);
      exit(1);
    }
  }
}

/* --- what the JSON callback saw --------------------------------------------------------------- */

struct json_changes {
  pthread_mutex_t lock;
  int count, bad;
  uint64_t generation[MAX_CHANGES];
};

static void on_change_json(void *userdata, uint64_t generation, const char *json) {
  struct json_changes *j = userdata;
  char prefix[64];
  snprintf(prefix, sizeof prefix, "{\"generation\":%" PRIu64 ",\"added\":[", generation);
  pthread_mutex_lock(&j->lock);
  if (strncmp(json, prefix, strlen(prefix)) != 0 || strstr(json, "],\"removed\":[") == NULL ||
      strstr(json, "],\"members\":[") == NULL || json[strlen(json) - 1] != '}')
    j->bad++;
  if (j->count < MAX_CHANGES) j->generation[j->count++] = generation;
  pthread_mutex_unlock(&j->lock);
}

/* --- the blocking wait ------------------------------------------------------------------------ */

/* Blocks until the member set has `size` members; returns its generation. */
static uint64_t await_wait(mesos_discovery_client *client, uint64_t known, size_t size) {
  for (int round = 0; round < 20; round++) {
    uint64_t gen = 0;
    mesos_discovery_members *found = NULL;
    CHECK_RC(mesos_discovery_client_wait(client, known, 30000, &gen, &found), MESOS_DISCOVERY_OK);
    CHECK(gen > known || known == UINT64_MAX);
    size_t len = found->len;
    mesos_discovery_members_free(found);
    known = gen;
    if (len == size) return gen;
  }
  fprintf(stderr, "the wait never reported %zu members\n", size);
  exit(1);
}

/* --- callbacks that end their own subscription or client -------------------------------------- */

static mesos_discovery_client *self_client;
static uint64_t self_id;
static volatile int self_calls = 0;
static void unsubscribe_self(void *userdata, const mesos_discovery_member_change *change) {
  (void)userdata;
  (void)change;
  __sync_fetch_and_add(&self_calls, 1);
  CHECK_RC(mesos_discovery_client_unsubscribe(self_client, self_id), MESOS_DISCOVERY_OK);
}

static volatile int freed_from_callback = 0;
static void free_own_client(void *userdata, const mesos_discovery_member_change *change) {
  (void)change;
  mesos_discovery_client **slot = userdata;
  mesos_discovery_client_free(*slot);
  *slot = NULL;
  __sync_synchronize();
  freed_from_callback = 1;
}

/* Counts into heap userdata that the test frees as soon as the client is freed. */
static void count_into_heap(void *userdata, const mesos_discovery_member_change *change) {
  (void)change;
  __sync_fetch_and_add((int *)userdata, 1);
}

static void count_json_into_heap(void *userdata, uint64_t generation, const char *json) {
  (void)generation;
  (void)json;
  __sync_fetch_and_add((int *)userdata, 1);
}

static uint64_t blocked_known; /* the current generation: nothing changes while it waits */
static void *blocked_wait(void *arg) {
  mesos_discovery_client *client = arg;
  uint64_t gen = 0;
  mesos_discovery_members *found = NULL;
  /* Nothing will change: only close can end this wait. */
  mesos_discovery_result rc = mesos_discovery_client_wait(client, blocked_known, 60000, &gen, &found);
  if (rc == MESOS_DISCOVERY_OK) mesos_discovery_members_free(found);
  return (void *)(intptr_t)rc;
}

int main(void) {
  wb = md_env("MD_WORKBENCH_URL");
  snprintf(app, sizeof app, "/live/c%ld", (long)getpid());
  char body[256];
  snprintf(body, sizeof body, "{\"id\":\"%s\",\"instances\":1,\"network\":\"host\",\"ports\":[{\"name\":\"hazelcast\"}]}", app);
  CHECK(md_admin_post(wb, "/_workbench/apps", body) == 200);

  mesos_discovery_client *client = new_client();

  /* A snapshot before anything: no watcher, no I/O, generation 0, no members. */
  uint64_t gen = 99;
  mesos_discovery_members *found = NULL;
  CHECK_RC(mesos_discovery_client_snapshot(client, &gen, &found), MESOS_DISCOVERY_OK);
  CHECK(gen == 0 && found->len == 0 && found->warnings_len == 0);
  mesos_discovery_members_free(found);
  char *json = NULL;
  CHECK_RC(mesos_discovery_client_snapshot_json(client, &json), MESOS_DISCOVERY_OK);
  CHECK_STR(json, "{\"generation\":0,\"members\":[],\"warnings\":[],\"error\":null}");
  mesos_discovery_string_free(json);

  /* NULL-tolerant, out-parameters untouched on failure. */
  uint64_t id = 7;
  CHECK_RC(mesos_discovery_client_subscribe(client, NULL, NULL, &id), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_RC(mesos_discovery_client_subscribe(NULL, on_change, NULL, &id), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_RC(mesos_discovery_client_subscribe(client, on_change, NULL, NULL), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_RC(mesos_discovery_client_subscribe_json(client, NULL, NULL, &id), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_RC(mesos_discovery_client_snapshot(client, NULL, &found), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_RC(mesos_discovery_client_snapshot_json(NULL, &json), MESOS_DISCOVERY_INVALID_ARGUMENT);
  CHECK_RC(mesos_discovery_client_unsubscribe(client, 12345), MESOS_DISCOVERY_NOT_FOUND);
  CHECK(id == 7);

  /* Subscribed before the first discovery: the first call is the whole set (one member). */
  static struct changes seen = {.lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER};
  seen.client = client;
  seen.caller = pthread_self();
  static struct json_changes seen_json = {.lock = PTHREAD_MUTEX_INITIALIZER};
  uint64_t sub = 0, sub_json = 0;
  CHECK_RC(mesos_discovery_client_subscribe(client, on_change, &seen, &sub), MESOS_DISCOVERY_OK);
  CHECK_RC(mesos_discovery_client_subscribe_json(client, on_change_json, &seen_json, &sub_json), MESOS_DISCOVERY_OK);
  CHECK(sub != sub_json);
  int at = await_size(&seen, 0, 1);
  CHECK(at == 0);
  pthread_mutex_lock(&seen.lock);
  CHECK(seen.generation[0] == 1 && seen.added[0] == 1 && seen.removed[0] == 0);
  pthread_mutex_unlock(&seen.lock);
  gen = await_wait(client, 0, 1);
  CHECK(gen == 1);

  /* Scale up: the wait and the callback both see three members. */
  scale(3);
  uint64_t gen_up = await_wait(client, gen, 3);
  int at_up = await_size(&seen, at + 1, 3);
  /* Scale down: both see one member again. */
  scale(1);
  uint64_t gen_down = await_wait(client, gen_up, 1);
  int at_down = await_size(&seen, at_up + 1, 1);
  CHECK(gen_down > gen_up && gen_up > gen);

  pthread_mutex_lock(&seen.lock);
  size_t added = 0, removed = 0;
  for (int i = 0; i <= at_down; i++) {
    CHECK(seen.generation[i] == (uint64_t)i + 1); /* in order, none skipped */
    CHECK(seen.snapshot_generation[i] >= seen.generation[i]);
    CHECK(seen.members[i] == (i == 0 ? 0 : seen.members[i - 1]) + seen.added[i] - seen.removed[i]);
    added += seen.added[i];
    removed += seen.removed[i];
  }
  CHECK(added == 3 && removed == 2);
  CHECK(seen.generation[at_up] == gen_up && seen.generation[at_down] == gen_down);
  CHECK(seen.on_caller_thread == 0 && seen.bad_thread_name == 0 && seen.bad_member == 0);
  pthread_mutex_unlock(&seen.lock);

  /* The snapshot agrees with the last change, and so does the JSON callback. */
  CHECK_RC(mesos_discovery_client_snapshot(client, &gen, &found), MESOS_DISCOVERY_OK);
  CHECK(gen == gen_down && found->len == 1);
  mesos_discovery_members_free(found);
  for (int i = 0; i < 400; i++) {
    pthread_mutex_lock(&seen_json.lock);
    int done = seen_json.count > at_down;
    pthread_mutex_unlock(&seen_json.lock);
    if (done) break;
    usleep(25000);
  }
  pthread_mutex_lock(&seen_json.lock);
  CHECK(seen_json.count == at_down + 1 && seen_json.bad == 0);
  for (int i = 0; i <= at_down; i++) CHECK(seen_json.generation[i] == (uint64_t)i + 1);
  pthread_mutex_unlock(&seen_json.lock);

  /* A callback that unsubscribes itself: it gets the current set, once, and never again. */
  self_client = client;
  CHECK_RC(mesos_discovery_client_subscribe(client, unsubscribe_self, NULL, &self_id), MESOS_DISCOVERY_OK);
  for (int i = 0; i < 400 && self_calls == 0; i++) usleep(25000);

  /* After unsubscribe returns, the callback never runs again. */
  CHECK_RC(mesos_discovery_client_unsubscribe(client, sub), MESOS_DISCOVERY_OK);
  CHECK_RC(mesos_discovery_client_unsubscribe(client, sub), MESOS_DISCOVERY_NOT_FOUND);
  CHECK_RC(mesos_discovery_client_unsubscribe(client, sub_json), MESOS_DISCOVERY_OK);
  pthread_mutex_lock(&seen.lock);
  int count_after = seen.count;
  pthread_mutex_unlock(&seen.lock);
  scale(2);
  gen = await_wait(client, gen_down, 2);
  usleep(300000);
  pthread_mutex_lock(&seen.lock);
  CHECK(seen.count == count_after);
  pthread_mutex_unlock(&seen.lock);
  CHECK(self_calls == 1);
  CHECK_RC(mesos_discovery_client_unsubscribe(client, self_id), MESOS_DISCOVERY_NOT_FOUND);

  /* Close: a blocked wait wakes with CLOSED, subscriptions end, snapshots keep the last state. */
  int *close_count = calloc(1, sizeof *close_count);
  CHECK(close_count != NULL);
  uint64_t closing_sub = 0;
  CHECK_RC(mesos_discovery_client_subscribe(client, count_into_heap, close_count, &closing_sub), MESOS_DISCOVERY_OK);
  for (int i = 0; i < 400 && __sync_fetch_and_add(close_count, 0) == 0; i++) usleep(25000);
  CHECK(__sync_fetch_and_add(close_count, 0) == 1);
  pthread_t waiter;
  blocked_known = gen;
  CHECK(pthread_create(&waiter, NULL, blocked_wait, client) == 0);
  usleep(200000);
  CHECK_RC(mesos_discovery_client_close(client), MESOS_DISCOVERY_OK);
  free(close_count); /* a late call would now be a use after free */
  void *waited = NULL;
  CHECK(pthread_join(waiter, &waited) == 0);
  CHECK((mesos_discovery_result)(intptr_t)waited == MESOS_DISCOVERY_CLOSED);
  CHECK_RC(mesos_discovery_client_unsubscribe(client, closing_sub), MESOS_DISCOVERY_NOT_FOUND);
  CHECK_RC(mesos_discovery_client_subscribe(client, on_change, &seen, &id), MESOS_DISCOVERY_CLOSED);
  CHECK_RC(mesos_discovery_client_snapshot(client, &gen, &found), MESOS_DISCOVERY_OK);
  CHECK(found->len == 2);
  mesos_discovery_members_free(found);
  scale(1);
  mesos_discovery_client_free(client);

  /* Free while subscribed (struct and JSON): no call after free returns; userdata is freed at
   * once and the app keeps changing. */
  mesos_discovery_client *doomed = new_client();
  int *counter = calloc(2, sizeof *counter);
  CHECK(counter != NULL);
  CHECK_RC(mesos_discovery_client_subscribe(doomed, count_into_heap, &counter[0], &id), MESOS_DISCOVERY_OK);
  CHECK_RC(mesos_discovery_client_subscribe_json(doomed, count_json_into_heap, &counter[1], &id), MESOS_DISCOVERY_OK);
  for (int i = 0; i < 400 && (__sync_fetch_and_add(&counter[0], 0) == 0 || __sync_fetch_and_add(&counter[1], 0) == 0); i++)
    usleep(25000);
  CHECK(counter[0] >= 1 && counter[1] >= 1);
  scale(2);
  mesos_discovery_client_free(doomed); /* maybe while the scale-up's call runs */
  free(counter);
  scale(1);
  usleep(500000);

  /* A callback may free its own client. */
  mesos_discovery_client *own = new_client();
  CHECK_RC(mesos_discovery_client_subscribe(own, free_own_client, &own, &id), MESOS_DISCOVERY_OK);
  for (int i = 0; i < 800 && !freed_from_callback; i++) usleep(25000);
  CHECK(freed_from_callback);
  CHECK(own == NULL);

  snprintf(body, sizeof body, "{\"app\":\"%s\"}", app);
  CHECK(md_admin_post(wb, "/_workbench/apps/delete", body) == 200);
  md_done("test_members_live");
  return 0;
}

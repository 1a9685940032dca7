/* Live-membership latency through the C ABI: the time from a workbench scale-up (the admin
 * POST, sent from here) to the member-change callback reporting the new member, over CHANGES
 * scale-ups, with the struct callback and then the JSON callback. Prints one line per form:
 * "c_callback_structs <seconds,...>" and "c_callback_json <seconds,...>".
 * Usage: watch_bench WORKBENCH_URL APP CHANGES   (APP exists with some instances) */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "common.h" /* tests/c: CHECK, CHECK_RC */
#include "admin.h"  /* tests/c: md_admin_post */

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The last change the callback saw: when, and how many members it added. */
static struct {
  pthread_mutex_t lock;
  pthread_cond_t changed;
  uint64_t generation;
  double at;
  size_t added;
} last = {.lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER};

static void record(uint64_t generation, size_t added) {
  double at = now_s();
  pthread_mutex_lock(&last.lock);
  last.generation = generation;
  last.at = at;
  last.added = added;
  pthread_cond_broadcast(&last.changed);
  pthread_mutex_unlock(&last.lock);
}

static void on_change(void *userdata, const mesos_discovery_member_change *change) {
  (void)userdata;
  record(change->generation, change->added_len);
}

/* The JSON form: count the added members the way a consumer would have to look at them. */
static void on_change_json(void *userdata, uint64_t generation, const char *json) {
  (void)userdata;
  const char *added = strstr(json, "\"added\":[");
  CHECK(added != NULL);
  size_t n = added[9] == ']' ? 0 : 1;
  record(generation, n);
}

/* Waits for a change after `known` that added a member; returns when the callback saw it. */
static double await_added(uint64_t *known) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 30;
  pthread_mutex_lock(&last.lock);
  while (last.generation == *known || last.added == 0) {
    if (last.generation != *known) *known = last.generation; /* a change without additions */
    CHECK(pthread_cond_timedwait(&last.changed, &last.lock, &deadline) != ETIMEDOUT);
  }
  *known = last.generation;
  double at = last.at;
  pthread_mutex_unlock(&last.lock);
  return at;
}

static int instances;

static void run(const char *wb, const char *app, int changes, int json, const char *name) {
  mesos_discovery_kv kv[] = {{"MARATHON_ENDPOINT", wb}, {"MARATHON_APPLICATIONS", app}};
  mesos_discovery_client *client = NULL;
  CHECK_RC(mesos_discovery_client_new(kv, 2, MESOS_DISCOVERY_ENV_IGNORE, &client), MESOS_DISCOVERY_OK);
  pthread_mutex_lock(&last.lock);
  last.generation = 0;
  pthread_mutex_unlock(&last.lock);
  uint64_t id = 0, known = 0;
  if (json)
    CHECK_RC(mesos_discovery_client_subscribe_json(client, on_change_json, NULL, &id), MESOS_DISCOVERY_OK);
  else
    CHECK_RC(mesos_discovery_client_subscribe(client, on_change, NULL, &id), MESOS_DISCOVERY_OK);
  await_added(&known); /* the whole set first */
  /* Let the event stream attach (the watcher opens it after its first full discovery). */
  struct timespec settle = {0, 300 * 1000 * 1000};
  nanosleep(&settle, NULL);
  printf("%s", name);
  for (int i = 0; i < changes; i++) {
    char body[160];
    snprintf(body, sizeof body, "{\"app\":\"%s\",\"instances\":%d}", app, ++instances);
    double started = now_s();
    CHECK(md_admin_post(wb, "/_workbench/scale", body) == 200);
    double at = await_added(&known);
    printf("%c%.6f", i == 0 ? ' ' : ',', at - started);
  }
  printf("\n");
  CHECK_RC(mesos_discovery_client_unsubscribe(client, id), MESOS_DISCOVERY_OK);
  mesos_discovery_client_free(client);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: watch_bench WORKBENCH_URL APP INSTANCES CHANGES\n");
    return 2;
  }
  instances = atoi(argv[3]);
  int changes = atoi(argv[4]);
  run(argv[1], argv[2], changes, 0, "c_callback_structs");
  run(argv[1], argv[2], changes, 1, "c_callback_json");
  return 0;
}

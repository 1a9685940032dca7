/* Live-membership latency through the C ABI (struct callbacks), for one mode of the core
 * ("fast": Marathon events applied at once; "debounce": MESOS_DISCOVERY_APPLY_EVENTS=false).
 * Over CHANGES rounds: a workbench scale-up (the admin POST, sent from here) until the
 * member-change callback reports the new member, then a scale-down until it reports one gone;
 * the Marathon requests the watcher made for them (workbench stats, confirmations included);
 * then a burst of 40 tasks at once: the time until the set holds all of them, and its requests.
 * Prints "c_up_MODE <seconds,...>", "c_down_MODE <seconds,...>", "c_requests_MODE <requests>
 * <changes>", "c_burst_MODE <seconds> <requests>".
 * Usage: watch_bench WORKBENCH_URL APP INSTANCES CHANGES MODE   (APP exists with INSTANCES) */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "common.h" /* tests/c: CHECK, CHECK_RC */
#include "admin.h"  /* tests/c: md_admin_request */

#define BURST 40

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void pause_s(double seconds) {
  struct timespec t = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  nanosleep(&t, NULL);
}

/* The last change the callback saw. */
static struct {
  pthread_mutex_t lock;
  pthread_cond_t changed;
  uint64_t generation;
  double at;
  size_t added, removed, members;
} last = {.lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER};

static void on_change(void *userdata, const mesos_discovery_member_change *change) {
  (void)userdata;
  double at = now_s();
  pthread_mutex_lock(&last.lock);
  last.generation = change->generation;
  last.at = at;
  last.added = change->added_len;
  last.removed = change->removed_len;
  last.members = change->members_len;
  pthread_cond_broadcast(&last.changed);
  pthread_mutex_unlock(&last.lock);
}

enum want { ADDED, REMOVED, SIZE };

/* Waits for a change after `*known` that matches; returns when the callback saw it. */
static double await_change(uint64_t *known, enum want want, size_t size) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 30;
  pthread_mutex_lock(&last.lock);
  for (;;) {
    if (last.generation != *known) {
      *known = last.generation;
      if ((want == ADDED && last.added > 0) || (want == REMOVED && last.removed > 0) ||
          (want == SIZE && last.members == size))
        break;
    }
    CHECK(pthread_cond_timedwait(&last.changed, &last.lock, &deadline) != ETIMEDOUT);
  }
  double at = last.at;
  pthread_mutex_unlock(&last.lock);
  return at;
}

static const char *wb, *app;

static void scale(int instances) {
  char body[160];
  snprintf(body, sizeof body, "{\"app\":\"%s\",\"instances\":%d}", app, instances);
  CHECK(md_admin_post(wb, "/_workbench/scale", body) == 200);
}

static long requests(void) {
  char reply[4096];
  CHECK(md_admin_request(wb, "GET", "/_workbench/stats", NULL, reply, sizeof reply) == 200);
  const char *total = strstr(reply, "\"total\":");
  CHECK(total != NULL);
  return atol(total + 8);
}

static void reset_requests(void) { CHECK(md_admin_post(wb, "/_workbench/stats/reset", "{}") == 200); }

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: watch_bench WORKBENCH_URL APP INSTANCES CHANGES fast|debounce\n");
    return 2;
  }
  wb = argv[1];
  app = argv[2];
  int instances = atoi(argv[3]), changes = atoi(argv[4]);
  const char *mode = argv[5];
  const double settle = 1.0; /* longer than the confirmation delay: its refetches count too */
  mesos_discovery_kv kv[] = {{"MARATHON_ENDPOINT", wb},
                             {"MARATHON_APPLICATIONS", app},
                             {"MESOS_DISCOVERY_APPLY_EVENTS", strcmp(mode, "fast") == 0 ? "true" : "false"}};
  mesos_discovery_client *client = NULL;
  CHECK_RC(mesos_discovery_client_new(kv, 3, MESOS_DISCOVERY_ENV_IGNORE, &client), MESOS_DISCOVERY_OK);
  uint64_t id = 0, known = 0;
  CHECK_RC(mesos_discovery_client_subscribe(client, on_change, NULL, &id), MESOS_DISCOVERY_OK);
  await_change(&known, SIZE, (size_t)instances); /* the whole set first */
  pause_s(0.5);                                  /* let the event stream attach */

  double *up = calloc((size_t)changes, sizeof *up), *down = calloc((size_t)changes, sizeof *down);
  CHECK(up && down);
  pause_s(settle);
  reset_requests();
  for (int i = 0; i < changes; i++) {
    double started = now_s();
    scale(instances + 1);
    up[i] = await_change(&known, ADDED, 0) - started;
    started = now_s();
    scale(instances);
    down[i] = await_change(&known, REMOVED, 0) - started;
  }
  pause_s(settle);
  long spent = requests();

  reset_requests();
  double started = now_s();
  scale(instances + BURST);
  double burst = await_change(&known, SIZE, (size_t)(instances + BURST)) - started;
  pause_s(settle);
  long burst_requests = requests();
  scale(instances);
  await_change(&known, SIZE, (size_t)instances);

  printf("c_up_%s", mode);
  for (int i = 0; i < changes; i++) printf("%c%.6f", i == 0 ? ' ' : ',', up[i]);
  printf("\nc_down_%s", mode);
  for (int i = 0; i < changes; i++) printf("%c%.6f", i == 0 ? ' ' : ',', down[i]);
  printf("\nc_requests_%s %ld %d\n", mode, spent, 2 * changes);
  printf("c_burst_%s %.6f %ld\n", mode, burst, burst_requests);
  free(up);
  free(down);
  CHECK_RC(mesos_discovery_client_unsubscribe(client, id), MESOS_DISCOVERY_OK);
  mesos_discovery_client_free(client);
  return 0;
}

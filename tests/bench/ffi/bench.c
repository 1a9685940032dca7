/* The C side of the boundary benchmark: the same discovery as the Rust and Python programs,
 * through libmesos_discovery, as structs and as JSON. Prints "c_structs <mean us> <members>"
 * and "c_json <mean us> <bytes>". Usage: bench ENDPOINT APPS ITERATIONS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mesos_discovery.h"

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void die(mesos_discovery_result rc) {
  fprintf(stderr, "bench: %s: %s\n", mesos_discovery_result_name(rc), mesos_discovery_last_error());
  exit(1);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: bench ENDPOINT APPS ITERATIONS\n");
    return 2;
  }
  int iterations = atoi(argv[3]);
  mesos_discovery_kv config[] = {{"MARATHON_ENDPOINT", argv[1]}, {"MARATHON_APPLICATIONS", argv[2]}};
  mesos_discovery_client *client = NULL;
  mesos_discovery_result rc = mesos_discovery_client_new(config, 2, MESOS_DISCOVERY_ENV_IGNORE, &client);
  if (rc != MESOS_DISCOVERY_OK) die(rc);

  mesos_discovery_members *found = NULL;
  if ((rc = mesos_discovery_client_members(client, 0, &found)) != MESOS_DISCOVERY_OK) die(rc); /* warm up */
  size_t members = found->len;
  mesos_discovery_members_free(found);
  double start = now_us();
  for (int i = 0; i < iterations; i++) {
    if ((rc = mesos_discovery_client_members(client, 0, &found)) != MESOS_DISCOVERY_OK) die(rc);
    if (found->len != members) {
      fprintf(stderr, "bench: member count changed\n");
      return 1;
    }
    mesos_discovery_members_free(found);
  }
  printf("c_structs %.1f %zu\n", (now_us() - start) / iterations, members);

  char *json = NULL;
  size_t bytes = 0;
  start = now_us();
  for (int i = 0; i < iterations; i++) {
    if ((rc = mesos_discovery_client_members_json(client, 0, &json)) != MESOS_DISCOVERY_OK) die(rc);
    bytes = strlen(json);
    mesos_discovery_string_free(json);
  }
  printf("c_json %.1f %zu\n", (now_us() - start) / iterations, bytes);
  mesos_discovery_client_free(client);
  return 0;
}

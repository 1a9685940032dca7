/* Helpers shared by the C tests: checks that name the failed expression, the library's last
 * error and the place, and environment lookups for the servers the runner started. */
#ifndef MD_TEST_COMMON_H
#define MD_TEST_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesos_discovery.h"

static int md_checks = 0;

#define CHECK(cond)                                                                            \
  do {                                                                                         \
    __sync_fetch_and_add(&md_checks, 1);                                                                               \
    if (!(cond)) {                                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: \"%s\")\n", __FILE__, __LINE__,     \
              #cond, mesos_discovery_last_error());                                            \
      exit(1);                                                                                 \
    }                                                                                          \
  } while (0)

/* Checks a call's result code; prints both names and the message on a mismatch. */
#define CHECK_RC(call, expected)                                                               \
  do {                                                                                         \
    mesos_discovery_result rc_ = (call);                                                       \
    __sync_fetch_and_add(&md_checks, 1);                                                                               \
    if (rc_ != (expected)) {                                                                   \
      fprintf(stderr, "%s:%d: %s returned %s, expected %s (last error: \"%s\")\n", __FILE__,    \
              __LINE__, #call, mesos_discovery_result_name(rc_),                               \
              mesos_discovery_result_name(expected), mesos_discovery_last_error());            \
      exit(1);                                                                                 \
    }                                                                                          \
  } while (0)

#define CHECK_STR(actual, expected)                                                            \
  do {                                                                                         \
    const char *a_ = (actual);                                                                 \
    const char *e_ = (expected);                                                               \
    __sync_fetch_and_add(&md_checks, 1);                                                                               \
    if (a_ == NULL || strcmp(a_, e_) != 0) {                                                   \
      fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #actual,    \
              a_ ? a_ : "(NULL)", e_);                                                          \
      exit(1);                                                                                 \
    }                                                                                          \
  } while (0)

static inline const char *md_env(const char *name) {
  const char *value = getenv(name);
  if (value == NULL || value[0] == '\0') {
    fprintf(stderr, "environment variable %s is not set (run tests/run-c-python)\n", name);
    exit(2);
  }
  return value;
}

static inline void md_done(const char *test) {
  printf("%s: %d checks passed\n", test, md_checks);
}

#endif

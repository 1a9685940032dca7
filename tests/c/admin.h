/* The workbench's admin API from C tests: a bounded HTTP/1.1 POST over a loopback socket (no
 * HTTP library). Include after common.h. */
#ifndef MD_TEST_ADMIN_H
#define MD_TEST_ADMIN_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* POSTs a JSON body to `base` (http://127.0.0.1:PORT) + `path`; returns the HTTP status. Every
 * socket operation is bounded by 10 s, so a wedged workbench fails the test instead of hanging. */
static inline int md_admin_post(const char *base, const char *path, const char *body) {
  int port = 0;
  CHECK(sscanf(base, "http://127.0.0.1:%d", &port) == 1 && port > 0 && port < 65536);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(fd >= 0);
  struct timeval limit = {10, 0};
  CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) == 0);
  CHECK(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit) == 0);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK(connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
  char request[2048];
  int n = snprintf(request, sizeof request,
                   "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                   path, strlen(body), body);
  CHECK(n > 0 && (size_t)n < sizeof request);
  CHECK(write(fd, request, (size_t)n) == n);
  /* "HTTP/1.1 200 OK": read until the status code is complete. */
  char reply[64] = {0};
  size_t got = 0;
  while (got < 12) {
    ssize_t r = read(fd, reply + got, sizeof reply - 1 - got);
    CHECK(r > 0);
    got += (size_t)r;
  }
  close(fd);
  return atoi(reply + 9);
}

#endif

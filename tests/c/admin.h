/* The workbench's admin API from C tests: a bounded HTTP/1.1 POST over a loopback socket (no
 * HTTP library). Include after common.h. */
#ifndef MD_TEST_ADMIN_H
#define MD_TEST_ADMIN_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* Sends `method` `path` (with a JSON `body`, or none when NULL) to `base`
 * (http://127.0.0.1:PORT); returns the HTTP status and, when `reply` is not NULL, copies up to
 * `size` - 1 bytes of the whole answer (headers and body) there. Every socket operation is
 * bounded by 10 s, so a wedged workbench fails the test instead of hanging. */
static inline int md_admin_request(const char *base, const char *method, const char *path, const char *body,
                                   char *reply, size_t size) {
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
                   "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                   method, path, body ? strlen(body) : 0, body ? body : "");
  CHECK(n > 0 && (size_t)n < sizeof request);
  CHECK(write(fd, request, (size_t)n) == n);
  /* "HTTP/1.1 200 OK": read until the status code is complete (or, with `reply`, to the end). */
  char head[64] = {0};
  char *into = reply ? reply : head;
  size_t room = reply ? size - 1 : sizeof head - 1;
  size_t got = 0;
  while (got < room) {
    ssize_t r = read(fd, into + got, room - got);
    if (r == 0 && got >= 12) break;
    CHECK(r > 0);
    got += (size_t)r;
    if (!reply && got >= 12) break;
  }
  into[got] = '\0';
  close(fd);
  return atoi(into + 9);
}

/* POSTs a JSON body to `base` + `path`; returns the HTTP status. */
static inline int md_admin_post(const char *base, const char *path, const char *body) {
  return md_admin_request(base, "POST", path, body, NULL, 0);
}

#endif

// The header compiles as C++ (-std=c++17 -Wall -Wextra -Werror -pedantic) and works with RAII
// owners: one unique_ptr deleter per free function.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "mesos_discovery.h"

namespace {

struct ClientFree {
  void operator()(mesos_discovery_client *c) const { mesos_discovery_client_free(c); }
};
struct MembersFree {
  void operator()(mesos_discovery_members *m) const { mesos_discovery_members_free(m); }
};
struct StringFree {
  void operator()(char *s) const { mesos_discovery_string_free(s); }
};
using Client = std::unique_ptr<mesos_discovery_client, ClientFree>;
using Members = std::unique_ptr<mesos_discovery_members, MembersFree>;
using Json = std::unique_ptr<char, StringFree>;

int failures = 0;

void check(bool ok, const char *what, int line) {
  if (!ok) {
    std::fprintf(stderr, "test_cpp.cpp:%d: %s (last error: \"%s\")\n", line, what, mesos_discovery_last_error());
    failures++;
  }
}
#define CHECK(x) check((x), #x, __LINE__)

Client make_client(const std::vector<std::pair<std::string, std::string>> &config, mesos_discovery_result *rc) {
  std::vector<mesos_discovery_kv> kv;
  for (const auto &entry : config) kv.push_back({entry.first.c_str(), entry.second.c_str()});
  mesos_discovery_client *raw = nullptr;
  *rc = mesos_discovery_client_new(kv.data(), kv.size(), MESOS_DISCOVERY_ENV_IGNORE, &raw);
  return Client(raw);
}

}  // namespace

int main() {
  CHECK(std::string(mesos_discovery_version()) == MESOS_DISCOVERY_VERSION);
  CHECK(std::string(mesos_discovery_result_name(MESOS_DISCOVERY_CONFIG)) == "config");

  mesos_discovery_result rc;
  Client bad = make_client({{"MARATHON_APPLICATIONS", "/a"}, {"NO_SUCH_KEY", "1"}}, &rc);
  CHECK(rc == MESOS_DISCOVERY_CONFIG);
  CHECK(bad == nullptr);
  CHECK(std::strstr(mesos_discovery_last_error(), "NO_SUCH_KEY") != nullptr);

  const char *wb = std::getenv("MD_WORKBENCH_URL");
  if (wb != nullptr && *wb != '\0') {
    Client client = make_client({{"MARATHON_ENDPOINT", wb}, {"MARATHON_APPLICATIONS", "/wso2/am,/wso2/is"}}, &rc);
    CHECK(rc == MESOS_DISCOVERY_OK);
    mesos_discovery_members *raw = nullptr;
    CHECK(mesos_discovery_client_members(client.get(), 10000, &raw) == MESOS_DISCOVERY_OK);
    Members members(raw);
    CHECK(members && members->len == 3);
    char *text = nullptr;
    CHECK(mesos_discovery_client_members_json(client.get(), 10000, &text) == MESOS_DISCOVERY_OK);
    Json json(text);
    CHECK(json && std::string(json.get()).rfind("[{\"host\":", 0) == 0);
  }
  if (failures == 0) std::printf("test_cpp: ok\n");
  return failures == 0 ? 0 : 1;
}

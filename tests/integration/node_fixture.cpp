#include "tests/integration/node_fixture.hpp"

#include "tests/support/catch.hpp"
#include <fmt/format.h>

namespace qaqpa::test {

gateway::gateway(node_settings s) {
    const auto toml = fmt::format(R"(
[node]
data_dir = "data"
threads = 2
[listeners.public]
port = 0
[listeners.admin]
port = 0
[limits]
max_body_bytes = 65536
header_read_timeout_ms = 500
{extra}

[[systems]]
id = "sender"
password = "sender-password"
bin = "123456789012"
[[systems]]
id = "owner"
password = "owner-password"
[[systems]]
id = "stranger"
password = "stranger-password"

[[delivery_points]]
id = "echo"
url = "builtin:echo"
[[delivery_points]]
id = "remote"
url = "{url}"
credentials = {{ login = "gw-login", password = "gw-password" }}

[[services]]
id = "echo"
owner = "owner"
delivery_point = "echo"
[[services]]
id = "remote"
owner = "owner"
delivery_point = "remote"
timeout_ms = {timeout}
[[services]]
id = "routed"
owner = "owner"
routes = {{ a = "echo", b = "remote" }}
[[services]]
id = "async-only"
owner = "owner"
mode = "async"
delivery = "pull"

[[access]]
system = "sender"
service = "echo"
[[access]]
system = "sender"
service = "remote"
[[access]]
system = "sender"
service = "routed"
[[access]]
system = "sender"
service = "async-only"
)", fmt::arg("extra", s.extra_toml), fmt::arg("url", s.remote_url), fmt::arg("timeout", s.remote_timeout_ms));
    auto cfg = parse_config(toml, "integration.toml", dir_.path());
    INFO((cfg ? std::string() : cfg.error().detail));
    REQUIRE(cfg);
    REQUIRE(cmd::prepare_registry(*cfg, false));
    auto n = cmd::node::start(std::move(*cfg));
    INFO((n ? std::string() : n.error().detail));
    REQUIRE(n);
    node_ = std::move(*n);
}

} // namespace qaqpa::test

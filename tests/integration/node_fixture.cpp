#include "tests/integration/node_fixture.hpp"

#include "tests/support/catch.hpp"
#include "tests/support/postgres_server.hpp"
#include <fmt/format.h>

#include <cstdlib>
#include <random>

namespace qaqpa::test {
namespace {

/// QAQPA_TEST_STORE=postgresql runs the gateways on the test's PostgreSQL
/// server (each in a schema of its own), so one suite covers both stores.
bool on_postgresql() {
    const char* kind = std::getenv("QAQPA_TEST_STORE");
    if (!kind || std::string_view(kind) != "postgresql") return false;
    if (postgres_server::shared()) return true;
    WARN("QAQPA_TEST_STORE=postgresql, but no server runs here (" << postgres_server::unavailable_reason()
                                                                   << "): on RocksDB");
    return false;
}

std::string fresh_schema() {
    std::random_device rd;
    return "it_" + std::to_string(rd()) + std::to_string(rd());
}

} // namespace

gateway::gateway(node_settings s) : settings_(std::move(s)), schema_(fresh_schema()) { start(); }

void gateway::restart() {
    node_.reset();
    start();
}

std::optional<failure> gateway::restart_with(node_settings changed) {
    node_.reset();
    settings_ = std::move(changed);
    auto n = cmd::node::start(make_config(), {false, settings_.journal, settings_.incident_clock});
    if (!n) return n.error();
    node_ = std::move(*n);
    return std::nullopt;
}

void gateway::start() {
    auto cfg = make_config();
    auto n = cmd::node::start(std::move(cfg), {false, settings_.journal, settings_.incident_clock});
    INFO((n ? std::string() : n.error().detail));
    REQUIRE(n);
    node_ = std::move(*n);
}

void gateway::reload(node_settings changed) {
    settings_ = std::move(changed);
    const auto applied = node_->reload_registry(make_config());
    INFO((applied ? std::string() : applied.error().detail));
    REQUIRE(applied);
}

config gateway::make_config() {
    const auto& s = settings_;
    const auto address = s.sender_address.empty() ? std::string()
                                                   : "address = \"" + s.sender_address + "\"\nprotocol = \"" +
                                                         s.sender_protocol + "\"";
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
{address}
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

[[delivery_points]]
id = "recipient"
url = "{push_url}"
retries = {push_retries}
backoff_ms = 50
backoff_max_ms = 200
timeout_ms = 2000

[[services]]
id = "echo"
owner = "owner"
delivery_point = "echo"
[[services]]
id = "push-svc"
owner = "owner"
mode = "async"
delivery_point = "recipient"
notify_status = true
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
[[access]]
system = "sender"
service = "push-svc"
{extra_registry}
)", fmt::arg("extra", s.extra_toml), fmt::arg("extra_registry", s.extra_registry), fmt::arg("url", s.remote_url), fmt::arg("timeout", s.remote_timeout_ms),
        fmt::arg("address", address), fmt::arg("push_url", s.push_url), fmt::arg("push_retries", s.push_retries));
    auto cfg = parse_config(toml, "integration.toml", dir_.path());
    INFO((cfg ? std::string() : cfg.error().detail));
    REQUIRE(cfg);
    if (!settings_.cluster_schema.empty()) {
        REQUIRE(postgres_server::shared());
        cfg->node.store = "postgresql";
        cfg->node.name = settings_.node_name;
        cfg->postgresql.dsn = postgres_server::shared()->dsn();
        cfg->postgresql.schema = settings_.cluster_schema;
        cfg->postgresql.pool = 4;
    } else if (on_postgresql()) {
        cfg->node.store = "postgresql";
        cfg->node.name = "integration";
        cfg->postgresql.dsn = postgres_server::shared()->dsn();
        cfg->postgresql.schema = schema_;
        cfg->postgresql.pool = 4;
    }
    REQUIRE(cmd::prepare_registry(*cfg, false));
    return std::move(*cfg);
}

} // namespace qaqpa::test

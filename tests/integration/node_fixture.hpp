#pragma once
// Starts a gateway node in-process on 127.0.0.1 port 0, with a registry for
// the integration tests:
//   systems   sender / sender-password, owner / owner-password, stranger / stranger-password
//   points    echo (builtin:echo), remote (`remote_url`, credentials gw-login / gw-password)
//   services  echo → echo; remote → remote (timeout `remote_timeout_ms`);
//             routed (routes a → echo, b → remote); async-only (mode async)
//             async-only (mode async, PULL by owner); push-svc (async, PUSH to
//             point "recipient" at `push_url`, notify_status)
//   access    sender → echo, remote, routed, async-only, push-svc; stranger → none
// The sender's PUSH address is `sender_address` (none by default: it pulls).

#include "cmd/node.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/temp_dir.hpp"

#include <memory>
#include <string>

namespace qaqpa::test {

struct node_settings {
    std::string remote_url = "http://127.0.0.1:9/";
    int remote_timeout_ms = 5000;
    std::string extra_toml; ///< appended to the [limits] table
    std::string push_url = "http://127.0.0.1:9/";
    int push_retries = 3; ///< back-off 50 ms doubling to 200 ms, timeout 2 s
    std::string sender_address;
    std::string sender_protocol = "soap"; ///< what the sender's address speaks
    std::string extra_registry; ///< appended after the registry (more points, services, access)
    journal_sink* journal = nullptr; ///< where the node's message events go
    time_source* incident_clock = nullptr; ///< the incident desk's clock (simulated time)
    /// Not empty: a node of a cluster on the test's PostgreSQL server, in
    /// this schema (shared with the other nodes given it) under `node_name`.
    std::string cluster_schema;
    std::string node_name;
};

/// Registry lines (for extra_registry) for a delivery point `id` at `url`
/// with `point_keys`, a service "<id>-svc" owned by "owner" going to it with
/// `service_keys` (mode async unless they say), and the sender's access row
/// to it with `access_keys`. Keys are TOML lines ("retries = 1\n...").
inline std::string point_with_service(const std::string& id, const std::string& url, const std::string& point_keys = "",
                                      const std::string& access_keys = "", const std::string& service_keys = "") {
    const auto line = [](const std::string& keys) { return keys.empty() || keys.back() == '\n' ? keys : keys + "\n"; };
    const auto mode = service_keys.find("mode") == std::string::npos ? "mode = \"async\"\n" : "";
    return "[[delivery_points]]\nid = \"" + id + "\"\nurl = \"" + url + "\"\n" + line(point_keys) +
           "[[services]]\nid = \"" + id + "-svc\"\nowner = \"owner\"\n" + mode + "delivery_point = \"" + id + "\"\n" +
           line(service_keys) + "[[access]]\nsystem = \"sender\"\nservice = \"" + id + "-svc\"\n" + line(access_keys);
}

/// Settings with the "remote" delivery point at `url`.
inline node_settings remote(std::string url, int timeout_ms = 5000) {
    node_settings s;
    s.remote_url = std::move(url);
    s.remote_timeout_ms = timeout_ms;
    return s;
}

class gateway {
public:
    explicit gateway(node_settings s = {});
    std::uint16_t port() const { return node_->public_port(); }
    cmd::node& node() { return *node_; }
    /// Stops the node and starts it again on the same data directory.
    void restart();
    /// Stops the node and starts it with `changed` on the same data
    /// directory: why it does not start, or nothing when it does.
    std::optional<failure> restart_with(node_settings changed);
    /// Applies the registry of `changed` to the running node (what SIGHUP
    /// does with an edited file); the other settings keep their start values.
    void reload(node_settings changed);

private:
    void start();
    config make_config();

    node_settings settings_;
    temp_dir dir_;
    std::string schema_; ///< on PostgreSQL (QAQPA_TEST_STORE=postgresql): the gateway's own schema
    std::unique_ptr<cmd::node> node_;
};

/// A call to the gateway's admin API with its bearer token (and a JSON
/// content type, for the bodies that have one).
inline http_reply admin_call(gateway& gw, const std::string& method, const std::string& target,
                             const std::string& body = "") {
    return http_request(gw.node().admin_port(), method, target, body,
                        {{"Authorization", "Bearer " + gw.node().admin_token()}, {"Content-Type", "application/json"}});
}

} // namespace qaqpa::test

// The admin listener's probes and metrics on a running node: /healthz and
// /readyz are open, /metrics needs the token, speaks Prometheus text that
// Debian's promtool accepts, and its counters move with the traffic.
#include "tests/integration/node_fixture.hpp"
#include "tests/support/async_samples.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/soap_samples.hpp"
#include "tests/support/temp_dir.hpp"

#include "tests/support/catch.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <fstream>
#include <regex>
#include <thread>

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

http_reply admin_get(gateway& gw, const std::string& path, const std::string& token) {
    std::map<std::string, std::string> headers;
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return http_request(gw.node().admin_port(), "GET", path, "", headers);
}

/// The value of the series `name` (with its labels as written), -1 when absent.
double series(const std::string& text, const std::string& name) {
    const std::regex line("(^|\n)" + std::regex_replace(name, std::regex(R"([{}\[\]().*+?^$|\\])"), R"(\$&)") +
                          " ([0-9.eE+-]+)");
    std::smatch m;
    return std::regex_search(text, m, line) ? std::stod(m[2]) : -1;
}

} // namespace

TEST_CASE("/healthz and /readyz are open; /metrics needs the token", "[integration][admin][metrics]") {
    gateway gw;
    CHECK(admin_get(gw, "/healthz", "").status == 200);
    CHECK(admin_get(gw, "/health", "").status == 200);
    const auto ready = admin_get(gw, "/readyz", "");
    CHECK(ready.status == 200);
    CHECK(ready.body == R"({"status":"ready"})");
    CHECK(admin_get(gw, "/metrics", "").status == 401);
    CHECK(admin_get(gw, "/metrics", "wrong").status == 401);
    // Nothing of the admin API on the public listener.
    CHECK(http_request(gw.port(), "GET", "/metrics").status == 404);
}

TEST_CASE("/metrics is Prometheus text that moves with the traffic", "[integration][admin][metrics]") {
    gateway gw;
    const auto token = gw.node().admin_token();
    const auto before = admin_get(gw, "/metrics", token);
    REQUIRE(before.status == 200);
    CHECK(before.header("content-type") == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(series(before.body, "qaqpa_build_info{version=\"0.1.0\"}") == 1);
    CHECK(before.body.find("# TYPE qaqpa_sync_call_seconds histogram") != std::string::npos);
    const auto calls = series(before.body, "qaqpa_sync_calls_total");
    REQUIRE(calls >= 0);

    for (int i = 0; i < 3; ++i) REQUIRE(soap_post(gw.port(), "/bip-sync/", sync_request_xml({})).status == 200);
    const auto after = admin_get(gw, "/metrics", token);
    CHECK(series(after.body, "qaqpa_sync_calls_total") == calls + 3);
    CHECK(series(after.body, "qaqpa_sync_call_seconds_count") == calls + 3);
    CHECK(series(after.body, "qaqpa_sync_call_seconds_bucket{le=\"+Inf\"}") == calls + 3);

    // Debian's promtool is the independent check of the format.
    if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
        WARN("promtool check skipped: promtool is not installed (.ci/install-deps installs prometheus)");
        return;
    }
    temp_dir dir;
    const auto file = (dir.path() / "metrics.txt").string();
    std::ofstream(file) << after.body;
    const auto out = (dir.path() / "promtool.out").string();
    const int rc = std::system(("promtool check metrics < " + file + " > " + out + " 2>&1").c_str());
    std::ifstream in(out);
    const std::string report((std::istreambuf_iterator<char>(in)), {});
    INFO(report << after.body);
    CHECK(rc == 0);
}

TEST_CASE("/metrics shows each queue's depth, each point's on/off state and the store's commits", "[integration][admin][metrics]") {
    gateway gw;
    const auto token = gw.node().admin_token();
    async_send m; // to "async-only", pulled by "owner"
    for (int i = 0; i < 2; ++i) REQUIRE(soap_post(gw.port(), "/bip-async/", send_message_xml(m)).status == 200);
    auto text = admin_get(gw, "/metrics", token).body;
    INFO(text);
    CHECK(series(text, "qaqpa_delivery_point_up{point=\"echo\"}") == 1);
    CHECK(series(text, "qaqpa_store_commit_seconds_count") >= 2); // each accepted message was committed
    CHECK(series(text, "qaqpa_store_commit_failures_total") == 0);
    const std::regex depth(R"(qaqpa_queue_depth\{queue="[^"]+"\} 2)");
    CHECK(std::regex_search(text, depth));

    std::map<std::string, std::string> auth{{"Authorization", "Bearer " + token}};
    REQUIRE(http_request(gw.node().admin_port(), "POST", "/dp/echo/off", "", auth).status == 200);
    text = admin_get(gw, "/metrics", token).body;
    CHECK(series(text, "qaqpa_delivery_point_up{point=\"echo\"}") == 0);

    // Emptied queues read 0, not their last depth.
    const login owner{"owner", "owner-password"};
    const auto pulled = soap_post(gw.port(), "/bip-async/", get_messages_xml(owner, "async-only", 10));
    for (const auto& id : message_ids(pulled.body))
        REQUIRE(soap_post(gw.port(), "/bip-async/", delivery_notification_xml(owner, "async-only", id, true)).status == 200);
    text = admin_get(gw, "/metrics", token).body;
    CHECK_FALSE(std::regex_search(text, depth));
    CHECK(std::regex_search(text, std::regex(R"(qaqpa_queue_depth\{queue="[^"]+"\} 0)")));
}

TEST_CASE("/metrics counts each operation by outcome and times it", "[integration][admin][metrics]") {
    gateway gw;
    const auto token = gw.node().admin_token();
    for (int i = 0; i < 3; ++i) REQUIRE(soap_post(gw.port(), "/bip-sync/", sync_request_xml({})).status == 200);
    sample_request wrong;
    wrong.password = "wrong";
    soap_post(gw.port(), "/bip-sync/", sync_request_xml(wrong));
    soap_post(gw.port(), "/bip-async/", message_status_xml({}, "{no-such-message}"));
    const auto text = admin_get(gw, "/metrics", token).body;
    INFO(text);
    const std::string sync = R"(transport="soap",channel="sync",operation="SendMessage")";
    CHECK(series(text, "qaqpa_requests_total{" + sync + ",outcome=\"ok\"}") == 3);
    CHECK(series(text, "qaqpa_requests_total{" + sync + ",outcome=\"AUTH_FAILED\"}") == 1);
    CHECK(series(text, "qaqpa_request_duration_seconds_count{" + sync + "}") == 4);
    CHECK(series(text, R"(qaqpa_requests_total{transport="soap",channel="async",operation="getMessageStatus",outcome="UNKNOWN_MESSAGE"})") == 1);
}

TEST_CASE("/metrics counts each queue's PUSH attempts by outcome", "[integration][admin][metrics]") {
    gateway gw; // "push-svc" goes to point "recipient" at a closed port: every attempt fails
    const auto token = gw.node().admin_token();
    async_send m;
    m.service = "push-svc";
    REQUIRE(soap_post(gw.port(), "/bip-async/", send_message_xml(m)).status == 200);
    const std::string failed = R"(qaqpa_delivery_attempts_total{queue="dp/recipient",outcome="failed"})";
    double seen = -1;
    for (int i = 0; i < 200 && seen < 2; ++i) {
        seen = series(admin_get(gw, "/metrics", token).body, failed);
        if (seen < 2) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    INFO(admin_get(gw, "/metrics", token).body);
    CHECK(seen >= 2);
    CHECK(series(admin_get(gw, "/metrics", token).body,
                 R"(qaqpa_delivery_attempts_total{queue="dp/recipient",outcome="delivered"})") == 0);
}

TEST_CASE("GET /admin/v1/delivery-points/{id}/state shows on/off, the queue and the PUSH counters",
          "[integration][admin]") {
    gateway gw; // "recipient" is at a closed port: its message stays queued, retrying
    const auto token = gw.node().admin_token();
    async_send m;
    m.service = "push-svc";
    REQUIRE(soap_post(gw.port(), "/bip-async/", send_message_xml(m)).status == 200);
    const std::string path = "/admin/v1/delivery-points/recipient/state";
    boost::json::object state;
    for (int i = 0; i < 200; ++i) {
        const auto reply = admin_get(gw, path, token);
        REQUIRE(reply.status == 200);
        state = boost::json::parse(reply.body).as_object();
        if (state.at("failures").as_int64() >= 1) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(state.at("id").as_string() == "recipient");
    CHECK(state.at("enabled").as_bool());
    CHECK(state.at("attempts").as_int64() >= 1);
    CHECK(state.at("failures").as_int64() >= 1);

    std::map<std::string, std::string> auth{{"Authorization", "Bearer " + token}};
    REQUIRE(http_request(gw.node().admin_port(), "POST", "/admin/v1/delivery-points/recipient/off", "", auth).status == 200);
    const auto off = boost::json::parse(admin_get(gw, path, token).body).as_object();
    CHECK_FALSE(off.at("enabled").as_bool());
    CHECK(off.at("reason").as_string() == "switched off by the administrator");
    // Switched off, a new message waits in the point's queue.
    const auto before = off.at("queueDepth").as_int64();
    REQUIRE(soap_post(gw.port(), "/bip-async/", send_message_xml(m)).status == 200);
    CHECK(boost::json::parse(admin_get(gw, path, token).body).at("queueDepth").as_int64() == before + 1);

    const auto missing = admin_get(gw, "/admin/v1/delivery-points/nowhere/state", token);
    CHECK(missing.status == 404);
    CHECK(boost::json::parse(missing.body).at("error").as_string() == "UNKNOWN_DELIVERY_POINT");
    CHECK(admin_get(gw, path, "").status == 401);
}

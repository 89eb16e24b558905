// Durability under crashes: a child qaqpa process takes concurrent
// sendMessage load and is killed with SIGKILL several times mid-load, then
// restarted. Every message that got a sendMessageResponse must then be
// delivered exactly once to a PULL consumer. And the binary's own stop: a
// SIGTERM or SIGINT ends it promptly and cleanly.
#include "tests/integration/reply_fields.hpp"
#include "tests/support/async_samples.hpp"
#include "tests/support/child_node.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/temp_dir.hpp"

#include "tests/support/catch.hpp"

#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>

using namespace qaqpa::test;

namespace {

const std::string config = child_config("", inbox_service);

/// One run of the qaqpa binary on the test's directory.
struct child : child_node {
    explicit child(const temp_dir& dir) : child_node(QAQPA_BINARY, dir) {}
};

} // namespace

TEST_CASE("every acknowledged message survives SIGKILL and is delivered exactly once", "[integration][crash]") {
    temp_dir dir;
    std::ofstream(dir.path() / "qaqpa.toml") << config;
    auto gw = std::make_unique<child>(dir);
    std::atomic<std::uint16_t> port{gw->port()};

    std::mutex mutex;
    std::vector<std::string> acknowledged;
    std::atomic<bool> loading{true};
    std::atomic<int> refused{0};
    std::vector<std::thread> senders;
    async_send m;
    m.service = "inbox";
    for (int t = 0; t < 8; ++t)
        senders.emplace_back([&] {
            while (loading) {
                const auto reply = http_request(port, "POST", "/bip-async/", send_message_xml(m),
                                                {{"Content-Type", "text/xml"}}, std::chrono::seconds(5));
                if (reply.status == 200) {
                    std::lock_guard lk(mutex);
                    acknowledged.push_back(field(reply.body, "messageId"));
                } else {
                    ++refused; // killed mid-request, or down: not acknowledged, so not owed
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
            }
        });

    constexpr int kills = 4;
    for (int k = 0; k < kills; ++k) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        gw->stop(SIGKILL);
        gw = std::make_unique<child>(dir);
        port = gw->port();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    loading = false;
    for (auto& t : senders) t.join();
    INFO("acknowledged " << acknowledged.size() << ", refused " << refused.load());
    REQUIRE(acknowledged.size() > 100); // the load really ran

    // Drain as the PULL consumer: fetch, count, confirm.
    const login owner{"owner", "owner-password"};
    std::map<std::string, int> delivered;
    for (int round = 0; round < 10000; ++round) {
        const auto reply = http_request(port, "POST", "/bip-async/", get_messages_xml(owner, "inbox", 500),
                                        {{"Content-Type", "text/xml"}}, std::chrono::seconds(10));
        REQUIRE(reply.status == 200);
        const auto ids = message_ids(reply.body);
        if (ids.empty()) break;
        for (const auto& id : ids) {
            ++delivered[id];
            const auto ack = http_request(port, "POST", "/bip-async/",
                                          delivery_notification_xml(owner, "inbox", id, true),
                                          {{"Content-Type", "text/xml"}}, std::chrono::seconds(10));
            REQUIRE(ack.status == 200);
        }
    }
    std::size_t lost = 0, duplicated = 0;
    for (const auto& id : acknowledged)
        if (!delivered.count(id)) ++lost;
    for (const auto& [id, n] : delivered)
        if (n != 1) ++duplicated;
    WARN("acknowledged " << acknowledged.size() << ", refused mid-kill " << refused.load() << ", delivered "
                         << delivered.size() << ", lost " << lost << ", duplicated " << duplicated);
    CHECK(lost == 0);
    CHECK(duplicated == 0);
    CHECK(std::set<std::string>(acknowledged.begin(), acknowledged.end()).size() == acknowledged.size());
}

TEST_CASE("SIGTERM stops the node in time, with exit code 0", "[integration][crash]") {
    temp_dir dir;
    std::ofstream(dir.path() / "qaqpa.toml") << config;
    for (const int sig : {SIGTERM, SIGINT}) {
        child gw(dir);
        async_send m;
        m.service = "inbox";
        const auto reply = http_request(gw.port(), "POST", "/bip-async/", send_message_xml(m),
                                        {{"Content-Type", "text/xml"}}, std::chrono::seconds(5));
        REQUIRE(reply.status == 200); // it served, with every thread started
        const int status = gw.stop(sig, std::chrono::seconds(5));
        INFO("signal " << sig << ", wait status " << status);
        REQUIRE(status != -1); // it ended by itself
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
}

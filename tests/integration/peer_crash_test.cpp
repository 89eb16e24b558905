// Exactly once across the hop under crashes: the near node (a child qaqpa)
// takes concurrent sendMessage load for a service behind a peer while the
// far node (another child, on a fixed port) is killed with SIGKILL and
// restarted. Every message the near node acknowledged must reach the far
// node's PULL recipient, and none twice: a forward the far node took before
// it died, whose answer was lost, comes again and is recognised by its id.
#include "tests/integration/reply_fields.hpp"
#include "tests/support/async_samples.hpp"
#include "tests/support/child_node.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"

#include "tests/support/catch.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <csignal>
#include <fstream>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace qaqpa::test;

namespace {

constexpr const char* gateway_bin = "990000000001"; // the test PKI's gateway certificate

/// A loopback port nobody listens on now (the far node keeps it across restarts).
std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    ::close(fd);
    return ntohs(a.sin_port);
}

std::string security() {
    return "[security]\ngateway_cert = \"" + pki_file("gateway.pem") + "\"\ngateway_key = \"" + pki_file("gateway.key") +
           "\"\ntrusted_ca = [\"" + pki_file("ca.pem") + "\"]\ncrls = [\"" + pki_file("crl.pem") + "\"]\n";
}

/// The far node on `port`: the near node as a gateway system, "across" a PULL service there.
std::string far_config(std::uint16_t port) {
    auto c = child_config(security(), std::string("[[systems]]\nid = \"gw-near\"\npassword = \"hop-password\"\nbin = \"") +
                                          gateway_bin + "\"\ngateway = true\n"
                                          "[[services]]\nid = \"across\"\nowner = \"owner\"\nmode = \"async\"\n"
                                          "delivery = \"pull\"\n[[access]]\nsystem = \"gw-near\"\nservice = \"across\"\n");
    const auto at = c.find("port = 0"); // the public listener's, the first
    return c.replace(at, 8, "port = " + std::to_string(port));
}

/// The near node: "across" goes to the far node at `port`, retried while it is down.
std::string near_config(std::uint16_t port) {
    return child_config(security(), "[[peers]]\nid = \"far\"\nurl = \"http://127.0.0.1:" + std::to_string(port) +
                                         "\"\nlogin = \"gw-near\"\npassword = \"hop-password\"\nbin = \"" + gateway_bin +
                                         "\"\n[[delivery_points]]\nid = \"to-far\"\nprotocol = \"gateway\"\npeer = \"far\"\n"
                                         "security_mode = 1\nretries = 1000\nbackoff_ms = 50\nbackoff_max_ms = 200\n"
                                         "timeout_ms = 2000\nconcurrency = 8\n"
                                         "[[services]]\nid = \"across\"\nowner = \"owner\"\nmode = \"async\"\n"
                                         "delivery_point = \"to-far\"\n[[access]]\nsystem = \"sender\"\nservice = \"across\"\n");
}

struct child : child_node {
    explicit child(const temp_dir& dir) : child_node(QAQPA_BINARY, dir) {}
};

http_reply post(std::uint16_t port, const std::string& body) {
    return http_request(port, "POST", "/bip-async/", body, {{"Content-Type", "text/xml"}}, std::chrono::seconds(10));
}

} // namespace

TEST_CASE("every message the near node acknowledged reaches the far node once, through SIGKILLs of the far node",
          "[integration][crash][peer]") {
    const auto far_port = free_port();
    temp_dir far_dir, near_dir;
    std::ofstream(far_dir.path() / "qaqpa.toml") << far_config(far_port);
    std::ofstream(near_dir.path() / "qaqpa.toml") << near_config(far_port);
    auto far = std::make_unique<child>(far_dir);
    child near(near_dir);

    std::mutex mutex;
    std::vector<std::string> acknowledged;
    std::atomic<bool> loading{true};
    std::vector<std::thread> senders;
    async_send m;
    m.service = "across";
    for (int t = 0; t < 4; ++t)
        senders.emplace_back([&] {
            while (loading) {
                const auto reply = post(near.port(), send_message_xml(m));
                if (reply.status != 200) continue; // the near node never goes down: a refusal is not expected
                std::lock_guard lk(mutex);
                acknowledged.push_back(field(reply.body, "messageId"));
            }
        });
    for (int k = 0; k < 3; ++k) {
        std::this_thread::sleep_for(std::chrono::milliseconds(700));
        far->stop(SIGKILL);
        far = std::make_unique<child>(far_dir);
        REQUIRE(far->port() == far_port);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    loading = false;
    for (auto& t : senders) t.join();
    REQUIRE(acknowledged.size() > 100); // the load really ran

    // Drain at the far node as its PULL recipient until everything acknowledged came (bounded).
    const login owner{"owner", "owner-password"};
    std::map<std::string, int> delivered;
    std::size_t missing = acknowledged.size();
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < until) {
        const auto reply = post(far->port(), get_messages_xml(owner, "across", 500));
        REQUIRE(reply.status == 200);
        const auto ids = message_ids(reply.body);
        for (const auto& id : ids) {
            ++delivered[id];
            REQUIRE(post(far->port(), delivery_notification_xml(owner, "across", id, true)).status == 200);
        }
        missing = 0;
        for (const auto& id : acknowledged) missing += delivered.count(id) ? 0 : 1;
        if (missing == 0) break;
        if (ids.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    // nothing more comes: the near node's retries of what was taken are recognised
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto rest = message_ids(post(far->port(), get_messages_xml(owner, "across", 500)).body);
    for (const auto& id : rest) ++delivered[id];
    std::size_t duplicated = 0;
    for (const auto& [id, n] : delivered) duplicated += n == 1 ? 0 : 1;
    WARN("acknowledged " << acknowledged.size() << ", delivered at the far node " << delivered.size() << ", missing "
                         << missing << ", duplicated " << duplicated << "; forwards recognised as repeated by the "
                         << "last far node: " << occurrences(far->log(), "a repeated forward"));
    CHECK(missing == 0);
    CHECK(duplicated == 0);
    CHECK(delivered.size() == acknowledged.size());
}

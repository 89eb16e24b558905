// A full disk under the real binary: data_dir on a small tmpfs, filled while
// messages arrive. The gateway keeps answering (STORE_UNAVAILABLE for new
// messages, /readyz 503, one error line), acknowledges nothing it could not
// write, loses nothing it acknowledged, and writes again by itself once
// space returns. Needs root (mount); skipped with a message otherwise.
#include "tests/integration/reply_fields.hpp"
#include "tests/support/async_samples.hpp"
#include "tests/support/child_node.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/temp_dir.hpp"

#include "tests/support/catch.hpp"

#include <fstream>
#include <set>
#include <sys/mount.h>
#include <thread>

using namespace qaqpa::test;
using namespace std::chrono;

namespace {

const std::string config = child_config("", inbox_service);

/// A tmpfs of `megabytes` on `dir`, unmounted when it goes.
class small_disk {
public:
    small_disk(const std::filesystem::path& dir, int megabytes) : dir_(dir) {
        std::filesystem::create_directories(dir);
        const auto size = "size=" + std::to_string(megabytes) + "m";
        mounted_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, size.c_str()) == 0;
    }
    ~small_disk() {
        if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    }
    bool mounted() const { return mounted_; }

    /// Writes a file until the disk is full.
    void fill() {
        std::ofstream out(dir_ / "filler", std::ios::binary);
        const std::string block(1 << 20, 'f');
        while (out.write(block.data(), static_cast<std::streamsize>(block.size())) && out.flush()) {
        }
    }
    void free() { std::filesystem::remove(dir_ / "filler"); }

private:
    std::filesystem::path dir_;
    bool mounted_ = false;
};

std::string send(std::uint16_t port, std::size_t bytes) {
    async_send m;
    m.service = "inbox";
    const auto reply = soap_post(port, "/bip-async/", send_message_of_size(m, bytes));
    INFO(reply.error << reply.body.substr(0, 500));
    REQUIRE(reply.status != 0);
    return reply.status == 200 ? "ok:" + field(reply.body, "messageId") : field(reply.body, "errorCode");
}

int ready(std::uint16_t admin_port) { return http_request(admin_port, "GET", "/readyz").status; }

} // namespace

TEST_CASE("a full disk: STORE_UNAVAILABLE, /readyz 503, nothing acknowledged lost, writes resume by themselves",
          "[process][disk]") {
    temp_dir dir;
    small_disk disk(dir.path() / "data", 48);
    if (!disk.mounted()) {
        WARN("skipped: cannot mount a tmpfs (needs root): " << std::strerror(errno));
        return;
    }
    std::ofstream(dir.path() / "qaqpa.toml") << config;
    std::vector<std::string> acknowledged;
    {
        child_node gw(QAQPA_BINARY, dir);
        for (int i = 0; i < 5; ++i) {
            const auto r = send(gw.port(), 2000);
            REQUIRE(r.rfind("ok:", 0) == 0);
            acknowledged.push_back(r.substr(3));
        }
        CHECK(ready(gw.admin_port()) == 200);

        disk.fill();
        int refused = 0;
        for (int i = 0; i < 1000 && refused < 5; ++i) {
            const auto r = send(gw.port(), 256 * 1024);
            if (r.rfind("ok:", 0) == 0) acknowledged.push_back(r.substr(3));
            else if (r == "STORE_UNAVAILABLE") ++refused;
            else FAIL("unexpected answer " << r);
        }
        REQUIRE(refused == 5);
        CHECK(ready(gw.admin_port()) == 503);
        CHECK(send(gw.port(), 100) == "STORE_UNAVAILABLE"); // even a small one, at once
        std::this_thread::sleep_for(milliseconds(2500));     // recovery attempts while still full
        const auto log = gw.log();
        INFO(log);
        CHECK(occurrences(log, "the store cannot write") == 2);          // the store's one error line, and
        CHECK(occurrences(log, "opened: the store cannot write") == 1); // its incident, kept in memory meanwhile

        disk.free();
        const auto until = steady_clock::now() + seconds(15);
        while (ready(gw.admin_port()) != 200 && steady_clock::now() < until) std::this_thread::sleep_for(milliseconds(100));
        REQUIRE(ready(gw.admin_port()) == 200);
        const auto again = send(gw.port(), 2000);
        REQUIRE(again.rfind("ok:", 0) == 0);
        acknowledged.push_back(again.substr(3));
        CHECK(gw.log().find("the store writes again") != std::string::npos);
    }

    // The incident was written once writes resumed, with the send time then.
    {
        child_node gw(QAQPA_BINARY, dir);
        std::ifstream token_file(dir.path() / "admin.token");
        std::string token;
        std::getline(token_file, token);
        const auto listed = http_request(gw.admin_port(), "GET", "/admin/v1/incidents", {},
                                         {{"Authorization", "Bearer " + token}});
        INFO(listed.body);
        CHECK(listed.status == 200);
        CHECK(occurrences(listed.body, "\"cause\":\"store_failure\"") == 1);
        CHECK(listed.body.find("\"sentAt\":null") == std::string::npos);
    }

    // After a restart on the same directory every acknowledged message is
    // there, exactly once.
    child_node gw(QAQPA_BINARY, dir);
    const login owner{"owner", "owner-password"};
    std::multiset<std::string> pulled;
    for (int round = 0; round < 100; ++round) {
        const auto reply = soap_post(gw.port(), "/bip-async/", get_messages_xml(owner, "inbox", 50));
        REQUIRE(reply.status == 200);
        const auto ids = message_ids(reply.body);
        if (ids.empty()) break;
        for (const auto& id : ids) {
            pulled.insert(id);
            REQUIRE(soap_post(gw.port(), "/bip-async/", delivery_notification_xml(owner, "inbox", id, true)).status == 200);
        }
    }
    INFO(acknowledged.size() << " acknowledged, " << pulled.size() << " pulled");
    for (const auto& id : acknowledged) CHECK(pulled.count(id) == 1);
}

// File descriptors running short: the real binary under a low open-file
// limit, flooded with connections that never send a byte. The longest-idle
// ones are closed to make room, a new client's request is answered within a
// second, and the log holds one warning, not one per failed accept.
#include "tests/integration/reply_fields.hpp"
#include "tests/support/child_node.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/soap_samples.hpp"
#include "tests/support/temp_dir.hpp"

#include "tests/support/catch.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>

#include <fstream>
#include <sys/resource.h>
#include <thread>

using namespace qaqpa::test;
using namespace std::chrono;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

const std::string config = child_config("header_read_timeout_ms = 120000\nidle_timeout_ms = 120000\n", R"(
[[delivery_points]]
id = "echo"
url = "builtin:echo"
[[services]]
id = "echo"
owner = "owner"
delivery_point = "echo"
[[access]]
system = "sender"
service = "echo"
)");

} // namespace

TEST_CASE("with file descriptors short, idle connections make way and a new request is answered within a second",
          "[process][fd]") {
    // This process holds the client ends: it needs more than the child.
    rlimit lim{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &lim) == 0);
    lim.rlim_cur = lim.rlim_max;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &lim) == 0);
    if (lim.rlim_cur < 2000) {
        WARN("skipped: this process may open only " << lim.rlim_cur << " files");
        return;
    }
    temp_dir dir;
    std::ofstream(dir.path() / "qaqpa.toml") << config;
    child_node gw(QAQPA_BINARY, dir, {.open_files = 256});
    CHECK(gw.log().find("open-file limit 256") != std::string::npos);

    asio::io_context ctx;
    const tcp::endpoint at(asio::ip::make_address("127.0.0.1"), gw.port());
    std::vector<tcp::socket> idle;
    for (int i = 0; i < 1200; ++i) {
        idle.emplace_back(ctx);
        idle.back().connect(at); // completes in the kernel's backlog whether or not the gateway accepts
    }
    std::this_thread::sleep_for(milliseconds(200));

    const auto start = steady_clock::now();
    const auto reply = soap_post(gw.port(), "/bip-sync/", sync_request_xml({}));
    const auto waited = steady_clock::now() - start;
    INFO(reply.error << " " << reply.body.substr(0, 300));
    CHECK(reply.status == 200);
    CHECK(waited < seconds(1));

    // The first connections were the longest idle: closed by the gateway.
    boost::system::error_code ec;
    std::array<char, 16> byte{};
    idle.front().read_some(asio::buffer(byte), ec);
    CHECK(ec == asio::error::eof);
    // One warning, not one per failed accept.
    const auto log = gw.log();
    INFO(log.substr(0, 2000));
    CHECK(occurrences(log, "accept failed") >= 1);
    CHECK(occurrences(log, "accept failed") <= 3);
    for (int i = 0; i < 3; ++i) CHECK(soap_post(gw.port(), "/bip-sync/", sync_request_xml({})).status == 200);
}

#include "routing/authenticator.hpp"

#include "crypto/password.hpp"
#include "tests/support/catch.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <future>
#include <thread>

using namespace qaqpa;
using namespace qaqpa::routing;

namespace {

std::shared_ptr<const registry_view> view_with(const std::string& password) {
    registry r;
    r.systems = {{"caller", crypto::hash_password(password, {1 << 10, 8, 1}), "", ""}};
    return std::make_shared<const registry_view>(r, 7);
}

/// Runs the authentications concurrently on one io_context thread and
/// returns their results in order.
std::vector<result<const system_entry*>> run_all(authenticator& auth, std::shared_ptr<const registry_view> view,
                                                 const std::vector<sender_info>& senders) {
    boost::asio::io_context ctx;
    std::vector<result<const system_entry*>> out(senders.size(), fail(errc::internal, "not run"));
    for (std::size_t i = 0; i < senders.size(); ++i)
        boost::asio::co_spawn(ctx.get_executor(), [&, i]() -> task<void> {
            out[i] = co_await auth.authenticate(*view, senders[i]);
        }, boost::asio::detached);
    ctx.run_for(std::chrono::seconds(20));
    return out;
}

} // namespace

TEST_CASE("password checks run off the event loop and give the same verdicts", "[unit][routing]") {
    authenticator auth(1, 16);
    const auto view = view_with("pw");
    const auto r = run_all(auth, view, {{"caller", "pw"}, {"caller", "wrong"}, {"ghost", "pw"}, {"caller", std::nullopt}});
    CHECK(r[0].value()->id == "caller");
    CHECK(r[1].error().code == errc::auth_failed);
    CHECK(r[2].error().code == errc::auth_failed);
    CHECK(r[3].error().code == errc::auth_failed);
}

TEST_CASE("beyond max_pending password checks callers get BUSY at once", "[unit][routing]") {
    authenticator auth(1, 2);
    const auto view = view_with("pw");
    // Four uncached checks start before any finishes: two wait, two are refused.
    const auto r = run_all(auth, view, {{"caller", "a"}, {"caller", "b"}, {"caller", "c"}, {"caller", "d"}});
    int busy = 0, failed = 0;
    for (const auto& x : r) {
        REQUIRE_FALSE(x);
        if (x.error().code == errc::busy) ++busy;
        if (x.error().code == errc::auth_failed) ++failed;
    }
    CHECK(busy == 2);
    CHECK(failed == 2);
}

TEST_CASE("shutdown fails queued checks at once and resumes their callers; later calls get BUSY", "[unit][routing]") {
    authenticator auth(1, 16);
    const auto view = view_with("pw");
    boost::asio::io_context ctx;
    auto guard = boost::asio::make_work_guard(ctx);
    std::thread loop([&] { ctx.run(); });
    std::atomic<int> failed{0}, started{0};
    for (int i = 0; i < 8; ++i)
        boost::asio::co_spawn(ctx.get_executor(), [&, i]() -> task<void> {
            // A named argument: GCC 12 destroys a braced temporary passed by
            // value to a coroutine twice (a compiler bug), so none is used.
            sender_info sender{"caller", "not-cached-" + std::to_string(i)};
            ++started;
            auto r = co_await auth.authenticate(*view, sender);
            if (!r && r.error().code == errc::auth_failed) ++failed;
        }, boost::asio::detached);
    for (int spin = 0; started < 8 && spin < 5000; ++spin) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    REQUIRE(started == 8);
    // The eighth coroutine runs on into its suspension within its current
    // handler; a marker posted now runs after it: then all eight are queued.
    std::promise<void> marker;
    boost::asio::post(ctx, [&] { marker.set_value(); });
    REQUIRE(marker.get_future().wait_for(std::chrono::seconds(5)) == std::future_status::ready);
    auth.shutdown(); // returns once every waiting caller has been handed back
    // Each caller counts its failure on the loop right after it is handed
    // back (the shutdown's wait ends on the hand-back itself): bounded wait.
    for (int spin = 0; failed < 8 && spin < 2000; ++spin) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    CHECK(failed == 8);
    std::atomic<bool> busy{false};
    boost::asio::co_spawn(ctx.get_executor(), [&]() -> task<void> {
        sender_info sender{"caller", "pw"};
        auto r = co_await auth.authenticate(*view, sender);
        busy = !r && r.error().code == errc::busy;
        guard.reset();
    }, boost::asio::detached);
    loop.join();
    CHECK(busy);
}

// Delivery policies on the asynchronous channel: error shutdown and the
// admin switch (POST /dp/{id}/on|off on the admin listener).
#include "tests/integration/async_helpers.hpp"
#include "tests/integration/node_fixture.hpp"
#include "tests/support/fake_provider.hpp"
#include "tests/support/soap_samples.hpp"

#include <atomic>
#include <mutex>
#include <set>

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

node_settings shutting_down_at(const fake_provider& recipient, int errors) {
    node_settings s;
    s.extra_registry = point_with_service("fragile", recipient.url(),
                                          "retries = 10\nbackoff_ms = 20\nbackoff_max_ms = 40\n"
                                          "error_shutdown = { errors = " + std::to_string(errors) + ", window_s = 60 }");
    return s;
}

http_reply admin_post(gateway& gw, const std::string& path, const std::string& token) {
    std::map<std::string, std::string> headers;
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return http_request(gw.node().admin_port(), "POST", path, "", headers);
}

} // namespace

TEST_CASE("M failed attempts switch the point off; switching it on drains the queue in order",
          "[integration][async][policy]") {
    fake_provider recipient(provider_mode::recipient);
    recipient.fail_next(1000);
    gateway gw(shutting_down_at(recipient, 3));
    async_send m;
    m.service = "fragile-svc";
    const auto first = accept(gw.port(), m);
    const auto second = accept(gw.port(), m);
    REQUIRE(eventually([&] { return state_of(gw.port(), sender_login, first.message_id) == "DELIVERY_STOPPED"; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // retries would come every 20-40 ms
    CHECK(recipient.request_count() == 3); // exactly M attempts, then nothing
    CHECK(state_of(gw.port(), sender_login, second.message_id) == "DELIVERY_STOPPED");
    // New messages are still accepted, and wait.
    const auto third = accept(gw.port(), m);
    CHECK(state_of(gw.port(), sender_login, third.message_id) == "DELIVERY_STOPPED");

    recipient.fail_next(0);
    const auto on = admin_post(gw, "/dp/fragile/on", gw.node().admin_token());
    INFO(on.body);
    REQUIRE(on.status == 200);
    CHECK(on.body.find("\"changed\":true") != std::string::npos);
    for (const auto* id : {&first.message_id, &second.message_id, &third.message_id})
        CHECK(eventually([&] { return state_of(gw.port(), sender_login, *id) == "DELIVERED"; }));
    // In order: the recipient saw first, second, third after the switch.
    std::vector<std::string> seen;
    for (const auto& r : recipient.requests()) seen.push_back(field(r.body, "messageId"));
    REQUIRE(seen.size() >= 3);
    CHECK(std::vector<std::string>(seen.end() - 3, seen.end()) ==
          std::vector<std::string>{first.message_id, second.message_id, third.message_id});
}

TEST_CASE("the admin switch: off stops, on twice is a no-op, the token is required, the state survives a restart",
          "[integration][async][policy]") {
    fake_provider recipient(provider_mode::recipient);
    gateway gw(shutting_down_at(recipient, 5));
    const auto token = gw.node().admin_token();
    CHECK(admin_post(gw, "/dp/fragile/off", "").status == 401);
    CHECK(admin_post(gw, "/dp/fragile/off", "wrong").status == 401);
    CHECK(admin_post(gw, "/dp/nope/off", token).status == 404);
    CHECK(admin_post(gw, "/dp/fragile/sideways", token).status == 404);
    REQUIRE(admin_post(gw, "/dp/fragile/off", token).status == 200);
    async_send m;
    m.service = "fragile-svc";
    const auto a = accept(gw.port(), m);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(recipient.request_count() == 0);
    CHECK(state_of(gw.port(), sender_login, a.message_id) == "DELIVERY_STOPPED");

    gw.restart(); // off survives the restart
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(recipient.request_count() == 0);
    const auto on = admin_post(gw, "/dp/fragile/on", gw.node().admin_token());
    REQUIRE(on.status == 200);
    const auto again = admin_post(gw, "/dp/fragile/on", gw.node().admin_token());
    REQUIRE(again.status == 200); // already on: a no-op
    CHECK(again.body.find("\"changed\":false") != std::string::npos);
    CHECK(eventually([&] { return state_of(gw.port(), sender_login, a.message_id) == "DELIVERED"; }));
}

TEST_CASE("a synchronous call to a switched-off point is refused until it is on again", "[integration][policy]") {
    gateway gw;
    const auto call_echo = [&] {
        return soap_post(gw.port(), "/bip-sync/", sync_request_xml({}));
    };
    REQUIRE(call_echo().status == 200);
    REQUIRE(admin_post(gw, "/dp/echo/off", gw.node().admin_token()).status == 200);
    const auto refused = call_echo();
    CHECK(refused.status == 500);
    CHECK(field(refused.body, "errorCode") == "DELIVERY_POINT_OFF");
    check_valid(refused.body, sync_types_ns);
    REQUIRE(admin_post(gw, "/dp/echo/on", gw.node().admin_token()).status == 200);
    CHECK(call_echo().status == 200);
}

TEST_CASE("the sender's access right overrides the point's retries for its own messages",
          "[integration][async][policy]") {
    fake_provider recipient(provider_mode::fault);
    node_settings s;
    s.extra_registry = point_with_service("patient", recipient.url(), "retries = 5\nbackoff_ms = 20\nbackoff_max_ms = 20",
                                          "retries = 1");
    gateway gw(s);
    async_send m;
    m.service = "patient-svc";
    const auto a = accept(gw.port(), m);
    REQUIRE(eventually([&] { return state_of(gw.port(), sender_login, a.message_id) == "NOT_DELIVERED"; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(recipient.request_count() == 2); // 1 + the sender's 1 retry, not the point's 5
}

TEST_CASE("senders asking for status changes hear of DELIVERY_STOPPED and of the resumption",
          "[integration][async][policy]") {
    fake_provider recipient(provider_mode::recipient);
    fake_provider sender_side(provider_mode::recipient);
    node_settings s;
    s.sender_address = sender_side.url();
    s.extra_registry = point_with_service("watched", recipient.url(), "", "", "notify_status = true");
    gateway gw(s);
    REQUIRE(admin_post(gw, "/dp/watched/off", gw.node().admin_token()).status == 200);
    async_send m;
    m.service = "watched-svc";
    const auto a = accept(gw.port(), m);
    REQUIRE(admin_post(gw, "/dp/watched/on", gw.node().admin_token()).status == 200);
    REQUIRE(eventually([&] { return state_of(gw.port(), sender_login, a.message_id) == "DELIVERED"; }));
    // ON_DELIVERY on the resumption, then DELIVERED (the message was
    // accepted while the point was off, so no earlier announcement).
    std::vector<std::string> states;
    REQUIRE(eventually([&] {
        states.clear();
        for (const auto& r : sender_side.requests())
            if (field(r.body, "messageId") == a.message_id) states.push_back(field(r.body, "messageState"));
        return states.size() >= 2;
    }));
    CHECK(std::find(states.begin(), states.end(), "DELIVERED") != states.end());
    for (const auto& r : sender_side.requests()) check_valid(r.body, async_client_ns);

    // Switched off with the message queued: the sender hears DELIVERY_STOPPED.
    recipient.fail_next(1000000);
    const auto b = accept(gw.port(), m);
    REQUIRE(eventually([&] { return recipient.request_count() >= 2; }));
    REQUIRE(admin_post(gw, "/dp/watched/off", gw.node().admin_token()).status == 200);
    CHECK(eventually([&] {
        for (const auto& r : sender_side.requests())
            if (field(r.body, "messageId") == b.message_id && field(r.body, "messageState") == "DELIVERY_STOPPED")
                return true;
        return false;
    }));
}

namespace {

/// A point without policies of its own; the sender's access right sets
/// `sender_keys`, the stranger's sets none.
node_settings sender_overrides(const fake_provider& recipient, const std::string& sender_keys) {
    node_settings s;
    s.extra_registry = point_with_service("shared", recipient.url(), "retries = 10\nbackoff_ms = 20\nbackoff_max_ms = 40",
                                          sender_keys) +
                       "[[access]]\nsystem = \"stranger\"\nservice = \"shared-svc\"\n";
    return s;
}

} // namespace

TEST_CASE("a sender's own throttle holds back its messages only; the others' go past them",
          "[integration][async][policy]") {
    fake_provider recipient(provider_mode::recipient, {}, 2);
    std::mutex mutex;
    std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> arrivals; // messageId, when
    recipient.on_request([&](const received_request& r) {
        std::lock_guard lk(mutex);
        arrivals.emplace_back(field(r.body, "messageId"), std::chrono::steady_clock::now());
    });
    gateway gw(sender_overrides(recipient, "throttle = { requests = 2, window_s = 1 }"));
    async_send mine, theirs;
    mine.service = theirs.service = "shared-svc";
    mine.who = sender_login;
    theirs.who = stranger_login;
    std::set<std::string> sender_ids, stranger_ids;
    for (int i = 0; i < 6; ++i) sender_ids.insert(accept(gw.port(), mine).message_id);
    for (int i = 0; i < 6; ++i) stranger_ids.insert(accept(gw.port(), theirs).message_id);
    REQUIRE(eventually([&] { return recipient.request_count() >= 12; }, std::chrono::seconds(15)));

    std::lock_guard lk(mutex);
    std::vector<std::chrono::steady_clock::time_point> sender_times, stranger_times;
    for (const auto& [id, t] : arrivals) (sender_ids.count(id) ? sender_times : stranger_times).push_back(t);
    REQUIRE(sender_times.size() == 6);
    REQUIRE(stranger_times.size() == 6);
    // The sender's 6 at 2 per second take over 2 s; in any window of 1 s
    // (less a margin for the recipient's clock reading) at most 2 arrive.
    for (const auto& a : sender_times) {
        int in_window = 0;
        for (const auto& b : sender_times)
            if (b >= a && b - a < std::chrono::milliseconds(950)) ++in_window;
        CHECK(in_window <= 2);
    }
    CHECK(sender_times.back() - sender_times.front() >= std::chrono::milliseconds(1900));
    // The stranger, not throttled, is not held behind them: all of its
    // messages arrive before the sender's last.
    CHECK(stranger_times.back() < sender_times.back());
    bool counted = false;
    for (const auto& c : gw.node().delivery_counters())
        if (c.queue == "dp/shared") counted = c.throttled_waits > 0 && c.attempts == 12 && !c.off;
    CHECK(counted);
}

TEST_CASE("a sender's own error shutdown counts its failures apart and switches the point off",
          "[integration][async][policy]") {
    fake_provider recipient(provider_mode::recipient);
    recipient.fail_next(1000);
    gateway gw(sender_overrides(recipient, "error_shutdown = { errors = 3, window_s = 60 }"));
    async_send theirs;
    theirs.service = "shared-svc";
    theirs.who = stranger_login;
    // The stranger's failures do not count: the point itself has no error
    // shutdown. Its message exhausts its 1 + 10 attempts.
    const auto t = accept(gw.port(), theirs);
    REQUIRE(eventually([&] { return state_of(gw.port(), stranger_login, t.message_id) == "NOT_DELIVERED"; }));
    for (const auto& c : gw.node().delivery_counters())
        if (c.queue == "dp/shared") CHECK(!c.off);
    const auto before = recipient.request_count();
    CHECK(before == 11);

    async_send mine;
    mine.service = "shared-svc";
    const auto m = accept(gw.port(), mine);
    REQUIRE(eventually([&] { return state_of(gw.port(), sender_login, m.message_id) == "DELIVERY_STOPPED"; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // retries would come every 20-40 ms
    CHECK(recipient.request_count() == before + 3); // exactly the sender's M, then nothing
    bool off = false;
    std::uint64_t failures = 0;
    for (const auto& c : gw.node().delivery_counters())
        if (c.queue == "dp/shared") {
            off = c.off;
            failures = c.failures;
        }
    CHECK(off);
    CHECK(failures == 14);
}

TEST_CASE("a point's throttle counts the calls of both channels", "[integration][policy]") {
    node_settings s;
    s.extra_registry =
        point_with_service("scarce", "builtin:echo", "throttle = { requests = 1, window_s = 60 }", "", "mode = \"both\"");
    gateway gw(s);
    async_send m;
    m.service = "scarce-svc";
    const auto a = accept(gw.port(), m);
    REQUIRE(eventually([&] { return state_of(gw.port(), sender_login, a.message_id) == "DELIVERED"; }));
    // The PUSH took the window's one call: a synchronous call now is refused.
    sample_request r;
    r.service = "scarce-svc";
    const auto refused = soap_post(gw.port(), "/bip-sync/", sync_request_xml(r));
    CHECK(refused.status == 500);
    CHECK(field(refused.body, "errorCode") == "THROTTLED");
}

TEST_CASE("a changed policy takes effect without a restart, on both channels", "[integration][policy]") {
    fake_provider recipient(provider_mode::recipient);
    const auto registry = [&](const std::string& throttle) {
        node_settings s;
        s.extra_registry = point_with_service("tight", recipient.url(), throttle) +
                           point_with_service("tight-echo", "builtin:echo", throttle, "", "mode = \"sync\"");
        return s;
    };
    gateway gw(registry("throttle = { requests = 1, window_s = 60 }"));
    async_send m;
    m.service = "tight-svc";
    const auto first = accept(gw.port(), m);
    const auto second = accept(gw.port(), m);
    REQUIRE(eventually([&] { return state_of(gw.port(), sender_login, first.message_id) == "DELIVERED"; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(state_of(gw.port(), sender_login, second.message_id) == "ON_DELIVERY"); // waits for the window
    sample_request r;
    r.service = "tight-echo-svc";
    const auto call = [&] { return soap_post(gw.port(), "/bip-sync/", sync_request_xml(r)); };
    REQUIRE(call().status == 200);
    CHECK(field(call().body, "errorCode") == "THROTTLED");

    gw.reload(registry("throttle = { requests = 100, window_s = 60 }"));
    // The waiting message goes at once, not a minute later; the caller has room.
    CHECK(eventually([&] { return state_of(gw.port(), sender_login, second.message_id) == "DELIVERED"; },
                     std::chrono::seconds(5)));
    CHECK(call().status == 200);
}

TEST_CASE("a PUSH over timeout_ms is a failed attempt, and counts towards error shutdown",
          "[integration][async][policy]") {
    fake_provider recipient(provider_mode::slow, std::chrono::milliseconds(2000), 2);
    node_settings s;
    s.extra_registry = point_with_service("sluggish", recipient.url(),
                                          "timeout_ms = 150\nretries = 5\nbackoff_ms = 20\nbackoff_max_ms = 20\n"
                                          "error_shutdown = { errors = 2, window_s = 60 }");
    gateway gw(s);
    async_send m;
    m.service = "sluggish-svc";
    const auto t0 = std::chrono::steady_clock::now();
    const auto a = accept(gw.port(), m);
    REQUIRE(eventually([&] { return state_of(gw.port(), sender_login, a.message_id) == "DELIVERY_STOPPED"; }));
    CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(300)); // two attempts of 150 ms
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(2000)); // neither waited for the answer
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(recipient.request_count() == 2);
    for (const auto& c : gw.node().delivery_counters())
        if (c.queue == "dp/sluggish") {
            CHECK(c.attempts == 2);
            CHECK(c.failures == 2);
            CHECK(c.off);
        }
    std::uint64_t retries = 0, shutdowns = 0;
    gw.node().metrics().visit([&](const metrics_registry::series_view& v) {
        if (v.name == "qaqpa_push_retries_total" && v.c) retries = v.c->value();
        if (v.name == "qaqpa_error_shutdowns_total" && v.c) shutdowns = v.c->value();
    });
    CHECK(retries == 1); // the second attempt retried the first
    CHECK(shutdowns == 1);
}

TEST_CASE("reloading the registry under traffic loses nothing and keeps answering", "[integration][policy]") {
    fake_provider recipient(provider_mode::recipient, {}, 2);
    const auto registry = [&](int retries) {
        node_settings s;
        s.extra_registry = point_with_service("busy", recipient.url(), "retries = " + std::to_string(retries)) +
                           point_with_service("busy-echo", "builtin:echo", "", "", "mode = \"sync\"");
        return s;
    };
    gateway gw(registry(3));
    std::atomic<bool> done{false};
    std::atomic<int> sync_ok{0}, sync_other{0}, accept_other{0};
    std::vector<std::string> ids;
    std::thread traffic([&] { // no Catch macros here: Catch is not thread-safe
        sample_request r;
        r.service = "busy-echo-svc";
        async_send m;
        m.service = "busy-svc";
        while (!done && ids.size() < 300) {
            (soap_post(gw.port(), "/bip-sync/", sync_request_xml(r)).status == 200 ? sync_ok : sync_other)++;
            const auto reply = soap_post(gw.port(), "/bip-async/", send_message_xml(m));
            if (reply.status == 200) ids.push_back(field(reply.body, "messageId"));
            else ++accept_other;
        }
    });
    for (int i = 0; i < 20; ++i) {
        gw.reload(registry(3 + i % 2)); // a changed registry every time
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    done = true;
    traffic.join();
    CHECK(sync_ok > 0);
    CHECK(sync_other == 0);
    CHECK(accept_other == 0);
    REQUIRE(!ids.empty());
    for (const auto& id : ids)
        CHECK(eventually([&] { return state_of(gw.port(), sender_login, id) == "DELIVERED"; }));
}

TEST_CASE("concurrency = N lets N PUSHes to a slow recipient be under way at once", "[integration][async][policy]") {
    // The recipient takes 3 s per PUSH. With concurrency 4 all four messages
    // reach it long before the first answer; with the default 1, the second
    // waits for the first.
    for (const int n : {4, 1}) {
        fake_provider recipient(provider_mode::recipient, std::chrono::seconds(3), 1);
        node_settings s;
        s.extra_registry = point_with_service("slow", recipient.url(), "concurrency = " + std::to_string(n));
        gateway gw(s);
        async_send m;
        m.service = "slow-svc";
        std::vector<std::string> ids;
        for (int i = 0; i < 4; ++i) ids.push_back(accept(gw.port(), m).message_id);
        INFO("concurrency " << n);
        if (n == 4) {
            CHECK(eventually([&] { return recipient.request_count() == 4; }, std::chrono::milliseconds(2500)));
            for (const auto& id : ids)
                CHECK(eventually([&] { return state_of(gw.port(), sender_login, id) == "DELIVERED"; }));
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));
            CHECK(recipient.request_count() == 1);
        }
    }
}

// The asynchronous channel with PUSH delivery: the gateway calls the
// recipient's sendMessage, retries failed attempts, and PUSHes status
// notifications to the sender.
#include "tests/integration/async_helpers.hpp"
#include "tests/integration/node_fixture.hpp"
#include "tests/support/fake_provider.hpp"

#include <mutex>

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

node_settings pushing_to(const fake_provider& recipient, int retries = 3) {
    node_settings s;
    s.push_url = recipient.url();
    s.push_retries = retries;
    return s;
}

async_send to_push_service() {
    async_send m;
    m.service = "push-svc";
    return m;
}

bool state_is(const gateway& gw, const std::string& id, std::string_view state) {
    return state_of(gw.port(), sender_login, id) == state;
}

} // namespace

TEST_CASE("PUSH: the recipient gets sendMessage with gateway ids and the payload verbatim", "[integration][async]") {
    fake_provider recipient(provider_mode::recipient);
    gateway gw(pushing_to(recipient));
    const auto m = to_push_service();
    const auto a = accept(gw.port(), m);
    REQUIRE(eventually([&] { return state_is(gw, a.message_id, "DELIVERED"); }));
    const auto got = recipient.requests();
    REQUIRE(got.size() == 1);
    CHECK(got[0].content_type.rfind("text/xml", 0) == 0);
    CHECK(got[0].has_soap_action);
    CHECK(got[0].soap_action == "\"\"");
    CHECK(field(got[0].body, "messageId") == a.message_id);
    CHECK(field(got[0].body, "correlationId") == a.correlation_id);
    CHECK(field(got[0].body, "senderId") == "sender");
    CHECK(got[0].body.find("sender-password") == std::string::npos);
    CHECK(got[0].body.find(m.payload) != std::string::npos);
    check_valid(got[0].body); // what the recipient gets is a valid sendMessage
}

TEST_CASE("PUSH: failed attempts are retried until the recipient takes the message", "[integration][async]") {
    fake_provider recipient(provider_mode::recipient);
    recipient.fail_next(2);
    gateway gw(pushing_to(recipient));
    const auto a = accept(gw.port(), to_push_service());
    REQUIRE(eventually([&] { return state_is(gw, a.message_id, "DELIVERED"); }));
    CHECK(recipient.request_count() == 3);
}

TEST_CASE("PUSH: 1 + retries attempts, then NOT_DELIVERED", "[integration][async]") {
    fake_provider recipient(provider_mode::fault);
    gateway gw(pushing_to(recipient, 2));
    const auto a = accept(gw.port(), to_push_service());
    REQUIRE(eventually([&] { return state_is(gw, a.message_id, "NOT_DELIVERED"); }));
    CHECK(recipient.request_count() == 3);
    const auto status = async_call(gw.port(), message_status_xml(sender_login, a.message_id));
    CHECK(field(status.body, "statusCode") == "RETRIES_EXHAUSTED");
    std::this_thread::sleep_for(std::chrono::milliseconds(400)); // no further attempt comes
    CHECK(recipient.request_count() == 3);
}

TEST_CASE("PUSH: an unreachable recipient is a failed attempt too", "[integration][async]") {
    node_settings s;
    s.push_url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/";
    s.push_retries = 1;
    gateway gw(s);
    const auto a = accept(gw.port(), to_push_service());
    REQUIRE(eventually([&] { return state_is(gw, a.message_id, "NOT_DELIVERED"); }));
}

namespace {

/// A PUSH recipient, and a sender with an address of its own.
struct both_sides {
    fake_provider recipient{provider_mode::recipient};
    fake_provider sender_side{provider_mode::recipient};
    node_settings settings() const {
        auto s = pushing_to(recipient);
        s.sender_address = sender_side.url();
        return s;
    }
};

} // namespace

TEST_CASE("status changes are PUSHed to the sender's changeMassageStatusNotification", "[integration][async]") {
    both_sides sides;
    auto& sender_side = sides.sender_side;
    gateway gw(sides.settings());
    const auto a = accept(gw.port(), to_push_service());
    REQUIRE(eventually([&] { return sender_side.request_count() >= 1; }));
    const auto got = sender_side.requests();
    REQUIRE(got.size() == 1);
    CHECK(got[0].body.find("changeMassageStatusNotification") != std::string::npos);
    CHECK(field(got[0].body, "messageId") == a.message_id);
    CHECK(field(got[0].body, "messageState") == "DELIVERED");
    check_valid(got[0].body, async_client_ns);
}

TEST_CASE("PUSH: the owner's RESPONSE is PUSHed to the opener's address", "[integration][async]") {
    both_sides sides;
    auto& sender_side = sides.sender_side;
    gateway gw(sides.settings());
    const auto request = accept(gw.port(), to_push_service());
    async_send answer = to_push_service();
    answer.who = owner_login;
    answer.type = "RESPONSE";
    answer.correlation_id = request.correlation_id;
    const auto response = accept(gw.port(), answer);
    REQUIRE(eventually([&] {
        for (const auto& r : sender_side.requests())
            if (field(r.body, "messageId") == response.message_id && r.body.find("RESPONSE") != std::string::npos)
                return true;
        return false;
    }));
}

TEST_CASE("PUSH: a message accepted before a restart is delivered after it", "[integration][async]") {
    fake_provider recipient(provider_mode::recipient);
    recipient.fail_next(1000000);
    gateway gw(pushing_to(recipient, 1000));
    const auto a = accept(gw.port(), to_push_service());
    REQUIRE(eventually([&] { return recipient.request_count() >= 1; }));
    gw.restart();
    recipient.fail_next(0);
    REQUIRE(eventually([&] { return state_is(gw, a.message_id, "DELIVERED"); }));
}

TEST_CASE("PUSH: a throttled point gets at most N per window from a burst of 5N, and all of it",
          "[integration][async]") {
    fake_provider recipient(provider_mode::recipient, {}, 2);
    std::mutex mutex;
    std::vector<std::chrono::steady_clock::time_point> arrivals;
    recipient.on_request([&](const received_request&) {
        std::lock_guard lk(mutex);
        arrivals.push_back(std::chrono::steady_clock::now());
    });
    node_settings s;
    s.extra_registry = point_with_service("throttled", recipient.url(), "throttle = { requests = 2, window_s = 1 }");
    gateway gw(s);
    const auto ids = accept_many(gw.port(), "throttled-svc", 10);
    REQUIRE(eventually([&] { return recipient.request_count() >= 10; }, std::chrono::seconds(15)));
    for (const auto& id : ids) CHECK(eventually([&] { return state_is(gw, id, "DELIVERED"); }));
    std::lock_guard lk(mutex);
    CHECK(arrivals.size() == 10);
    // Any window of 1 s (less a margin for the recipient's clock reading)
    // holds at most 2 arrivals.
    for (std::size_t i = 0; i < arrivals.size(); ++i) {
        int in_window = 0;
        for (const auto& t : arrivals)
            if (t >= arrivals[i] && t - arrivals[i] < std::chrono::milliseconds(950)) ++in_window;
        CHECK(in_window <= 2);
    }
    CHECK(arrivals.back() - arrivals.front() >= std::chrono::milliseconds(3900)); // 10 at 2/s
}

TEST_CASE("PUSH: a recipient that fails every call is paced after three in a row, not flooded",
          "[integration][async]") {
    fake_provider recipient(provider_mode::recipient);
    recipient.fail_next(1000);
    node_settings s;
    s.extra_registry = point_with_service("down", recipient.url(), "retries = 10\nbackoff_ms = 400\nbackoff_max_ms = 400");
    gateway gw(s);
    const auto ids = accept_many(gw.port(), "down-svc", 10);
    REQUIRE(eventually([&] { return recipient.request_count() >= 3; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(150)); // the pause is 400 ms ± 25 %
    CHECK(recipient.request_count() == 3); // not one attempt per queued message
    recipient.fail_next(0);
    for (const auto& id : ids) CHECK(eventually([&] { return state_is(gw, id, "DELIVERED"); }));
}

TEST_CASE("PUSH: routeId picks the delivery point a REQUEST goes to; an unknown one is refused",
          "[integration][async]") {
    fake_provider a(provider_mode::recipient), b(provider_mode::recipient);
    node_settings s;
    s.extra_registry = "[[delivery_points]]\nid = \"route-a\"\nurl = \"" + a.url() + "\"\n"
                       "[[delivery_points]]\nid = \"route-b\"\nurl = \"" + b.url() + "\"\n"
                       "[[services]]\nid = \"routed-async\"\nowner = \"owner\"\nmode = \"async\"\n"
                       "routes = { a = \"route-a\", b = \"route-b\" }\n"
                       "[[access]]\nsystem = \"sender\"\nservice = \"routed-async\"\n";
    gateway gw(s);
    async_send m;
    m.service = "routed-async";
    m.route_id = "b";
    const auto to_b = accept(gw.port(), m);
    REQUIRE(eventually([&] { return state_is(gw, to_b.message_id, "DELIVERED"); }));
    REQUIRE(b.request_count() == 1);
    CHECK(field(b.requests()[0].body, "messageId") == to_b.message_id);
    CHECK(a.request_count() == 0);

    m.route_id = "nowhere";
    check_fault(async_call(gw.port(), send_message_xml(m)), "UNKNOWN_ROUTE", "sendMessageFault1_sendMessageFault");
    CHECK(a.request_count() + b.request_count() == 1);
}

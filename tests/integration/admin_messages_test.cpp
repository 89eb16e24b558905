// Messages through the admin API, as an operator handles a failed delivery:
// look a message up with its journal trail, put a NOT_DELIVERED one back on
// its queue (one, or every one a filter matches, with a dry run first), and
// see a chain.
#include "tests/integration/async_helpers.hpp"
#include "tests/integration/node_fixture.hpp"
#include "tests/support/fake_provider.hpp"
#include "tests/support/http_call.hpp"

#include <boost/json.hpp>

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

boost::json::object json_of(const http_reply& r) {
    INFO(r.body);
    return boost::json::parse(r.body).as_object();
}

std::vector<std::string> events_of(const boost::json::object& message) {
    std::vector<std::string> out;
    for (const auto& row : message.at("journal").as_array())
        out.emplace_back(row.as_object().at("event").as_string());
    return out;
}

std::string state_seen(gateway& gw, const std::string& id) {
    const auto r = admin_call(gw, "GET", "/admin/v1/messages/" + id);
    return r.status == 200 ? std::string(json_of(r).at("state").as_string()) : std::string();
}

} // namespace

TEST_CASE("admin: a NOT_DELIVERED message is shown with its trail, redelivered once, and delivered",
          "[integration][admin][messages]") {
    fake_provider recipient(provider_mode::recipient);
    recipient.fail_next(2); // both attempts of the first round fail
    node_settings s;
    s.push_url = recipient.url();
    s.push_retries = 1;
    gateway gw(s);
    async_send m;
    m.service = "push-svc";
    const auto a = accept(gw.port(), m);
    REQUIRE(eventually([&] { return state_seen(gw, a.message_id) == "NOT_DELIVERED"; }));

    const auto shown = json_of(admin_call(gw, "GET", "/admin/v1/messages/" + a.message_id));
    CHECK(shown.at("statusCode").as_string() == "RETRIES_EXHAUSTED");
    CHECK(shown.at("attempts").as_int64() == 2);
    CHECK(shown.at("queue").as_string() == "dp/recipient");
    CHECK(shown.at("sender").as_string() == "sender");
    CHECK(events_of(shown) == std::vector<std::string>{"accepted", "attempt", "attempt", "not_delivered"});

    const auto again = admin_call(gw, "POST", "/admin/v1/messages/" + a.message_id + "/redeliver");
    REQUIRE(again.status == 200);
    CHECK(json_of(again).at("state").as_string() == "ON_DELIVERY");
    CHECK(json_of(again).at("statusCode").as_string() == "REDELIVERED");
    REQUIRE(eventually([&] { return state_seen(gw, a.message_id) == "DELIVERED"; }));
    CHECK(recipient.request_count() == 3);
    const auto after = json_of(admin_call(gw, "GET", "/admin/v1/messages/" + a.message_id));
    CHECK(events_of(after) == std::vector<std::string>{"accepted", "attempt", "attempt", "not_delivered", "redelivered",
                                                       "attempt", "delivered"});

    // Only a NOT_DELIVERED message goes back; an unknown one is 404.
    const auto twice = admin_call(gw, "POST", "/admin/v1/messages/" + a.message_id + "/redeliver");
    CHECK(twice.status == 409);
    CHECK(json_of(twice).at("error").as_string() == "CONFLICT");
    CHECK(std::string(json_of(twice).at("message").as_string()).find("is DELIVERED, not NOT_DELIVERED") !=
          std::string::npos);
    CHECK(admin_call(gw, "GET", "/admin/v1/messages/no-such-id").status == 404);
    CHECK(admin_call(gw, "POST", "/admin/v1/messages/no-such-id/redeliver").status == 404);
    CHECK(http_request(gw.node().admin_port(), "GET", "/admin/v1/messages/" + a.message_id).status == 401);
}

TEST_CASE("admin: bulk redelivery counts first (dry run), then puts every match back", "[integration][admin][messages]") {
    gateway gw;
    std::vector<std::string> refused;
    for (int i = 0; i < 3; ++i) refused.push_back(accept(gw.port(), {}).message_id);
    REQUIRE(pull(gw.port(), owner_login, "async-only").size() == 3);
    for (const auto& id : refused) // NOT_RESEND: the puller refuses them for good
        REQUIRE(async_call(gw.port(), delivery_notification_xml(owner_login, "async-only", id, false, false)).status ==
                200);
    for (const auto& id : refused) CHECK(state_seen(gw, id) == "NOT_DELIVERED");

    const auto none = json_of(admin_call(gw, "POST", "/admin/v1/messages/redeliver", R"({"service":"push-svc","dryRun":true})"));
    CHECK(none.at("matched").as_int64() == 0);
    const auto dry = json_of(admin_call(gw, "POST", "/admin/v1/messages/redeliver", R"({"service":"async-only","dryRun":true})"));
    CHECK(dry.at("matched").as_int64() == 3);
    CHECK(dry.at("redelivered").as_int64() == 0);
    CHECK(dry.at("messageIds").as_array().size() == 3);
    for (const auto& id : refused) CHECK(state_seen(gw, id) == "NOT_DELIVERED"); // a dry run changes nothing

    const auto done = json_of(admin_call(gw, "POST", "/admin/v1/messages/redeliver", R"({"sender":"sender"})"));
    CHECK(done.at("matched").as_int64() == 3);
    CHECK(done.at("redelivered").as_int64() == 3);
    auto offered = pull(gw.port(), owner_login, "async-only");
    // Ids are time-ordered to the millisecond only: two accepted in one
    // millisecond may sort either way, so both sides are compared sorted.
    std::sort(offered.begin(), offered.end());
    std::sort(refused.begin(), refused.end());
    CHECK(offered == refused);

    const auto bad = admin_call(gw, "POST", "/admin/v1/messages/redeliver", R"({"colour":"blue"})");
    CHECK(bad.status == 400);
    CHECK(json_of(bad).at("message").as_string() == "unknown field \"colour\"");
    CHECK(admin_call(gw, "POST", "/admin/v1/messages/redeliver", "[1]").status == 400);
    CHECK(admin_call(gw, "POST", "/admin/v1/messages/redeliver", R"({"limit":0})").status == 400);
}

TEST_CASE("admin: a chain shows its messages and their rows", "[integration][admin][messages]") {
    gateway gw;
    const auto request = accept(gw.port(), {});
    const auto response = answer_in_chain(gw.port(), request);
    const auto chain = json_of(admin_call(gw, "GET", "/admin/v1/messages?correlationId=" + request.correlation_id));
    CHECK(chain.at("correlationId").as_string() == request.correlation_id);
    const auto& listed = chain.at("messages").as_array();
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].as_object().at("messageId").as_string() == request.message_id);
    CHECK(listed[1].as_object().at("messageId").as_string() == response.message_id);
    CHECK(chain.at("journal").as_array().size() == 2);
    CHECK(admin_call(gw, "GET", "/admin/v1/messages").status == 400);
}

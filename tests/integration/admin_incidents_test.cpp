// The incident journal as an operator meets it: an error shutdown opens an
// incident and the webhook is told (retried after a failure); people fill it
// in and close it through the admin API; a message left waiting past the
// delay (simulated time) opens one, settled when it is delivered.
#include "tests/integration/async_helpers.hpp"
#include "tests/integration/node_fixture.hpp"
#include "tests/support/fake_provider.hpp"
#include "tests/support/http_call.hpp"
#include "tests/support/shifted_clock.hpp"

#include <boost/json.hpp>

using namespace qaqpa;
using namespace qaqpa::test;
namespace json = boost::json;

namespace {

json::object json_of(const http_reply& r) {
    INFO(r.body);
    return json::parse(r.body).as_object();
}

json::array incidents(gateway& gw, const std::string& query = "") {
    const auto r = admin_call(gw, "GET", "/admin/v1/incidents" + query);
    REQUIRE(r.status == 200);
    return json_of(r).at("incidents").as_array();
}

std::int64_t series(gateway& gw, const std::string& name, const std::string& label = "") {
    std::int64_t v = -1;
    gw.node().metrics().visit([&](const metrics_registry::series_view& s) {
        if (s.name != name) return;
        if (!label.empty() && (s.labels.empty() || s.labels.front().second != label)) return;
        if (s.g) v = s.g->value();
        if (s.c) v = static_cast<std::int64_t>(s.c->value());
    });
    return v;
}

} // namespace

TEST_CASE("admin: an error shutdown opens an incident, the webhook is told, people fill it in and close it",
          "[integration][admin][incidents]") {
    fake_provider failing(provider_mode::recipient);
    failing.fail_next(2); // the error shutdown's two failures; delivered once switched on
    fake_provider webhook(provider_mode::recipient);
    webhook.fail_next(1); // the first notification fails: it is retried
    node_settings s;
    s.extra_toml = "[incidents]\nnotify_url = \"" + webhook.url() + "\"";
    s.extra_registry = point_with_service("flaky", failing.url(),
                                          "retries = 5\nbackoff_ms = 20\nbackoff_max_ms = 20\n"
                                          "error_shutdown = { errors = 2, window_s = 60 }");
    gateway gw(s);
    CHECK(incidents(gw).empty());
    async_send m;
    m.service = "flaky-svc";
    const auto a = accept(gw.port(), m);
    REQUIRE(eventually([&] { return state_of(gw.port(), sender_login, a.message_id) == "DELIVERY_STOPPED"; }));

    // Opened at once; notified on the second attempt, a second later.
    REQUIRE(eventually([&] { return incidents(gw).size() == 1; }));
    REQUIRE(eventually([&] { return !incidents(gw).front().as_object().at("notifiedAt").is_null(); },
                       std::chrono::seconds(5)));
    auto i = incidents(gw).front().as_object();
    const std::string id(i.at("id").as_string());
    CHECK(i.at("state") == "open");
    CHECK(i.at("cause") == "point_off");
    CHECK(i.at("deliveryPoint") == "flaky");
    CHECK(i.at("queue") == "dp/flaky");
    CHECK(std::string(i.at("reason").as_string()).find("delivery point flaky switched off: ") == 0);
    CHECK(i.at("notifyAttempts") == 1);
    CHECK(i.at("sentAt").is_null());
    CHECK(i.at("respondedAt").is_null());
    const auto told = webhook.requests();
    REQUIRE(told.size() == 2);
    CHECK(told.back().content_type == "application/json");
    CHECK(json::parse(told.back().body).as_object().at("id").as_string() == id);
    CHECK(series(gw, "qaqpa_incidents_open") == 1);
    CHECK(series(gw, "qaqpa_incidents_opened_total", "point_off") == 1);

    // Switched on: delivery goes on, and the send time is recorded.
    REQUIRE(admin_call(gw, "POST", "/admin/v1/delivery-points/flaky/on").status == 200);
    REQUIRE(eventually([&] { return !incidents(gw).front().as_object().at("sentAt").is_null(); }));
    REQUIRE(eventually([&] { return state_of(gw.port(), sender_login, a.message_id) == "DELIVERED"; }));

    // People answer, then close it.
    auto filled = admin_call(gw, "PATCH", "/admin/v1/incidents/" + id, R"({"responsible":"А. Сейтқали, дежурный"})");
    REQUIRE(filled.status == 200);
    CHECK(json_of(filled).at("responsible") == "А. Сейтқали, дежурный");
    CHECK_FALSE(json_of(filled).at("respondedAt").is_null());
    auto closed = admin_call(gw, "PATCH", "/admin/v1/incidents/" + id,
                        R"({"measures":"the provider fixed its service","state":"closed"})");
    REQUIRE(closed.status == 200);
    CHECK(json_of(closed).at("state") == "closed");
    CHECK_FALSE(json_of(closed).at("closedAt").is_null());
    CHECK(incidents(gw).empty());
    CHECK(incidents(gw, "?state=closed").size() == 1);
    CHECK(json_of(admin_call(gw, "GET", "/admin/v1/incidents/" + id)).at("measures") == "the provider fixed its service");
    CHECK(series(gw, "qaqpa_incidents_open") == 0);

    // What cannot be done is refused by name.
    CHECK(admin_call(gw, "PATCH", "/admin/v1/incidents/" + id, R"({"measures":"more"})").status == 409);
    auto unknown_field = admin_call(gw, "PATCH", "/admin/v1/incidents/" + id, R"({"reason":"x"})");
    CHECK(unknown_field.status == 400);
    CHECK(unknown_field.body.find("unknown field \\\"reason\\\"") != std::string::npos);
    CHECK(admin_call(gw, "PATCH", "/admin/v1/incidents/" + id, R"({"state":"open"})").status == 400);
    CHECK(admin_call(gw, "PATCH", "/admin/v1/incidents/" + id, "{}").status == 400);
    CHECK(admin_call(gw, "GET", "/admin/v1/incidents/no-such").status == 404);
    CHECK(admin_call(gw, "GET", "/admin/v1/incidents?state=maybe").status == 400);
    CHECK(http_request(gw.node().admin_port(), "GET", "/admin/v1/incidents").status == 401);

    // Kept across a restart.
    gw.restart();
    CHECK(incidents(gw, "?state=all").size() == 1);
    CHECK(series(gw, "qaqpa_incidents_open") == 0);
}

TEST_CASE("admin: a message waiting past the delay opens an incident (simulated time), settled by its delivery",
          "[integration][admin][incidents]") {
    shifted_clock clock;
    node_settings s;
    s.extra_toml = "[incidents]\nundelivered_after_s = 86400";
    s.incident_clock = &clock;
    gateway gw(s);
    const auto a = accept(gw.port(), {}); // to async-only, which its owner pulls
    std::this_thread::sleep_for(std::chrono::milliseconds(1200)); // a round or so: nothing is overdue
    CHECK(incidents(gw).empty());

    clock.shift(86'400'000); // a day later
    REQUIRE(eventually([&] { return incidents(gw).size() == 1; }, std::chrono::seconds(5)));
    auto i = incidents(gw).front().as_object();
    CHECK(i.at("cause") == "undelivered");
    CHECK(i.at("messageId").as_string() == a.message_id);
    CHECK(i.at("queue") == "pull/owner/async-only");
    CHECK(i.at("messages") == 1);
    CHECK_FALSE(i.at("receivedAt").is_null());
    CHECK(i.at("notifiedAt").is_null()); // no webhook configured
    CHECK(std::string(i.at("reason").as_string()).find("has waited 24 h in queue pull/owner/async-only") !=
          std::string::npos);

    REQUIRE(pull(gw.port(), owner_login, "async-only").size() == 1);
    REQUIRE(async_call(gw.port(), delivery_notification_xml(owner_login, "async-only", a.message_id, true)).status == 200);
    clock.shift(60'000); // the next scan of the queues
    REQUIRE(eventually([&] { return !incidents(gw).front().as_object().at("sentAt").is_null(); },
                       std::chrono::seconds(5)));
}

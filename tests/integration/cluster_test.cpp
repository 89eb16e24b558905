// Two nodes on one PostgreSQL schema, as a user runs them behind a load
// balancer: what one takes, the other settles; a point switched off through
// one is off on the other; a registry edit through one reaches the other; a
// point's throttle holds for both together. (The SIGKILL takeover of PUSH
// queues is crash_tests' peer of this file: it needs processes to kill.)
#include "tests/integration/async_helpers.hpp"
#include "tests/integration/node_fixture.hpp"
#include "tests/support/postgres_test.hpp"
#include "core/clock.hpp"
#include "tests/support/soap_samples.hpp"

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

node_settings member(const std::string& schema, const std::string& name, std::string extra_registry = {}) {
    node_settings s;
    s.cluster_schema = schema;
    s.node_name = name;
    s.extra_registry = std::move(extra_registry);
    return s;
}

/// Nodes "a" and "b" on a fresh schema, with `extra_registry` each.
struct two_members {
    explicit two_members(const std::string& extra_registry = {})
        : schema(fresh_pg_schema()), a(member(schema, "a", extra_registry)), b(member(schema, "b", extra_registry)) {}
    std::string schema;
    gateway a, b;
};

/// A node's value of an unlabelled series on its /metrics (-1 when absent).
long series(gateway& gw, const std::string& name) {
    const auto body = admin_call(gw, "GET", "/metrics").body;
    const auto at = body.find("\n" + name + " ");
    return at == std::string::npos ? -1 : std::stol(body.substr(at + name.size() + 2));
}

std::string point_state(gateway& gw, const std::string& point) {
    const auto reply = admin_call(gw, "GET", "/admin/v1/delivery-points/" + point + "/state");
    REQUIRE(reply.status == 200);
    return reply.body;
}

} // namespace

TEST_CASE("cluster: a message accepted through one node is fetched and confirmed through the other",
          "[integration][cluster]") {
    QAQPA_NEED_POSTGRES(pg);
    two_members nodes;
    auto& a = nodes.a;
    auto& b = nodes.b;
    const auto ids = accept_many(a.port(), "async-only", 5);

    const auto first = pull(b.port(), owner_login, "async-only", 3); // leased through b ...
    REQUIRE(first == std::vector<std::string>(ids.begin(), ids.begin() + 3));
    const auto rest = pull(a.port(), owner_login, "async-only"); // ... so a offers the others
    REQUIRE(rest == std::vector<std::string>(ids.begin() + 3, ids.end()));
    CHECK(pull(a.port(), owner_login, "async-only").empty());

    for (const auto& id : ids) // confirmed through the node that did not offer it
        REQUIRE(async_call((id == ids[0] || id == ids[1] || id == ids[2]) ? a.port() : b.port(),
                           delivery_notification_xml(owner_login, "async-only", id, true))
                    .status == 200);
    for (const auto& id : ids) {
        CHECK(state_of(a.port(), sender_login, id) == "DELIVERED");
        CHECK(state_of(b.port(), sender_login, id) == "DELIVERED");
    }
    CHECK(pull(b.port(), owner_login, "async-only").empty());

    // a started first and claimed every PUSH queue; b waits for a's claims to lapse
    CHECK(eventually([&] { return series(a, "qaqpa_cluster_push_queues_owned") > 0; }));
    CHECK(series(b, "qaqpa_cluster_push_queues_owned") == 0);
    CHECK(series(a, "qaqpa_cluster_leader") == 1); // one node watches the queues for incidents
    CHECK(series(b, "qaqpa_cluster_leader") == 0);
}

TEST_CASE("cluster: a sender's retry of a sendMessage, through either node, is stored once under its first id",
          "[integration][cluster]") {
    QAQPA_NEED_POSTGRES(pg);
    two_members nodes;
    auto& a = nodes.a;
    auto& b = nodes.b;
    async_send m;
    m.message_id = "c0ffee00-0000-4000-8000-000000000001";
    m.message_date = now_datetime();
    const auto first = accept(a.port(), m);
    const auto retried = accept(b.port(), m); // its answer was lost, say: sent again elsewhere
    CHECK(retried.message_id == first.message_id);
    CHECK(retried.correlation_id == first.correlation_id);
    CHECK(accept(a.port(), m).message_id == first.message_id);
    auto edited = m; // the same messageId with other content is another message
    edited.payload = "<doc xmlns=\"urn:example\">edited</doc>";
    const auto other = accept(b.port(), edited);
    CHECK(other.message_id != first.message_id);
    CHECK(pull(a.port(), owner_login, "async-only") == std::vector{first.message_id, other.message_id});
}

TEST_CASE("cluster: a RESEND through one node is offered again through the other", "[integration][cluster]") {
    QAQPA_NEED_POSTGRES(pg);
    two_members nodes;
    auto& a = nodes.a;
    auto& b = nodes.b;
    const auto id = accept(a.port(), {}).message_id;
    REQUIRE(pull(a.port(), owner_login, "async-only") == std::vector{id});
    REQUIRE(pull(b.port(), owner_login, "async-only").empty()); // leased
    REQUIRE(async_call(a.port(), delivery_notification_xml(owner_login, "async-only", id, false, true)).status == 200);
    CHECK(pull(b.port(), owner_login, "async-only") == std::vector{id});
}

TEST_CASE("cluster: a point switched off through one node is off on the other, and on again",
          "[integration][cluster]") {
    QAQPA_NEED_POSTGRES(pg);
    two_members nodes;
    auto& a = nodes.a;
    auto& b = nodes.b;
    REQUIRE(admin_call(a, "POST", "/admin/v1/delivery-points/echo/off").status == 200);
    CHECK(eventually([&] { return point_state(b, "echo").find("\"enabled\":false") != std::string::npos; },
                     std::chrono::seconds(2)));
    sample_request r;
    r.service = "echo";
    const auto refused = soap_post(b.port(), "/bip-sync/", sync_request_xml(r));
    CHECK(refused.status == 500);
    CHECK(field(refused.body, "errorCode") == "DELIVERY_POINT_OFF");

    REQUIRE(admin_call(a, "POST", "/admin/v1/delivery-points/echo/on").status == 200);
    CHECK(eventually([&] { return point_state(b, "echo").find("\"enabled\":true") != std::string::npos; },
                     std::chrono::seconds(2)));
    CHECK(soap_post(b.port(), "/bip-sync/", sync_request_xml(r)).status == 200);
}

TEST_CASE("cluster: a registry edit through one node's admin API reaches the other within a second",
          "[integration][cluster]") {
    QAQPA_NEED_POSTGRES(pg);
    two_members nodes;
    auto& a = nodes.a;
    auto& b = nodes.b;
    REQUIRE(admin_call(a, "PUT", "/admin/v1/systems/newcomer", R"({"password":"newcomer-password"})").status / 100 == 2);
    const auto started = std::chrono::steady_clock::now();
    CHECK(eventually([&] { return admin_call(b, "GET", "/admin/v1/systems/newcomer").status == 200; },
                     std::chrono::seconds(3)));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(1500));
    // and an edit through b starts from what a saved: both entries stay
    REQUIRE(admin_call(b, "PUT", "/admin/v1/systems/second", R"({"password":"second-password"})").status / 100 == 2);
    CHECK(eventually([&] { return admin_call(a, "GET", "/admin/v1/systems/second").status == 200; },
                     std::chrono::seconds(3)));
    CHECK(admin_call(a, "GET", "/admin/v1/systems/newcomer").status == 200);
}

TEST_CASE("cluster: a point's throttle holds across both nodes together", "[integration][cluster]") {
    QAQPA_NEED_POSTGRES(pg);
    const std::string limited = "[[delivery_points]]\nid = \"limited\"\nurl = \"builtin:echo\"\n"
                                "throttle = { requests = 4, window_s = 60 }\n"
                                "[[services]]\nid = \"limited\"\nowner = \"owner\"\ndelivery_point = \"limited\"\n"
                                "[[access]]\nsystem = \"sender\"\nservice = \"limited\"\n";
    two_members nodes(limited);
    auto& a = nodes.a;
    auto& b = nodes.b;
    sample_request r;
    r.service = "limited";
    int passed = 0, throttled = 0;
    for (int i = 0; i < 10; ++i) {
        const auto reply = soap_post(i % 2 ? b.port() : a.port(), "/bip-sync/", sync_request_xml(r));
        if (reply.status == 200) ++passed;
        else if (field(reply.body, "errorCode") == "THROTTLED") ++throttled;
    }
    CHECK(passed == 4);
    CHECK(throttled == 6);
}

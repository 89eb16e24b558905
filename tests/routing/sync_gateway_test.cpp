#include "routing/sync_gateway.hpp"

#include "crypto/password.hpp"
#include "routing/authenticator.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace qaqpa::routing;

namespace {

registry sample() {
    static const auto hash = crypto::hash_password("pw", {1 << 10, 8, 1});
    registry r;
    r.systems = {{"caller", hash, "", ""}, {"owner", hash, "", ""}, {"stranger", hash, "", ""}};
    delivery_point a, b;
    a.id = "a";
    a.url = "http://127.0.0.1:1/";
    a.policy.timeout_ms = 5000;
    a.creds = credentials{"gw-login", "gw-pass"};
    b.id = "b";
    b.url = "builtin:echo";
    r.delivery_points = {a, b};
    service_entry plain;
    plain.id = "plain";
    plain.owner = "owner";
    plain.delivery_point = "a";
    plain.timeout_ms = 3000;
    service_entry routed = plain;
    routed.id = "routed";
    routed.delivery_point = "";
    routed.routes = {{"ra", "a"}, {"rb", "b"}};
    service_entry async_only = plain;
    async_only.id = "async";
    async_only.mode = service_mode::async;
    r.services = {plain, routed, async_only};
    access_right fast{"caller", "plain", {}};
    fast.overrides.timeout_ms = 700;
    r.access = {fast, {"caller", "routed", {}}, {"caller", "async", {}}};
    return r;
}

sync_request_info info(std::string service, std::optional<std::string> route = std::nullopt) {
    sync_request_info i;
    i.service_id = std::move(service);
    i.route_id = std::move(route);
    return i;
}

} // namespace

TEST_CASE("route resolution: service, channel, access right, routeId", "[unit][routing]") {
    const registry_view view(sample(), 1);
    const auto& caller = *view.system("caller");
    const auto& stranger = *view.system("stranger");
    const sync_limits limits{60000};

    CHECK(resolve_sync_route(view, caller, info("nope"), limits).error().code == errc::unknown_service);
    CHECK(resolve_sync_route(view, caller, info("async"), limits).error().code == errc::wrong_channel);
    CHECK(resolve_sync_route(view, stranger, info("plain"), limits).error().code == errc::access_denied);
    CHECK(resolve_sync_route(view, caller, info("routed"), limits).error().code == errc::unknown_route);
    CHECK(resolve_sync_route(view, caller, info("routed", "rc"), limits).error().code == errc::unknown_route);
    CHECK(resolve_sync_route(view, caller, info("routed", "rb"), limits)->point->id == "b");
    CHECK(resolve_sync_route(view, caller, info("routed", "ra"), limits)->point->id == "a");
    CHECK(resolve_sync_route(view, caller, info("plain", "ignored"), limits)->point->id == "a");
}

TEST_CASE("the caller waits the smallest of service, policy and regulation timeouts", "[unit][routing]") {
    const registry_view view(sample(), 1);
    const auto& caller = *view.system("caller");
    CHECK(resolve_sync_route(view, caller, info("plain"), {60000})->timeout.count() == 700); // access override
    CHECK(resolve_sync_route(view, caller, info("routed", "ra"), {60000})->timeout.count() == 3000); // service
    CHECK(resolve_sync_route(view, caller, info("routed", "ra"), {250})->timeout.count() == 250); // regulation
}

TEST_CASE("the provider sees the gateway's credentials and sessionId, never the caller's password", "[unit][routing]") {
    const registry_view view(sample(), 1);
    sync_request req;
    req.info.sender = {"caller", "caller-secret"};
    const auto with_creds = forwarded_request(req, view.target(*view.point("a")), "{s}", "caller");
    CHECK(with_creds.info.sender.sender_id == "gw-login");
    CHECK(with_creds.info.sender.password == std::optional<std::string>("gw-pass"));
    CHECK(with_creds.info.session_id == std::optional<std::string>("{s}"));
    const auto without = forwarded_request(req, view.target(*view.point("b")), "{s}", "caller");
    CHECK(without.info.sender.sender_id == "caller");
    CHECK_FALSE(without.info.sender.password);
}

TEST_CASE("authentication: right password, wrong password, unknown sender, no password", "[unit][routing]") {
    registry_holder holder(sample());
    const auto view = holder.current();
    CHECK(authenticate(*view, {"caller", "pw"}).value()->id == "caller");
    CHECK(authenticate(*view, {"caller", "pw"}).value()->id == "caller"); // cached path
    CHECK(authenticate(*view, {"caller", "PW"}).error().code == errc::auth_failed);
    CHECK(authenticate(*view, {"ghost", "pw"}).error().code == errc::auth_failed);
    CHECK(authenticate(*view, {"caller", std::nullopt}).error().code == errc::auth_failed);
}

TEST_CASE("a registry change is seen by readers and invalidates cached logins", "[unit][routing]") {
    registry_holder holder(sample());
    const auto before = holder.current();
    REQUIRE(authenticate(*before, {"caller", "pw"}));
    auto changed = sample();
    changed.systems[0].password_hash = crypto::hash_password("new", {1 << 10, 8, 1});
    holder.replace(changed);
    const auto after = holder.current();
    CHECK(after->generation() != before->generation());
    CHECK(authenticate(*after, {"caller", "pw"}).error().code == errc::auth_failed);
    CHECK(authenticate(*after, {"caller", "new"}));
    CHECK(before->system("caller")->password_hash == sample().systems[0].password_hash); // old snapshot intact
}

#include "routing/async_gateway.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace qaqpa::routing;

namespace {

registry sample() {
    registry r;
    r.systems = {{"opener", "", "", ""}, {"pushed", "", "", "http://127.0.0.1:1/"}, {"owner", "", "", ""},
                 {"stranger", "", "", ""}};
    delivery_point a, b;
    a.id = "a";
    a.url = "http://127.0.0.1:1/";
    a.max_queue_depth = 7;
    b.id = "b";
    b.url = "builtin:echo";
    r.delivery_points = {a, b};
    service_entry push;
    push.id = "push";
    push.owner = "owner";
    push.mode = service_mode::async;
    push.delivery_point = "a";
    service_entry routed = push;
    routed.id = "routed";
    routed.delivery_point = "";
    routed.routes = {{"ra", "a"}, {"rb", "b"}};
    service_entry pull = push;
    pull.id = "pull";
    pull.delivery = delivery_mode::pull;
    pull.delivery_point = "";
    service_entry sync = push;
    sync.id = "sync";
    sync.mode = service_mode::sync;
    r.services = {push, routed, pull, sync};
    r.access = {{"opener", "push", {}}, {"opener", "routed", {}}, {"opener", "pull", {}}, {"opener", "sync", {}},
                {"pushed", "push", {}}};
    return r;
}

const registry_view view(sample(), 1);
const async_limits limits{100, 1000, 60000, 99};

async_message_info info(std::string service, message_type type = message_type::request) {
    async_message_info i;
    i.service_id = std::move(service);
    i.type = type;
    return i;
}

result<async_route> route(std::string_view caller, const async_message_info& i,
                          const std::optional<storage::chain>& c = std::nullopt) {
    return resolve_async_route(view, *view.system(caller), i, c, limits);
}

} // namespace

TEST_CASE("a REQUEST goes to the service's point and opens a chain", "[unit][routing]") {
    const auto r = route("opener", info("push"));
    REQUIRE(r);
    CHECK(r->queue == "dp/a");
    CHECK(r->recipient == "owner");
    CHECK(r->max_depth == 7);
    REQUIRE(r->opens);
    CHECK(r->opens->opener == "opener");
    CHECK(r->opens->owner == "owner");
    CHECK(r->opens->point == "a");
    CHECK(r->opens->correlation_id.size() == 36);
}

TEST_CASE("routeId picks the point; a PULL service queues for its owner", "[unit][routing]") {
    auto i = info("routed");
    i.route_id = "rb";
    CHECK(route("opener", i)->queue == "dp/b");
    CHECK(route("opener", i)->max_depth == 99);
    i.route_id = "zz";
    CHECK(route("opener", i).error().code == errc::unknown_route);
    i.route_id.reset();
    CHECK(route("opener", i).error().code == errc::unknown_route);
    CHECK(route("opener", info("pull"))->queue == "pull/owner/pull");
}

TEST_CASE("a REQUEST needs the service, the async channel and an access right", "[unit][routing]") {
    CHECK(route("opener", info("nope")).error().code == errc::unknown_service);
    CHECK(route("opener", info("sync")).error().code == errc::wrong_channel);
    CHECK(route("stranger", info("push")).error().code == errc::access_denied);
}

TEST_CASE("in a chain, each party's message goes to the other party", "[unit][routing]") {
    const storage::chain pushed_chain{"c1", "push", "pushed", "owner", "a"};
    const storage::chain pulling_chain{"c2", "push", "opener", "owner", "a"};
    // The owner answers: PUSH to an opener with an address, else its pull queue.
    auto r = route("owner", info("push", message_type::response), pushed_chain);
    CHECK(r->queue == "is/pushed");
    CHECK(r->recipient == "pushed");
    CHECK_FALSE(r->opens);
    CHECK(route("owner", info("push", message_type::update), pulling_chain)->queue == "pull/opener/push");
    // The opener writes on: to the point the REQUEST went to.
    CHECK(route("opener", info("push", message_type::notification), pulling_chain)->queue == "dp/a");
    CHECK(route("stranger", info("push", message_type::response), pulling_chain).error().code == errc::not_chain_party);
}

TEST_CASE("a message in a chain needs the chain, of the same service", "[unit][routing]") {
    CHECK(route("owner", info("push", message_type::response)).error().code == errc::unknown_chain);
    const storage::chain other{"c3", "pull", "opener", "owner", ""};
    CHECK(route("owner", info("push", message_type::response), other).error().code == errc::unknown_chain);
}

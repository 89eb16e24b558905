#include "storage/store.hpp"

#include "tests/support/temp_dir.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;

namespace {

registry sample() {
    registry r;
    r.systems.push_back({"sender", "scrypt$x", "123456789012", "http://127.0.0.1:9/"});
    r.systems.push_back({"owner", "scrypt$y", "", ""});
    delivery_point dp;
    dp.id = "dp";
    dp.url = "http://127.0.0.1:9090/";
    dp.policy.timeout_ms = 1234;
    dp.policy.throttle = throttle_policy{45, 45};
    dp.creds = credentials{"gw", "pw"};
    dp.max_queue_depth = 9; // round-trips with the rest (registry == compares every field)
    r.delivery_points.push_back(dp);
    service_entry s;
    s.id = "svc";
    s.owner = "owner";
    s.mode = service_mode::both;
    s.delivery = delivery_mode::pull;
    s.delivery_point = "dp";
    s.routes = {{"a", "dp"}};
    s.notify_status = true;
    r.services.push_back(s);
    access_right a{"sender", "svc", {}};
    a.overrides.timeout_ms = 500;
    a.overrides.error_shutdown = error_shutdown_policy{5, 60};
    r.access.push_back(a);
    return r;
}

std::unique_ptr<storage::store> open(const test::temp_dir& dir) {
    auto s = storage::open_store({dir.str(), true});
    REQUIRE(s);
    return std::move(*s);
}

} // namespace

TEST_CASE("the registry round-trips through its stored form", "[unit][storage]") {
    auto r = sample();
    // and a peer gateway, the point forwarding to it, and a peer as a system
    r.peers.push_back({"far", "http://127.0.0.1:9000", "gw-near", "hop", "210987654321"});
    r.peers.back().concurrency = 4;
    r.peers.push_back({"other", "https://127.0.0.1:9001", "gw-near", "hop2", "210987654322"});
    r.peers.back().keys = {"/pki/peers-ca.pem", "/pki/hop.pem", "/pki/hop.key"}; // its own CA and pair
    delivery_point hop;
    hop.id = "to-far";
    hop.peer = "far";
    hop.policy.security_mode = 1;
    r.delivery_points.push_back(hop);
    r.systems.push_back({"gw-far", "scrypt$z", "210987654321", "", wire_protocol::soap, true});

    auto back = storage::deserialize_registry(storage::serialize(r));
    REQUIRE(back);
    CHECK(*back == r);
    CHECK_FALSE(storage::deserialize_registry("{not json"));
    // a registry stored before peers existed has none
    auto older = storage::serialize(registry{});
    older.replace(older.find(",\"peers\":[]"), 11, "");
    REQUIRE(older.find("peers") == std::string::npos);
    CHECK(storage::deserialize_registry(older)->peers.empty());
}

TEST_CASE("a stored registry survives reopening the store", "[unit][storage]") {
    test::temp_dir dir;
    {
        auto s = open(dir);
        auto none = s->load_registry();
        REQUIRE(none);
        CHECK_FALSE(*none);
        REQUIRE(s->save_registry(sample(), "source-1"));
    }
    auto s = open(dir);
    auto loaded = s->load_registry();
    REQUIRE(loaded);
    REQUIRE(*loaded);
    CHECK(**loaded == sample());
    CHECK(*s->bootstrap_source().value() == "source-1");
}

TEST_CASE("a second process cannot open a data dir in use", "[unit][storage]") {
    test::temp_dir dir;
    auto first = open(dir);
    auto second = storage::open_store({dir.str(), true});
    REQUIRE_FALSE(second);
    CHECK(second.error().detail.find("in use") != std::string::npos);
}

TEST_CASE("bootstrap: the file seeds, an unchanged file keeps admin changes, a changed file wins", "[unit][storage]") {
    test::temp_dir dir;
    auto s = open(dir);
    auto file = sample();
    auto live = storage::bootstrap_registry(*s, file, "file-v1", false);
    REQUIRE(live);
    CHECK(*live == file);

    // An admin change (simulated: written as the live registry).
    auto admin = file;
    admin.systems.push_back({"added-by-admin", "scrypt$z", "", ""});
    REQUIRE(s->save_registry(admin, "file-v1"));
    live = storage::bootstrap_registry(*s, file, "file-v1", false);
    REQUIRE(live);
    CHECK(live->systems.size() == 3);

    // The file changed one entry: it is upserted, the admin's entry stays.
    auto edited = file;
    edited.delivery_points[0].url = "http://127.0.0.1:9191/";
    live = storage::bootstrap_registry(*s, edited, "file-v2", false);
    REQUIRE(live);
    CHECK(live->delivery_points[0].url == "http://127.0.0.1:9191/");
    CHECK(live->systems.size() == 3);

    // --reset-registry: the file exactly.
    live = storage::bootstrap_registry(*s, edited, "file-v2", true);
    REQUIRE(live);
    CHECK(*live == edited);
}

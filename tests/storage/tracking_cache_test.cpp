#include "storage/detail/tracking_cache.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa::storage;
using qaqpa::storage::detail::tracking_cache;

namespace {

tracking at(std::uint64_t seq) {
    tracking t;
    t.destination = "pull/owner/svc";
    t.seq = seq;
    return t;
}

} // namespace

TEST_CASE("the tracking cache holds what was put and refreshes only what it holds", "[unit][storage]") {
    tracking_cache cache(8);
    CHECK_FALSE(cache.find("a"));
    cache.update("a", at(1)); // not held: stays out
    CHECK_FALSE(cache.find("a"));
    cache.put("a", at(1));
    REQUIRE(cache.find("a"));
    cache.update("a", at(2));
    CHECK(cache.find("a")->seq == 2);
    cache.erase("a");
    CHECK_FALSE(cache.contains("a"));
}

TEST_CASE("the tracking cache drops its oldest entries past its capacity", "[unit][storage]") {
    tracking_cache cache(3);
    for (std::uint64_t i = 0; i < 5; ++i) cache.put("m" + std::to_string(i), at(i));
    CHECK(cache.size() == 3);
    CHECK_FALSE(cache.contains("m0"));
    CHECK_FALSE(cache.contains("m1"));
    CHECK(cache.find("m4")->seq == 4);
    // Churn (put, erase, put again) keeps it bounded.
    for (int round = 0; round < 1000; ++round) {
        cache.put("x", at(7));
        cache.erase("x");
    }
    CHECK(cache.size() <= 3);
    cache.put("y", at(9));
    CHECK(cache.find("y")->seq == 9);
    CHECK(cache.size() <= 3);
}

TEST_CASE("a zero-capacity tracking cache holds nothing", "[unit][storage]") {
    tracking_cache cache(0);
    cache.put("a", at(1));
    CHECK_FALSE(cache.contains("a"));
}

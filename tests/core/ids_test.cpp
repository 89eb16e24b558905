#include "core/ids.hpp"

#include "tests/support/catch.hpp"

#include <set>

using namespace qaqpa;

TEST_CASE("new GUIDs are version 4, unique, and braced as the schema wants", "[unit][core]") {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        const auto g = new_guid();
        REQUIRE(g.size() == 36);
        CHECK(g[14] == '4');
        CHECK(std::string("89ab").find(g[19]) != std::string::npos);
        CHECK(is_guid(g));
        CHECK(is_guid(braced(g)));
        CHECK(braced(g) == "{" + g + "}");
        seen.insert(g);
    }
    CHECK(seen.size() == 1000);
    CHECK(braced("{" + new_guid() + "}").size() == 38);
    CHECK_FALSE(is_guid("not-a-guid"));
    CHECK_FALSE(is_guid("{1b4e28ba-2fa1-11d2-883f-0016d3cca42}"));
}

TEST_CASE("a GUID made from a time and a seed is the same every time, ordered by its time", "[unit][core]") {
    const std::string seed = "0123456789abcdef";
    const auto g = ordered_guid_of(1765000000123, seed);
    CHECK(g == ordered_guid_of(1765000000123, seed));
    CHECK(is_guid(g));
    CHECK(g[14] == '7');
    CHECK(ordered_guid_ms(g) == 1765000000123);
    CHECK(ordered_guid_of(1765000000123, "another seed....") != g);
    CHECK(ordered_guid_of(1765000000124, seed) > g);
}

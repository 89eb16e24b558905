#include "transports/http/message.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;

TEST_CASE("query_params decodes %-escapes and '+', keeps order, refuses broken escapes", "[unit][transports]") {
    auto p = http::query_params("from=2026-12-03T10%3A00%3A00Z&sender=a+b&&empty=&flag&x=%D2%9B");
    REQUIRE(p);
    REQUIRE(p->size() == 5);
    CHECK((*p)[0] == std::pair<std::string, std::string>{"from", "2026-12-03T10:00:00Z"});
    CHECK((*p)[1].second == "a b");
    CHECK((*p)[2] == std::pair<std::string, std::string>{"empty", ""});
    CHECK((*p)[3] == std::pair<std::string, std::string>{"flag", ""});
    CHECK((*p)[4].second == "қ");
    CHECK(http::query_params("")->empty());
    CHECK_FALSE(http::query_params("a=%4"));
    CHECK_FALSE(http::query_params("a=%"));
    CHECK_FALSE(http::query_params("a=%zz"));
}

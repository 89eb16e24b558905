#include "core/clock.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace std::chrono;

TEST_CASE("messageDate is read with or without zone and fractions", "[unit][core]") {
    const auto utc = parse_datetime("2026-11-23T10:00:00Z");
    REQUIRE(utc);
    CHECK(parse_datetime("2026-11-23T16:00:00+06:00") == utc);
    CHECK(parse_datetime("2026-11-23T10:00:00") == utc);
    CHECK(parse_datetime(" 2026-11-23T10:00:00.000Z ") == utc);
    const auto frac = parse_datetime("2026-11-23T10:00:00.123456+00:00");
    REQUIRE(frac);
    CHECK(duration_cast<microseconds>(*frac - *utc).count() == 123456);
}

TEST_CASE("invalid dateTimes are refused", "[unit][core]") {
    for (const char* bad : {"", "2026-11-23", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-23T25:00:00Z",
                            "2026-11-23T10:00:00+6:00", "2026-11-23T10:00:00.Z", "tomorrow", "2026-11-23T10:00:00Zjunk",
                            "1013-11-23T10:00:00Z", "9999-12-31T23:59:59Z"}) // outside what the clock holds
        CHECK_FALSE(parse_datetime(bad));
}

TEST_CASE("the gateway writes UTC with milliseconds and reads it back", "[unit][core]") {
    const auto t = sys_days{year{2026} / 11 / 23} + hours{20} + minutes{14} + seconds{37} + milliseconds{5};
    const auto text = format_datetime(time_point_cast<system_clock::duration>(t));
    CHECK(text == "2026-11-23T20:14:37.005Z");
    CHECK(parse_datetime(text) == time_point_cast<system_clock::duration>(t));
    CHECK(format_datetime(sys_days{year{2000} / 1 / 1}) == "2000-01-01T00:00:00.000Z");
    const auto last = sys_days{year{2099} / 12 / 31} + hours{23} + minutes{59} + seconds{59} + milliseconds{999};
    CHECK(format_datetime(time_point_cast<system_clock::duration>(last)) == "2099-12-31T23:59:59.999Z");
    CHECK(format_datetime(sys_days{year{1970} / 1 / 1}) == "1970-01-01T00:00:00.000Z");
}

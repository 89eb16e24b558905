#include "core/log.hpp"
#include "core/utf8.hpp"

#include <boost/json/parse.hpp>

#include "tests/support/catch.hpp"

using namespace qaqpa;

TEST_CASE("a JSON log line is one valid JSON object whatever the message holds", "[core][log]") {
    const std::string message = "quote \" backslash \\ newline \n tab \t bell \x07 bad \xFF end";
    const auto line = log::format_line(log::format::json, "2026-12-03T10:00:00.000Z", log::level::warn, "http", message);
    REQUIRE(line.back() == '\n');
    CHECK(line.find('\n') == line.size() - 1);
    const auto v = boost::json::parse(line).as_object();
    CHECK(v.at("time").as_string() == "2026-12-03T10:00:00.000Z");
    CHECK(v.at("level").as_string() == "warn");
    CHECK(v.at("subsystem").as_string() == "http");
    CHECK(std::string(v.at("message").as_string()) == to_valid_utf8(message));
}

TEST_CASE("a text log line stays one line", "[core][log]") {
    const auto line = log::format_line(log::format::text, "T", log::level::error, "storage", "a\nb\rc");
    CHECK(line == "T ERROR storage: a b c\n");
}

TEST_CASE("log formats and levels parse by name", "[core][log]") {
    log::format f{};
    CHECK(log::parse_format("json", f));
    CHECK(f == log::format::json);
    CHECK_FALSE(log::parse_format("xml", f));
}

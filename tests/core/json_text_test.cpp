#include "core/json_text.hpp"

#include "tests/support/catch.hpp"

#include <string>

using namespace qaqpa;

TEST_CASE("one JSON value is recognised whatever its kind, whitespace around it allowed", "[core][json_text]") {
    CHECK(is_json_value("{}"));
    CHECK(is_json_value(" [1, \"two\", {\"three\": null}] \n"));
    CHECK(is_json_value("9007199254740993"));
    CHECK(is_json_value("\"\\u049b\\u0430\\u049b\\u043f\\u0430\""));
    CHECK(is_json_value("true"));
}

TEST_CASE("a JSON flaw is named with the byte where the parser stopped", "[core][json_text]") {
    const auto cut = find_json_flaw("{\"a\": [1, 2");
    REQUIRE(cut);
    CHECK_FALSE(cut->reason.empty());
    const auto extra = find_json_flaw("{} {}");
    REQUIRE(extra);
    CHECK(extra->at == 3);
    const auto bad = find_json_flaw("{\"a\": tru}");
    REQUIRE(bad);
    CHECK(bad->at >= 6);
    CHECK(bad->at <= 9);
    CHECK(find_json_flaw(""));
    CHECK(find_json_flaw("   "));
    CHECK(find_json_flaw("{\"a\": 1,}"));
    CHECK(find_json_flaw("'single'"));
    CHECK(find_json_flaw("{\"a\": \"\x01\"}")); // a raw control character
}

TEST_CASE("nesting is bounded: 256 levels pass, 257 do not", "[core][json_text]") {
    const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    CHECK(is_json_value(nested(256)));
    const auto deep = find_json_flaw(nested(257));
    REQUIRE(deep);
    CHECK(deep->reason == "too deep");
    CHECK(deep->at == 256);
    CHECK(find_json_flaw(nested(20), 16));
}

TEST_CASE("a JSON string's contents are decoded; anything else is not a string", "[core][json_text]") {
    CHECK(json_string_contents("\"<a x=\\\"1\\\"/>\"") == std::optional<std::string>("<a x=\"1\"/>"));
    CHECK_FALSE(json_string_contents("{}"));
    CHECK_FALSE(json_string_contents("\"open"));
}

TEST_CASE("text is escaped into a JSON string that reads back the same", "[core][json_text]") {
    const std::string text = std::string("plain \"quoted\" back\\slash\nline\r\ttab \x01\x1f end қақпа") + '\0' + "after nul";
    std::string out = "\"";
    append_json_escaped(out, text);
    out += '"';
    CHECK(out.find("\\u0001") != std::string::npos);
    CHECK(out.find("\\u0000") != std::string::npos);
    CHECK(json_string_contents(out) == text);
    std::string empty;
    append_json_escaped(empty, "");
    CHECK(empty.empty());
    std::string bad;
    append_json_escaped(bad, "a\xff" "b"); // not UTF-8: repaired, still a valid string
    CHECK(is_json_value("\"" + bad + "\""));
}

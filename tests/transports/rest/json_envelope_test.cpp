#include "transports/rest/detail/json_envelope.hpp"
#include "transports/rest/detail/json_source.hpp"

#include "core/json_text.hpp"

#include "tests/support/catch.hpp"

#include <boost/json.hpp>

#include <array>
#include <random>

using namespace qaqpa;
using rest::detail::read_envelope;

namespace {

constexpr std::array<std::string_view, 3> path{"request", "requestData", "data"};

rest::detail::envelope read(std::string_view text, std::span<const std::string_view> at = path) {
    boost::json::monotonic_resource resource;
    auto r = read_envelope(text, at, {&resource});
    REQUIRE(r);
    // the document outlives the resource only as a copy on the default one
    return {boost::json::value(r->root, {}), r->payload, r->repeated_key};
}

/// What the envelope must hold: the text parsed whole, the payload put back as null.
boost::json::value expected_root(std::string_view text, std::optional<std::string_view> payload) {
    std::string envelope(text);
    if (payload) envelope.replace(static_cast<std::size_t>(payload->data() - text.data()), payload->size(), "null");
    boost::json::parse_options options;
    options.max_depth = 256;
    return boost::json::parse(envelope, {}, options);
}

/// Random JSON around the path: the keys that lead to the payload (some
/// spelt with escapes), repeats, every kind of scalar, odd whitespace.
class generator {
public:
    explicit generator(unsigned seed) : rng_(seed) {}

    std::string document() {
        std::string out;
        object(out, 0, 0);
        return space() + out + space();
    }

private:
    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

    std::string space() {
        static const std::array<std::string_view, 5> blanks{"", "", " ", "\n\t ", "\r\n"};
        return std::string(blanks[pick(5)]);
    }

    std::string key(int matched) {
        if (matched >= 0 && matched < 3 && pick(3) > 0) {
            const auto k = std::string(path[matched]);
            if (pick(6) == 0) return "\"\\u00" + fmt_hex(k[0]) + k.substr(1) + "\""; // the same key, escaped
            return "\"" + k + "\"";
        }
        static const std::array<std::string_view, 6> others{"\"a\"", "\"b\"", "\"data\"", "\"\"", "\"q\\\"\"", "\"\\\\\""};
        return std::string(others[pick(6)]);
    }

    static std::string fmt_hex(char c) {
        static const char digits[] = "0123456789abcdef";
        return {digits[(c >> 4) & 15], digits[c & 15]};
    }

    void scalar(std::string& out) {
        static const std::array<std::string_view, 10> values{
            "9007199254740993", "-0", "1.5e-3", "true", "false", "null", "\"x\"", "\"a\\\"b\\\\\"", "\"\\u049b,}]\"", "\"\""};
        out += values[pick(10)];
    }

    void value(std::string& out, int depth, int matched) {
        const int kind = depth > 5 ? 0 : pick(matched >= 0 ? 4 : 6);
        if (kind == 1 || kind == 2 || (matched >= 0 && kind == 3)) object(out, depth + 1, matched);
        else if (kind == 4) array(out, depth + 1);
        else scalar(out);
    }

    void object(std::string& out, int depth, int matched) {
        out += "{" + space();
        const int n = pick(4) + (matched >= 0 ? 1 : 0);
        for (int i = 0; i < n; ++i) {
            if (i) out += space() + "," + space();
            const auto k = key(matched);
            out += k + space() + ":" + space();
            const bool on_path = matched >= 0 && matched < 3 && k.find(path[matched].substr(1)) != std::string::npos &&
                                 (k == "\"" + std::string(path[matched]) + "\"" || k.find("\\u00") != std::string::npos);
            value(out, depth, on_path ? matched + 1 : -1);
        }
        out += space() + "}";
    }

    void array(std::string& out, int depth) {
        out += "[" + space();
        const int n = pick(4);
        for (int i = 0; i < n; ++i) {
            if (i) out += space() + "," + space();
            value(out, depth, -1);
        }
        out += space() + "]";
    }

    std::mt19937 rng_;
};

} // namespace

TEST_CASE("REST envelope: the payload's text, the envelope's document and repeated keys in one pass", "[unit][rest]") {
    const std::string_view text = R"( {"request":{"requestInfo":{"messageId":"m"},"requestData":{"data": {"n": 9007199254740993, "s": "},]\""} } } } )";
    const auto e = read(text);
    CHECK(e.payload == R"({"n": 9007199254740993, "s": "},]\""})");
    CHECK(e.repeated_key.empty());
    CHECK(e.root == expected_root(text, e.payload));
    CHECK(e.root.at("request").at("requestData").at("data").is_null());

    SECTION("a payload followed by more members, and a scalar payload") {
        const std::string_view more = R"({"request":{"requestData":{"data":[1,[2]] , "x":1},"after":true}})";
        CHECK(read(more).payload == "[1,[2]]");
        const std::string_view scalar = R"({"request":{"requestData":{"data":-12.5e3,"x":"y"}}})";
        CHECK(read(scalar).payload == "-12.5e3");
        const std::string_view last = R"({"request":{"requestData":{"data":"a\"b" }}} )";
        CHECK(read(last).payload == R"("a\"b")");
    }
    SECTION("a key spelt with escapes still leads to the payload") {
        const std::string_view escaped = R"({"request":{"requestData":{"d\u0061ta":{"k":1}}}})";
        CHECK(read(escaped).payload == R"({"k":1})");
    }
    SECTION("a repeated key is named by its path; inside the payload nothing is looked into") {
        CHECK(read(R"({"x":[{"y":1},{"y":1,"y":2}]})").repeated_key == "x/1/y");
        CHECK(read(R"({"request":{"requestData":{"data":{"k":1,"k":2}}}})").repeated_key.empty());
        CHECK(read(R"({"request":{"a":1,"\u0061":2}})").repeated_key == "request/a");
    }
    SECTION("no payload where the path is not an object's member") {
        CHECK_FALSE(read(R"({"request":[{"requestData":{"data":1}}]})").payload);
        CHECK_FALSE(read(R"({"request":{"requestData":1}})").payload);
    }
}

TEST_CASE("REST envelope: bad JSON is named with its byte, as the plain parser names it", "[unit][rest]") {
    boost::json::monotonic_resource resource;
    // the last ones end right after the key that leads to the payload (the fuzzer's find)
    for (const std::string_view bad : {R"({"a": [1, 2)", R"({} {})", R"({"a": tru})", R"({"a":1,})", "", "  ", "\"\\x\"",
                                       "{\"request\":{\"requestData\":{\"data\":\n\n", "{\"request\":{\"requestData\":{\"data\"  "}) {
        const auto r = read_envelope(bad, path, {&resource});
        REQUIRE_FALSE(r);
        const auto flaw = find_json_flaw(bad);
        REQUIRE(flaw);
        CHECK(r.error().detail == "the body is not JSON: " + flaw->reason + " at byte " + std::to_string(flaw->at));
    }
    std::string deep(257, '[');
    deep += std::string(257, ']');
    CHECK_FALSE(read_envelope(deep, path, {&resource}));
    CHECK(read_envelope(deep.substr(1, 512), path, {&resource}));
}

TEST_CASE("REST envelope: agrees with the source scan and the plain parser on random documents", "[unit][rest]") {
    generator g(20261205);
    int with_payload = 0, with_repeats = 0;
    for (int i = 0; i < 4000; ++i) {
        const auto text = g.document();
        INFO(text);
        REQUIRE(is_json_value(text));
        const auto e = read(text);
        const auto facts = rest::detail::scan_source(text, path);
        CHECK(std::string(e.payload.value_or("(none)")) == std::string(facts.value_at_path.value_or("(none)")));
        if (e.payload && facts.value_at_path) CHECK(e.payload->data() == facts.value_at_path->data());
        CHECK(e.repeated_key == facts.repeated_key);
        if (facts.repeated_key.empty()) CHECK(e.root == expected_root(text, e.payload));
        with_payload += e.payload ? 1 : 0;
        with_repeats += e.repeated_key.empty() ? 0 : 1;
    }
    // the generator reaches both cases often enough to mean something
    CHECK(with_payload > 400);
    CHECK(with_repeats > 200);
}

#include "transports/http/framing.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa::http;
using state = chunked_decoder::state;

namespace {

/// Feeds `wire` `step` bytes at a time, as a connection would, keeping what
/// was not consumed; returns the final state and the body.
std::pair<state, std::string> decode(const std::string& wire, std::size_t step, std::size_t max_body = 1 << 20) {
    chunked_decoder d(max_body);
    std::string pending, body;
    auto s = state::more;
    for (std::size_t at = 0; s == state::more && at < wire.size(); at += step) {
        pending += wire.substr(at, step);
        std::size_t used = 0;
        s = d.feed(pending, used, body);
        REQUIRE(used <= pending.size());
        pending.erase(0, used);
    }
    return {s, body};
}

} // namespace

TEST_CASE("chunked bodies decode the same whatever the read sizes", "[http][framing]") {
    const std::string wire = "5;a=b;q=\"x;\\\"y\"\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nT: v\r\n\r\n";
    for (std::size_t step : {1, 2, 3, 7, 1000}) {
        const auto [s, body] = decode(wire, step);
        INFO(step);
        CHECK(s == state::done);
        CHECK(body == "helloabcdefghijklmnopqrstuvwxyz");
    }
}

TEST_CASE("the decoder stops at the end of the body and leaves the next request", "[http][framing]") {
    chunked_decoder d(100);
    std::string body;
    std::size_t used = 0;
    const std::string wire = "3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n";
    CHECK(d.feed(wire, used, body) == state::done);
    CHECK(wire.substr(used) == "GET / HTTP/1.1\r\n");
    CHECK(body == "abc");
}

TEST_CASE("malformed chunk lines are refused as soon as they are seen", "[http][framing]") {
    for (const std::string wire : {"3\nabc", "3\rx", "x\r\n", ";a\r\n", "3;\r\n", "3;a=\r\n", "3;a=\"b\r\n",
                                   "3 x\r\n", "3\r\nabcX", "0\r\nno-colon\r\n", "0\r\n: v\r\n"}) {
        INFO(wire);
        CHECK(decode(wire, 1).first == state::malformed);
        CHECK(decode(wire, 100).first == state::malformed);
    }
    CHECK(decode("3\r\nabc", 1).first == state::more);
    CHECK(decode("3\r", 1).first == state::more); // a CR at the end may yet be followed by LF
    CHECK(decode(std::string(5000, '1'), 100).first == state::malformed);
    CHECK(decode("1" + std::string(15, '0') + "\r\n", 100).first == state::malformed);
}

TEST_CASE("a chunked body over the limit is too large, whether one chunk or many", "[http][framing]") {
    CHECK(decode("b\r\n", 100, 10).first == state::too_large);
    CHECK(decode("5\r\naaaaa\r\n6\r\n", 100, 10).first == state::too_large);
    CHECK(decode("5\r\naaaaa\r\n5\r\naaaaa\r\n0\r\n\r\n", 100, 10).first == state::done);
}

TEST_CASE("framing headers: only exactly chunked, and never with Content-Length", "[http][framing]") {
    auto with = [](std::initializer_list<std::pair<beast_http::field, std::string>> fields, unsigned version = 11) {
        request r{beast_http::verb::post, "/", version};
        for (const auto& [f, v] : fields) r.insert(f, v);
        return check_framing(r, r.version());
    };
    using beast_http::field;
    CHECK(with({}).how == framing::kind::length);
    CHECK(with({{field::content_length, "3"}}).how == framing::kind::length);
    CHECK(with({{field::transfer_encoding, "chunked"}}).how == framing::kind::chunked);
    CHECK(with({{field::transfer_encoding, " Chunked\t"}}).how == framing::kind::chunked);
    CHECK(with({{field::transfer_encoding, "xchunked"}}).refusal == status::not_implemented);
    CHECK(with({{field::transfer_encoding, "chunked, identity"}}).refusal == status::not_implemented);
    CHECK(with({{field::transfer_encoding, "chunked"}, {field::content_length, "3"}}).refusal == status::bad_request);
    CHECK(with({{field::transfer_encoding, "chunked"}, {field::transfer_encoding, "chunked"}}).refusal ==
          status::bad_request);
    CHECK(with({{field::transfer_encoding, "chunked"}}, 10).refusal == status::bad_request);
}

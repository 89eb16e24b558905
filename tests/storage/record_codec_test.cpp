#include "storage/detail/record_codec.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace qaqpa::storage;
using namespace qaqpa::storage::detail;

TEST_CASE("tracking and chains round-trip", "[unit][storage]") {
    tracking t{"dp/x", 77, "a", "b", "svc", {message_state::not_delivered, "C", "msg", "2026-01-01T00:00:00Z"}, 3, -5};
    const auto back = decode_tracking(encode(t));
    REQUIRE(back);
    CHECK(back->destination == "dp/x");
    CHECK(back->seq == 77);
    CHECK(back->status.state == message_state::not_delivered);
    CHECK(back->attempts == 3);
    CHECK(back->next_attempt_ms == -5);
    chain c{"corr", "svc", "opener", "owner", ""};
    CHECK(decode_chain(encode(c))->opener == "opener");
}

TEST_CASE("the acceptance's journal row round-trips, and records written before it read as none", "[unit][storage]") {
    tracking t{"pull/a/svc", 5, "a", "b", "svc", {message_state::on_delivery, "ACCEPTED", "ok", "2026-01-01T00:00:00Z"}, 0, 0};
    t.journal_row = 123456789;
    CHECK(decode_tracking(encode(t))->journal_row == 123456789);
    chain c{"corr", "svc", "opener", "owner", "", 42};
    CHECK(decode_chain(encode(c))->journal_row == 42);
    // The earlier layout: the same fields without the trailing row number
    // (nor what came after it).
    t.journal_row = 0;
    auto older = encode(t);
    older.resize(older.size() - 3); // a 0 is one byte, and so is an empty string
    const auto back = decode_tracking(older);
    REQUIRE(back);
    CHECK(back->journal_row == 0);
    CHECK(back->service_id == "svc");
    c.journal_row = 0;
    auto older_chain = encode(c);
    older_chain.pop_back();
    REQUIRE(decode_chain(older_chain));
    CHECK(decode_chain(older_chain)->owner == "owner");
}

TEST_CASE("a forwarded message's peer and its last report round-trip; older records have none",
          "[unit][storage]") {
    tracking t{"dp/to-far", 9, "a", "b", "svc", {message_state::on_delivery, "FORWARDED", "taken", "2026-01-01T00:00:00Z"}, 0, 0};
    t.journal_row = 17;
    t.forwarded_to = "far";
    t.peer_status_ms = 1767225600123;
    const auto back = decode_tracking(encode(t));
    REQUIRE(back);
    CHECK(back->forwarded_to == "far");
    CHECK(back->peer_status_ms == 1767225600123);
    CHECK(back->journal_row == 17);
    t.forwarded_to.clear();
    t.peer_status_ms = 0;
    auto older = encode(t); // the layout before: ends at the row number
    older.resize(older.size() - 2);
    const auto old = decode_tracking(older);
    REQUIRE(old);
    CHECK(old->journal_row == 17);
    CHECK(old->forwarded_to.empty());
    CHECK(old->peer_status_ms == 0);
}

TEST_CASE("damaged records are errors, never crashes", "[unit][storage]") {
    queued_message m;
    m.id = "id";
    m.message.data.content = std::string(300, 'x');
    const auto bytes = encode(m);
    REQUIRE(decode_message(bytes));
    for (std::size_t cut = 0; cut < bytes.size(); cut += 7) CHECK_FALSE(decode_message(bytes.substr(0, cut)));
    CHECK_FALSE(decode_message(bytes + "junk"));
    CHECK_FALSE(decode_tracking("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"));
    CHECK_FALSE(decode_chain(""));
}

TEST_CASE("queue keys sort by destination, then sequence", "[unit][storage]") {
    CHECK(queue_key("a", 1) < queue_key("a", 2));
    CHECK(queue_key("a", 255) < queue_key("a", 256));
    CHECK(queue_key("a", ~0ull) < queue_key("b", 0));
    std::string_view dest;
    std::uint64_t seq = 0;
    const auto key = queue_key("pull/x/y", 123456789);
    REQUIRE(split_queue_key(key, dest, seq));
    CHECK(dest == "pull/x/y");
    CHECK(seq == 123456789);
    CHECK_FALSE(split_queue_key("short", dest, seq));
}

TEST_CASE("a payload keeps its format: XML as version 1 wrote it, JSON text byte for byte", "[unit][storage]") {
    queued_message m;
    m.id = "id";
    m.message.data = {true, payload_format::json, "", R"({"n": 9007199254740993, "x": 1.50})"};
    auto back = decode_message(encode(m));
    REQUIRE(back);
    CHECK(back->message.data.format == payload_format::json);
    CHECK(back->message.data.content == R"({"n": 9007199254740993, "x": 1.50})");
    m.message.data = {true, payload_format::xml, "xmlns:a=\"urn:a\"", "<a:x/>"};
    back = decode_message(encode(m));
    REQUIRE(back);
    CHECK(back->message.data.format == payload_format::xml);
    CHECK(back->message.data.attributes == "xmlns:a=\"urn:a\"");
    m.message.data = {};
    CHECK_FALSE(decode_message(encode(m))->message.data.present);
}

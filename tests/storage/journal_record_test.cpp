#include "storage/detail/journal_record.hpp"

#include "storage/detail/leb128.hpp"

#include "core/journal_format.hpp"
#include "storage/journal_verify.hpp"
#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace qaqpa::storage;
using namespace qaqpa::storage::detail;

namespace {

journal_row sample_row() {
    journal_row r;
    r.number = 300;
    r.recorded_ms = 1'780'000'000'123;
    r.prev_hash = std::string(63, 'a') + "9";
    r.event.kind = journal_event_kind::attempt;
    r.event.channel = journal_channel::push;
    r.event.message_id = "0190a0b1-0000-7000-8000-000000000001";
    r.event.correlation_id = "corr";
    r.event.message_type = "REQUEST";
    r.event.service_id = "svc";
    r.event.sender = "sys-a";
    r.event.point = "dp-1";
    r.event.state = "ON_DELIVERY";
    r.event.error_code = "SE0001";
    r.event.detail = "HTTP 503 Сервис недоступен";
    r.event.at_ms = 1'780'000'000'100;
    r.event.duration_ms = 17;
    r.event.http_status = 503;
    r.event.request_bytes = 2600;
    r.event.sent_ms = -1; // signed numbers survive the zig-zag
    r.hash = row_hash(canonical_bytes(r));
    return r;
}

std::string stored(const journal_row& r) {
    return encode_stored_row(r.number, r.recorded_ms, crypto::digest_from_hex(r.prev_hash),
                             crypto::digest_from_hex(r.hash), r.event);
}

} // namespace

TEST_CASE("a stored journal row reads back as the row whose hash it keeps", "[unit][storage]") {
    const auto r = sample_row();
    const auto value = stored(r);
    const auto back = decode_stored_row(value);
    REQUIRE(back);
    CHECK(back->number == r.number);
    CHECK(back->recorded_ms == r.recorded_ms);
    CHECK(back->prev_hash == r.prev_hash);
    CHECK(back->hash == r.hash);
    CHECK(canonical_bytes(*back) == canonical_bytes(r));
    CHECK(row_hash(canonical_bytes(*back)) == back->hash);
    CHECK(recorded_ms_of(value) == r.recorded_ms);
    // the point of the compact record: well under the canonical bytes and hex hash
    CHECK(value.size() * 10 < (canonical_bytes(r).size() + 64) * 6);
}

journal_row read_back(const journal_row& r) {
    const auto back = decode_stored_row(stored(r));
    REQUIRE(back);
    CHECK(canonical_bytes(*back) == canonical_bytes(r));
    return *back;
}

TEST_CASE("what rows repeat is packed and reads back byte for byte", "[unit][storage]") {
    auto r = sample_row();
    r.event.kind = journal_event_kind::accepted;
    r.event.correlation_id = r.event.message_id; // a REQUEST opens its own chain
    r.event.detail.clear();
    r.event.received_ms = r.event.at_ms;
    r.event.sent_ms = 0;
    const auto accepted = stored(r);
    // 1 version + 2 number + 6 time + 64 hashes + 2 kinds, then the columns:
    // the id in 17 bytes, its repeat, the type and state in one each
    CHECK(accepted.size() < 1 + 2 + 6 + 64 + 2 + 17 + 1 + 1 + 1 + 40);
    read_back(r);

    SECTION("a GUID not in lowercase, or not quite a GUID, is kept as written") {
        r.event.message_id = "0190A0B1-0000-7000-8000-000000000001";
        r.event.correlation_id = "0190a0b1-0000-7000-8000-00000000000g";
        r.event.recipient = "0190a0b1-0000-7000-8000-000000000002"; // another column may hold a GUID
        CHECK(read_back(r).event.message_id == r.event.message_id);
    }
    SECTION("an empty message id is never taken for a repeat") {
        r.event.message_id.clear();
        r.event.correlation_id.clear();
        r.event.error_code = "";
        read_back(r);
    }
    SECTION("a word of the list is packed only when it is the whole value") {
        r.event.state = "ON_DELIVERY ";
        r.event.transport = "rest";
        r.event.message_type = "";
        CHECK(read_back(r).event.state == "ON_DELIVERY ");
    }
    SECTION("times before, after and far from the row's own, and unset, survive") {
        r.event.at_ms = r.recorded_ms - 5;
        r.event.received_ms = 1;
        r.event.sent_ms = r.recorded_ms + 86'400'000;
        read_back(r);
        r.event.at_ms = 0;
        CHECK(read_back(r).event.at_ms == 0);
    }
}

TEST_CASE("rows stored in the previous compact record still read", "[unit][storage]") {
    const auto r = sample_row();
    // version 2: every string as it is, every number zig-zagged as it is
    leb128_writer w(2, 512);
    w.u(r.number);
    w.i(r.recorded_ms);
    for (const auto& h : {r.prev_hash, r.hash}) {
        const auto d = crypto::digest_from_hex(h);
        w.raw(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
    }
    w.u(static_cast<std::uint64_t>(r.event.kind));
    w.u(static_cast<std::uint64_t>(r.event.channel));
    for (const auto& c : journal_string_columns()) w.s(r.event.*c.field);
    for (const auto& n : journal_number_columns(r.event)) w.i(n.value);
    const auto older = w.take();
    const auto back = decode_stored_row(older);
    REQUIRE(back);
    CHECK(back->hash == r.hash);
    CHECK(canonical_bytes(*back) == canonical_bytes(r));
    CHECK(recorded_ms_of(older) == r.recorded_ms);
}

TEST_CASE("invalid UTF-8 reads back repaired, as the canonical bytes hashed it", "[unit][storage]") {
    auto r = sample_row();
    r.event.detail = std::string("bad \xff byte");
    r.hash = row_hash(canonical_bytes(r));
    const auto back = decode_stored_row(stored(r));
    REQUIRE(back);
    CHECK(back->event.detail != r.event.detail);
    CHECK(row_hash(canonical_bytes(*back)) == r.hash);
}

TEST_CASE("rows stored before the compact record (canonical bytes and hex hash) still read", "[unit][storage]") {
    const auto r = sample_row();
    const auto older = canonical_bytes(r) + r.hash;
    const auto back = decode_stored_row(older);
    REQUIRE(back);
    CHECK(back->hash == r.hash);
    CHECK(back->event.detail == r.event.detail);
    CHECK(recorded_ms_of(older) == r.recorded_ms);
}

TEST_CASE("a damaged stored row is an error, never a crash", "[unit][storage]") {
    const auto value = stored(sample_row());
    for (std::size_t n = 0; n < value.size(); ++n) CHECK_FALSE(decode_stored_row(value.substr(0, n)));
    CHECK_FALSE(decode_stored_row(value + "x"));
    auto unknown = value;
    unknown[1 + 2 + 6 + 64] = 99; // the event kind, after number, recorded and hashes
    CHECK_FALSE(decode_stored_row(unknown));
    CHECK_FALSE(recorded_ms_of(""));
    CHECK_FALSE(recorded_ms_of(std::string(1, '\x02')));
    CHECK_FALSE(recorded_ms_of(std::string(1, '\x03')));
    auto word = value;
    word[1 + 2 + 6 + 64 + 2] = 127; // the first column's tag: a word past the list
    CHECK_FALSE(decode_stored_row(word));
}

#include "core/journal_format.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;

namespace {

journal_row full_row() {
    journal_row r;
    r.number = 42;
    r.recorded_ms = 1796311757655;
    r.prev_hash = std::string(64, 'a');
    r.hash = std::string(64, 'b');
    auto& e = r.event;
    e.kind = journal_event_kind::attempt;
    e.channel = journal_channel::push;
    e.transport = "";
    e.message_id = "01a23c86-3386-78d5-8686-98aef8f2bd3b";
    e.correlation_id = "chain";
    e.message_type = "REQUEST";
    e.service_id = "svc \"quoted\", with comma";
    e.sender = "Сәлем";
    e.recipient = "owner";
    e.point = "dp\\1";
    e.state = "ON_DELIVERY";
    e.error_code = "PROVIDER_TIMEOUT";
    e.detail = "line one\nline two\ttab\x01";
    e.payload = "<doc xmlns=\"urn:x\">Сәлем</doc>";
    e.at_ms = 1796311757600;
    e.received_ms = 1796311757500;
    e.sent_ms = 0;
    e.duration_ms = 100;
    e.http_status = 503;
    e.request_bytes = 1 << 20;
    e.response_bytes = 7;
    return r;
}

} // namespace

TEST_CASE("a journal row survives its export line, field for field", "[unit][core][journal]") {
    const auto r = full_row();
    const auto line = to_json_line(r);
    CHECK(line.find('\n') == std::string::npos); // one row, one line
    auto back = parse_json_line(line);
    REQUIRE(back);
    CHECK(canonical_bytes(*back) == canonical_bytes(r));
    CHECK(back->hash == r.hash);
    CHECK(back->event.detail == r.event.detail);
    CHECK(back->event.payload == r.event.payload);
    CHECK(back->event.sender == "Сәлем");
    CHECK(back->event.http_status == 503);
    CHECK(back->event.kind == journal_event_kind::attempt);
    CHECK(back->event.channel == journal_channel::push);
}

TEST_CASE("the canonical text does not depend on how the JSON was spelled", "[unit][core][journal]") {
    auto line = to_json_line(full_row());
    // Another writer's spelling: keys reordered, a character escaped.
    const auto hash_at = line.find(",\"hash\"");
    const std::string reordered =
        "{\"hash\"" + line.substr(hash_at + 7, 67) + "," + line.substr(1, hash_at - 1) + "}";
    auto a = parse_json_line(line);
    auto b = parse_json_line(reordered);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(canonical_bytes(*a) == canonical_bytes(*b));
}

TEST_CASE("a malformed export line is refused, naming the field", "[unit][core][journal]") {
    const auto line = to_json_line(full_row());
    auto without = [&](std::string_view key) {
        auto s = line;
        const auto at = s.find("\"" + std::string(key) + "\":");
        const auto end = s.find(",\"", at + 1);
        s.erase(at - 1, end - at + 1);
        return s;
    };
    auto missing = parse_json_line(without("sender"));
    REQUIRE_FALSE(missing);
    CHECK(missing.error().detail == "sender is missing");
    auto extra = parse_json_line(line.substr(0, line.size() - 1) + ",\"note\":\"x\"}");
    REQUIRE_FALSE(extra);
    CHECK(extra.error().detail == "unknown field \"note\"");
    auto s = line;
    s.replace(s.find("\"event\":\"attempt\""), 17, "\"event\":\"deleted\"");
    auto bad_event = parse_json_line(s);
    REQUIRE_FALSE(bad_event);
    CHECK(bad_event.error().detail == "event \"deleted\" is not a journal event");
    CHECK_FALSE(parse_json_line("not json"));
    CHECK_FALSE(parse_json_line("[1,2]"));
}

TEST_CASE("the CSV export quotes what needs quoting and writes times in ISO 8601", "[unit][core][journal]") {
    const auto header = csv_header();
    CHECK(header.starts_with("row,recorded,event,channel,transport,messageId"));
    CHECK(header.ends_with(",prev,hash"));
    const auto line = to_csv_line(full_row());
    CHECK(line.starts_with("42,2026-12-03T15:29:17.655Z,attempt,push,,01a23c86"));
    CHECK(line.find("\"svc \"\"quoted\"\", with comma\"") != std::string::npos);
    CHECK(line.find("\"line one\nline two\ttab\x01\"") != std::string::npos);
    // as many fields as the header, once quoting is taken into account
    std::size_t fields = 1;
    bool quoted = false;
    for (const char c : line) {
        if (c == '"') quoted = !quoted;
        else if (c == ',' && !quoted) ++fields;
    }
    CHECK(fields == static_cast<std::size_t>(std::count(header.begin(), header.end(), ',')) + 1);
}

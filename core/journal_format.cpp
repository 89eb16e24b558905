#include "core/journal_format.hpp"

#include "core/clock.hpp"
#include "core/json_text.hpp"
#include "core/utf8.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>

#include <array>

namespace qaqpa {
namespace {

namespace json = boost::json;

void put_string(std::string& out, std::string_view key, std::string_view value) {
    out.append(",\"").append(key).append("\":\"");
    append_json_escaped(out, value);
    out += '"';
}

void put_number(std::string& out, std::string_view key, std::int64_t value) {
    out.append(",\"").append(key).append("\":");
    fmt::format_to(std::back_inserter(out), "{}", value);
}

void put_u64(std::string& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

/// A length-prefixed string; invalid UTF-8 is replaced first, as the JSON
/// export would (the encoding of a row and of its export must agree).
void put_bytes(std::string& out, std::string_view s) {
    std::string repaired;
    if (!valid_utf8(s)) {
        repaired = to_valid_utf8(s);
        s = repaired;
    }
    const auto n = static_cast<std::uint32_t>(s.size());
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xff);
    out.append(s);
}

/// Reads what canonical_bytes wrote; each read fails (false) past the end.
struct reader {
    std::string_view in;
    bool tag() {
        if (!in.starts_with(journal_encoding_tag)) return false;
        in.remove_prefix(journal_encoding_tag.size());
        return true;
    }
    bool u64(std::uint64_t& v) {
        if (in.size() < 8) return false;
        v = 0;
        for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
        in.remove_prefix(8);
        return true;
    }
    bool i64(std::int64_t& v) {
        std::uint64_t u = 0;
        if (!u64(u)) return false;
        v = static_cast<std::int64_t>(u);
        return true;
    }
    bool text(std::string& out) {
        if (in.size() < 4) return false;
        std::uint32_t n = 0;
        for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<unsigned char>(in[i]);
        if (in.size() - 4 < n) return false;
        out.assign(in.substr(4, n));
        in.remove_prefix(4 + n);
        return true;
    }
    bool done() const { return in.empty(); }
};

result<std::int64_t> number_field(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_int64()) {
        if (v && v->is_uint64()) return fail(errc::invalid_request, std::string(key) + " is out of range");
        return fail(errc::invalid_request, std::string(key) + (v ? " is not an integer" : " is missing"));
    }
    return v->as_int64();
}

result<std::string> string_field(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return fail(errc::invalid_request, std::string(key) + (v ? " is not a string" : " is missing"));
    return std::string(v->as_string());
}

bool is_hash(std::string_view h) {
    if (h.size() != 64) return false;
    for (const char c : h)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::string iso(std::int64_t ms) { return ms == 0 ? std::string() : format_unix_ms(ms); }

void put_csv(std::string& out, std::string_view field) {
    if (!out.empty()) out += ',';
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
        out += field;
        return;
    }
    out += '"';
    for (const char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

} // namespace

const std::array<journal_string_column, 12>& journal_string_columns() {
    static const std::array<journal_string_column, 12> columns{{
        {"transport", &journal_event::transport},
        {"messageId", &journal_event::message_id},
        {"correlationId", &journal_event::correlation_id},
        {"messageType", &journal_event::message_type},
        {"serviceId", &journal_event::service_id},
        {"sender", &journal_event::sender},
        {"recipient", &journal_event::recipient},
        {"deliveryPoint", &journal_event::point},
        {"state", &journal_event::state},
        {"errorCode", &journal_event::error_code},
        {"detail", &journal_event::detail},
        {"payload", &journal_event::payload},
    }};
    return columns;
}

std::array<journal_number_view, 7> journal_number_columns(const journal_event& e) {
    return {{{"at", e.at_ms},
             {"received", e.received_ms},
             {"sent", e.sent_ms},
             {"durationMs", e.duration_ms},
             {"httpStatus", e.http_status},
             {"requestBytes", e.request_bytes},
             {"responseBytes", e.response_bytes}}};
}

void set_journal_numbers(journal_event& e, const std::array<std::int64_t, 7>& n) {
    e.at_ms = n[0];
    e.received_ms = n[1];
    e.sent_ms = n[2];
    e.duration_ms = n[3];
    e.http_status = static_cast<int>(n[4]);
    e.request_bytes = n[5];
    e.response_bytes = n[6];
}

const std::string& journal_genesis_hash() {
    static const std::string zeros(64, '0');
    return zeros;
}

std::string canonical_bytes(std::uint64_t number, std::int64_t recorded_ms, std::string_view prev_hash,
                            const journal_event& e) {
    std::string out;
    canonical_bytes_into(out, number, recorded_ms, prev_hash, e);
    return out;
}

void canonical_bytes_into(std::string& out, std::uint64_t number, std::int64_t recorded_ms,
                          std::string_view prev_hash, const journal_event& e) {
    out.clear();
    out.reserve(256 + e.payload.size() + e.detail.size());
    out.append(journal_encoding_tag);
    put_u64(out, number);
    put_u64(out, static_cast<std::uint64_t>(recorded_ms));
    put_bytes(out, prev_hash);
    put_bytes(out, to_string(e.kind));
    put_bytes(out, to_string(e.channel));
    for (const auto& c : journal_string_columns()) put_bytes(out, e.*c.field);
    for (const auto& n : journal_number_columns(e)) put_u64(out, static_cast<std::uint64_t>(n.value));
}

std::string canonical_bytes(const journal_row& r) {
    return canonical_bytes(r.number, r.recorded_ms, r.prev_hash, r.event);
}

result<journal_row> decode_canonical(std::string_view bytes) {
    reader in{bytes};
    journal_row r;
    std::string kind, channel;
    if (!in.tag() || !in.u64(r.number) || !in.i64(r.recorded_ms) || !in.text(r.prev_hash) || !in.text(kind) ||
        !in.text(channel))
        return fail(errc::internal, "a journal record is truncated");
    const auto k = parse_journal_event_kind(kind);
    const auto c = parse_journal_channel(channel);
    if (!k || !c) return fail(errc::internal, "a journal record names an unknown event or channel");
    r.event.kind = *k;
    r.event.channel = *c;
    for (const auto& col : journal_string_columns())
        if (!in.text(r.event.*col.field)) return fail(errc::internal, "a journal record is truncated");
    std::array<std::int64_t, 7> n{};
    for (auto& v : n)
        if (!in.i64(v)) return fail(errc::internal, "a journal record is truncated");
    set_journal_numbers(r.event, n);
    if (!in.done()) return fail(errc::internal, "a journal record has trailing bytes");
    return r;
}

std::string to_json_line(const journal_row& r) {
    std::string out;
    out.reserve(512 + r.event.payload.size() + r.event.detail.size());
    fmt::format_to(std::back_inserter(out), "{{\"row\":{}", r.number);
    put_number(out, "recorded", r.recorded_ms);
    put_string(out, "prev", r.prev_hash);
    put_string(out, "event", to_string(r.event.kind));
    put_string(out, "channel", to_string(r.event.channel));
    for (const auto& c : journal_string_columns()) put_string(out, c.key, r.event.*c.field);
    for (const auto& n : journal_number_columns(r.event)) put_number(out, n.key, n.value);
    put_string(out, "hash", r.hash);
    out += '}';
    return out;
}

result<journal_row> parse_json_line(std::string_view line) {
    boost::system::error_code ec;
    auto v = json::parse(line, ec);
    if (ec || !v.is_object()) return fail(errc::invalid_request, "not a JSON object");
    const auto& o = v.as_object();
    journal_row r;
    {
        const auto* row = o.if_contains("row");
        if (!row || !(row->is_int64() || row->is_uint64()) || (row->is_int64() && row->as_int64() < 1))
            return fail(errc::invalid_request, "row is missing or not a positive integer");
        r.number = row->is_uint64() ? row->as_uint64() : static_cast<std::uint64_t>(row->as_int64());
    }
    auto recorded = number_field(o, "recorded");
    if (!recorded) return recorded.error();
    r.recorded_ms = *recorded;
    for (auto [key, out] : {std::pair{"prev", &r.prev_hash}, std::pair{"hash", &r.hash}}) {
        auto s = string_field(o, key);
        if (!s) return s.error();
        if (!is_hash(*s)) return fail(errc::invalid_request, std::string(key) + " is not a SHA-256 in lower-case hex");
        *out = std::move(*s);
    }
    auto event = string_field(o, "event");
    if (!event) return event.error();
    auto kind = parse_journal_event_kind(*event);
    if (!kind) return fail(errc::invalid_request, "event \"" + *event + "\" is not a journal event");
    r.event.kind = *kind;
    auto channel = string_field(o, "channel");
    if (!channel) return channel.error();
    auto ch = parse_journal_channel(*channel);
    if (!ch) return fail(errc::invalid_request, "channel \"" + *channel + "\" is not a journal channel");
    r.event.channel = *ch;
    for (const auto& c : journal_string_columns()) {
        auto s = string_field(o, c.key);
        if (!s) return s.error();
        r.event.*c.field = std::move(*s);
    }
    const auto views = journal_number_columns(r.event);
    std::array<std::int64_t, std::tuple_size_v<decltype(views)>> n{};
    for (std::size_t i = 0; i < views.size(); ++i) {
        auto v = number_field(o, views[i].key);
        if (!v) return v.error();
        n[i] = *v;
    }
    set_journal_numbers(r.event, n);
    const std::size_t known = 5 + journal_string_columns().size() + views.size() + 1; // row recorded prev event channel ... hash
    if (o.size() != known) {
        for (const auto& kv : o) {
            const std::string_view k = kv.key();
            bool listed = k == "row" || k == "recorded" || k == "prev" || k == "event" || k == "channel" || k == "hash";
            for (const auto& c : journal_string_columns()) listed = listed || k == c.key;
            for (const auto& n : views) listed = listed || k == n.key;
            if (!listed) return fail(errc::invalid_request, "unknown field \"" + std::string(k) + "\"");
        }
    }
    return r;
}

std::string csv_header() {
    std::string out = "row,recorded,event,channel";
    for (const auto& c : journal_string_columns()) out.append(",").append(c.key);
    for (const auto& n : journal_number_columns(journal_event{})) out.append(",").append(n.key);
    return out + ",prev,hash";
}

std::string to_csv_line(const journal_row& r) {
    std::string out = std::to_string(r.number);
    put_csv(out, iso(r.recorded_ms));
    put_csv(out, to_string(r.event.kind));
    put_csv(out, to_string(r.event.channel));
    for (const auto& c : journal_string_columns()) put_csv(out, r.event.*c.field);
    for (const auto& n : journal_number_columns(r.event)) {
        const bool time = n.key == "at" || n.key == "received" || n.key == "sent";
        put_csv(out, time ? iso(n.value) : std::to_string(n.value));
    }
    put_csv(out, r.prev_hash);
    put_csv(out, r.hash);
    return out;
}

} // namespace qaqpa

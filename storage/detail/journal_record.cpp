#include "storage/detail/journal_record.hpp"

#include "storage/detail/leb128.hpp"
#include "core/journal_format.hpp"
#include "core/utf8.hpp"

#include <algorithm>
#include <array>

namespace qaqpa::storage::detail {
namespace {

/// The first byte of a compact record; a canonical one starts with 'Q'.
/// Version 2 kept every string as it is; version 3 (written now) packs the
/// values most rows repeat (below). Both read.
constexpr std::uint8_t compact_v2 = 2;
constexpr std::uint8_t compact_version = 3;
constexpr std::size_t digest_size = 32;
constexpr std::size_t hash_hex_size = 2 * digest_size;
constexpr std::size_t guid_size = 16;

// A version 3 string column starts with a tag: even, a literal of tag/2
// bytes; 1, the same as the row's message id (a REQUEST's correlation id);
// 3, a lowercase GUID as 16 raw bytes; 5, 7, ... a word of the list below.
// The list is part of the format: append to it, never reorder it.
constexpr std::uint64_t same_as_message_id = 1;
constexpr std::uint64_t packed_guid = 3;
constexpr std::uint64_t first_word = 5;
constexpr std::array<std::string_view, 12> words{
    "soap",      "rest",          "REQUEST",          "RESPONSE", "UPDATE", "NOTIFICATION",
    "ON_DELIVERY", "DELIVERED", "NOT_DELIVERED", "DELIVERY_STOPPED", "ON",     "OFF"};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/// The 16 bytes of a lowercase 8-4-4-4-12 GUID; nullopt for anything else
/// (which is kept as written, so a row reads back byte for byte).
std::optional<std::array<char, guid_size>> guid_bytes(std::string_view s) {
    if (s.size() != 36) return std::nullopt;
    std::array<char, guid_size> out{};
    std::size_t nibbles = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return std::nullopt;
            continue;
        }
        const int v = hex_value(s[i]);
        if (v < 0) return std::nullopt;
        out[nibbles / 2] = static_cast<char>(nibbles % 2 ? (out[nibbles / 2] | v) : v << 4);
        ++nibbles;
    }
    return out;
}

std::string hex_of_raw(std::string_view raw) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(raw.size() * 2, '\0');
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const auto b = static_cast<unsigned char>(raw[i]);
        out[2 * i] = digits[b >> 4];
        out[2 * i + 1] = digits[b & 15];
    }
    return out;
}

std::string guid_text(std::string_view raw) { // 8-4-4-4-12
    if (raw.size() != guid_size) return hex_of_raw(raw); // truncated: the reader's final check fails it
    return hex_of_raw(raw.substr(0, 4)) + '-' + hex_of_raw(raw.substr(4, 2)) + '-' + hex_of_raw(raw.substr(6, 2)) +
           '-' + hex_of_raw(raw.substr(8, 2)) + '-' + hex_of_raw(raw.substr(10));
}

void put_column(leb128_writer& w, std::string_view v, const std::string* message_id) {
    if (message_id && !v.empty() && v == *message_id) return w.u(same_as_message_id);
    if (v.size() <= 16)
        for (std::size_t i = 0; i < words.size(); ++i)
            if (words[i] == v) return w.u(first_word + 2 * i);
    if (const auto g = guid_bytes(v)) {
        w.u(packed_guid);
        return w.raw(std::string_view(g->data(), g->size()));
    }
    w.u(2 * v.size());
    w.raw(v);
}

bool read_column(leb128_reader& r, std::string& out, const std::string* message_id) {
    const auto tag = r.u();
    if (tag % 2 == 0) {
        const auto s = r.view(tag / 2);
        out = valid_utf8(s) ? std::string(s) : to_valid_utf8(s);
    } else if (tag == same_as_message_id) {
        if (!message_id) return false;
        out = *message_id;
    } else if (tag == packed_guid) {
        out = guid_text(r.view(guid_size));
    } else {
        const auto i = (tag - first_word) / 2;
        if (i >= words.size()) return false;
        out = words[i];
    }
    return true; // a truncated record fails the reader's final check
}

/// Times near the row's own are kept as the difference (a byte or two,
/// where the Unix milliseconds take six); 0 stays "not set".
void put_time(leb128_writer& w, std::int64_t v, std::int64_t recorded_ms) {
    w.u(v == 0 ? 0 : 1 + zigzag(v - recorded_ms));
}

std::int64_t read_time(leb128_reader& r, std::int64_t recorded_ms) {
    const auto z = r.u();
    return z == 0 ? 0 : recorded_ms + unzigzag(z - 1);
}

/// The compact version a stored value says it is (v2 or the current one).
std::uint8_t compact_version_of(std::string_view value) {
    return !value.empty() && static_cast<std::uint8_t>(value[0]) == compact_v2 ? compact_v2 : compact_version;
}

/// The three time columns (at, received, sent) lead journal_number_columns.
constexpr std::size_t time_columns = 3;


/// A row written before the compact record: canonical bytes, then the hash in hex.
result<journal_row> decode_canonical_row(std::string_view value) {
    if (value.size() < hash_hex_size) return fail(errc::internal, "a journal record is truncated");
    auto row = decode_canonical(value.substr(0, value.size() - hash_hex_size));
    if (!row) return row.error();
    row->hash.assign(value.substr(value.size() - hash_hex_size));
    return row;
}

} // namespace

std::string encode_stored_row(std::uint64_t number, std::int64_t recorded_ms, const crypto::sha256_digest& prev_hash,
                              const crypto::sha256_digest& hash, const journal_event& e) {
    leb128_writer w(compact_version, 128 + e.message_id.size() * 2 + e.detail.size() + e.payload.size());
    w.u(number);
    w.i(recorded_ms);
    const auto raw = [](const crypto::sha256_digest& d) {
        return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
    };
    w.raw(raw(prev_hash));
    w.raw(raw(hash));
    w.u(static_cast<std::uint64_t>(e.kind));
    w.u(static_cast<std::uint64_t>(e.channel));
    // as given: reading repairs invalid UTF-8 the way the canonical bytes did
    // when the hash was taken (one check per row on the hot path, not two)
    const std::string* id = nullptr; // a column may name the message id once it is written
    for (const auto& c : journal_string_columns()) {
        put_column(w, e.*c.field, id);
        if (c.field == &journal_event::message_id) id = &e.message_id;
    }
    std::size_t column = 0;
    for (const auto& n : journal_number_columns(e)) {
        if (column++ < time_columns) put_time(w, n.value, recorded_ms);
        else w.i(n.value);
    }
    return w.take();
}

result<journal_row> decode_stored_row(std::string_view value) {
    if (value.starts_with(journal_encoding_tag)) return decode_canonical_row(value);
    const bool v2 = compact_version_of(value) == compact_v2;
    leb128_reader r(value, compact_version_of(value));
    journal_row row;
    row.number = r.u();
    row.recorded_ms = r.i();
    row.prev_hash = hex_of_raw(r.view(digest_size));
    row.hash = hex_of_raw(r.view(digest_size));
    const auto kind = r.u();
    const auto channel = r.u();
    if (kind > static_cast<std::uint64_t>(journal_event_kind::redelivered) ||
        channel > static_cast<std::uint64_t>(journal_channel::admin))
        return fail(errc::internal, "a journal record names an unknown event or channel");
    row.event.kind = static_cast<journal_event_kind>(kind);
    row.event.channel = static_cast<journal_channel>(channel);
    std::array<std::int64_t, 7> n{};
    if (v2) {
        for (const auto& c : journal_string_columns()) {
            auto s = r.view(r.u());
            row.event.*c.field = valid_utf8(s) ? std::string(s) : to_valid_utf8(s);
        }
        for (auto& v : n) v = r.i();
    } else {
        const std::string* id = nullptr;
        for (const auto& c : journal_string_columns()) {
            if (!read_column(r, row.event.*c.field, id)) return fail(errc::internal, "a journal record is damaged");
            if (c.field == &journal_event::message_id) id = &row.event.message_id;
        }
        for (std::size_t i = 0; i < n.size(); ++i) n[i] = i < time_columns ? read_time(r, row.recorded_ms) : r.i();
    }
    set_journal_numbers(row.event, n);
    if (!r.ok()) return fail(errc::internal, "a journal record is truncated or has trailing bytes");
    return row;
}

std::optional<std::int64_t> recorded_ms_of(std::string_view value) {
    if (value.starts_with(journal_encoding_tag)) { // the tag, the row number, then the recorded time
        const auto at = journal_encoding_tag.size() + 8;
        if (value.size() < at + 8) return std::nullopt;
        std::uint64_t v = 0;
        for (const char c : value.substr(at, 8)) v = (v << 8) | static_cast<unsigned char>(c);
        return static_cast<std::int64_t>(v);
    }
    leb128_reader r(value, compact_version_of(value));
    r.u(); // the row number
    const auto recorded = r.i();
    if (!r.more()) return std::nullopt;
    return recorded;
}

chained_row chain_position::next(std::string& canonical, const journal_event& e, std::int64_t now_ms) {
    chained_row row;
    row.number = last + 1;
    row.recorded_ms = std::max(now_ms, last_ms);
    canonical_bytes_into(canonical, row.number, row.recorded_ms, last_hash, e);
    row.digest = crypto::sha256(canonical);
    row.record = encode_stored_row(row.number, row.recorded_ms, last_digest, row.digest, e);
    last = row.number;
    last_hash = crypto::to_hex(row.digest);
    last_digest = row.digest;
    last_ms = row.recorded_ms;
    return row;
}

} // namespace qaqpa::storage::detail

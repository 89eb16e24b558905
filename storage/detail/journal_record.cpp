#include "storage/detail/journal_record.hpp"

#include "storage/detail/leb128.hpp"
#include "core/journal_format.hpp"
#include "core/utf8.hpp"

namespace qaqpa::storage::detail {
namespace {

/// The first byte of a compact record; a canonical one starts with 'Q'.
constexpr std::uint8_t compact_version = 2;
constexpr std::size_t digest_size = 32;
constexpr std::size_t hash_hex_size = 2 * digest_size;

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
    for (const auto& c : journal_string_columns()) w.s(e.*c.field);
    for (const auto& n : journal_number_columns(e)) w.i(n.value);
    return w.take();
}

result<journal_row> decode_stored_row(std::string_view value) {
    if (value.starts_with(journal_encoding_tag)) return decode_canonical_row(value);
    leb128_reader r(value, compact_version);
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
    for (const auto& c : journal_string_columns()) {
        auto s = r.view(r.u());
        row.event.*c.field = valid_utf8(s) ? std::string(s) : to_valid_utf8(s);
    }
    std::array<std::int64_t, 7> n{};
    for (auto& v : n) v = r.i();
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
    leb128_reader r(value, compact_version);
    r.u(); // the row number
    const auto recorded = r.i();
    if (!r.more()) return std::nullopt;
    return recorded;
}

} // namespace qaqpa::storage::detail

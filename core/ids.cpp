#include "core/ids.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <random>

namespace qaqpa {
namespace {

std::mt19937_64& generator() {
    // One generator per thread: no lock on the hot path; seeded from the OS.
    thread_local std::mt19937_64 gen{[] {
        std::random_device rd;
        std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
        return std::mt19937_64(seq);
    }()};
    return gen;
}

bool is_hex(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

using guid_bytes = std::array<std::uint8_t, 16>;

guid_bytes random_bytes() {
    guid_bytes b{};
    auto& gen = generator();
    for (std::size_t i = 0; i < b.size(); i += 8) {
        const std::uint64_t r = gen();
        for (std::size_t k = 0; k < 8; ++k) b[i + k] = static_cast<std::uint8_t>(r >> (8 * k));
    }
    return b;
}

std::string format_guid(guid_bytes b, std::uint8_t version) {
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | (version << 4));
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80); // RFC 4122 variant
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(hex[b[i] >> 4]);
        out.push_back(hex[b[i] & 0x0f]);
    }
    return out;
}

} // namespace

std::string new_guid() { return format_guid(random_bytes(), 4); }

namespace {

std::string ordered_guid(guid_bytes b, std::uint64_t ms) {
    for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
    return format_guid(b, 7);
}

} // namespace

std::string new_ordered_guid() {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    return ordered_guid(random_bytes(), static_cast<std::uint64_t>(ms));
}

std::string ordered_guid_of(std::int64_t ms, std::string_view seed) {
    guid_bytes b{};
    for (std::size_t i = 6; i < b.size() && i - 6 < seed.size(); ++i) b[i] = static_cast<std::uint8_t>(seed[i - 6]);
    return ordered_guid(b, static_cast<std::uint64_t>(ms));
}

std::optional<std::int64_t> ordered_guid_ms(std::string_view id) noexcept {
    if (!is_guid(id) || id.size() != 36 || id[14] != '7') return std::nullopt;
    std::int64_t ms = 0;
    for (std::size_t i = 0; i < 13; ++i) {
        if (i == 8) continue;
        const char c = id[i];
        ms = (ms << 4) | (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return ms;
}

std::string braced(std::string_view guid) {
    if (!guid.empty() && guid.front() == '{') return std::string(guid);
    std::string out;
    out.reserve(guid.size() + 2);
    out.push_back('{');
    out.append(guid);
    out.push_back('}');
    return out;
}

bool is_guid(std::string_view t) noexcept {
    if (t.size() == 38 && t.front() == '{' && t.back() == '}') t = t.substr(1, 36);
    if (t.size() != 36) return false;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? t[i] != '-' : !is_hex(t[i])) return false;
    }
    return true;
}

} // namespace qaqpa

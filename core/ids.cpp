#include "core/ids.hpp"

#include <array>
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

} // namespace

std::string new_guid() {
    std::array<std::uint8_t, 16> b{};
    auto& gen = generator();
    for (std::size_t i = 0; i < b.size(); i += 8) {
        const std::uint64_t r = gen();
        for (std::size_t k = 0; k < 8; ++k) b[i + k] = static_cast<std::uint8_t>(r >> (8 * k));
    }
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40); // version 4
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

#include "core/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace qaqpa {
namespace {

/// Length of the valid sequence starting at s[i], or 0 when it is invalid.
std::size_t sequence_at(std::string_view s, std::size_t i) noexcept {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const auto c0 = b(0);
    if (c0 < 0x80) return 1;
    const auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
    if (c0 >= 0xC2 && c0 <= 0xDF) return cont(1) ? 2 : 0;
    if (c0 >= 0xE0 && c0 <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        if (c0 == 0xE0 && b(1) < 0xA0) return 0; // overlong
        if (c0 == 0xED && b(1) > 0x9F) return 0; // a surrogate
        return 3;
    }
    if (c0 >= 0xF0 && c0 <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        if (c0 == 0xF0 && b(1) < 0x90) return 0; // overlong
        if (c0 == 0xF4 && b(1) > 0x8F) return 0; // past U+10FFFF
        return 4;
    }
    return 0; // a continuation byte, 0xC0/0xC1 or 0xF5 and above
}

} // namespace

std::size_t valid_utf8_prefix(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        // Eight ASCII bytes at a time: envelope fields are almost always ASCII.
        if (i + 8 <= s.size()) {
            std::uint64_t word;
            std::memcpy(&word, s.data() + i, 8);
            if ((word & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        const auto n = sequence_at(s, i);
        if (n == 0) return i;
        i += n;
    }
    return i;
}

std::string to_valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    for (std::size_t i = 0; i < s.size();) {
        const auto good = valid_utf8_prefix(s.substr(i));
        out.append(s.substr(i, good));
        i += good;
        if (i < s.size()) {
            out.append("\xEF\xBF\xBD");
            ++i;
        }
    }
    return out;
}

} // namespace qaqpa

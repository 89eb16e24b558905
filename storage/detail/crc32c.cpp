#include "storage/detail/crc32c.hpp"

#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace qaqpa::storage::detail {
namespace {

/// The CRC-32C (Castagnoli) table for the byte-at-a-time fallback.
struct crc_table {
    std::uint32_t entry[256];
    constexpr crc_table() : entry{} {
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
            entry[i] = c;
        }
    }
};
constexpr crc_table table;

std::uint32_t extend_portable(std::uint32_t state, const unsigned char* p, std::size_t n) noexcept {
    while (n--) state = table.entry[(state ^ *p++) & 0xFF] ^ (state >> 8);
    return state;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t extend_sse42(std::uint32_t state, const unsigned char* p,
                                                              std::size_t n) noexcept {
    std::uint64_t s = state;
    for (; n >= 8; p += 8, n -= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        s = _mm_crc32_u64(s, word);
    }
    auto s32 = static_cast<std::uint32_t>(s);
    for (; n > 0; ++p, --n) s32 = _mm_crc32_u8(s32, *p);
    return s32;
}

bool cpu_has_sse42() noexcept {
    __builtin_cpu_init(); // may run before libgcc's constructor has
    return __builtin_cpu_supports("sse4.2");
}
#endif

} // namespace

bool crc32c_in_hardware() noexcept {
#if defined(__x86_64__)
    static const bool yes = cpu_has_sse42();
    return yes;
#else
    return false;
#endif
}

std::uint32_t crc32c_extend(std::uint32_t crc, const char* data, std::size_t n) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(data);
    const std::uint32_t state = crc ^ 0xFFFFFFFFu;
#if defined(__x86_64__)
    if (crc32c_in_hardware()) return extend_sse42(state, p, n) ^ 0xFFFFFFFFu;
#endif
    return extend_portable(state, p, n) ^ 0xFFFFFFFFu;
}

} // namespace qaqpa::storage::detail

// Debian's librocksdb is built for baseline x86-64, so its own CRC-32C is the
// table-driven one: a profile of durable sendMessage showed it at ~17 % of
// the gateway's user CPU (every message is checksummed in the WAL, its blob
// file and on reads). The library calls this exported function through its
// PLT, so the executable's definition takes its place: same function, same
// values (checked against the library's own in storage_test), computed with
// the SSE4.2 instruction. Where the override does not bind (another build of
// the library), RocksDB keeps its own and only speed differs.
namespace rocksdb::crc32c {
std::uint32_t Extend(std::uint32_t init_crc, const char* data, std::size_t n) {
    return qaqpa::storage::detail::crc32c_extend(init_crc, data, n);
}
} // namespace rocksdb::crc32c

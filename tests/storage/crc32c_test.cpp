#include "storage/detail/crc32c.hpp"

#include "tests/support/catch.hpp"

#include <dlfcn.h>

#include <random>
#include <string>

using qaqpa::storage::detail::crc32c_extend;

namespace {

using extend_fn = std::uint32_t (*)(std::uint32_t, const char*, std::size_t);
constexpr const char* extend_symbol = "_ZN7rocksdb6crc32c6ExtendEjPKcm"; // rocksdb::crc32c::Extend

} // namespace

TEST_CASE("crc32c matches the published check values", "[unit][storage]") {
    CHECK(crc32c_extend(0, "123456789", 9) == 0xE3069283u);
    const std::string zeros(32, '\0');
    CHECK(crc32c_extend(0, zeros.data(), zeros.size()) == 0x8A9136AAu); // RFC 3720 B.4
    const std::string ones(32, '\xFF');
    CHECK(crc32c_extend(0, ones.data(), ones.size()) == 0x62A8AB43u);
    CHECK(crc32c_extend(0, "", 0) == 0u);
}

TEST_CASE("crc32c chains like one pass over the whole", "[unit][storage]") {
    const std::string text = "The quick brown fox jumps over the lazy dog, twice over for length.";
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
        const auto head = crc32c_extend(0, text.data(), cut);
        CHECK(crc32c_extend(head, text.data() + cut, text.size() - cut) == crc32c_extend(0, text.data(), text.size()));
    }
}

TEST_CASE("the store's checksums are ours and agree with RocksDB's own", "[unit][storage]") {
    // The process-wide definition is the executable's (the library calls it
    // through its PLT); the next one is the library's table-driven original.
    auto* bound = reinterpret_cast<extend_fn>(dlsym(RTLD_DEFAULT, extend_symbol));
    auto* library = reinterpret_cast<extend_fn>(dlsym(RTLD_NEXT, extend_symbol));
    REQUIRE(bound != nullptr);
    if (!library) {
        WARN("this librocksdb does not export crc32c::Extend: nothing to compare with");
        return;
    }
    CHECK(bound != library);
    std::mt19937 rng(42);
    std::string data(5008, '\0'); // room for the largest length at the largest offset
    for (auto& c : data) c = static_cast<char>(rng());
    for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 63u, 64u, 2048u, 4999u}) {
        for (std::size_t offset : {0u, 1u, 3u}) {
            const std::uint32_t seed = rng();
            INFO("n=" << n << " offset=" << offset);
            CHECK(bound(seed, data.data() + offset, n) == library(seed, data.data() + offset, n));
        }
    }
}

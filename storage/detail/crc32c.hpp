#pragma once
// CRC-32C as RocksDB computes it (rocksdb::crc32c::Extend: chained, the
// state inverted on the way in and out), with the SSE4.2 instruction where
// the CPU has it. crc32c.cpp also defines rocksdb::crc32c::Extend itself, so
// the shared library's checksums run on this code (see there why).

#include <cstddef>
#include <cstdint>

namespace qaqpa::storage::detail {

/// Extends `crc` (0 to start) over `n` bytes.
std::uint32_t crc32c_extend(std::uint32_t crc, const char* data, std::size_t n) noexcept;

/// True when the hardware instruction is in use.
bool crc32c_in_hardware() noexcept;

} // namespace qaqpa::storage::detail

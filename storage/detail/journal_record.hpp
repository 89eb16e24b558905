#pragma once
// A journal row as the store keeps it (private to storage/). The hash is
// taken over the row's canonical bytes (core/journal_format.hpp), but what is
// stored is a compact record of the same values: LEB128 numbers, the two
// hashes as 32 raw bytes each, the strings length-prefixed, with what rows
// repeat packed (GUIDs as 16 bytes, a correlation id equal to the message id
// as one byte, states and message types as one, times as the difference from
// the row's own). It is about a third of the canonical size, and every
// accepted message writes one, in the batch that is fsynced before the
// caller hears back.
//
// Rows written before this record existed are their canonical bytes followed
// by the hash in hex (they start with "QJR1"); both read the same.

#include "core/errors.hpp"
#include "core/journal.hpp"
#include "crypto/digest.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qaqpa::storage::detail {

/// The stored record of row `number`, whose hash was taken over its
/// canonical bytes with `prev_hash` among them.
std::string encode_stored_row(std::uint64_t number, std::int64_t recorded_ms, const crypto::sha256_digest& prev_hash,
                              const crypto::sha256_digest& hash, const journal_event& e);
/// A row chained to the one before: its number, time, hash over its
/// canonical bytes and its stored record.
struct chained_row {
    std::uint64_t number = 0;
    std::int64_t recorded_ms = 0;
    crypto::sha256_digest digest{};
    std::string record;
};

/// Where a chain stands: its last row (0: none) and that row's hash.
struct chain_position {
    std::uint64_t last = 0;
    std::string last_hash;               ///< hex, as the next row's canonical bytes hold it
    crypto::sha256_digest last_digest{}; ///< the same, as the next stored record holds it
    std::int64_t last_ms = 0;
    /// Chains the next row, recorded at `now_ms` (or the last row's time, if
    /// later; `canonical` is a buffer reused from row to row), and moves to it.
    chained_row next(std::string& canonical, const journal_event& e, std::int64_t now_ms);
};

/// A stored row, decoded (its hashes in hex).
result<journal_row> decode_stored_row(std::string_view value);
/// The recorded time of a stored row, read without decoding the rest;
/// nullopt when the value is not a row.
std::optional<std::int64_t> recorded_ms_of(std::string_view value);

} // namespace qaqpa::storage::detail

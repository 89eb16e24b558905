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
/// Row `number` chained after the row whose hash is `prev_hash` (hex) and
/// `prev_digest` (the same, raw): its hash over its canonical bytes (built
/// in `canonical`, a buffer reused from row to row) and its stored record.
struct chained_row {
    crypto::sha256_digest digest;
    std::string record;
};
chained_row chain_row(std::string& canonical, std::uint64_t number, std::int64_t recorded_ms,
                      std::string_view prev_hash, const crypto::sha256_digest& prev_digest, const journal_event& e);

/// A stored row, decoded (its hashes in hex).
result<journal_row> decode_stored_row(std::string_view value);
/// The recorded time of a stored row, read without decoding the rest;
/// nullopt when the value is not a row.
std::optional<std::int64_t> recorded_ms_of(std::string_view value);

} // namespace qaqpa::storage::detail

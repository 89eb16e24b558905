#pragma once
// Binary encodings of the message store's records (private to storage/).
// Each record starts with a format version byte; strings are length-prefixed
// (LEB128), integers are LEB128 (signed ones zig-zagged). Decoding checks
// every length against the bytes left, so a damaged record is an error, never
// a crash.

#include "storage/message_store.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace qaqpa::storage::detail {

std::string encode(const queued_message& m);
std::string encode(const tracking& t);
std::string encode(const chain& c);

result<queued_message> decode_message(std::string_view bytes);
result<tracking> decode_tracking(std::string_view bytes);
result<chain> decode_chain(std::string_view bytes);

/// Queue keys: be16(length) + destination + be64(seq), so one queue is one
/// contiguous, ordered key range whatever bytes the destination holds.
std::string queue_prefix(std::string_view destination);
std::string queue_key(std::string_view destination, std::uint64_t seq);
/// Splits a queue key; false when it is not one.
bool split_queue_key(std::string_view key, std::string_view& destination, std::uint64_t& seq);

/// A lease record of the older layout, one per message: the value is until,
/// destination, seq (the id is the key). Read at start-up only.
std::string encode(const lease& l);
result<lease> decode_lease(std::string_view id, std::string_view bytes);

/// Lease batches, one record per getMessages: keyed '#' + be64(number)
/// (no message id starts with '#'), the value lists its leases.
std::string lease_batch_key(std::uint64_t number);
/// The batch number of a lease batch key; nullopt for any other key.
std::optional<std::uint64_t> split_lease_batch_key(std::string_view key);
std::string encode(const std::vector<lease>& batch);
result<std::vector<lease>> decode_lease_batch(std::string_view bytes);

std::string encode_i64(std::int64_t v);
std::optional<std::int64_t> decode_i64(std::string_view bytes);

} // namespace qaqpa::storage::detail

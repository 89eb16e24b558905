#pragma once
// A RocksDB status as a store failure: space and I/O errors (a full disk, a
// failed fsync) are STORE_UNAVAILABLE, a condition the caller may retry
// once the store recovers; anything else is an internal error.

#include "core/errors.hpp"

#include <rocksdb/status.h>

#include <string>
#include <string_view>

namespace qaqpa::storage::detail {

inline failure storage_failure(const rocksdb::Status& st, std::string_view what) {
    const bool unavailable = st.IsNoSpace() || st.IsIOError() || st.subcode() == rocksdb::Status::kSpaceLimit;
    return failure{unavailable ? errc::store_unavailable : errc::internal, std::string(what) + ": " + st.ToString()};
}

} // namespace qaqpa::storage::detail

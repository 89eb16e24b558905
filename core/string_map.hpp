#pragma once
// A hash map keyed by std::string that is looked up by std::string_view
// without building a string (heterogeneous lookup).
//
// Open addressing (Boost's flat map): a lookup is one probe of a group of
// slots, where std::unordered_map walked a bucket chain and, not caching
// hashes for a hasher it deems fast, rehashed every key it passed to find
// the chain's end (~4 % of the drain's event-loop CPU). Entries move when
// the map grows: hold no reference to one across an insert.

#include <boost/unordered/unordered_flat_map.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace qaqpa {

struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

template <class T>
using string_map = boost::unordered_flat_map<std::string, T, string_hash, std::equal_to<>>;

} // namespace qaqpa

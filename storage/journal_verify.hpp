#pragma once
// The journal's hash chain: each row's hash is the SHA-256 of its canonical
// text (core/journal_format.hpp), which holds the hash of the row before.
// verify_export checks an export line by line, so a changed, removed or
// reordered row is named.

#include "core/journal_format.hpp"

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace qaqpa::storage {

/// SHA-256 (hex) of a row's canonical bytes.
std::string row_hash(std::string_view canonical);
struct verify_report {
    bool ok = false;
    std::uint64_t rows = 0;  ///< rows that verified before the first problem (all of them when ok)
    std::uint64_t first = 0; ///< the first row's number (after a pruned range, not 1)
    std::uint64_t last = 0;
    std::string last_hash;
    std::vector<std::string> problems; ///< each names the line and the row
};

/// Verifies an export read from `in`: every line's hash, every link, the
/// numbering. The first row may follow a pruned range: its `prev` is then
/// taken as the anchor (the report's `first` says where the chain starts).
/// Stops collecting after `max_problems`.
verify_report verify_export(std::istream& in, std::size_t max_problems = 20);

} // namespace qaqpa::storage

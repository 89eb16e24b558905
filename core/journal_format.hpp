#pragma once
// The journal's row format, shared by the store that writes rows, the admin
// API that exports them and `qaqpa journal verify`, which checks an export
// without the gateway (storage/journal_verify.hpp).
//
// A row's canonical text is a JSON object with every column in a fixed
// order, `prev` (the hash of the row before) among them; its hash is the
// SHA-256 of that text. An export is one row per line: the canonical text
// with `hash` added. A reader rebuilds the canonical text from the fields,
// so any JSON writer's spelling of the same values verifies.

#include "core/errors.hpp"
#include "core/journal.hpp"

#include <string>
#include <string_view>

namespace qaqpa {

/// The `prev` of row 1: 64 zeros.
const std::string& journal_genesis_hash();

/// The canonical text of a row (its `hash` is not part of it).
std::string canonical_text(const journal_row& r);
/// The export line of a row (no newline).
std::string to_json_line(const journal_row& r);
/// Parses an export line; a missing, mistyped or unknown field is an error naming it.
result<journal_row> parse_json_line(std::string_view line);

/// The CSV export's header and one row (RFC 4180 quoting; times in ISO 8601 UTC).
std::string csv_header();
std::string to_csv_line(const journal_row& r);

} // namespace qaqpa

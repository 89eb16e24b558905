#pragma once
// The journal's row format, shared by the store that writes rows, the admin
// API that exports them and `qaqpa journal verify`, which checks an export
// without the gateway (storage/journal_verify.hpp).
//
// A row's hash is the SHA-256 of its canonical bytes: a fixed binary
// encoding of every column in a fixed order, `prev` (the hash of the row
// before) among them (README, "The logging journal", spells it out). The
// store keeps those bytes; an export renders each row as one JSON line with
// `hash` added. A verifier rebuilds the canonical bytes from a line's fields,
// so any JSON writer's spelling of the same values verifies.

#include "core/errors.hpp"
#include "core/journal.hpp"

#include <array>
#include <string>
#include <string_view>

namespace qaqpa {

/// The `prev` of row 1: 64 zeros.
const std::string& journal_genesis_hash();

/// What the canonical bytes start with: the encoding's name and version.
inline constexpr std::string_view journal_encoding_tag = "QJR1";

/// The canonical bytes of a row (its `hash` is not part of them):
/// "QJR1", row and recorded as 8-byte big-endian integers, then prev, event,
/// channel and the string columns in export order, each as a 4-byte
/// big-endian length and its UTF-8 bytes, then the number columns as 8-byte
/// big-endian two's complement integers.
std::string canonical_bytes(const journal_row& r);
/// The same, for a row about to be written (no copy of the event).
std::string canonical_bytes(std::uint64_t number, std::int64_t recorded_ms, std::string_view prev_hash,
                            const journal_event& e);
/// The same, into `out` (cleared first): a writer of many rows reuses one buffer.
void canonical_bytes_into(std::string& out, std::uint64_t number, std::int64_t recorded_ms,
                          std::string_view prev_hash, const journal_event& e);
/// Reads what canonical_bytes wrote (its `hash` stays empty).
result<journal_row> decode_canonical(std::string_view bytes);
/// The columns after the fixed head (row, recorded, prev, event, channel),
/// in canonical and export order: the strings, then the numbers. One table
/// serves the canonical bytes, the export, its parser, the CSV and the store.
struct journal_string_column {
    std::string_view key;
    std::string journal_event::*field;
};
const std::array<journal_string_column, 12>& journal_string_columns();
struct journal_number_view {
    std::string_view key;
    std::int64_t value;
};
std::array<journal_number_view, 7> journal_number_columns(const journal_event& e);
/// Sets the number columns, in journal_number_columns' order.
void set_journal_numbers(journal_event& e, const std::array<std::int64_t, 7>& n);

/// The export line of a row (no newline).
std::string to_json_line(const journal_row& r);
/// Parses an export line; a missing, mistyped or unknown field is an error naming it.
result<journal_row> parse_json_line(std::string_view line);

/// The CSV export's header and one row (RFC 4180 quoting; times in ISO 8601 UTC).
std::string csv_header();
std::string to_csv_line(const journal_row& r);

} // namespace qaqpa

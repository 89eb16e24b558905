#pragma once
// The admin API's journal routes:
//   GET /admin/v1/journal?from=&to=&sender=&service=&deliveryPoint=&state=
//       &event=&messageId=&correlationId=&limit=&cursor=
//     a page of rows as JSON ({"rows": [...], "nextCursor": "..." | null});
//     with "Accept: text/csv" or "application/x-ndjson" (or format=csv|ndjson)
//     the whole query streamed, a page at a time, never held whole.
//   GET /admin/v1/journal/head   the chain's last row and hash, and the pruned anchor
// from/to take an xsd:dateTime or Unix milliseconds; an unknown or malformed
// parameter is a 400 naming it.

#include "core/journal.hpp"
#include "transports/http/message.hpp"

#include <string_view>

namespace qaqpa::admin {

/// The rows a page holds at most, and by default.
inline constexpr std::size_t max_page_rows = 1000;
inline constexpr std::size_t default_page_rows = 100;

enum class journal_format { json, csv, ndjson };

struct journal_request {
    journal_query query;
    journal_format format = journal_format::json;
    bool limited = false; ///< an export stops after query.limit rows only when limit was given
};

/// Reads the query string (and the Accept header's choice of format).
result<journal_request> read_journal_request(std::string_view query, std::string_view accept);

task<http::response> journal_rows(http::request& req, journal_reader& journal);
http::response journal_head(const http::request& req, journal_reader& journal);

} // namespace qaqpa::admin

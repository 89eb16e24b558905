#include "transports/admin/journal_routes.hpp"

#include "core/clock.hpp"
#include "transports/admin/admin_failure.hpp"
#include "transports/admin/parameters.hpp"
#include "core/journal_format.hpp"
#include "core/utf8.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace qaqpa::admin {

using http::status;

namespace {

/// Rows read per store query while exporting: one piece of the stream.
constexpr std::size_t export_page_rows = 1000;

std::string rows_text(const std::vector<journal_row>& rows, journal_format format) {
    std::string out;
    for (const auto& r : rows) {
        out += format == journal_format::csv ? to_csv_line(r) : to_json_line(r);
        out += format == journal_format::csv ? "\r\n" : "\n";
    }
    return out;
}

} // namespace

result<journal_request> read_journal_request(std::string_view query, std::string_view accept) {
    journal_request out;
    auto& q = out.query;
    q.limit = default_page_rows;
    if (accept.find("text/csv") != std::string_view::npos) out.format = journal_format::csv;
    else if (accept.find("application/x-ndjson") != std::string_view::npos) out.format = journal_format::ndjson;
    auto params = http::query_params(query);
    if (!params) return fail(errc::invalid_request, "the query string has a malformed %-escape");
    for (auto& [name, value] : *params) {
        std::string* text = name == "sender"          ? &q.sender
                            : name == "service"       ? &q.service_id
                            : name == "deliveryPoint" ? &q.point
                            : name == "state"         ? &q.state
                            : name == "messageId"     ? &q.message_id
                            : name == "correlationId" ? &q.correlation_id
                            : name == "event"         ? &q.event
                                                      : nullptr;
        if (text) {
            if (!valid_utf8(value)) return bad_parameter(name, "is not valid UTF-8");
            if (name == "event" && !parse_journal_event_kind(value))
                return bad_parameter(name, "is not a journal event (accepted, rejected, forwarded, attempt, delivered, "
                                           "not_delivered, leased, resend, stopped, resumed, redelivered)");
            *text = std::move(value);
        } else if (name == "from" || name == "to") {
            const auto at = parse_instant_ms(value);
            if (!at) return bad_parameter(name, "is neither an xsd:dateTime nor Unix milliseconds");
            (name == "from" ? q.from_ms : q.to_ms) = *at;
        } else if (name == "limit") {
            const auto n = whole_number(value);
            if (!n || *n < 1 || *n > static_cast<std::int64_t>(max_page_rows) * 1000)
                return bad_parameter(name, fmt::format("must be a whole number from 1 to {}", max_page_rows * 1000));
            q.limit = static_cast<std::size_t>(*n);
            out.limited = true;
        } else if (name == "cursor") {
            const auto n = whole_number(value);
            if (!n || *n < 0) return bad_parameter(name, "is not a cursor from nextCursor");
            q.after = static_cast<std::uint64_t>(*n);
        } else if (name == "format") {
            if (value == "json") out.format = journal_format::json;
            else if (value == "csv") out.format = journal_format::csv;
            else if (value == "ndjson") out.format = journal_format::ndjson;
            else return bad_parameter(name, "must be json, csv or ndjson");
        } else {
            return bad_parameter(name, "is not a parameter of this query");
        }
    }
    if (out.format == journal_format::json && q.limit > max_page_rows)
        return bad_parameter("limit", fmt::format("a JSON page holds at most {} rows", max_page_rows));
    return out;
}

task<http::response> journal_rows(http::request& req, journal_reader& journal) {
    auto r = read_journal_request(http::target_query(req.target()), req[http::beast_http::field::accept]);
    if (!r) co_return admin_failure(req, r.error());
    if (r->format == journal_format::json) {
        auto page = co_await journal.query(r->query);
        if (!page) co_return admin_failure(req, page.error());
        std::string body = "{\"rows\":[";
        for (std::size_t i = 0; i < page->rows.size(); ++i) {
            if (i > 0) body += ',';
            body += to_json_line(page->rows[i]);
        }
        body += "],\"nextCursor\":";
        body += page->next == 0 ? std::string("null") : "\"" + std::to_string(page->next) + "\"";
        body += '}';
        co_return http::make_response(req, status::ok, "application/json", std::move(body));
    }
    // An export: the query again and again, a page per piece, until it is done.
    struct export_state {
        journal_query query;
        journal_format format;
        std::size_t left; ///< rows still wanted
        bool header = false;
        bool done = false;
    };
    auto st = std::make_shared<export_state>(
        export_state{r->query, r->format, r->limited ? r->query.limit : SIZE_MAX, r->format == journal_format::csv});
    st->query.limit = export_page_rows;
    req.reply_stream = [st, &journal]() -> task<std::optional<std::string>> {
        std::string piece;
        if (st->header) {
            piece = csv_header() + "\r\n";
            st->header = false;
        }
        while (!st->done && piece.size() < 64 * 1024) {
            st->query.limit = std::min(export_page_rows, st->left);
            auto page = co_await journal.query(st->query);
            if (!page) // the head is sent: the body ends short (no last chunk), which the client sees
                throw std::runtime_error("journal export failed: " + page.error().detail);
            piece += rows_text(page->rows, st->format);
            st->left -= std::min(st->left, page->rows.size());
            st->query.after = page->next;
            st->done = page->next == 0 || st->left == 0;
        }
        if (piece.empty()) co_return std::nullopt;
        co_return piece;
    };
    co_return http::make_response(req, status::ok,
                                  r->format == journal_format::csv ? "text/csv; charset=utf-8" : "application/x-ndjson",
                                  {});
}

http::response journal_head(const http::request& req, journal_reader& journal) {
    auto h = journal.head();
    if (!h) return admin_failure(req, h.error());
    boost::json::object body{{"last", h->last},
                             {"lastHash", h->last_hash},
                             {"prunedThrough", h->pruned_through},
                             {"prunedHash", h->pruned_hash}};
    return http::make_response(req, status::ok, "application/json", boost::json::serialize(body));
}

} // namespace qaqpa::admin

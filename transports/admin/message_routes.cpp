#include "transports/admin/message_routes.hpp"

#include "core/clock.hpp"
#include "transports/admin/admin_failure.hpp"
#include "transports/admin/parameters.hpp"
#include "core/journal_format.hpp"
#include "core/utf8.hpp"

#include <boost/json.hpp>

#include <set>

namespace qaqpa::admin {

using http::status;
namespace json = boost::json;

namespace {

/// Rows a message's or a chain's answer lists at most (the journal query pages on).
constexpr std::size_t trail_rows = 1000;
/// Messages of a chain listed with their states.
constexpr std::size_t chain_messages = 100;

http::response json_answer(const http::request& req, const json::object& o) {
    return http::make_response(req, status::ok, "application/json", json::serialize(o));
}

json::object record_json(const routing::message_record& m) {
    json::object o{{"messageId", to_valid_utf8(m.id)},
                   {"state", to_string(m.status.state)},
                   {"statusCode", m.status.code},
                   {"statusMessage", to_valid_utf8(m.status.message)},
                   {"statusDate", m.status.date},
                   {"serviceId", m.service_id},
                   {"sender", m.sender},
                   {"recipient", m.recipient},
                   {"queue", m.queue},
                   {"attempts", m.attempts}};
    o["nextAttemptAt"] = m.next_attempt_ms > 0 ? json::value(format_unix_ms(m.next_attempt_ms)) : json::value(nullptr);
    return o;
}

/// A query's rows (at most trail_rows) as a JSON array.
task<result<json::array>> rows_of(journal_reader& journal, journal_query q) {
    q.limit = trail_rows;
    auto page = co_await journal.query(q);
    if (!page) co_return page.error();
    json::array rows;
    for (const auto& r : page->rows) rows.push_back(json::parse(to_json_line(r)));
    co_return rows;
}

/// The bulk redelivery's filter from its JSON body.
result<routing::redeliver_filter> read_filter(std::string_view body) {
    routing::redeliver_filter f;
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return f;
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object()) return fail(errc::invalid_request, "the body is not a JSON object");
    for (const auto& [key, value] : v.as_object()) {
        const std::string k(key);
        auto text = [&](std::string& out) -> std::optional<failure> {
            if (!value.is_string()) return fail(errc::invalid_request, "field \"" + k + "\" must be a string");
            out = std::string(value.as_string());
            return std::nullopt;
        };
        auto instant = [&](std::int64_t& out) -> std::optional<failure> {
            const auto at = value.is_int64() && value.as_int64() >= 0 ? std::optional(value.as_int64())
                            : value.is_string()                       ? parse_instant_ms(value.as_string())
                                                                      : std::nullopt;
            if (!at) return fail(errc::invalid_request, "field \"" + k + "\" is neither an xsd:dateTime nor Unix milliseconds");
            out = *at;
            return std::nullopt;
        };
        std::optional<failure> bad;
        if (k == "service") bad = text(f.service_id);
        else if (k == "sender") bad = text(f.sender);
        else if (k == "deliveryPoint") bad = text(f.point);
        else if (k == "from") bad = instant(f.from_ms);
        else if (k == "to") bad = instant(f.to_ms);
        else if (k == "limit") {
            if (!value.is_int64() || value.as_int64() < 1 || value.as_int64() > 1000000)
                bad = fail(errc::invalid_request, "field \"limit\" must be a whole number from 1 to 1000000");
            else f.limit = static_cast<std::size_t>(value.as_int64());
        } else if (k == "dryRun") {
            if (!value.is_bool()) bad = fail(errc::invalid_request, "field \"dryRun\" must be true or false");
            else f.dry_run = value.as_bool();
        } else {
            bad = fail(errc::invalid_request, "unknown field \"" + to_valid_utf8(k) + "\"");
        }
        if (bad) return *bad;
    }
    return f;
}

} // namespace

task<http::response> show_message(http::request& req, std::string id, routing::message_control& messages,
                                  journal_reader& journal) {
    auto m = co_await messages.message(id);
    if (!m) co_return admin_failure(req, m.error());
    if (!*m) co_return admin_failure(req, fail(errc::unknown_message, "no message " + to_valid_utf8(id)));
    journal_query q;
    q.message_id = id;
    auto rows = co_await rows_of(journal, q);
    if (!rows) co_return admin_failure(req, rows.error());
    auto o = record_json(**m);
    o["journal"] = std::move(*rows);
    co_return json_answer(req, o);
}

task<http::response> show_chain(http::request& req, routing::message_control& messages, journal_reader& journal) {
    auto params = http::query_params(http::target_query(req.target()));
    std::string correlation;
    if (params) {
        for (auto& [k, v] : *params) {
            if (k != "correlationId")
                co_return admin_failure(req, bad_parameter(k, "is not a parameter of this query"));
            correlation = v;
        }
    }
    if (!params || correlation.empty())
        co_return admin_failure(req, fail(errc::invalid_request, "parameter \"correlationId\" is required"));
    journal_query q;
    q.correlation_id = correlation;
    auto rows = co_await rows_of(journal, q);
    if (!rows) co_return admin_failure(req, rows.error());
    // Its messages, in the order the journal met them, with their states.
    std::set<std::string> seen;
    json::array listed;
    for (const auto& r : *rows) {
        std::string id(r.as_object().at("messageId").as_string());
        if (id.empty() || !seen.insert(id).second || listed.size() >= chain_messages) continue;
        auto m = co_await messages.message(id);
        if (!m) co_return admin_failure(req, m.error());
        if (*m) listed.push_back(record_json(**m));
    }
    co_return json_answer(req, json::object{{"correlationId", to_valid_utf8(correlation)},
                                            {"messages", std::move(listed)},
                                            {"journal", std::move(*rows)}});
}

task<http::response> redeliver_message(http::request& req, std::string id, routing::message_control& messages) {
    auto m = co_await messages.redeliver(std::move(id));
    if (!m) co_return admin_failure(req, m.error());
    co_return json_answer(req, record_json(*m));
}

task<http::response> redeliver_messages(http::request& req, routing::message_control& messages) {
    auto f = read_filter(req.body());
    if (!f) co_return admin_failure(req, f.error());
    const bool dry = f->dry_run;
    auto report = co_await messages.redeliver_all(std::move(*f));
    if (!report) co_return admin_failure(req, report.error());
    json::array ids;
    for (const auto& id : report->ids) ids.push_back(json::string(to_valid_utf8(id)));
    co_return json_answer(req, json::object{{"dryRun", dry},
                                            {"matched", report->matched},
                                            {"redelivered", report->redelivered},
                                            {"messageIds", std::move(ids)}});
}

} // namespace qaqpa::admin

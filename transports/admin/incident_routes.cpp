#include "transports/admin/incident_routes.hpp"

#include "core/clock.hpp"
#include "core/utf8.hpp"
#include "transports/admin/admin_failure.hpp"
#include "transports/admin/parameters.hpp"

#include <boost/json.hpp>

namespace qaqpa::admin {

using http::status;
namespace json = boost::json;

namespace {

constexpr std::size_t max_page = 1000;

http::response json_answer(const http::request& req, std::string body) {
    return http::make_response(req, status::ok, "application/json", std::move(body));
}

result<incident_query> read_query(std::string_view target) {
    incident_query q;
    q.state = incident_state::open;
    auto params = http::query_params(http::target_query(target));
    if (!params) return fail(errc::invalid_request, "the query string is not valid percent-encoding");
    for (auto& [k, v] : *params) {
        if (k == "state") {
            if (v == "all") q.state.reset();
            else if (auto s = parse_incident_state(v)) q.state = s;
            else return bad_parameter(k, "must be open, closed or all");
        } else if (k == "after") {
            q.after = v;
        } else if (k == "limit") {
            const auto n = whole_number(v);
            if (!n || *n < 1 || *n > static_cast<std::int64_t>(max_page))
                return bad_parameter(k, "must be a whole number from 1 to 1000");
            q.limit = static_cast<std::size_t>(*n);
        } else {
            return bad_parameter(k, "is not a parameter of this query");
        }
    }
    return q;
}

result<incident_update> read_update(std::string_view body) {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object()) return fail(errc::invalid_request, "the body is not a JSON object");
    incident_update u;
    for (const auto& [key, value] : v.as_object()) {
        const std::string k(key);
        auto text = [&](std::optional<std::string>& out) -> std::optional<failure> {
            if (!value.is_string()) return fail(errc::invalid_request, "field \"" + k + "\" must be a string");
            out = std::string(value.as_string());
            return std::nullopt;
        };
        std::optional<failure> bad;
        if (k == "responsible") bad = text(u.responsible);
        else if (k == "measures") bad = text(u.measures);
        else if (k == "respondedAt") {
            const auto at = value.is_string() ? parse_instant_ms(value.as_string()) : std::nullopt;
            if (!at) bad = fail(errc::invalid_request, "field \"respondedAt\" is not an xsd:dateTime");
            else u.responded_ms = *at;
        } else if (k == "state") {
            if (!value.is_string() || value.as_string() != "closed")
                bad = fail(errc::invalid_request, "field \"state\" can only be \"closed\"");
            else u.close = true;
        } else {
            bad = fail(errc::invalid_request, "unknown field \"" + to_valid_utf8(k) + "\"");
        }
        if (bad) return *bad;
    }
    if (!u.responsible && !u.measures && !u.responded_ms && !u.close)
        return fail(errc::invalid_request, "nothing to change: give responsible, measures, respondedAt or state");
    return u;
}

} // namespace

task<http::response> list_incidents(http::request& req, routing::incident_control& incidents) {
    auto q = read_query(req.target());
    if (!q) co_return admin_failure(req, q.error());
    const auto limit = q->limit;
    auto page = co_await incidents.incidents(std::move(*q));
    if (!page) co_return admin_failure(req, page.error());
    std::string body = R"({"incidents":[)";
    for (std::size_t i = 0; i < page->size(); ++i) {
        if (i) body += ',';
        body += incident_json((*page)[i]);
    }
    body += "],\"next\":";
    body += page->size() == limit ? json::serialize(json::value(to_valid_utf8(page->back().id))) : "null";
    body += '}';
    co_return json_answer(req, std::move(body));
}

task<http::response> show_incident(http::request& req, std::string id, routing::incident_control& incidents) {
    auto i = co_await incidents.find(std::move(id));
    if (!i) co_return admin_failure(req, i.error());
    co_return json_answer(req, incident_json(*i));
}

task<http::response> update_incident(http::request& req, std::string id, routing::incident_control& incidents) {
    auto u = read_update(req.body());
    if (!u) co_return admin_failure(req, u.error());
    auto i = co_await incidents.update(std::move(id), std::move(*u));
    if (!i) co_return admin_failure(req, i.error());
    co_return json_answer(req, incident_json(*i));
}

} // namespace qaqpa::admin

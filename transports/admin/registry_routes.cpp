#include "transports/admin/registry_routes.hpp"

#include "core/utf8.hpp"
#include "transports/admin/admin_failure.hpp"

#include <boost/json.hpp>

namespace qaqpa::admin {

using http::beast_http::verb;
using http::status;
namespace json = boost::json;

namespace {

constexpr registry_part parts[] = {registry_part::systems, registry_part::delivery_points, registry_part::services,
                                   registry_part::access, registry_part::peers};

/// The key the path names: {id}, or {system}/{service}.
std::string path_key(registry_part part, const http::path_params& p) {
    if (part == registry_part::access) return std::string(p["system"]) + "/" + std::string(p["service"]);
    return std::string(p["id"]);
}

/// The body with the path's key filled in where it is left out; a key that
/// differs from the path's is refused.
result<std::string> with_path_key(registry_part part, std::string_view body, const http::path_params& p) {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object()) return fail(errc::invalid_request, "the body is not a JSON object");
    auto& o = v.as_object();
    const auto fill = [&](const char* key, std::string_view from_path) -> std::optional<failure> {
        const auto* given = o.if_contains(key);
        if (!given) o[key] = from_path;
        else if (!given->is_string() || given->as_string() != from_path)
            return fail(errc::invalid_request, std::string(to_string(part)) + "." + key + ": differs from the path's \"" +
                                                   to_valid_utf8(from_path) + "\"");
        return std::nullopt;
    };
    std::optional<failure> bad;
    if (part == registry_part::access) {
        bad = fill("system", p["system"]);
        if (!bad) bad = fill("service", p["service"]);
    } else {
        bad = fill("id", p["id"]);
    }
    if (bad) return *bad;
    return json::serialize(o);
}

http::response entry_answer(const http::request& req, status s, const registry_entry& e) {
    return http::make_response(req, s, "application/json", registry_entry_json(e));
}

task<http::response> list(http::request& req, registry_part part, routing::registry_control& registry) {
    std::string body = R"({"items":[)";
    bool first = true;
    for (const auto& e : registry.entries(part)) {
        if (!first) body += ',';
        first = false;
        body += registry_entry_json(e);
    }
    body += "]}";
    co_return http::make_response(req, status::ok, "application/json", std::move(body));
}

task<http::response> show(http::request& req, registry_part part, std::string key, routing::registry_control& registry) {
    auto e = registry.entry(part, key);
    if (!e) co_return admin_failure(req, e.error());
    co_return entry_answer(req, status::ok, *e);
}

task<http::response> put(http::request& req, registry_part part, std::string body, bool create_only,
                         routing::registry_control& registry) {
    auto read = read_registry_entry(part, body, !create_only);
    if (!read) co_return admin_failure(req, read.error());
    auto done = co_await registry.put(part, std::move(*read), create_only);
    if (!done) co_return admin_failure(req, done.error());
    co_return entry_answer(req, done->created ? status::created : status::ok, done->entry);
}

task<http::response> remove(http::request& req, registry_part part, std::string key, routing::registry_control& registry) {
    auto done = co_await registry.remove(part, std::move(key));
    if (!done) co_return admin_failure(req, done.error());
    co_return http::make_response(req, status::no_content, "application/json", "");
}

} // namespace

void add_registry_routes(http::router& routes, routing::registry_control& registry) {
    for (const auto part : parts) {
        const std::string base = std::string("/admin/v1/") + path_segment(part);
        const std::string one = base + (part == registry_part::access ? "/{system}/{service}" : "/{id}");
        auto* r = &registry;
        // Registered once, at start; a failure would be a defect in this list.
        (void)routes.add(base, [part, r](http::request& req, const http::path_params&) { return list(req, part, *r); },
                         verb::get);
        (void)routes.add(base, [part, r](http::request& req, const http::path_params&) {
            return put(req, part, req.body(), true, *r);
        }, verb::post);
        (void)routes.add(one, [part, r](http::request& req, const http::path_params& p) {
            return show(req, part, path_key(part, p), *r);
        }, verb::get);
        (void)routes.add(one, [part, r](http::request& req, const http::path_params& p) -> task<http::response> {
            auto body = with_path_key(part, req.body(), p);
            if (!body) co_return admin_failure(req, body.error());
            co_return co_await put(req, part, std::move(*body), false, *r);
        }, verb::put);
        (void)routes.add(one, [part, r](http::request& req, const http::path_params& p) {
            return remove(req, part, path_key(part, p), *r);
        }, verb::delete_);
    }
}

} // namespace qaqpa::admin

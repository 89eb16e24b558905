#include "transports/http/router.hpp"

namespace qaqpa::http {
namespace {

std::string_view normalized(std::string_view path) {
    while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    return path;
}

/// "/a/b/" → {"a", "b"}; "/" → {}.
std::vector<std::string_view> split(std::string_view path) {
    std::vector<std::string_view> out;
    path = normalized(path);
    while (!path.empty()) {
        if (path.front() == '/') path.remove_prefix(1);
        const auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
    }
    return out;
}

bool is_param(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

} // namespace

std::string_view path_params::operator[](std::string_view name) const noexcept {
    for (const auto& [n, v] : values_)
        if (n == name) return v;
    return {};
}

result<void> router::add(std::string pattern, route_fn fn, std::optional<beast_http::verb> method) {
    const auto key = std::string(normalized(pattern));
    for (const auto& r : routes_)
        if (r.pattern == key && r.method == method) return fail(errc::internal, "path " + pattern + " is served twice");
    route r{key, false, {}, method, std::move(fn)};
    for (auto s : split(key)) {
        r.segments.emplace_back(s);
        r.has_params = r.has_params || is_param(s);
    }
    routes_.push_back(std::move(r));
    return {};
}

bool router::match(const route& r, const std::vector<std::string_view>& parts, path_params& params) {
    if (parts.size() != r.segments.size()) return false;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string_view want = r.segments[i];
        if (is_param(want)) {
            if (parts[i].empty()) return false;
            params.add(want.substr(1, want.size() - 2), parts[i]);
        } else if (want != parts[i]) {
            return false;
        }
    }
    return true;
}

task<response> router::handle(request& req) {
    const auto path = normalized(target_path(req.target()));
    std::string allowed;
    std::optional<std::vector<std::string_view>> parts; // split once, for the first pattern route
    for (auto& r : routes_) {
        path_params params;
        if (!r.has_params) {
            if (r.pattern != path) continue;
        } else {
            if (!parts) parts = split(path);
            if (!match(r, *parts, params)) continue;
        }
        if (!r.method || *r.method == req.method()) co_return co_await r.fn(req, params);
        if (!allowed.empty()) allowed += ", ";
        allowed += std::string(beast_http::to_string(*r.method));
    }
    if (!allowed.empty()) {
        auto res = json_error(req, status::method_not_allowed, describe(errc::method_not_allowed).code,
                              "use " + allowed);
        res.set(beast_http::field::allow, allowed);
        co_return res;
    }
    co_return json_error(req, status::not_found, describe(errc::not_found).code,
                         "nothing at " + std::string(path));
}

} // namespace qaqpa::http

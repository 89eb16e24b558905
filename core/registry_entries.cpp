#include "core/registry_entries.hpp"

#include "core/detail/config_reader.hpp"
#include "core/utf8.hpp"

#include <boost/json.hpp>

#include <array>
#include <utility>

namespace qaqpa {
namespace {

namespace json = boost::json;
using detail::config_error;

/// A JSON value as the TOML node the file would have held.
std::unique_ptr<toml::node> as_toml(const json::value& v, const std::string& key) {
    switch (v.kind()) {
    case json::kind::string: return std::make_unique<toml::value<std::string>>(std::string(v.as_string()));
    case json::kind::int64: return std::make_unique<toml::value<std::int64_t>>(v.as_int64());
    case json::kind::uint64:
        if (v.as_uint64() > static_cast<std::uint64_t>(INT64_MAX)) throw config_error{key, "is out of range"};
        return std::make_unique<toml::value<std::int64_t>>(static_cast<std::int64_t>(v.as_uint64()));
    case json::kind::double_: return std::make_unique<toml::value<double>>(v.as_double());
    case json::kind::bool_: return std::make_unique<toml::value<bool>>(v.as_bool());
    case json::kind::array: {
        auto arr = std::make_unique<toml::array>();
        for (const auto& item : v.as_array()) arr->push_back(std::move(*as_toml(item, key)));
        return arr;
    }
    case json::kind::object: {
        auto t = std::make_unique<toml::table>();
        for (const auto& [k, item] : v.as_object()) {
            const std::string name(k);
            t->insert(name, std::move(*as_toml(item, key + "." + name)));
        }
        return t;
    }
    case json::kind::null: break;
    }
    throw config_error{key, "must not be null"};
}

/// "systems[0].bin" → "systems.bin": the body is the one entry.
std::string entry_path(std::string key, registry_part part) {
    const auto prefix = std::string(to_string(part)) + "[0]";
    if (key.rfind(prefix, 0) == 0) key.replace(0, prefix.size(), to_string(part));
    return key;
}

void add_overrides(json::object& o, const policy_overrides& p) {
    if (p.timeout_ms) o["timeout_ms"] = *p.timeout_ms;
    if (p.retries) o["retries"] = *p.retries;
    if (p.backoff_ms) o["backoff_ms"] = *p.backoff_ms;
    if (p.backoff_max_ms) o["backoff_max_ms"] = *p.backoff_max_ms;
    if (p.security_mode) o["security_mode"] = *p.security_mode;
    if (p.concurrency) o["concurrency"] = *p.concurrency;
    if (p.throttle) o["throttle"] = json::object{{"requests", p.throttle->requests}, {"window_s", p.throttle->window_s}};
    if (p.error_shutdown)
        o["error_shutdown"] = json::object{{"errors", p.error_shutdown->errors}, {"window_s", p.error_shutdown->window_s}};
}

struct to_json {
    json::object operator()(const system_entry& s) const {
        json::object o{{"id", s.id}, {"bin", s.bin}, {"address", s.address}, {"protocol", to_string(s.protocol)}};
        if (s.gateway) o["gateway"] = true;
        return o;
    }
    json::object operator()(const delivery_point& d) const {
        json::object o{{"id", d.id}};
        if (d.peer.empty()) {
            o["url"] = d.url;
            o["protocol"] = to_string(d.protocol);
        } else { // the file's shape: a peer's point has no url
            o["protocol"] = "gateway";
            o["peer"] = d.peer;
        }
        const auto& p = d.policy;
        add_overrides(o, {p.timeout_ms, p.retries, p.backoff_ms, p.backoff_max_ms, p.throttle, p.error_shutdown,
                          p.security_mode, p.concurrency});
        if (d.max_queue_depth) o["max_queue_depth"] = d.max_queue_depth;
        o["journal_payload"] = d.journal_payload;
        if (!d.encrypt_to.empty()) o["encrypt_to"] = d.encrypt_to;
        if (!d.ca.empty()) o["ca"] = d.ca;
        if (!d.client_cert.empty()) o["client_cert"] = json::object{{"cert", d.client_cert}, {"key", d.client_key}};
        if (d.creds) o["credentials"] = json::object{{"login", d.creds->login}};
        return o;
    }
    json::object operator()(const service_entry& s) const {
        json::object o{{"id", s.id},
                       {"owner", s.owner},
                       {"mode", to_string(s.mode)},
                       {"delivery", to_string(s.delivery)},
                       {"notify_status", s.notify_status},
                       {"notify_delivered", s.notify_delivered},
                       {"timeout_ms", s.timeout_ms}};
        if (!s.delivery_point.empty()) o["delivery_point"] = s.delivery_point;
        if (!s.routes.empty()) {
            json::object routes;
            for (const auto& [k, v] : s.routes) routes[k] = v;
            o["routes"] = std::move(routes);
        }
        return o;
    }
    json::object operator()(const peer_entry& p) const {
        json::object o{{"id", p.id}, {"url", p.url}, {"login", p.login}, {"bin", p.bin}, {"concurrency", p.concurrency}};
        for (const auto& [key, file] : hop_files(p.keys))
            if (!file->empty()) o[key] = *file;
        return o;
    }
    json::object operator()(const access_right& a) const {
        json::object o{{"system", a.system}, {"service", a.service}};
        add_overrides(o, a.overrides);
        return o;
    }
};

/// The files an entry names (key, file): the file's relative paths are its
/// folder's, and the API has no folder.
template <class Files>
void absolute_only(std::string_view part, const Files& files) {
    for (const auto& [key, file] : files)
        if (!file->empty() && file->front() != '/')
            throw config_error{std::string(part) + "." + key, "must be an absolute path through the admin API"};
}

} // namespace

std::optional<registry_part> parse_registry_part(std::string_view s) noexcept {
    for (const auto p : {registry_part::systems, registry_part::delivery_points, registry_part::services,
                         registry_part::access, registry_part::peers})
        if (s == path_segment(p)) return p;
    return std::nullopt;
}

const char* path_segment(registry_part p) noexcept {
    return p == registry_part::delivery_points ? "delivery-points" : to_string(p);
}

const char* to_string(registry_part p) noexcept {
    switch (p) {
    case registry_part::systems: return "systems";
    case registry_part::delivery_points: return "delivery_points";
    case registry_part::services: return "services";
    case registry_part::access: return "access";
    case registry_part::peers: return "peers";
    }
    return "?";
}

std::string entry_key(const registry_entry& e) {
    if (const auto* a = std::get_if<access_right>(&e)) return a->system + "/" + a->service;
    return std::visit([](const auto& x) -> std::string {
        if constexpr (requires { x.id; }) return x.id;
        else return {};
    }, e);
}

result<read_entry> read_registry_entry(registry_part part, std::string_view text, bool keep_secrets) {
    boost::system::error_code ec;
    const auto v = json::parse(text, ec);
    if (ec || !v.is_object()) return fail(errc::invalid_request, "the body is not a JSON object");
    const std::string name = to_string(part);
    try {
        auto entry = as_toml(v, name);
        auto& fields = *entry->as_table();
        // A secret left out keeps the stored one: a placeholder passes the
        // file's reader and is cleared after (the caller fills in its own).
        const char* kept_secret = nullptr;
        if (part == registry_part::systems && !fields.contains("password") && !fields.contains("password_hash"))
            kept_secret = "password_hash";
        else if (part == registry_part::peers && !fields.contains("password"))
            kept_secret = "password";
        if (!keep_secrets) kept_secret = nullptr;
        if (kept_secret) fields.insert(kept_secret, "-");
        toml::table root;
        toml::array one;
        one.push_back(std::move(fields));
        root.insert(name, std::move(one));
        config c;
        detail::table_reader r(root, "");
        switch (part) {
        case registry_part::systems: detail::read_systems(r, c); break;
        case registry_part::delivery_points: detail::read_delivery_points(r, c); break;
        case registry_part::services: detail::read_services(r, c); break;
        case registry_part::access: detail::read_access(r, c); break;
        case registry_part::peers: detail::read_peers(r, c); break;
        }
        read_entry out;
        switch (part) {
        case registry_part::systems:
            if (kept_secret) c.bootstrap.systems[0].password_hash.clear();
            if (!c.plain_passwords.empty()) out.plain_password = c.plain_passwords.begin()->second;
            out.entry = c.bootstrap.systems[0];
            break;
        case registry_part::delivery_points:
            absolute_only("delivery_points", std::array{
                std::pair{"encrypt_to", &c.bootstrap.delivery_points[0].encrypt_to},
                std::pair{"ca", &c.bootstrap.delivery_points[0].ca},
                std::pair{"client_cert.cert", &c.bootstrap.delivery_points[0].client_cert},
                std::pair{"client_cert.key", &c.bootstrap.delivery_points[0].client_key}});
            out.entry = c.bootstrap.delivery_points[0];
            break;
        case registry_part::services: out.entry = c.bootstrap.services[0]; break;
        case registry_part::access: out.entry = c.bootstrap.access[0]; break;
        case registry_part::peers:
            absolute_only("peers", hop_files(c.bootstrap.peers[0].keys));
            if (kept_secret) c.bootstrap.peers[0].password.clear();
            out.entry = c.bootstrap.peers[0];
            break;
        }
        return out;
    } catch (const config_error& e) {
        return fail(errc::invalid_request, to_valid_utf8(entry_path(e.key, part) + ": " + e.reason));
    }
}

result<void> check_registry(const registry& reg, const security_config& security) {
    try {
        detail::check_references(reg);
        detail::check_security_modes(reg, security);
        return {};
    } catch (const config_error& e) {
        return fail(errc::invalid_request, to_valid_utf8(e.key + ": " + e.reason));
    }
}

std::string registry_entry_json(const registry_entry& e) {
    json::object o = std::visit(to_json{}, e);
    return json::serialize(o);
}

} // namespace qaqpa

#include "core/config.hpp"

#include "core/url.hpp"
#include "core/utf8.hpp"

#include <algorithm>

#include <toml++/toml.h>

#include <fmt/format.h>

#include <fstream>
#include <set>
#include <sstream>

namespace qaqpa {
namespace {

namespace fs = std::filesystem;

/// Thrown inside the parser only; load_config turns it into a failure.
struct config_error {
    std::string key;
    std::string reason;
};

/// Reads one TOML table, remembering which keys it consumed so that unknown
/// keys can be rejected by name.
class table_reader {
public:
    table_reader(const toml::table& t, std::string path) : table_(t), path_(std::move(path)) {}

    std::string key_path(std::string_view key) const {
        return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    }

    const toml::node* get(std::string_view key) {
        used_.insert(std::string(key));
        return table_.get(key);
    }

    std::optional<std::string> text(std::string_view key) {
        const auto* n = get(key);
        if (!n) return std::nullopt;
        if (!n->is_string()) throw config_error{key_path(key), "must be a string"};
        return n->value<std::string>();
    }

    std::string required_text(std::string_view key) {
        auto v = text(key);
        if (!v) throw config_error{key_path(key), "required key is missing"};
        if (v->empty()) throw config_error{key_path(key), "must not be empty"};
        return *v;
    }

    std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) {
        const auto* n = get(key);
        if (!n) return std::nullopt;
        if (!n->is_integer()) throw config_error{key_path(key), "must be an integer"};
        const auto v = *n->value<std::int64_t>();
        if (v < min || v > max)
            throw config_error{key_path(key), fmt::format("must be between {} and {}", min, max)};
        return v;
    }

    template <class T>
    void read_int(std::string_view key, T& out, std::int64_t min, std::int64_t max) {
        if (auto v = integer(key, min, max)) out = static_cast<T>(*v);
    }

    /// Reads a string key that must name one of a fixed set of values.
    template <class T, class Parse>
    void read_choice(std::string_view key, T& out, Parse parse, std::string_view allowed) {
        auto v = text(key);
        if (!v) return;
        auto parsed = parse(*v);
        if (!parsed) throw config_error{key_path(key), "must be " + std::string(allowed)};
        out = *parsed;
    }

    void read_bool(std::string_view key, bool& out) {
        const auto* n = get(key);
        if (!n) return;
        if (!n->is_boolean()) throw config_error{key_path(key), "must be true or false"};
        out = *n->value<bool>();
    }

    const toml::table* subtable(std::string_view key) {
        const auto* n = get(key);
        if (!n) return nullptr;
        if (!n->is_table()) throw config_error{key_path(key), "must be a table"};
        return n->as_table();
    }

    std::vector<std::string> strings(std::string_view key) {
        std::vector<std::string> out;
        const auto* n = get(key);
        if (!n) return out;
        const auto* arr = n->as_array();
        if (!arr) throw config_error{key_path(key), "must be an array of strings"};
        for (const auto& item : *arr) {
            if (!item.is_string()) throw config_error{key_path(key), "must be an array of strings"};
            out.push_back(*item.value<std::string>());
        }
        return out;
    }

    /// Rejects keys nobody asked for: a typo must not be silently ignored.
    void finish() const {
        for (const auto& [k, v] : table_)
            if (!used_.count(std::string(k.str()))) throw config_error{key_path(k.str()), "unknown key"};
    }

private:
    const toml::table& table_;
    std::string path_;
    std::set<std::string> used_;
};

constexpr std::int64_t int_max = std::numeric_limits<int>::max();

std::string resolve_path(const fs::path& base, const std::string& p) {
    if (p.empty() || fs::path(p).is_absolute()) return p;
    return (base / p).lexically_normal().string();
}

void read_listener(table_reader& r, std::string_view key, listener_config& out, bool admin,
                   const fs::path& base) {
    const auto* t = r.subtable(key);
    if (!t) return;
    table_reader lr(*t, r.key_path(key));
    if (auto a = lr.text("address")) out.address = *a;
    lr.read_int("port", out.port, 0, 65535);
    if (const auto* tls = lr.subtable("tls")) {
        table_reader tr(*tls, lr.key_path("tls"));
        out.tls = tls_files{resolve_path(base, tr.required_text("cert")),
                            resolve_path(base, tr.required_text("key"))};
        tr.finish();
        throw config_error{lr.key_path("tls"), "TLS listeners are not supported yet (put a TLS terminator in front)"};
    }
    if (admin) {
        if (auto tf = lr.text("token_file")) out.token_file = *tf;
        out.token_file = resolve_path(base, out.token_file);
    }
    lr.finish();
}

void read_listeners(table_reader& r, config& c, const fs::path& base) {
    const auto* t = r.subtable("listeners");
    if (!t) {
        c.admin_listener.token_file = resolve_path(base, c.admin_listener.token_file);
        return;
    }
    table_reader lr(*t, "listeners");
    read_listener(lr, "public", c.public_listener, false, base);
    if (!t->get("admin")) c.admin_listener.token_file = resolve_path(base, c.admin_listener.token_file);
    read_listener(lr, "admin", c.admin_listener, true, base);
    lr.finish();
}

void read_path(table_reader& r, std::string_view key, std::string& out) {
    auto v = r.text(key);
    if (!v) return;
    if (v->empty() || v->front() != '/') throw config_error{r.key_path(key), "must start with '/'"};
    out = *v;
}

void read_paths(table_reader& r, paths_config& p) {
    const auto* t = r.subtable("paths");
    if (!t) return;
    table_reader pr(*t, "paths");
    read_path(pr, "sync", p.sync);
    read_path(pr, "sync_signed", p.sync_signed);
    read_path(pr, "async", p.async);
    read_path(pr, "rest", p.rest);
    pr.finish();
}

void read_log(table_reader& r, log_config& l) {
    const auto* t = r.subtable("log");
    if (!t) return;
    table_reader lr(*t, "log");
    lr.read_choice("format", l.format, [](std::string_view v) {
        log::format f{};
        return log::parse_format(v, f) ? std::optional(f) : std::nullopt;
    }, "\"text\" or \"json\"");
    lr.read_choice("level", l.level, [](std::string_view v) {
        log::level lv{}; // lower case only, as documented; "off" is for QAQPA_LOG
        const bool lower = std::all_of(v.begin(), v.end(), [](char c) { return c >= 'a' && c <= 'z'; });
        return lower && log::parse_level(v, lv) && lv != log::level::off ? std::optional(lv) : std::nullopt;
    }, "\"debug\", \"info\", \"warn\" or \"error\"");
    lr.finish();
}

void read_journal(table_reader& r, journal_config& j) {
    const auto* t = r.subtable("journal");
    if (!t) return;
    table_reader jr(*t, "journal");
    jr.read_bool("enabled", j.enabled);
    jr.read_int("retention_days", j.retention_days, 0, 36500);
    jr.finish();
}

void check_url(const std::string& url, const std::string& key);

void read_incidents(table_reader& r, incidents_config& c) {
    const auto* t = r.subtable("incidents");
    if (!t) return;
    table_reader ir(*t, "incidents");
    ir.read_int("undelivered_after_s", c.undelivered_after_s, 1, std::int64_t{10} * 366 * 86400);
    if (auto url = ir.text("notify_url")) {
        if (!url->empty()) {
            check_url(*url, ir.key_path("notify_url"));
            if (!parse_url(*url)) throw config_error{ir.key_path("notify_url"), "must be an http:// URL"};
        }
        c.notify_url = *url;
    }
    ir.read_int("notify_timeout_ms", c.notify_timeout_ms, 1, int_max);
    ir.finish();
}

void read_limits(table_reader& r, limits_config& l) {
    const auto* t = r.subtable("limits");
    if (!t) return;
    table_reader lr(*t, "limits");
    lr.read_int("max_body_bytes", l.max_body_bytes, 1024, std::int64_t{1} << 31);
    lr.read_int("header_read_timeout_ms", l.header_read_timeout_ms, 1, int_max);
    lr.read_int("body_read_timeout_ms", l.body_read_timeout_ms, 1, int_max);
    lr.read_int("idle_timeout_ms", l.idle_timeout_ms, 1, int_max);
    lr.read_int("max_connections", l.max_connections, 1, 1'000'000);
    lr.read_int("sync_timeout_ms", l.sync_timeout_ms, 1, int_max);
    lr.read_int("pull_batch_default", l.pull_batch_default, 1, 1'000'000);
    lr.read_int("pull_batch_max", l.pull_batch_max, 1, 1'000'000);
    lr.read_int("pull_lease_ms", l.pull_lease_ms, 1, int_max);
    lr.read_int("max_queue_depth", l.max_queue_depth, 1, std::int64_t{1} << 40);
    lr.read_int("failed_logins_per_sender", l.failed_logins_per_sender, 0, 1'000'000);
    lr.read_int("failed_logins_per_address", l.failed_logins_per_address, 0, 1'000'000);
    lr.read_int("failed_logins_window_s", l.failed_logins_window_s, 1, 86400);
    lr.finish();
    if (l.pull_batch_default > l.pull_batch_max)
        throw config_error{"limits.pull_batch_default", "must not exceed limits.pull_batch_max"};
}

void read_security(table_reader& r, security_config& s, const fs::path& base) {
    const auto* t = r.subtable("security");
    if (!t) return;
    table_reader sr(*t, "security");
    if (auto v = sr.text("gateway_cert")) s.gateway_cert = resolve_path(base, *v);
    if (auto v = sr.text("gateway_key")) s.gateway_key = resolve_path(base, *v);
    for (auto& p : sr.strings("trusted_ca")) s.trusted_ca.push_back(resolve_path(base, p));
    for (auto& p : sr.strings("crls")) s.crls.push_back(resolve_path(base, p));
    sr.read_bool("ocsp", s.ocsp);
    sr.read_bool("sign_responses", s.sign_responses);
    sr.finish();
}

template <class F>
void for_each_entry(table_reader& r, std::string_view key, F&& f) {
    const auto* n = r.get(key);
    if (!n) return;
    const auto* arr = n->as_array();
    if (!arr) throw config_error{std::string(key), "must be an array of tables ([[" + std::string(key) + "]])"};
    std::size_t i = 0;
    for (const auto& item : *arr) {
        const auto path = fmt::format("{}[{}]", key, i++);
        if (!item.is_table()) throw config_error{path, "must be a table"};
        table_reader er(*item.as_table(), path);
        f(er);
        er.finish();
    }
}

template <class T>
void read_pair(table_reader& r, std::string_view key, std::string_view a, std::string_view b,
               std::optional<T>& out) {
    const auto* t = r.subtable(key);
    if (!t) return;
    table_reader pr(*t, r.key_path(key));
    auto first = pr.integer(a, 1, int_max);
    auto second = pr.integer(b, 1, int_max);
    if (!first) throw config_error{pr.key_path(a), "required key is missing"};
    if (!second) throw config_error{pr.key_path(b), "required key is missing"};
    pr.finish();
    out = T{static_cast<int>(*first), static_cast<int>(*second)};
}

/// The policy keys shared by delivery points and access overrides.
void read_policy(table_reader& r, policy_overrides& o) {
    auto set = [&](std::string_view key, std::optional<int>& out, std::int64_t min, std::int64_t max) {
        if (auto v = r.integer(key, min, max)) out = static_cast<int>(*v);
    };
    set("timeout_ms", o.timeout_ms, 1, int_max);
    set("retries", o.retries, 0, 1000);
    set("backoff_ms", o.backoff_ms, 0, int_max);
    set("backoff_max_ms", o.backoff_max_ms, 0, int_max);
    set("security_mode", o.security_mode, 0, 2);
    set("concurrency", o.concurrency, 1, 1024);
    // Accepting a mode the gateway does not apply would forward unsigned
    // traffic where signatures were asked for.
    if (o.security_mode && *o.security_mode != 0)
        throw config_error{r.key_path("security_mode"), "modes 1 and 2 (WS-Security signatures) are not supported yet"};
    read_pair(r, "throttle", "requests", "window_s", o.throttle);
    read_pair(r, "error_shutdown", "errors", "window_s", o.error_shutdown);
}

bool is_bin(const std::string& s) {
    return s.size() == 12 && s.find_first_not_of("0123456789") == std::string::npos;
}

void read_systems(table_reader& r, config& c) {
    for_each_entry(r, "systems", [&](table_reader& e) {
        system_entry s;
        s.id = e.required_text("id");
        auto hash = e.text("password_hash");
        auto plain = e.text("password");
        if (hash && plain) throw config_error{e.key_path("password"), "give password_hash or password, not both"};
        if (!hash && !plain) throw config_error{e.key_path("password_hash"), "required key is missing"};
        if (hash) s.password_hash = *hash;
        if (plain) c.plain_passwords[s.id] = *plain;
        s.bin = e.text("bin").value_or("");
        if (!s.bin.empty() && !is_bin(s.bin)) throw config_error{e.key_path("bin"), "must be 12 digits"};
        s.address = e.text("address").value_or("");
        c.bootstrap.systems.push_back(std::move(s));
    });
}

void check_url(const std::string& url, const std::string& key) {
    if (url == "builtin:echo" || url.rfind("http://", 0) == 0) return;
    if (url.rfind("https://", 0) == 0)
        throw config_error{key, "https delivery points are not supported yet"};
    throw config_error{key, "must be an http:// URL or builtin:echo"};
}

void read_delivery_points(table_reader& r, config& c) {
    for_each_entry(r, "delivery_points", [&](table_reader& e) {
        delivery_point dp;
        dp.id = e.required_text("id");
        dp.url = e.required_text("url");
        check_url(dp.url, e.key_path("url"));
        e.read_choice("protocol", dp.protocol, parse_wire_protocol, "\"soap\" or \"rest\"");
        if (dp.protocol == wire_protocol::rest)
            throw config_error{e.key_path("protocol"), "REST delivery points are not supported yet"};
        policy_overrides o;
        read_policy(e, o);
        dp.policy = apply(dp.policy, o);
        e.read_int("max_queue_depth", dp.max_queue_depth, 1, std::int64_t{1} << 40);
        e.read_bool("journal_payload", dp.journal_payload);
        if (const auto* cr = e.subtable("credentials")) {
            table_reader cred(*cr, e.key_path("credentials"));
            dp.creds = credentials{cred.required_text("login"), cred.text("password").value_or("")};
            cred.finish();
        }
        c.bootstrap.delivery_points.push_back(std::move(dp));
    });
}

void read_services(table_reader& r, config& c) {
    for_each_entry(r, "services", [&](table_reader& e) {
        service_entry s;
        s.id = e.required_text("id");
        s.owner = e.required_text("owner");
        e.read_choice("mode", s.mode, parse_service_mode, "\"sync\", \"async\" or \"both\"");
        e.read_choice("delivery", s.delivery, parse_delivery_mode, "\"push\" or \"pull\"");
        s.delivery_point = e.text("delivery_point").value_or("");
        if (const auto* routes = e.subtable("routes")) {
            for (const auto& [k, v] : *routes) {
                if (!v.is_string()) throw config_error{e.key_path("routes." + std::string(k.str())), "must be a string"};
                s.routes[std::string(k.str())] = *v.value<std::string>();
            }
        }
        e.read_bool("notify_status", s.notify_status);
        e.read_bool("notify_delivered", s.notify_delivered);
        e.read_int("timeout_ms", s.timeout_ms, 1, int_max);
        c.bootstrap.services.push_back(std::move(s));
    });
}

void read_access(table_reader& r, config& c) {
    for_each_entry(r, "access", [&](table_reader& e) {
        access_right a;
        a.system = e.required_text("system");
        a.service = e.required_text("service");
        read_policy(e, a.overrides);
        c.bootstrap.access.push_back(std::move(a));
    });
}

template <class T, class Id>
void check_unique(const std::vector<T>& items, Id id, std::string_view key) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < items.size(); ++i)
        if (!seen.insert(id(items[i])).second)
            throw config_error{fmt::format("{}[{}].id", key, i), "duplicate id \"" + id(items[i]) + "\""};
}

/// Every reference names an entry that exists.
void check_references(const registry& reg) {
    check_unique(reg.systems, [](auto& s) { return s.id; }, "systems");
    check_unique(reg.delivery_points, [](auto& d) { return d.id; }, "delivery_points");
    check_unique(reg.services, [](auto& s) { return s.id; }, "services");
    auto has = [](const auto& items, const std::string& id) {
        for (const auto& i : items)
            if (i.id == id) return true;
        return false;
    };
    for (std::size_t i = 0; i < reg.services.size(); ++i) {
        const auto& s = reg.services[i];
        const auto at = fmt::format("services[{}]", i);
        if (!has(reg.systems, s.owner)) throw config_error{at + ".owner", "no system with id \"" + s.owner + "\""};
        if (!s.delivery_point.empty() && !has(reg.delivery_points, s.delivery_point))
            throw config_error{at + ".delivery_point", "no delivery point with id \"" + s.delivery_point + "\""};
        for (const auto& [route, dp] : s.routes)
            if (!has(reg.delivery_points, dp))
                throw config_error{at + ".routes." + route, "no delivery point with id \"" + dp + "\""};
        const bool needs_point = s.mode == service_mode::sync || s.mode == service_mode::both ||
                                 s.delivery == delivery_mode::push;
        if (needs_point && s.delivery_point.empty() && s.routes.empty())
            throw config_error{at + ".delivery_point", "required for a sync or PUSH service"};
    }
    for (std::size_t i = 0; i < reg.access.size(); ++i) {
        const auto& a = reg.access[i];
        const auto at = fmt::format("access[{}]", i);
        if (!has(reg.systems, a.system)) throw config_error{at + ".system", "no system with id \"" + a.system + "\""};
        if (!has(reg.services, a.service))
            throw config_error{at + ".service", "no service with id \"" + a.service + "\""};
    }
}

/// A failure detail is one line of valid UTF-8 (it goes to the log and to
/// admin answers), whatever the file quoted into it: toml++ quotes the bytes
/// it stopped at, a quoted key may hold "\n".
std::string one_line(const std::string& text) {
    std::string out;
    for (const char c : to_valid_utf8(text)) {
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) out += '?';
        else out += c;
    }
    return out;
}

} // namespace

result<config> parse_config(std::string_view toml_text, const std::string& source_name,
                            const fs::path& base_dir) {
    config c;
    c.source = source_name;
    try {
        const toml::table root = toml::parse(toml_text, source_name);
        table_reader r(root, "");
        if (const auto* node = r.subtable("node")) {
            table_reader nr(*node, "node");
            if (auto d = nr.text("data_dir")) c.node.data_dir = *d;
            nr.read_int("threads", c.node.threads, 0, 1024);
            if (auto st = nr.text("store")) {
                if (*st == "postgresql")
                    throw config_error{nr.key_path("store"), "the PostgreSQL store is not supported yet"};
                if (*st != "rocksdb") throw config_error{nr.key_path("store"), "must be \"rocksdb\""};
                c.node.store = *st;
            }
            nr.finish();
        }
        c.node.data_dir = resolve_path(base_dir, c.node.data_dir);
        read_listeners(r, c, base_dir);
        read_paths(r, c.paths);
        read_log(r, c.log);
        read_journal(r, c.journal);
        read_incidents(r, c.incidents);
        read_limits(r, c.limits);
        read_security(r, c.security, base_dir);
        read_systems(r, c);
        read_delivery_points(r, c);
        read_services(r, c);
        read_access(r, c);
        r.finish();
        check_references(c.bootstrap);
    } catch (const toml::parse_error& e) {
        return fail(errc::bad_config, one_line(fmt::format("{}:{}: {}", source_name, e.source().begin.line,
                                                             e.description())));
    } catch (const config_error& e) {
        return fail(errc::bad_config, one_line(fmt::format("{}: {}: {}", source_name, e.key, e.reason)));
    }
    return c;
}

result<config> load_config(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(errc::bad_config, fmt::format("{}: cannot read the file", file.string()));
    std::ostringstream text;
    text << in.rdbuf();
    const auto base = fs::absolute(file).parent_path();
    return parse_config(text.str(), file.string(), base);
}

config demo_config() {
    config c;
    c.source = "(demo)";
    c.node.data_dir = "qaqpa-data";
    c.admin_listener.token_file = "qaqpa-data/admin.token";
    c.bootstrap.systems.push_back({demo_login, "", "000000000000", ""});
    c.plain_passwords[demo_login] = demo_password;
    delivery_point echo;
    echo.id = "echo";
    echo.url = "builtin:echo";
    c.bootstrap.delivery_points.push_back(echo);
    service_entry svc;
    svc.id = "echo";
    svc.owner = demo_login;
    svc.mode = service_mode::both;
    svc.delivery_point = "echo";
    c.bootstrap.services.push_back(svc);
    c.bootstrap.access.push_back({demo_login, "echo", {}});
    // An asynchronous PULL service: what the demo sends to it, it fetches.
    service_entry inbox;
    inbox.id = "inbox";
    inbox.owner = demo_login;
    inbox.mode = service_mode::async;
    inbox.delivery = delivery_mode::pull;
    c.bootstrap.services.push_back(inbox);
    c.bootstrap.access.push_back({demo_login, "inbox", {}});
    return c;
}

} // namespace qaqpa

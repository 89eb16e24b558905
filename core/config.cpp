#include "core/config.hpp"

#include "core/detail/config_reader.hpp"
#include "core/url.hpp"
#include "core/utf8.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace qaqpa {
namespace {

using namespace detail;

namespace fs = std::filesystem;

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
        out.tls = tls_files{resolve_path(base, tr.required_text("cert")), resolve_path(base, tr.required_text("key")), {}};
        if (auto ca = tr.text("client_ca")) out.tls->client_ca = resolve_path(base, *ca);
        tr.finish();
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
    read_path(pr, "async_signed", p.async_signed);
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

void read_incidents(table_reader& r, incidents_config& c) {
    const auto* t = r.subtable("incidents");
    if (!t) return;
    table_reader ir(*t, "incidents");
    ir.read_int("undelivered_after_s", c.undelivered_after_s, 1, std::int64_t{10} * 366 * 86400);
    if (auto url = ir.text("notify_url")) {
        if (!url->empty()) {
            check_url(*url, ir.key_path("notify_url"));
            if (auto u = parse_url(*url); !u || u->tls) throw config_error{ir.key_path("notify_url"), "must be an http:// URL"};
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
    if (auto v = sr.text("encryption_cert")) s.encryption_cert = resolve_path(base, *v);
    if (auto v = sr.text("encryption_key")) s.encryption_key = resolve_path(base, *v);
    if (s.encryption_cert.empty() != s.encryption_key.empty())
        throw config_error{sr.key_path(s.encryption_cert.empty() ? "encryption_cert" : "encryption_key"),
                           "security.encryption_cert and security.encryption_key go together"};
    for (auto& p : sr.strings("trusted_ca")) s.trusted_ca.push_back(resolve_path(base, p));
    for (auto& p : sr.strings("crls")) s.crls.push_back(resolve_path(base, p));
    sr.read_bool("ocsp", s.ocsp);
    if (auto v = sr.text("ocsp_responder")) {
        if (!v->starts_with("http://"))
            throw config_error{sr.key_path("ocsp_responder"), "must be an http:// URL (OCSP is asked over plain HTTP)"};
        s.ocsp_responder = *v;
    }
    sr.read_int("ocsp_timeout_ms", s.ocsp_timeout_ms, 100, 60000);
    sr.read_bool("ocsp_soft_fail", s.ocsp_soft_fail);
    if (s.ocsp && s.trusted_ca.empty())
        throw config_error{sr.key_path("ocsp"), "needs security.trusted_ca (the issuers OCSP is asked about)"};
    sr.read_bool("sign_responses", s.sign_responses);
    sr.finish();
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

void read_postgresql(table_reader& r, config& c, const fs::path& base) {
    if (const auto* t = r.subtable("postgresql")) {
        table_reader pr(*t, "postgresql");
        if (auto d = pr.text("dsn")) c.postgresql.dsn = *d;
        if (auto f = pr.text("password_file")) c.postgresql.password_file = resolve_path(base, *f);
        pr.read_int("pool", c.postgresql.pool, 1, 1000);
        if (auto s = pr.text("schema")) c.postgresql.schema = *s;
        pr.finish();
    }
    if (c.node.store == "postgresql" && c.postgresql.dsn.empty())
        throw config_error{"postgresql.dsn", "required with node.store = \"postgresql\""};
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
                if (*st != "rocksdb" && *st != "postgresql")
                    throw config_error{nr.key_path("store"), "must be \"rocksdb\" or \"postgresql\""};
                c.node.store = *st;
            }
            if (auto n = nr.text("name")) {
                if (n->empty() || n->size() > 200) throw config_error{nr.key_path("name"), "must be 1 to 200 characters"};
                c.node.name = *n;
            }
            nr.finish();
        }
        c.node.data_dir = resolve_path(base_dir, c.node.data_dir);
        read_postgresql(r, c, base_dir);
        read_listeners(r, c, base_dir);
        read_paths(r, c.paths);
        read_log(r, c.log);
        read_journal(r, c.journal);
        read_incidents(r, c.incidents);
        read_limits(r, c.limits);
        read_security(r, c.security, base_dir);
        read_systems(r, c);
        read_peers(r, c);
        for (auto& p : c.bootstrap.peers)
            for (const auto& [key, file] : hop_files(p.keys))
                if (!file->empty()) *file = resolve_path(base_dir, *file);
        read_delivery_points(r, c);
        for (auto& dp : c.bootstrap.delivery_points)
            for (auto* file : {&dp.encrypt_to, &dp.ca, &dp.client_cert, &dp.client_key})
                if (!file->empty()) *file = resolve_path(base_dir, *file);
        read_services(r, c);
        read_access(r, c);
        r.finish();
        check_references(c.bootstrap);
        detail::check_security_modes(c.bootstrap, c.security);
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

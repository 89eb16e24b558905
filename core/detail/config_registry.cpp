#include "core/detail/config_reader.hpp"
#include "core/url.hpp"

namespace qaqpa::detail {
namespace {

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
    read_pair(r, "throttle", "requests", "window_s", o.throttle);
    read_pair(r, "error_shutdown", "errors", "window_s", o.error_shutdown);
}

bool is_bin(const std::string& s) {
    return s.size() == 12 && s.find_first_not_of("0123456789") == std::string::npos;
}

} // namespace

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
        e.read_choice("protocol", s.protocol, parse_wire_protocol, "\"soap\" or \"rest\"");
        e.read_bool("gateway", s.gateway);
        if (s.gateway && s.bin.empty())
            throw config_error{e.key_path("bin"), "a gateway system's hops are signed with its BIN's certificate: bin is required"};
        c.bootstrap.systems.push_back(std::move(s));
    });
}

/// A peer's own CA and signing pair; each absent key is [security]'s.
void read_hop_keys(table_reader& e, hop_keys& k) {
    const auto file = [&](std::string_view key, std::string& out) {
        auto v = e.text(key);
        if (!v) return false;
        if (v->empty()) throw config_error{e.key_path(key), "must name a PEM file"};
        out = std::move(*v);
        return true;
    };
    file("trusted_ca", k.trusted_ca);
    const bool cert = file("gateway_cert", k.gateway_cert);
    const bool key = file("gateway_key", k.gateway_key);
    if (cert && !key) throw config_error{e.key_path("gateway_key"), "required with gateway_cert"};
    if (key && !cert) throw config_error{e.key_path("gateway_cert"), "required with gateway_key"};
}

void read_peers(table_reader& r, config& c) {
    for_each_entry(r, "peers", [&](table_reader& e) {
        peer_entry p;
        p.id = e.required_text("id");
        p.url = e.required_text("url");
        const auto listener = parse_url(p.url);
        if (!listener) throw config_error{e.key_path("url"), "must be the peer's http:// or https:// listener"};
        if (listener->target != "/")
            throw config_error{e.key_path("url"), "is the peer's listener without a path (its default channel paths are used)"};
        while (p.url.ends_with('/')) p.url.pop_back();
        p.login = e.required_text("login");
        p.password = e.required_text("password");
        p.bin = e.required_text("bin");
        if (!is_bin(p.bin)) throw config_error{e.key_path("bin"), "must be 12 digits"};
        e.read_int("concurrency", p.concurrency, 1, 1024);
        read_hop_keys(e, p.keys);
        c.bootstrap.peers.push_back(std::move(p));
    });
}

void check_url(const std::string& url, const std::string& key) {
    if (url == "builtin:echo" || url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) return;
    throw config_error{key, "must be an http:// or https:// URL, or builtin:echo"};
}

/// An https:// point's own CA and client certificate.
void read_point_tls(table_reader& e, delivery_point& dp) {
    const bool https = dp.url.rfind("https://", 0) == 0;
    if (auto ca = e.text("ca")) {
        if (!https) throw config_error{e.key_path("ca"), "is for https:// points"};
        if (ca->empty()) throw config_error{e.key_path("ca"), "must name a PEM CA file"};
        dp.ca = *ca;
    }
    if (const auto* t = e.subtable("client_cert")) {
        if (!https) throw config_error{e.key_path("client_cert"), "is for https:// points"};
        table_reader cc(*t, e.key_path("client_cert"));
        dp.client_cert = cc.required_text("cert");
        dp.client_key = cc.required_text("key");
        cc.finish();
    }
}

void read_delivery_points(table_reader& r, config& c) {
    for_each_entry(r, "delivery_points", [&](table_reader& e) {
        delivery_point dp;
        dp.id = e.required_text("id");
        const auto protocol = e.text("protocol");
        if (protocol == "gateway") { // a peer's point: its url is the peer's
            dp.peer = e.required_text("peer");
            if (e.text("url")) throw config_error{e.key_path("url"), "a gateway point has no url: its peer has it"};
        } else {
            if (e.text("peer")) throw config_error{e.key_path("peer"), "is for points with protocol = \"gateway\""};
            dp.url = e.required_text("url");
            check_url(dp.url, e.key_path("url"));
            e.read_choice("protocol", dp.protocol, parse_wire_protocol, "\"soap\", \"rest\" or \"gateway\"");
        }
        policy_overrides o;
        read_policy(e, o);
        if (dp.protocol == wire_protocol::rest && o.security_mode.value_or(0) > 0)
            throw config_error{e.key_path("security_mode"), "a REST point is secured by HTTPS, not by XML signatures (0 only)"};
        dp.policy = apply(dp.policy, o);
        if (!dp.peer.empty() && dp.policy.security_mode < 1)
            throw config_error{e.key_path("security_mode"), "hops to a peer gateway are signed: 1 or 2"};
        e.read_int("max_queue_depth", dp.max_queue_depth, 1, std::int64_t{1} << 40);
        e.read_bool("journal_payload", dp.journal_payload);
        if (auto v = e.text("encrypt_to")) {
            if (v->empty()) throw config_error{e.key_path("encrypt_to"), "must name a PEM certificate file"};
            if (dp.url.starts_with("builtin:"))
                throw config_error{e.key_path("encrypt_to"), "a builtin point receives nothing over the wire to encrypt"};
            if (dp.protocol == wire_protocol::rest)
                throw config_error{e.key_path("encrypt_to"), "a REST point is secured by HTTPS, not by XML encryption"};
            dp.encrypt_to = *v;
        }
        read_point_tls(e, dp);
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

namespace {

template <class T, class Id>
void check_unique(const std::vector<T>& items, Id id, std::string_view key) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < items.size(); ++i)
        if (!seen.insert(id(items[i])).second)
            throw config_error{fmt::format("{}[{}].id", key, i), "duplicate id \"" + id(items[i]) + "\""};
}

/// What signs and judges hops to and from a peer: its own keys, else [security]'s.
struct hop_material {
    bool can_sign = false;
    bool can_judge = false;
};

hop_material material_of(const peer_entry* peer, const security_config& security) {
    const bool own_pair = peer && !peer->keys.gateway_cert.empty();
    const bool own_ca = peer && !peer->keys.trusted_ca.empty();
    return {own_pair || (!security.gateway_cert.empty() && !security.gateway_key.empty()),
            own_ca || !security.trusted_ca.empty()};
}

} // namespace

/// Every signing mode has a key to sign with and a CA to judge with; every
/// peer's hops (always signed) have both.
void check_security_modes(const registry& reg, const security_config& security) {
    const auto peer_of = [&](const std::string& id) -> const peer_entry* {
        for (const auto& p : reg.peers)
            if (p.id == id) return &p;
        return nullptr;
    };
    const auto peer_of_point = [&](const std::string& id) -> const peer_entry* {
        for (const auto& dp : reg.delivery_points)
            if (dp.id == id) return dp.peer.empty() ? nullptr : peer_of(dp.peer);
        return nullptr;
    };
    const auto need = [&](const std::string& key, int mode, const peer_entry* peer) {
        const auto m = material_of(peer, security);
        const std::string where = peer ? "peer \"" + peer->id + "\"'s or [security] " : "[security] ";
        if (mode >= 1 && !m.can_sign)
            throw config_error{key, "mode " + std::to_string(mode) + " needs " + where + "gateway_cert and gateway_key"};
        if (mode >= 2 && !m.can_judge)
            throw config_error{key, "mode 2 needs " + where + "trusted_ca to check callers' certificates against"};
    };
    for (std::size_t i = 0; i < reg.peers.size(); ++i) {
        const auto m = material_of(&reg.peers[i], security);
        if (!m.can_sign)
            throw config_error{fmt::format("peers[{}].gateway_cert", i),
                               "hops to a peer are signed: give gateway_cert and gateway_key here or in [security]"};
        if (!m.can_judge)
            throw config_error{fmt::format("peers[{}].trusted_ca", i),
                               "a peer's hops are verified: give trusted_ca here or in [security]"};
    }
    for (std::size_t i = 0; i < reg.delivery_points.size(); ++i) {
        const auto& dp = reg.delivery_points[i];
        need(fmt::format("delivery_points[{}].security_mode", i), dp.policy.security_mode,
             dp.peer.empty() ? nullptr : peer_of(dp.peer));
    }
    for (std::size_t i = 0; i < reg.access.size(); ++i)
        if (const auto m = reg.access[i].overrides.security_mode) {
            const peer_entry* peer = nullptr;
            for (const auto& svc : reg.services)
                if (svc.id == reg.access[i].service) peer = peer_of_point(svc.delivery_point);
            need(fmt::format("access[{}].security_mode", i), *m, peer);
        }
}

void check_references(const registry& reg) {
    check_unique(reg.systems, [](auto& s) { return s.id; }, "systems");
    check_unique(reg.delivery_points, [](auto& d) { return d.id; }, "delivery_points");
    check_unique(reg.services, [](auto& s) { return s.id; }, "services");
    check_unique(reg.peers, [](auto& p) { return p.id; }, "peers");
    // a gateway system is matched to its peer by BIN: one BIN, one peer
    for (std::size_t i = 0; i < reg.peers.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (reg.peers[j].bin == reg.peers[i].bin)
                throw config_error{fmt::format("peers[{}].bin", i),
                                   "peer \"" + reg.peers[j].id + "\" has this BIN too: a gateway system with it "
                                   "could not be told which peer it speaks for"};
    auto has = [](const auto& items, const std::string& id) {
        for (const auto& i : items)
            if (i.id == id) return true;
        return false;
    };
    for (std::size_t i = 0; i < reg.delivery_points.size(); ++i)
        if (const auto& dp = reg.delivery_points[i]; !dp.peer.empty() && !has(reg.peers, dp.peer))
            throw config_error{fmt::format("delivery_points[{}].peer", i), "no peer with id \"" + dp.peer + "\""};
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

} // namespace qaqpa::detail

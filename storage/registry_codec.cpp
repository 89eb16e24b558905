// JSON form of the registry, as stored. Kept stable: stored registries must
// load after an upgrade.
#include "storage/store.hpp"

#include <boost/json.hpp>

namespace qaqpa::storage {
namespace {

namespace json = boost::json;

json::object pair_json(const char* a, int x, const char* b, int y) { return {{a, x}, {b, y}}; }

json::object policy_json(const policy_overrides& o) {
    json::object j;
    if (o.timeout_ms) j["timeout_ms"] = *o.timeout_ms;
    if (o.retries) j["retries"] = *o.retries;
    if (o.backoff_ms) j["backoff_ms"] = *o.backoff_ms;
    if (o.backoff_max_ms) j["backoff_max_ms"] = *o.backoff_max_ms;
    if (o.security_mode) j["security_mode"] = *o.security_mode;
    if (o.concurrency) j["concurrency"] = *o.concurrency;
    if (o.throttle) j["throttle"] = pair_json("requests", o.throttle->requests, "window_s", o.throttle->window_s);
    if (o.error_shutdown)
        j["error_shutdown"] = pair_json("errors", o.error_shutdown->errors, "window_s",
                                        o.error_shutdown->window_s);
    return j;
}

policy_overrides as_overrides(const delivery_policy& p) {
    return {p.timeout_ms, p.retries, p.backoff_ms, p.backoff_max_ms, p.throttle, p.error_shutdown, p.security_mode,
            p.concurrency};
}

policy_overrides policy_from(const json::object& j) {
    policy_overrides o;
    auto num = [&](const char* k, std::optional<int>& out) {
        if (auto* v = j.if_contains(k)) out = static_cast<int>(v->as_int64());
    };
    num("timeout_ms", o.timeout_ms);
    num("retries", o.retries);
    num("backoff_ms", o.backoff_ms);
    num("backoff_max_ms", o.backoff_max_ms);
    num("security_mode", o.security_mode);
    num("concurrency", o.concurrency);
    if (auto* t = j.if_contains("throttle"))
        o.throttle = throttle_policy{static_cast<int>(t->at("requests").as_int64()),
                                     static_cast<int>(t->at("window_s").as_int64())};
    if (auto* e = j.if_contains("error_shutdown"))
        o.error_shutdown = error_shutdown_policy{static_cast<int>(e->at("errors").as_int64()),
                                                 static_cast<int>(e->at("window_s").as_int64())};
    return o;
}

std::string str(const json::object& j, const char* k) {
    if (auto* v = j.if_contains(k)) return std::string(v->as_string());
    return {};
}

bool flag(const json::object& j, const char* k) {
    if (auto* v = j.if_contains(k)) return v->as_bool();
    return false;
}

} // namespace

std::string serialize(const registry& reg) {
    json::array systems, peers, points, services, access;
    for (const auto& s : reg.systems) {
        json::object o{{"id", s.id}, {"password_hash", s.password_hash}, {"bin", s.bin}, {"address", s.address},
                       {"protocol", to_string(s.protocol)}};
        if (s.gateway) o["gateway"] = true;
        systems.push_back(std::move(o));
    }
    for (const auto& p : reg.peers) {
        json::object o{{"id", p.id}, {"url", p.url}, {"login", p.login}, {"password", p.password},
                       {"bin", p.bin}, {"concurrency", p.concurrency}};
        for (const auto& [key, file] : hop_files(p.keys))
            if (!file->empty()) o[key] = *file;
        peers.push_back(std::move(o));
    }
    for (const auto& d : reg.delivery_points) {
        json::object o{{"id", d.id}, {"url", d.url}, {"protocol", to_string(d.protocol)},
                       {"policy", policy_json(as_overrides(d.policy))}};
        if (d.max_queue_depth) o["max_queue_depth"] = d.max_queue_depth;
        if (d.journal_payload) o["journal_payload"] = true;
        if (!d.encrypt_to.empty()) o["encrypt_to"] = d.encrypt_to;
        if (!d.ca.empty()) o["ca"] = d.ca;
        if (!d.client_cert.empty()) o["client_cert"] = json::object{{"cert", d.client_cert}, {"key", d.client_key}};
        if (d.creds) o["credentials"] = json::object{{"login", d.creds->login}, {"password", d.creds->password}};
        if (!d.peer.empty()) o["peer"] = d.peer;
        points.push_back(std::move(o));
    }
    for (const auto& s : reg.services) {
        json::object routes;
        for (const auto& [k, v] : s.routes) routes[k] = v;
        services.push_back(json::object{{"id", s.id}, {"owner", s.owner}, {"mode", to_string(s.mode)},
                                        {"delivery", to_string(s.delivery)},
                                        {"delivery_point", s.delivery_point}, {"routes", std::move(routes)},
                                        {"notify_status", s.notify_status},
                                        {"notify_delivered", s.notify_delivered},
                                        {"timeout_ms", s.timeout_ms}});
    }
    for (const auto& a : reg.access)
        access.push_back(json::object{{"system", a.system}, {"service", a.service},
                                      {"overrides", policy_json(a.overrides)}});
    return json::serialize(json::object{{"version", 1}, {"systems", std::move(systems)}, {"peers", std::move(peers)},
                                        {"delivery_points", std::move(points)},
                                        {"services", std::move(services)}, {"access", std::move(access)}});
}

result<registry> deserialize_registry(std::string_view text) {
    try {
        const auto root = json::parse(text).as_object();
        registry reg;
        for (const auto& v : root.at("systems").as_array()) {
            const auto& o = v.as_object();
            reg.systems.push_back({str(o, "id"), str(o, "password_hash"), str(o, "bin"), str(o, "address"),
                                   parse_wire_protocol(str(o, "protocol")).value_or(wire_protocol::soap), flag(o, "gateway")});
        }
        if (const auto* stored = root.if_contains("peers")) // registries stored before peers existed have none
            for (const auto& v : stored->as_array()) {
                const auto& o = v.as_object();
                auto& p = reg.peers.emplace_back(
                    peer_entry{str(o, "id"), str(o, "url"), str(o, "login"), str(o, "password"), str(o, "bin")});
                if (const auto* c = o.if_contains("concurrency")) p.concurrency = static_cast<int>(c->as_int64());
                for (const auto& [key, file] : hop_files(p.keys)) *file = str(o, key);
            }
        for (const auto& v : root.at("delivery_points").as_array()) {
            const auto& o = v.as_object();
            delivery_point d;
            d.id = str(o, "id");
            d.url = str(o, "url");
            d.protocol = parse_wire_protocol(str(o, "protocol")).value_or(wire_protocol::soap);
            d.policy = apply(d.policy, policy_from(o.at("policy").as_object()));
            if (auto* m = o.if_contains("max_queue_depth")) d.max_queue_depth = m->as_int64();
            d.journal_payload = flag(o, "journal_payload");
            d.encrypt_to = str(o, "encrypt_to");
            d.ca = str(o, "ca");
            if (auto* cc = o.if_contains("client_cert")) {
                d.client_cert = str(cc->as_object(), "cert");
                d.client_key = str(cc->as_object(), "key");
            }
            if (auto* c = o.if_contains("credentials"))
                d.creds = credentials{str(c->as_object(), "login"), str(c->as_object(), "password")};
            d.peer = str(o, "peer");
            reg.delivery_points.push_back(std::move(d));
        }
        for (const auto& v : root.at("services").as_array()) {
            const auto& o = v.as_object();
            service_entry s;
            s.id = str(o, "id");
            s.owner = str(o, "owner");
            s.mode = parse_service_mode(str(o, "mode")).value_or(service_mode::sync);
            s.delivery = parse_delivery_mode(str(o, "delivery")).value_or(delivery_mode::push);
            s.delivery_point = str(o, "delivery_point");
            for (const auto& [k, r] : o.at("routes").as_object()) s.routes[std::string(k)] = std::string(r.as_string());
            s.notify_status = flag(o, "notify_status");
            s.notify_delivered = flag(o, "notify_delivered");
            s.timeout_ms = static_cast<int>(o.at("timeout_ms").as_int64());
            reg.services.push_back(std::move(s));
        }
        for (const auto& v : root.at("access").as_array()) {
            const auto& o = v.as_object();
            reg.access.push_back({str(o, "system"), str(o, "service"), policy_from(o.at("overrides").as_object())});
        }
        return reg;
    } catch (const std::exception& e) {
        return fail(errc::internal, std::string("stored registry is unreadable: ") + e.what());
    }
}

} // namespace qaqpa::storage

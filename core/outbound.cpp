#include "core/outbound.hpp"

namespace qaqpa {

const char* to_string(point_kind k) noexcept {
    switch (k) {
    case point_kind::builtin: return "builtin";
    case point_kind::soap: return "soap";
    case point_kind::rest: return "rest";
    case point_kind::gateway: return "gateway";
    }
    return "?";
}

namespace {

/// A peer's channels, the login this node has there, the BIN its answers carry and the hop's keys.
void to_peer(outbound_target& t, const peer_entry& peer) {
    t.address = peer.url + std::string(peer_sync_path);
    t.creds = credentials{peer.login, peer.password};
    t.peer_bin = peer.bin;
    t.hop = peer.keys;
    t.endpoint = parse_url(t.address);
    t.async_endpoint = parse_url(peer.url + std::string(peer_async_path));
}

} // namespace

outbound_target resolve_target(const delivery_point& dp, const peer_entry* peer) {
    outbound_target t;
    t.id = dp.id;
    t.address = dp.url;
    t.protocol = dp.protocol;
    t.creds = dp.creds;
    t.security_mode = dp.policy.security_mode;
    t.encrypt_to = dp.encrypt_to;
    t.tls = {dp.ca, dp.client_cert, dp.client_key};
    if (!dp.peer.empty()) {
        t.kind = point_kind::gateway;
        if (peer) to_peer(t, *peer); // else no endpoint: the call fails, named
        return t;
    }
    if (dp.url.starts_with("builtin:")) {
        t.kind = point_kind::builtin;
        return t;
    }
    t.kind = dp.protocol == wire_protocol::rest ? point_kind::rest : point_kind::soap;
    t.endpoint = parse_url(dp.url);
    return t;
}

outbound_target system_target(const system_entry& s) {
    outbound_target t;
    t.id = s.id;
    t.address = s.address;
    t.protocol = s.protocol;
    t.kind = s.protocol == wire_protocol::rest ? point_kind::rest : point_kind::soap;
    t.endpoint = parse_url(s.address);
    return t;
}

outbound_target system_target(const system_entry& s, const peer_entry& peer) {
    outbound_target t;
    t.id = s.id;
    t.kind = point_kind::gateway;
    t.security_mode = 1; // hops are signed
    to_peer(t, peer);
    return t;
}

const outbound_target& with_security_mode(const outbound_target& to, int mode, std::optional<outbound_target>& raised) {
    if (mode <= to.security_mode) return to;
    raised = to;
    raised->security_mode = mode;
    return *raised;
}

} // namespace qaqpa

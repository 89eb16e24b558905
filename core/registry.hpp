#pragma once
// The registry model: information systems, delivery points, services and
// access rights (PROTOCOL.md "Roles and registry"). Plain values; routing/
// indexes them, storage/ persists them, config loads them.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace qaqpa {

struct throttle_policy {
    int requests = 0;
    int window_s = 0;
    bool operator==(const throttle_policy&) const = default;
};

struct error_shutdown_policy {
    int errors = 0;
    int window_s = 0;
    bool operator==(const error_shutdown_policy&) const = default;
};

/// The policy a delivery point applies to calls; every field has a default.
struct delivery_policy {
    int timeout_ms = 40000;
    int retries = 10;
    int backoff_ms = 1000;
    int backoff_max_ms = 60000;
    std::optional<throttle_policy> throttle;
    std::optional<error_shutdown_policy> error_shutdown;
    int security_mode = 0;
    /// PUSHes in flight to the point at once; 1 keeps strict queue order.
    int concurrency = 1;
    bool operator==(const delivery_policy&) const = default;
};

/// Per-caller overrides on an access right: each set field wins.
struct policy_overrides {
    std::optional<int> timeout_ms;
    std::optional<int> retries;
    std::optional<int> backoff_ms;
    std::optional<int> backoff_max_ms;
    std::optional<throttle_policy> throttle;
    std::optional<error_shutdown_policy> error_shutdown;
    std::optional<int> security_mode;
    std::optional<int> concurrency;
    bool operator==(const policy_overrides&) const = default;
};

delivery_policy apply(delivery_policy base, const policy_overrides& o);

enum class wire_protocol { soap, rest };

struct system_entry {
    std::string id;             ///< senderId (login)
    std::string password_hash;  ///< crypto/password.hpp format
    std::string bin;            ///< 12-digit BIN of the organisation
    std::string address;        ///< PUSH address; empty = it pulls
    wire_protocol protocol = wire_protocol::soap; ///< what its address speaks
    /// A peer qaqpa node (the other half of an internal/external pair): its
    /// calls are always signed with its certificate (its BIN), and it
    /// forwards for other systems.
    bool gateway = false;
    bool operator==(const system_entry&) const = default;
};

/// What signs and judges the hops with one peer; each empty file falls
/// back to [security]'s key of the same name.
struct hop_keys {
    std::string trusted_ca;   ///< PEM CA file the peer's hop certificates must chain to
    std::string gateway_cert; ///< PEM certificate this node signs its hops to the peer with
    std::string gateway_key;  ///< its private key
    bool operator==(const hop_keys&) const = default;
};

/// The hop's files by their keys in [[peers]], for what reads, writes or
/// resolves all of them (`Keys`: hop_keys, or const hop_keys to read only).
template <class Keys>
auto hop_files(Keys& k) {
    return std::array{std::pair{"trusted_ca", &k.trusted_ca}, std::pair{"gateway_cert", &k.gateway_cert},
                      std::pair{"gateway_key", &k.gateway_key}};
}

/// A peer qaqpa node this node forwards to (its public listener, the
/// default channel paths), and what this node presents there.
struct peer_entry {
    std::string id;
    std::string url;      ///< "http[s]://host:port", no path
    std::string login;    ///< the system id this node is known by at the peer
    std::string password; ///< what it presents there
    std::string bin;      ///< the peer's BIN, checked on its hop signatures
    /// PUSHes in flight on the way back to it (answers in its chains, state
    /// reports): its reports are ordered by their dates, not by the queue.
    int concurrency = 16;
    hop_keys keys{};
    bool operator==(const peer_entry&) const = default;
};
enum class service_mode { sync, async, both };
enum class delivery_mode { push, pull };

struct credentials {
    std::string login;
    std::string password;
    bool operator==(const credentials&) const = default;
};

struct delivery_point {
    std::string id;
    std::string url; ///< "http://..." or "builtin:echo"; empty for a peer's point
    wire_protocol protocol = wire_protocol::soap;
    /// A peer gateway (protocol = "gateway" in the file): calls go to it,
    /// and it relays them to the provider behind it. Empty otherwise.
    std::string peer;
    delivery_policy policy;
    std::optional<credentials> creds;
    /// Messages its queue may hold; beyond it sendMessage answers QUEUE_FULL.
    /// 0 = limits.max_queue_depth.
    std::int64_t max_queue_depth = 0;
    /// Keep the payload of its services' messages in the journal (never by default).
    bool journal_payload = false;
    /// A PEM certificate (RSA): what the gateway sends the point is encrypted to it. "" = sent in clear.
    std::string encrypt_to;
    /// https:// points: the PEM CA file their certificate must chain to ("" =
    /// [security] trusted_ca), and the client certificate and key the gateway
    /// presents to them ("" = none).
    std::string ca;
    std::string client_cert;
    std::string client_key;
    bool operator==(const delivery_point&) const = default;
};

struct service_entry {
    std::string id;
    std::string owner;
    service_mode mode = service_mode::sync;
    delivery_mode delivery = delivery_mode::push;
    std::string delivery_point; ///< empty for a PULL-only service
    std::map<std::string, std::string> routes;
    bool notify_status = false;
    bool notify_delivered = false;
    int timeout_ms = 30000;
    bool operator==(const service_entry&) const = default;
};

struct access_right {
    std::string system;
    std::string service;
    policy_overrides overrides;
    bool operator==(const access_right&) const = default;
};

struct registry {
    std::vector<peer_entry> peers;
    std::vector<system_entry> systems;
    std::vector<delivery_point> delivery_points;
    std::vector<service_entry> services;
    std::vector<access_right> access;
    bool operator==(const registry&) const = default;
};

const char* to_string(wire_protocol p) noexcept;
const char* to_string(service_mode m) noexcept;
const char* to_string(delivery_mode m) noexcept;
std::optional<wire_protocol> parse_wire_protocol(std::string_view s) noexcept;
std::optional<service_mode> parse_service_mode(std::string_view s) noexcept;
std::optional<delivery_mode> parse_delivery_mode(std::string_view s) noexcept;

} // namespace qaqpa

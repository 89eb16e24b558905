#pragma once
// What the gateway sends out, transport-neutral. A delivery point's kind and
// settings are resolved once, when a registry snapshot is built (its URL
// parsed then, never per call); outbound clients are chosen by that kind. A
// queued record travels to its client as one immutable, shared object: an
// attempt, a retry or a second attempt in flight copies a pointer, never the
// message.

#include "core/async_message.hpp"
#include "core/registry.hpp"
#include "core/url.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace qaqpa {

/// How a delivery point is reached; each kind has its outbound client.
enum class point_kind { builtin, soap, rest, gateway };
const char* to_string(point_kind k) noexcept;

/// TLS to an https:// target: the CA its certificate must chain to ("" =
/// [security] trusted_ca) and the client certificate presented ("" = none).
struct tls_settings {
    std::string ca;
    std::string client_cert;
    std::string client_key;
    bool operator==(const tls_settings&) const = default;
};

/// Where and how one outbound call goes.
struct outbound_target {
    std::string id;      ///< the delivery point, or the IS whose own address it is
    point_kind kind = point_kind::soap;
    std::string address; ///< as registered ("http://...", "builtin:echo")
    std::optional<url> endpoint; ///< parsed once; nullopt for builtin or an unusable address
    wire_protocol protocol = wire_protocol::soap;
    std::optional<credentials> creds; ///< presented as the sender
    int security_mode = 0;            ///< the point's; a caller's access row may raise it
    std::string encrypt_to;           ///< the point's certificate file: Bodies sent are encrypted to it
    tls_settings tls;
    /// A peer gateway's BIN: its answers must be signed by a certificate with it. "" otherwise.
    std::string peer_bin;
    /// A peer's hop keys: what signs what goes to it and judges its answers.
    hop_keys hop{};
    /// A peer's asynchronous channel: where a gateway point's queued messages
    /// are PUSHed (`endpoint` is its synchronous one). nullopt otherwise.
    std::optional<url> async_endpoint;
};

/// The target of a delivery point: its kind from the URL and protocol. A
/// peer's point (`peer` set; null when the registry lost it) is the peer's
/// synchronous channel (and, for PUSH, its asynchronous one), with the login
/// this node has there.
outbound_target resolve_target(const delivery_point& dp, const peer_entry* peer = nullptr);
/// Where a peer's channels are: its listener and its default paths.
inline constexpr std::string_view peer_sync_path = "/bip-sync/";
inline constexpr std::string_view peer_async_path = "/bip-async/";
/// The target of an IS's own address (answers in its chains, status
/// notifications), in the IS's protocol.
outbound_target system_target(const system_entry& s);
/// The way back to a peer gateway (a `gateway = true` system whose BIN a
/// `[[peers]]` entry has): what is queued for it goes to the peer's
/// asynchronous channel, signed, with the login this node has there.
outbound_target system_target(const system_entry& s, const peer_entry& peer);

/// `to` as one call sends it under the effective security mode `mode` (an
/// access row raises a point's; an IS's own address takes the mode of the
/// message's service): `to` itself, or a copy kept in `raised` when the mode
/// is higher than the target's own.
const outbound_target& with_security_mode(const outbound_target& to, int mode, std::optional<outbound_target>& raised);

enum class record_kind : std::uint8_t { message = 1, status_notification = 2 };

/// What a destination receives: a message, or a status notification for a
/// sender. Gateway ids are set; the sender's password is never stored.
struct outbound_message {
    record_kind kind = record_kind::message;
    std::string id; ///< messageId, or notificationId
    async_message message;
    status_notification notification;
    std::int64_t accepted_ms = 0; ///< when the gateway accepted it (Unix ms)
};

using shared_outbound = std::shared_ptr<const outbound_message>;

} // namespace qaqpa

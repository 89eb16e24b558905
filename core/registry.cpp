#include "core/registry.hpp"

#include <string_view>

namespace qaqpa {

delivery_policy apply(delivery_policy base, const policy_overrides& o) {
    if (o.timeout_ms) base.timeout_ms = *o.timeout_ms;
    if (o.retries) base.retries = *o.retries;
    if (o.backoff_ms) base.backoff_ms = *o.backoff_ms;
    if (o.backoff_max_ms) base.backoff_max_ms = *o.backoff_max_ms;
    if (o.throttle) base.throttle = o.throttle;
    if (o.error_shutdown) base.error_shutdown = o.error_shutdown;
    if (o.security_mode) base.security_mode = *o.security_mode;
    if (o.concurrency) base.concurrency = *o.concurrency;
    return base;
}

const char* to_string(wire_protocol p) noexcept { return p == wire_protocol::soap ? "soap" : "rest"; }

const char* to_string(service_mode m) noexcept {
    switch (m) {
    case service_mode::sync: return "sync";
    case service_mode::async: return "async";
    case service_mode::both: return "both";
    }
    return "sync";
}

const char* to_string(delivery_mode m) noexcept { return m == delivery_mode::push ? "push" : "pull"; }

std::optional<wire_protocol> parse_wire_protocol(std::string_view s) noexcept {
    if (s == "soap") return wire_protocol::soap;
    if (s == "rest") return wire_protocol::rest;
    return std::nullopt;
}

std::optional<service_mode> parse_service_mode(std::string_view s) noexcept {
    if (s == "sync") return service_mode::sync;
    if (s == "async") return service_mode::async;
    if (s == "both") return service_mode::both;
    return std::nullopt;
}

std::optional<delivery_mode> parse_delivery_mode(std::string_view s) noexcept {
    if (s == "push") return delivery_mode::push;
    if (s == "pull") return delivery_mode::pull;
    return std::nullopt;
}

} // namespace qaqpa

#pragma once
// Authenticates an IS by senderId and password against the registry.
//
// scrypt costs tens of milliseconds by design, so a successful verification
// is remembered per thread (a keyed digest of the password, never the
// password) until the registry changes; later requests cost one HMAC.
// Failed attempts are never cached: each one pays the full KDF.

#include "core/envelope.hpp"
#include "core/errors.hpp"
#include "routing/registry_view.hpp"

namespace qaqpa::routing {

/// The system the sender authenticated as, or auth_failed.
result<const system_entry*> authenticate(const registry_view& view, const sender_info& sender);

} // namespace qaqpa::routing

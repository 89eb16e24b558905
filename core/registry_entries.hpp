#pragma once
// One registry entry at a time, for the admin API's registry edits: read
// from a JSON object with the keys its table has in the configuration file
// (CONFIG.md: [[systems]], [[delivery_points]], [[services]], [[access]],
// [[peers]]),
// by the file's own reader, so every check and message is the start-up's;
// and written back in the same shape, without secrets.

#include "core/config.hpp"
#include "core/errors.hpp"
#include "core/registry.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace qaqpa {

enum class registry_part { systems, delivery_points, services, access, peers };

/// The part a path names: "systems", "delivery-points", "services", "access", "peers".
std::optional<registry_part> parse_registry_part(std::string_view path_segment) noexcept;
/// The reverse: the path segment of a part.
const char* path_segment(registry_part p) noexcept;
/// The file's name of its tables: "systems", "delivery_points", ...
const char* to_string(registry_part p) noexcept;

using registry_entry = std::variant<system_entry, delivery_point, service_entry, access_right, peer_entry>;

/// An entry's key: its id; "system/service" for an access right.
std::string entry_key(const registry_entry& e);

struct read_entry {
    registry_entry entry;
    std::optional<std::string> plain_password; ///< a system given `password` (to be hashed)
};

/// Reads one entry of `part` from a JSON object. With `keep_secrets`, a
/// system may leave out both password and password_hash (password_hash is
/// then empty: the caller keeps the one it has), and a peer its password
/// (then empty too). invalid_request naming the
/// key ("systems.bin: must be 12 digits") otherwise.
result<read_entry> read_registry_entry(registry_part part, std::string_view json_object, bool keep_secrets);

/// The whole registry's references and security modes (against what
/// `security` configures), as at start-up: invalid_request naming the entry
/// and key ("services[2].owner: no system with id \"x\"").
result<void> check_registry(const registry& reg, const security_config& security);

/// The entry as a JSON object in the file's shape, without a system's
/// password_hash, a delivery point's credentials password or a peer's password.
std::string registry_entry_json(const registry_entry& e);

} // namespace qaqpa

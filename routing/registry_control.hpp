#pragma once
// What an operator's surface may do to the live registry: list and read its
// entries, add, replace and remove one. Every change is checked against the
// whole registry as at start-up, applied at once (as SIGHUP applies an edited
// file) and persisted. registry_editor implements it; the admin transport
// calls it without seeing the store.

#include "core/async.hpp"
#include "core/errors.hpp"
#include "core/registry_entries.hpp"

#include <optional>
#include <string>
#include <vector>

namespace qaqpa::routing {

struct put_outcome {
    registry_entry entry; ///< as stored (a password hashed)
    bool created = false;
};

class registry_control {
public:
    virtual ~registry_control() = default;

    virtual std::vector<registry_entry> entries(registry_part part) const = 0;
    /// not_found when the part has no entry by that key (entry_key()).
    virtual result<registry_entry> entry(registry_part part, const std::string& key) const = 0;

    /// Adds (`create_only`: conflict when the key exists) or adds-or-replaces
    /// an entry. A system's plain password is hashed; a system given neither
    /// password nor hash keeps its hash, and a point's credentials given
    /// without a password keep theirs. invalid_request naming the key when
    /// the registry would be inconsistent.
    virtual task<result<put_outcome>> put(registry_part part, read_entry e, bool create_only) = 0;

    /// Removes an entry: not_found, or conflict naming what still refers to it.
    virtual task<result<void>> remove(registry_part part, std::string key) = 0;
};

} // namespace qaqpa::routing

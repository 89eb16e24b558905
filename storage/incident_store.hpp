#pragma once
// The incident journal's records (core/incident.hpp), kept in the store's
// database and written through its committer, like every other durable
// write. routing/incident_desk decides what they hold.
//
// Thread safety: every method may be called from any thread.

#include "core/async.hpp"
#include "core/errors.hpp"
#include "core/incident.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace qaqpa::storage {

using qaqpa::incident_query;

class incident_store {
public:
    virtual ~incident_store() = default;

    /// Writes an incident durably. A record whose revision is not newer than
    /// the stored one is ignored, so writers racing with older copies never
    /// undo a later change.
    virtual task<result<void>> put_incident(incident i) = 0;
    virtual task<result<std::optional<incident>>> find_incident(std::string id) = 0;
    /// Incidents in opening order, after `q.after`, at most `q.limit`.
    virtual task<result<std::vector<incident>>> incidents(incident_query q) = 0;
};

} // namespace qaqpa::storage

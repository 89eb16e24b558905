#pragma once
// What an operator's surface may do with the incident journal: list it, read
// one incident, fill in the human columns and close one. incident_desk
// implements it; the admin transport calls it without seeing the store.

#include "core/async.hpp"
#include "core/errors.hpp"
#include "core/incident.hpp"

#include <string>
#include <vector>

namespace qaqpa::routing {

class incident_control {
public:
    virtual ~incident_control() = default;

    /// A page, in opening order; incidents not yet written (the store
    /// failing) are listed too.
    virtual task<result<std::vector<incident>>> incidents(incident_query q) = 0;
    /// not_found when there is no such incident.
    virtual task<result<incident>> find(std::string id) = 0;
    /// Writes the operator's fields durably and returns the incident after;
    /// not_found, or conflict when it is closed already.
    virtual task<result<incident>> update(std::string id, incident_update u) = 0;
};

/// Tells the administrator that an incident opened (the webhook, transports/).
class incident_notifier {
public:
    virtual ~incident_notifier() = default;
    /// Delivers one notification; a failure says why (the desk retries).
    virtual task<result<void>> notify(const incident& i) = 0;
};

} // namespace qaqpa::routing

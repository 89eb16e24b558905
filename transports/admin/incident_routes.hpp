#pragma once
// The admin API's incident routes (the incident journal, appendix 7):
//   GET   /admin/v1/incidents?state=open|closed|all&after=&limit=   a page, in opening order
//   GET   /admin/v1/incidents/{id}
//   PATCH /admin/v1/incidents/{id}   {"responsible", "measures", "respondedAt", "state": "closed"},
//         each optional, at least one; respondedAt defaults to now on the first
//         answer naming a person or measures
// 404 NOT_FOUND for no such incident, 409 CONFLICT for a closed one, 400
// INVALID_REQUEST naming a bad parameter or field.

#include "routing/incident_control.hpp"
#include "transports/http/message.hpp"

namespace qaqpa::admin {

task<http::response> list_incidents(http::request& req, routing::incident_control& incidents);
task<http::response> show_incident(http::request& req, std::string id, routing::incident_control& incidents);
task<http::response> update_incident(http::request& req, std::string id, routing::incident_control& incidents);

} // namespace qaqpa::admin

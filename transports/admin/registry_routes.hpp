#pragma once
// The admin API's registry routes, for each part (systems, delivery-points,
// services, access), entries in the configuration file's shape (CONFIG.md
// keys; never a password or a password_hash):
//   GET    /admin/v1/{part}             {"items": [...]}
//   GET    /admin/v1/{part}/{id}        one entry (access: /admin/v1/access/{system}/{service})
//   POST   /admin/v1/{part}             adds one: 201, or 409 when the key exists
//   PUT    /admin/v1/{part}/{id}        adds or replaces one: 201 or 200; the body's
//                                       id may be left out (the path names it)
//   DELETE /admin/v1/{part}/{id}        204, or 409 naming what still refers to it
// Bodies are checked by the file's own reader and reference checks: 400
// INVALID_REQUEST with the start-up's message ("systems.bin: must be 12 digits").

#include "routing/registry_control.hpp"
#include "transports/http/router.hpp"

namespace qaqpa::admin {

/// Adds the registry routes to `routes`.
void add_registry_routes(http::router& routes, routing::registry_control& registry);

} // namespace qaqpa::admin

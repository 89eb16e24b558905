#pragma once
// The admin API described in OpenAPI 3 (transports/admin/openapi.json,
// embedded at build time), served on GET /admin/v1/openapi.json. A test
// calls every operation it lists and checks the answers against it.

#include <string_view>

namespace qaqpa::admin {

std::string_view openapi_document();

} // namespace qaqpa::admin

#pragma once
// The REST channel described in OpenAPI 3 (transports/rest/openapi.json,
// embedded at build time), served on GET {paths.rest}openapi.json. A test
// checks what the server answers against it.

#include <string_view>

namespace qaqpa::rest {

std::string_view openapi_document();

} // namespace qaqpa::rest

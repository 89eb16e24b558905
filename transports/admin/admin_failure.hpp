#pragma once
// One mapping from a failure's catalog code to the admin API's HTTP status:
// what does not exist is 404, a wrong state 409, a malformed request 400,
// anything else (the store failing) 500. Every admin route answers through it.

#include "core/errors.hpp"
#include "transports/http/message.hpp"

namespace qaqpa::admin {

http::response admin_failure(const http::request& req, const failure& f);

} // namespace qaqpa::admin

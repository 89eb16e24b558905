#include "transports/admin/admin_failure.hpp"

namespace qaqpa::admin {

http::response admin_failure(const http::request& req, const failure& f) {
    using http::status;
    status s = status::internal_server_error;
    switch (f.code) {
    case errc::unknown_point:
    case errc::unknown_message:
    case errc::not_found: s = status::not_found; break;
    case errc::conflict: s = status::conflict; break;
    case errc::invalid_request: s = status::bad_request; break;
    default: break;
    }
    return http::json_error(req, s, describe(f.code).code, f.detail);
}

} // namespace qaqpa::admin

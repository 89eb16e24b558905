#pragma once
// OCSP over HTTP (RFC 6960 appendix A): the question POSTed as
// application/ocsp-request, the answer read from an HTTP 200. What the
// answer says is crypto/'s to judge.
//
// Thread safety: stateless; connections come from the calling thread's pool.

#include "routing/transport_security.hpp"

namespace qaqpa::http {

class ocsp_client final : public routing::ocsp_transport {
public:
    task<result<std::string>> ask(const std::string& url, std::string request,
                                  std::chrono::milliseconds timeout) override;
};

} // namespace qaqpa::http

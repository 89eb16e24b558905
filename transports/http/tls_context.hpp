#pragma once
// A TLS listener's settings as OpenSSL holds them (Boost.Asio's
// ssl::context): TLS 1.2 and 1.3 only, forward-secret AEAD suites for 1.2,
// server-side session resumption (a session cache and tickets), and, with
// `client_ca`, a client certificate required and checked against it.
//
// Loaded once per start and again on SIGHUP: a new context serves new
// connections, the old one stays with the connections that use it.
// Thread safety: immutable once loaded; handshakes on every thread use it.

#include "core/config.hpp"
#include "core/errors.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace qaqpa::http {

class tls_context {
public:
    /// Reads the certificate (with its chain), the key and the optional
    /// client CA; bad_config naming `key_path` and the file when one is
    /// unreadable or the key does not belong to the certificate.
    static result<std::shared_ptr<tls_context>> load(const tls_files& files, const std::string& key_path);

    boost::asio::ssl::context& native() { return ctx_; }
    bool requires_client_certificate() const { return client_ca_; }

private:
    tls_context();
    boost::asio::ssl::context ctx_;
    bool client_ca_ = false;
};

} // namespace qaqpa::http

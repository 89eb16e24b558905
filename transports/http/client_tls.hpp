#pragma once
// TLS for outbound calls to https:// targets: one OpenSSL client context per
// (CA, client certificate), made when first asked and kept. TLS 1.2 and 1.3
// only; the peer's certificate must chain to the target's own `ca`, or to
// [security] trusted_ca, and name the host of the URL (checked during the
// handshake). Connections are pooled per host and context, as for HTTP.
//
// Thread safety: context_for() may run on every thread at once; a context
// is immutable once made.

#include "core/errors.hpp"
#include "core/outbound.hpp"
#include "transports/http/client.hpp"

#include <boost/asio/ssl/context.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace qaqpa::http {

class client_tls {
public:
    /// `default_cas`: the PEM files trusted where a target names no `ca`.
    explicit client_tls(std::vector<std::string> default_cas) : default_cas_(std::move(default_cas)) {}

    /// The context for `s`; bad_config naming the file when one is unreadable.
    result<std::shared_ptr<boost::asio::ssl::context>> context_for(const tls_settings& s);

    /// Sets opts.tls for an https:// `to` (nothing for http://); the failure names the target.
    result<void> prepare(post_options& opts, const outbound_target& to);

private:
    std::vector<std::string> default_cas_;
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<boost::asio::ssl::context>> contexts_; ///< by CA and certificate files
};

/// `tls`->prepare, or a failure for an https:// target when there is no `tls`.
result<void> prepare_tls(client_tls* tls, post_options& opts, const outbound_target& to);

} // namespace qaqpa::http

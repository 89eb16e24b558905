#include "transports/http/client_tls.hpp"

#include <openssl/ssl.h>

namespace qaqpa::http {
namespace {

namespace ssl = boost::asio::ssl;

result<std::shared_ptr<ssl::context>> make_context(const std::vector<std::string>& cas, const tls_settings& s) {
    if (cas.empty())
        return fail(errc::bad_config, "an https:// target needs a CA to check it against: its `ca`, or [security] trusted_ca");
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->set_verify_mode(ssl::verify_peer);
    boost::system::error_code ec;
    for (const auto& file : cas) {
        ctx->load_verify_file(file, ec);
        if (ec) return fail(errc::bad_config, "CA file " + file + ": " + ec.message());
    }
    if (!s.client_cert.empty()) {
        ctx->use_certificate_chain_file(s.client_cert, ec);
        if (ec) return fail(errc::bad_config, "client certificate " + s.client_cert + ": " + ec.message());
        ctx->use_private_key_file(s.client_key, ssl::context::pem, ec);
        if (ec) return fail(errc::bad_config, "client key " + s.client_key + ": " + ec.message());
        if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
            return fail(errc::bad_config, "client key " + s.client_key + " does not belong to " + s.client_cert);
    }
    return ctx;
}

} // namespace

result<std::shared_ptr<ssl::context>> client_tls::context_for(const tls_settings& s) {
    const std::string key = s.ca + '\n' + s.client_cert + '\n' + s.client_key;
    std::lock_guard lock(mutex_);
    if (auto it = contexts_.find(key); it != contexts_.end()) return it->second;
    auto made = make_context(s.ca.empty() ? default_cas_ : std::vector<std::string>{s.ca}, s);
    if (!made) return made.error();
    contexts_.emplace(key, *made);
    return *made;
}

result<void> client_tls::prepare(post_options& opts, const outbound_target& to) {
    if (!to.endpoint || !to.endpoint->tls) return {};
    auto ctx = context_for(to.tls);
    if (!ctx) return fail(ctx.error().code, "\"" + to.id + "\": " + ctx.error().detail);
    opts.tls = ctx->get();
    return {};
}

result<void> prepare_tls(client_tls* tls, post_options& opts, const outbound_target& to) {
    if (tls) return tls->prepare(opts, to);
    if (to.endpoint && to.endpoint->tls) return fail(errc::internal, "\"" + to.id + "\": outbound TLS is not set up");
    return {};
}

} // namespace qaqpa::http

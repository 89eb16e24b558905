#include "transports/http/tls_context.hpp"

#include "transports/http/detail/connection.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace qaqpa::http {
namespace {

namespace ssl = boost::asio::ssl;

/// TLS 1.2 suites: ECDHE key exchange and AEAD ciphers only (TLS 1.3's are all of that kind already).
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::string reason(const boost::system::error_code& ec) {
    ERR_clear_error();
    return ec.message();
}

} // namespace

tls_context::tls_context() : ctx_(ssl::context::tls_server) {}

result<std::shared_ptr<tls_context>> tls_context::load(const tls_files& files, const std::string& key_path) {
    std::shared_ptr<tls_context> t(new tls_context());
    SSL_CTX* native = t->ctx_.native_handle();
    t->ctx_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                        ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(native, tls12_ciphers) != 1)
        return fail(errc::internal, "OpenSSL refuses the TLS settings");
    SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
    // resumption: a server-side cache (TLS 1.2 session ids) and tickets (both versions)
    SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_SERVER);
    static constexpr unsigned char session_context[] = "qaqpa";
    SSL_CTX_set_session_id_context(native, session_context, sizeof session_context - 1);

    boost::system::error_code ec;
    t->ctx_.use_certificate_chain_file(files.cert, ec);
    if (ec) return fail(errc::bad_config, key_path + ".cert: cannot read \"" + files.cert + "\": " + reason(ec));
    t->ctx_.use_private_key_file(files.key, ssl::context::pem, ec);
    if (ec) return fail(errc::bad_config, key_path + ".key: cannot read \"" + files.key + "\": " + reason(ec));
    if (SSL_CTX_check_private_key(native) != 1) {
        ERR_clear_error();
        return fail(errc::bad_config, key_path + ".key: \"" + files.key + "\" does not belong to \"" + files.cert + "\"");
    }
    if (!files.client_ca.empty()) {
        t->ctx_.load_verify_file(files.client_ca, ec);
        if (ec)
            return fail(errc::bad_config, key_path + ".client_ca: cannot read \"" + files.client_ca + "\": " + reason(ec));
        STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca.c_str());
        if (names) SSL_CTX_set_client_CA_list(native, names); // what the server asks for
        t->ctx_.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
        t->client_ca_ = true;
    }
    ERR_clear_error();
    return t;
}

namespace detail {

std::shared_ptr<const crypto::certificate> peer_certificate(SSL* ssl) {
    X509* cert = ssl ? SSL_get0_peer_certificate(ssl) : nullptr;
    unsigned char* der = nullptr;
    const int n = cert ? i2d_X509(cert, &der) : 0;
    if (n <= 0) return nullptr;
    auto parsed = crypto::certificate::from_der(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n)));
    OPENSSL_free(der);
    return parsed ? std::make_shared<const crypto::certificate>(std::move(*parsed)) : nullptr;
}

} // namespace detail

} // namespace qaqpa::http

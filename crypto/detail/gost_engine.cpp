#define OPENSSL_SUPPRESS_DEPRECATED // ENGINE is how Debian 12 ships GOST for OpenSSL 3
#include "crypto/detail/gost_engine.hpp"

#include "crypto/detail/openssl_handles.hpp"

#include <openssl/engine.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

namespace qaqpa::crypto::detail {
namespace {

struct loaded {
    ENGINE* engine = nullptr;
    std::string reason;
};

const loaded& load() {
    static const loaded l = [] {
        loaded out;
        const std::string missing = "OpenSSL's GOST engine (Debian package libengine-gost-openssl) cannot be loaded";
        ENGINE* e = ENGINE_by_id("gost");
        if (!e) {
            out.reason = missing + ": " + openssl_error();
            return out;
        }
        if (ENGINE_init(e) != 1) {
            out.reason = missing + ": it does not initialise: " + openssl_error();
            ENGINE_free(e);
            return out;
        }
        ENGINE_free(e); // the functional reference from ENGINE_init keeps it for the process
        if (ENGINE_register_pkey_asn1_meths(e) != 1) {
            out.reason = missing + ": its key formats cannot be registered: " + openssl_error();
            return out;
        }
        if (!ENGINE_get_digest(e, NID_id_GostR3411_2012_256) || !ENGINE_get_pkey_meth(e, NID_id_GostR3410_2012_256)) {
            out.reason = missing + ": it has no GOST R 34.10-2012 / 34.11-2012";
            openssl_error();
            return out;
        }
        out.engine = e;
        return out;
    }();
    return l;
}

} // namespace

ENGINE* gost_engine() { return load().engine; }

const std::string& gost_unavailable_reason() { return load().reason; }

const EVP_MD* gost_digest(int bits) {
    ENGINE* e = gost_engine();
    if (!e) return nullptr;
    return ENGINE_get_digest(e, bits == 512 ? NID_id_GostR3411_2012_512 : NID_id_GostR3411_2012_256);
}

} // namespace qaqpa::crypto::detail

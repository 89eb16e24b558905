#include "crypto/detail/xmlsec_library.hpp"

#include "crypto/detail/gost_engine.hpp"
#include "crypto/detail/evp_transforms.hpp"

#include <libxml/parser.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmlsec.h>

#include <mutex>

namespace qaqpa::crypto::detail {
namespace {

thread_local std::string last_error;

void remember(const char* file, int, const char* func, const char* object, const char* subject, int reason,
              const char* msg) {
    (void)file;
    std::string s = msg ? msg : "";
    for (const char* part : {subject, object, func})
        if (part && *part) {
            s += s.empty() ? "" : " (";
            s += part;
            s += ")";
            break;
        }
    if (s.empty()) s = "xmlsec reason " + std::to_string(reason);
    last_error = std::move(s);
}

void quiet_libxml(void*, const char*, ...) {}

bool init() {
    xmlInitParser();
    xmlSecErrorsSetCallback(remember);
    if (xmlSecInit() < 0) return false;
    if (xmlSecCheckVersion() != 1) return false;
    if (xmlSecCryptoAppInit(nullptr) < 0) return false;
    if (xmlSecCryptoInit() < 0) return false;
    // without the engine GOST stays unregistered: a signature naming it gets a fault saying why
    if (!register_evp_transforms(gost_engine() != nullptr)) return false;
    return true;
}

} // namespace

bool xmlsec_ready() {
    static const bool ready = init();
    xmlSetGenericErrorFunc(nullptr, quiet_libxml); // per thread in libxml2
    return ready;
}

std::string last_xmlsec_error() {
    auto s = std::move(last_error);
    last_error.clear();
    return s;
}

} // namespace qaqpa::crypto::detail

#pragma once
// libxml2 and xmlsec1 set up once per process (private to crypto/), with
// their error reports caught per thread instead of printed to stderr.

#include <string>

namespace qaqpa::crypto::detail {

/// Initialises libxml2, xmlsec1 and its OpenSSL backend on first use; false
/// (with the reason in last_xmlsec_error) when they cannot be.
bool xmlsec_ready();

/// What xmlsec1 or libxml2 last reported on this thread; cleared by reading.
std::string last_xmlsec_error();

} // namespace qaqpa::crypto::detail

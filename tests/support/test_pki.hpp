#pragma once
// The tests' PKI (tests/support/pki/make_pki.sh, which lists its files),
// made once per build tree with Debian's openssl.

#include <string>

namespace qaqpa::test {

/// The directory holding the PKI; made on first use (a few seconds).
const std::string& test_pki();

/// A file of it: test_pki() + "/" + name.
std::string pki_file(const std::string& name);

} // namespace qaqpa::test

#include "tests/support/test_pki.hpp"

#include <cstdlib>
#include <stdexcept>

namespace qaqpa::test {

const std::string& test_pki() {
    static const std::string dir = [] {
        const std::string d = QAQPA_TEST_PKI_DIR;
        const std::string cmd = std::string("bash '") + QAQPA_MAKE_PKI + "' '" + d + "'";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot make the test PKI: " + cmd);
        return d;
    }();
    return dir;
}

std::string pki_file(const std::string& name) { return test_pki() + "/" + name; }

} // namespace qaqpa::test

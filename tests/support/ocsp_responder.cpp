#include "tests/support/ocsp_responder.hpp"

#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace qaqpa::test {

std::string ocsp_answer(const std::string& request_der, const std::string& signer) {
    const temp_dir dir;
    const auto question = (dir.path() / "question.der").string();
    const auto answer = (dir.path() / "answer.der").string();
    std::ofstream(question, std::ios::binary) << request_der;
    const std::string cmd = "openssl ocsp -index '" + pki_file("ca-db/index.txt") + "' -CA '" + pki_file("ca.pem") +
                            "' -rsigner '" + pki_file(signer + ".pem") + "' -rkey '" +
                            pki_file(signer + ".key") + "' -ndays 1 -reqin '" + question + "' -respout '" +
                            answer + "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl ocsp failed: " + cmd);
    std::ifstream in(answer, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

ocsp_responder::ocsp_responder(std::string signer) {
    http_.answer_with([signer](const received_request& r) {
        if (r.content_type != "application/ocsp-request") return custom_answer{415, "text/plain", "not an OCSP request"};
        return custom_answer{200, "application/ocsp-response", ocsp_answer(r.body, signer)};
    });
}

} // namespace qaqpa::test

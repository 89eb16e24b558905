// A TLS listener's files are checked at start-up: each problem stops it,
// naming the key and the file. (Serving HTTPS is driven from outside, by
// tests/integration/https_client_test.py.)
#include "tests/integration/node_fixture.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/test_pki.hpp"

using namespace qaqpa;
using namespace qaqpa::test;

namespace {

node_settings with_tls(const std::string& cert, const std::string& key, const std::string& more = "") {
    node_settings s;
    s.extra_toml = "\n[listeners.public.tls]\ncert = \"" + cert + "\"\nkey = \"" + key + "\"\n" + more;
    return s;
}

} // namespace

TEST_CASE("a TLS listener's certificate, key and client CA are checked at start-up", "[integration][tls]") {
    gateway gw;
    auto missing = gw.restart_with(with_tls("/nonexistent/server.pem", pki_file("tls-server.key")));
    REQUIRE(missing);
    CHECK(missing->code == errc::bad_config);
    CHECK(missing->detail.find("listeners.public.tls.cert: cannot read \"/nonexistent/server.pem\"") != std::string::npos);

    auto foreign = gw.restart_with(with_tls(pki_file("tls-server.pem"), pki_file("gateway.key")));
    REQUIRE(foreign);
    INFO(foreign->detail);
    CHECK(foreign->detail.find("listeners.public.tls.key") != std::string::npos);

    auto no_ca = gw.restart_with(
        with_tls(pki_file("tls-server.pem"), pki_file("tls-server.key"), "client_ca = \"/nonexistent/ca.pem\"\n"));
    REQUIRE(no_ca);
    CHECK(no_ca->detail.find("listeners.public.tls.client_ca: cannot read") != std::string::npos);

    CHECK_FALSE(gw.restart_with(with_tls(pki_file("tls-server.pem"), pki_file("tls-server.key"))));
}

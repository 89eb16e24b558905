#include "core/errors.hpp"

#include "tests/support/catch.hpp"

#include <set>

using namespace qaqpa;

TEST_CASE("every catalog entry has a distinct wire code and a message", "[unit][core]") {
    std::set<std::string_view> codes;
    for (int e = static_cast<int>(errc::bad_envelope); e <= static_cast<int>(errc::internal); ++e) {
        const auto& entry = describe(static_cast<errc>(e));
        CHECK_FALSE(entry.message.empty());
        CHECK(is_catalog_code(entry.code));
        CHECK(codes.insert(entry.code).second);
    }
    CHECK(describe(errc::auth_failed).code == "AUTH_FAILED");
    CHECK(describe(errc::auth_failed).client_fault);
    CHECK_FALSE(describe(errc::provider_timeout).client_fault);
    CHECK_FALSE(is_catalog_code("NOPE"));
}

TEST_CASE("catalog errors interoperate with error_code", "[unit][core]") {
    boost::system::error_code ec = errc::unknown_service;
    CHECK(ec.category().name() == std::string("qaqpa"));
    CHECK(ec.message() == std::string(describe(errc::unknown_service).message));
}

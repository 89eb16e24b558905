#include "transports/http/router.hpp"

#include "tests/support/run_task.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace qaqpa::http;
using qaqpa::test::run_task;

namespace {

request make(beast_http::verb method, std::string target) {
    request req{method, target, 11};
    return req;
}

router::route_fn answer(std::string what) {
    return [what](request& req, const path_params& p) -> task<response> {
        co_return make_response(req, status::ok, "text/plain", what + ":" + std::string(p["id"]));
    };
}

} // namespace

TEST_CASE("router: patterns hand their segments over; paths match with or without a trailing slash",
          "[unit][transports]") {
    router r;
    REQUIRE(r.add("/bip-sync/", answer("sync")));
    REQUIRE(r.add("/dp/{id}/on", answer("on"), beast_http::verb::post));
    REQUIRE(r.add("/dp/{id}/off", answer("off"), beast_http::verb::post));
    CHECK_FALSE(r.add("/dp/{id}/on/", answer("again"), beast_http::verb::post)); // the same route twice

    auto call = [&](beast_http::verb m, std::string target) {
        auto req = make(m, std::move(target));
        return run_task(r.handle(req));
    };
    CHECK(call(beast_http::verb::post, "/bip-sync").body() == "sync:");
    CHECK(call(beast_http::verb::get, "/bip-sync/?wsdl").body() == "sync:");
    CHECK(call(beast_http::verb::post, "/dp/provider-a/on").body() == "on:provider-a");
    CHECK(call(beast_http::verb::post, "/dp/provider-a/off/").body() == "off:provider-a");

    const auto wrong_method = call(beast_http::verb::get, "/dp/x/on");
    CHECK(wrong_method.result() == status::method_not_allowed);
    CHECK(wrong_method[beast_http::field::allow] == "POST");
    CHECK(wrong_method.body().find("METHOD_NOT_ALLOWED") != std::string::npos);

    for (const char* missing : {"/dp//on", "/dp/x", "/dp/x/on/more", "/other"}) {
        const auto res = call(beast_http::verb::post, missing);
        INFO(missing);
        CHECK(res.result() == status::not_found);
        CHECK(res.body().find("NOT_FOUND") != std::string::npos);
    }
}

// Times the SOAP codec on a ~2 KB SendMessage, per message and per stage:
// parse the caller's request, build the provider request, parse the
// provider's answer, build the caller's answer. Prints ns/op.
#include "tests/support/soap_samples.hpp"
#include "transports/soap/sync_codec.hpp"

#include <chrono>
#include <cstdio>

namespace {

using clock_type = std::chrono::steady_clock;

template <class F>
double ns_per_op(int n, F&& f) {
    for (int i = 0; i < n / 10; ++i) f(); // warm-up
    const auto t0 = clock_type::now();
    for (int i = 0; i < n; ++i) f();
    return std::chrono::duration<double, std::nano>(clock_type::now() - t0).count() / n;
}

} // namespace

int main(int argc, char** argv) {
    using namespace qaqpa;
    const int n = argc > 1 ? std::atoi(argv[1]) : 200000;
    const auto request = test::sync_request_of_size({}, 2048);
    soap::soap_version v;
    auto parsed = soap::parse_sync_request(request, v);
    if (!parsed) return 1;
    const auto forwarded = soap::build_sync_request(parsed->request);
    sync_response res;
    res.info = {"m", std::string("c"), "2026-11-23T10:00:00Z", "OK", "fine", std::string("{s}")};
    res.data = parsed->request.data;
    const auto reply = soap::build_sync_response(soap::soap_version::v11, res);

    std::size_t sink = 0;
    const double a = ns_per_op(n, [&] { sink += soap::parse_sync_request(request, v)->request.data.content.size(); });
    const double b = ns_per_op(n, [&] { sink += soap::build_sync_request(parsed->request).size(); });
    const double c = ns_per_op(n, [&] { sink += std::get<sync_response>(soap::parse_sync_reply(reply)).data.content.size(); });
    const double d = ns_per_op(n, [&] { sink += soap::build_sync_response(soap::soap_version::v11, res).size(); });
    std::printf("soap_parse: %zu-byte SendMessage, %d iterations\n", request.size(), n);
    std::printf("  parse request   %8.0f ns\n  build forward   %8.0f ns\n  parse reply     %8.0f ns\n"
                "  build response  %8.0f ns\n  total           %8.0f ns per relayed message\n",
                a, b, c, d, a + b + c + d);
    return sink == 0; // keeps the work observable
}

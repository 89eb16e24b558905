// A loopback provider for the benchmarks: answers every SendMessage with a
// response echoing the request's data, as SOAP (SendMessageResponse) or, with
// "rest", as the REST channel's JSON mirror. Prints
// "bench_provider: listening 127.0.0.1:PORT" and runs until SIGINT/SIGTERM.
// Usage: bench_provider [THREADS] [rest]
#include "tests/support/fake_provider.hpp"
#include "transports/rest/detail/json_source.hpp"

#include <array>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace {

/// The REST mirror of an echo: the request's data text, as it came.
qaqpa::test::custom_answer rest_echo(const qaqpa::test::received_request& r) {
    constexpr std::array<std::string_view, 3> path{"request", "requestData", "data"};
    const auto data = qaqpa::rest::detail::scan_source(r.body, path).value_at_path.value_or("null");
    std::string body = R"({"response":{"responseInfo":{"messageId":"bench","responseDate":"2026-11-23T10:00:00Z",)"
                       R"("status":{"code":"OK","message":"echo"}},"responseData":{"data":)";
    body.append(data).append("}}}");
    return {200, "application/json", std::move(body)};
}

} // namespace

int main(int argc, char** argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
    const bool rest = argc > 2 && std::strcmp(argv[2], "rest") == 0;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr); // provider threads inherit the mask
    using qaqpa::test::provider_mode;
    qaqpa::test::fake_provider provider(rest ? provider_mode::custom : provider_mode::echo, {}, threads > 0 ? threads : 1);
    if (rest) provider.answer_with(rest_echo);
    std::printf("bench_provider: listening 127.0.0.1:%u\n", provider.port());
    std::fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    return 0;
}

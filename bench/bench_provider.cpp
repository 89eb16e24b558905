// A loopback SOAP provider for the benchmarks: answers every SendMessage with
// a SendMessageResponse echoing the request's data. Prints
// "bench_provider: listening 127.0.0.1:PORT" and runs until SIGINT/SIGTERM.
#include "tests/support/fake_provider.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

int main(int argc, char** argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr); // provider threads inherit the mask
    qaqpa::test::fake_provider provider(qaqpa::test::provider_mode::echo, {}, threads > 0 ? threads : 1);
    std::printf("bench_provider: listening 127.0.0.1:%u\n", provider.port());
    std::fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    return 0;
}

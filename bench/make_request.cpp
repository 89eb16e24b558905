// Writes the benchmark's SendMessage (about N bytes, default 2048) to stdout.
// Usage: make_request SERVICE SENDER PASSWORD [BYTES]
#include "tests/support/soap_samples.hpp"

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: make_request SERVICE SENDER PASSWORD [BYTES]\n");
        return 2;
    }
    qaqpa::test::sample_request r;
    r.service = argv[1];
    r.sender = argv[2];
    r.password = argv[3];
    const std::size_t bytes = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 2048;
    const auto body = qaqpa::test::sync_request_of_size(r, bytes);
    std::fwrite(body.data(), 1, body.size(), stdout);
    return 0;
}

// Writes a benchmark request (about N bytes, default 2048) to stdout: a
// synchronous SendMessage, or with --async an asynchronous sendMessage REQUEST.
// Usage: make_request [--async] SERVICE SENDER PASSWORD [BYTES]
#include "tests/support/async_samples.hpp"
#include "tests/support/soap_samples.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
    const bool async = argc > 1 && std::strcmp(argv[1], "--async") == 0;
    if (async) {
        --argc;
        ++argv;
    }
    if (argc < 4) {
        std::fprintf(stderr, "usage: make_request [--async] SERVICE SENDER PASSWORD [BYTES]\n");
        return 2;
    }
    const std::size_t bytes = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 2048;
    std::string body;
    if (async) {
        qaqpa::test::async_send m;
        m.service = argv[1];
        m.who = {argv[2], argv[3]};
        body = qaqpa::test::send_message_of_size(m, bytes);
    } else {
        qaqpa::test::sample_request r;
        r.service = argv[1];
        r.sender = argv[2];
        r.password = argv[3];
        body = qaqpa::test::sync_request_of_size(r, bytes);
    }
    std::fwrite(body.data(), 1, body.size(), stdout);
    return 0;
}

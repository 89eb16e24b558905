#include "core/runtime.hpp"

#include "core/log.hpp"

#include <pthread.h>

namespace qaqpa {

runtime::runtime(int threads) {
    std::size_t n = threads > 0 ? static_cast<std::size_t>(threads) : std::thread::hardware_concurrency();
    if (n == 0) n = 1;
    for (std::size_t i = 0; i < n; ++i) {
        contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
        guards_.emplace_back(contexts_.back()->get_executor());
    }
}

runtime::~runtime() {
    stop();
    join();
}

void runtime::start() {
    for (auto& ctx : contexts_) {
        threads_.emplace_back([c = ctx.get()] {
            pthread_setname_np(pthread_self(), "qaqpa-io"); // what top -H and perf show
            for (;;) {
                try {
                    c->run();
                    return;
                } catch (const std::exception& e) {
                    // A handler that throws must not take the node down.
                    log::error("runtime", "unhandled exception in event loop: {}", e.what());
                }
            }
        });
    }
}

void runtime::run() {
    start();
    join();
}

void runtime::join() {
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

void runtime::shutdown() {
    stop();
    join();
    contexts_.clear();
}

void runtime::stop() {
    guards_.clear();
    for (auto& ctx : contexts_) ctx->stop();
}

} // namespace qaqpa

#pragma once
// The io_context pool: one io_context per thread, each run by exactly one
// thread, so a connection and everything it touches stay on one thread and
// need no locks. Lifecycle: construct, post work, run() (or start()/join())
// until stop(); shutdown() then destroys pending work while its owners live.

#include <boost/asio/io_context.hpp>

#include <memory>
#include <thread>
#include <vector>

namespace qaqpa {

class runtime {
public:
    /// `threads` = 0 means one per core.
    explicit runtime(int threads);
    ~runtime();
    runtime(const runtime&) = delete;
    runtime& operator=(const runtime&) = delete;

    std::size_t size() const noexcept { return contexts_.size(); }
    boost::asio::io_context& context(std::size_t i) { return *contexts_[i]; }

    /// Runs every io_context on its own thread (the caller's thread runs the
    /// first) and returns when all have stopped.
    void run();
    /// Starts the threads and returns at once; join() waits for them.
    void start();
    void join();
    /// Thread-safe; makes run()/join() return.
    void stop();
    /// Stops, joins, and destroys the io_contexts, and with them every
    /// suspended coroutine. Call it while everything those coroutines refer
    /// to still exists; afterwards context() must not be used.
    void shutdown();

private:
    using work_guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
    std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
    std::vector<work_guard> guards_;
    std::vector<std::thread> threads_;
};

} // namespace qaqpa

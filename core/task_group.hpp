#pragma once
// The owner of every coroutine a service spawns in the background: nothing
// is co_spawned detached, so a service's stop() can end all of its work and
// know that it ended. Modelled on Beast's task_group and Redpanda's gates.
//
// stop order of a service: tell its tasks to finish (a flag and a wake of
// their timers, so they end at a clean point), wait() with a bound, then
// cancel() what is left (each task gets a terminal cancellation on its own
// executor, which aborts the operation it waits on) and wait() again.
//
// Thread safety: every method may be called from any thread; wait() blocks
// its caller and must never run on an event loop of a task it waits for.

#include "core/async.hpp"

#include <boost/asio/cancellation_signal.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace qaqpa {

class task_group {
public:
    explicit task_group(std::string name) : name_(std::move(name)) {}
    task_group(const task_group&) = delete;
    task_group& operator=(const task_group&) = delete;

    /// How a task is ended at a stop: by the group's terminal cancellation,
    /// or by its owner (which then ends it some other way, e.g. by timing out
    /// its socket). A cancellation slot costs every operation the task
    /// awaits a little, so a connection's hot loop goes without.
    enum class stop_by { cancellation, owner };

    /// Runs `t` on `ex`, owned by the group. Refused (false, `t` never runs)
    /// once close() was called.
    bool spawn(const executor& ex, task<void> t, stop_by how = stop_by::cancellation);
    /// Refuses every later spawn.
    void close();
    /// Sends every running task a terminal cancellation.
    void cancel();
    /// Blocks until every task ended or `bound` passed; true when all ended.
    bool wait(std::chrono::milliseconds bound);
    std::size_t running() const;

private:
    struct entry {
        explicit entry(const executor& e) : ex(e) {}
        executor ex;
        boost::asio::cancellation_signal signal;
    };
    void finished(std::uint64_t id, std::exception_ptr error);

    std::string name_;
    mutable std::mutex mutex_;
    std::condition_variable done_;
    std::map<std::uint64_t, std::shared_ptr<entry>> tasks_;
    std::uint64_t next_id_ = 0;
    bool closed_ = false;
};

} // namespace qaqpa

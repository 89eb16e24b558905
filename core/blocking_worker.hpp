#pragma once
// One thread for work that blocks (a durable write of a rare kind, a
// password hash) on behalf of the event loops: a coroutine hands a function
// over and resumes on its own executor with the result, and functions run
// one at a time in the order they came, which also serialises them.
//
// Lifecycle: the thread starts with the object; stop() runs what is queued,
// then joins. Call stop() while the executors of the callers still run.
// Thread safety: run() from any thread.

#include "core/async.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace qaqpa {

class blocking_worker {
public:
    explicit blocking_worker(std::string name);
    ~blocking_worker() { stop(); }
    blocking_worker(const blocking_worker&) = delete;
    blocking_worker& operator=(const blocking_worker&) = delete;

    /// Runs `fn` on the worker thread (on the caller's, once stopped).
    template <class R>
    task<R> run(std::function<R()> fn) {
        return boost::asio::async_initiate<decltype(use_task), void(R)>(
            [this](auto handler, std::function<R()> work) {
                auto ex = boost::asio::get_associated_executor(handler);
                auto waiting = std::make_shared<decltype(handler)>(std::move(handler));
                submit([work = std::move(work), waiting, ex]() mutable {
                    auto r = std::make_shared<R>(work());
                    boost::asio::post(ex, [waiting, r] { std::move (*waiting)(std::move(*r)); });
                });
            },
            use_task, std::move(fn));
    }

    void stop();

private:
    void submit(std::function<void()> job);

    std::string name_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace qaqpa

#include "core/blocking_worker.hpp"

#include <pthread.h>

namespace qaqpa {

blocking_worker::blocking_worker(std::string name) : name_(std::move(name)) {
    thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
        for (;;) {
            std::unique_lock lk(mutex_);
            wake_.wait(lk, [&] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return; // stopping, and nothing is left
            auto job = std::move(jobs_.front());
            jobs_.pop_front();
            lk.unlock();
            job();
        }
    });
}

void blocking_worker::submit(std::function<void()> job) {
    {
        std::lock_guard lk(mutex_);
        if (!stopping_) {
            jobs_.push_back(std::move(job));
            wake_.notify_one();
            return;
        }
    }
    job();
}

void blocking_worker::stop() {
    {
        std::lock_guard lk(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

} // namespace qaqpa

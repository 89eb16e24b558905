#include "storage/retention.hpp"

#include "core/log.hpp"

#include <pthread.h>

namespace qaqpa::storage {
namespace {

/// The first pass waits a little: start-up (recovery, workers) goes first.
constexpr std::chrono::seconds first_pass_after{10};

} // namespace

retention::retention(journal_store& journal, int days, std::chrono::seconds interval)
    : journal_(journal), keep_(std::chrono::hours(24) * days), interval_(interval) {}

retention::~retention() { stop(); }

void retention::start() {
    if (keep_.count() == 0 || thread_.joinable()) return;
    thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "qaqpa-retention");
        run();
    });
}

void retention::stop() {
    {
        std::lock_guard lk(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void retention::run() {
    auto wait = std::chrono::duration_cast<std::chrono::seconds>(first_pass_after);
    for (;;) {
        {
            std::unique_lock lk(mutex_);
            if (wake_.wait_for(lk, wait, [this] { return stopping_; })) return;
        }
        wait = interval_;
        const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch() - keep_)
                                .count();
        const auto started = std::chrono::steady_clock::now();
        auto pruned = journal_.prune(before);
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        if (!pruned) {
            log::error("retention", "pruning failed: {}", pruned.error().detail);
            continue;
        }
        if (pruned->rows + pruned->messages + pruned->chains > 0)
            log::info("retention", "pruned {} journal rows, {} final messages and {} chains older than {} days in {} ms",
                      pruned->rows, pruned->messages, pruned->chains,
                      std::chrono::duration_cast<std::chrono::hours>(keep_).count() / 24, took.count());
    }
}

} // namespace qaqpa::storage

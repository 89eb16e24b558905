#pragma once
// Retention: what the journal and the store keep of final messages ends
// after `[journal] retention_days` (journal_store::prune). One background
// thread prunes shortly after start and then every hour, in small batches,
// so the hot path never waits for it.

#include "core/service.hpp"
#include "storage/journal_store.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace qaqpa::storage {

class retention final : public service {
public:
    /// `days` 0: nothing is ever pruned (the service does nothing).
    retention(journal_store& journal, int days, std::chrono::seconds interval = std::chrono::hours(1));
    ~retention() override;

    std::string_view name() const noexcept override { return "retention"; }
    void start() override;
    void stop() override;

private:
    void run();

    journal_store& journal_;
    std::chrono::milliseconds keep_;
    std::chrono::seconds interval_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace qaqpa::storage

#pragma once
// What a store's committer thread takes its work from (private to storage/):
// the writes waiting for the next group commit, the loose journal rows
// (journal_store::record), whether the store is stopping or cannot write
// now, and the PUSH engine's observer. One mutex guards it all; a store may
// guard more of its own state with it (`mutex`).

#include "core/errors.hpp"
#include "core/journal.hpp"
#include "core/log.hpp"
#include "storage/message_store.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace qaqpa::storage::detail {

/// Loose journal rows held while the store cannot write (a few hundred MB
/// at most); beyond it new rows are dropped and counted in the log.
inline constexpr std::size_t max_loose_rows = 1 << 20;
/// How long loose journal rows wait for others to share their write.
inline constexpr std::chrono::milliseconds loose_flush_interval{5};

template <class Write>
struct committer_inbox {
    using observer_fn = std::function<void(const new_message&)>;

    mutable std::mutex mutex;
    std::condition_variable wake;
    std::vector<Write> pending;
    std::vector<journal_event> loose; ///< rows of no state change, for the next commit
    std::size_t loose_dropped = 0;
    bool stopping = false;
    std::string problem; ///< why writes fail now ("" while they succeed)
    observer_fn observer;

    /// Why a write is refused at once (mutex held): the store is closing,
    /// or cannot write now.
    std::optional<failure> refusal() const {
        if (stopping) return fail(errc::internal, "the store is closing");
        if (!problem.empty()) return fail(errc::store_unavailable, problem);
        return std::nullopt;
    }

    /// Queues a loose row; never waits, never fails.
    void record(const journal_event& e) noexcept {
        try {
            bool first = false;
            {
                std::lock_guard lk(mutex);
                if (loose.size() >= max_loose_rows) {
                    ++loose_dropped;
                    return;
                }
                first = loose.empty();
                loose.push_back(e);
            }
            if (first) wake.notify_one(); // the rows after it join it without a wake-up each
        } catch (...) { // out of memory: the row is lost, the call goes on
        }
    }

    /// The committer's wait for its next commit: the writes and loose rows
    /// to commit (`failing`: writes are refused now, try to resume). Loose
    /// rows wait while writes fail (they are bounded); alone, they wait a
    /// little for company: one write per few milliseconds, not one per row.
    /// False once stopping with nothing left to write.
    bool next(std::vector<Write>& ops, std::vector<journal_event>& rows, observer_fn& observer_now, bool& failing,
              std::chrono::milliseconds resume_interval) {
        std::unique_lock lk(mutex);
        const auto ready = [&] { return !pending.empty() || stopping; };
        if (!problem.empty()) {
            wake.wait_for(lk, resume_interval, ready);
        } else {
            wake.wait(lk, [&] { return ready() || !loose.empty(); });
            if (!ready()) wake.wait_for(lk, loose_flush_interval, ready);
        }
        if (pending.empty() && stopping && (loose.empty() || !problem.empty())) return false;
        ops.swap(pending);
        failing = !problem.empty();
        if (!failing) rows.swap(loose);
        observer_now = observer;
        if (loose_dropped > 0) {
            log::warn("journal", "{} journal rows were dropped: the store could not keep up or could not write",
                      loose_dropped);
            loose_dropped = 0;
        }
        return true;
    }

    /// Loose rows whose commit failed, first in line again.
    void requeue(std::vector<journal_event>& rows) {
        if (rows.empty()) return;
        std::lock_guard lk(mutex);
        loose.insert(loose.begin(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
        rows.clear();
    }

    void set_observer(observer_fn fn) {
        std::lock_guard lk(mutex);
        observer = std::move(fn);
    }

    std::string current_problem() const {
        std::lock_guard lk(mutex);
        return problem;
    }

    /// Marks the store stopping and wakes the committer; false when it already was.
    bool request_stop() {
        {
            std::lock_guard lk(mutex);
            if (stopping) return false;
            stopping = true;
        }
        wake.notify_one();
        return true;
    }
};

} // namespace qaqpa::storage::detail

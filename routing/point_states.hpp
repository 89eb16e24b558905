#pragma once
// Which delivery points are switched off, and why: one object both channels
// read (a synchronous call to a point that is off is refused; its PUSH queue
// waits) and every switch goes through (error shutdown, the administrator),
// persisted in the store so a point stays off across restarts.
//
// Lifecycle: constructed by cmd/; load() before any listener opens.
// Thread safety: every method may be called from any thread; reads take a
// short lock, and none while no point is off.

#include "core/async.hpp"
#include "core/errors.hpp"
#include "storage/message_store.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace qaqpa::routing {

class point_states {
public:
    explicit point_states(storage::message_store& store) : store_(store) {}

    /// Reads the points that are off from the store.
    task<result<void>> load();

    /// Why delivery to `point` is off; nullopt while it is on.
    std::optional<std::string> off(std::string_view point) const;
    bool is_off(std::string_view point) const { return off(point).has_value(); }
    /// The same for the point a queue belongs to; nullopt for other queues.
    std::optional<std::string> off_for_queue(std::string_view queue) const;

    /// Switches `point` on or off, durably; false when it already was so
    /// (nothing written). Concurrent switches of one point are applied in
    /// the order their writes complete.
    /// `journal`: the rows recording the switch, written with it.
    task<result<bool>> set(std::string point, bool on, std::string reason, std::vector<journal_event> journal = {});

    /// Counts the switches made through this node (a follower reading the
    /// store compares it before and after its read).
    std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
    /// Takes the points off as the store lists them, switched by the other
    /// nodes sharing it (`stored`, read after generation() was `seen`);
    /// nothing when a switch through this node was written since. Answers
    /// the points this switched on.
    std::vector<std::string> adopt(const std::vector<std::pair<std::string, std::string>>& stored,
                                   std::uint64_t seen);

    /// Told of every switch once it is written (the incident desk): the
    /// point, whether it is on now, and why. Set before any switch.
    using observer = std::function<void(const std::string& point, bool on, const std::string& reason)>;
    void set_observer(observer fn) { observer_ = std::move(fn); }

private:
    storage::message_store& store_;
    observer observer_;
    mutable std::mutex mutex_;
    std::map<std::string, std::string, std::less<>> off_; ///< point → why
    /// off_.size(), read without the lock: while no point is off (the usual
    /// case) a call or a PUSH asks without taking the lock.
    std::atomic<std::size_t> off_count_{0};
    std::atomic<std::uint64_t> generation_{0}; ///< guarded by mutex_ for writes
};

} // namespace qaqpa::routing

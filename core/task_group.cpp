#include "core/task_group.hpp"

#include "core/log.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

namespace qaqpa {

namespace asio = boost::asio;

bool task_group::spawn(const executor& ex, task<void> t, stop_by how) {
    std::shared_ptr<entry> e;
    std::uint64_t id = 0;
    {
        std::lock_guard lk(mutex_);
        if (closed_) return false;
        id = next_id_++;
        e = std::make_shared<entry>(ex);
        tasks_.emplace(id, e);
    }
    auto done = [this, id](std::exception_ptr error) { finished(id, error); };
    if (how == stop_by::owner) asio::co_spawn(ex, std::move(t), std::move(done));
    else asio::co_spawn(ex, std::move(t), asio::bind_cancellation_slot(e->signal.slot(), std::move(done)));
    return true;
}

void task_group::finished(std::uint64_t id, std::exception_ptr error) {
    if (error) {
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& x) {
            log::error(name_, "a background task failed: {}", x.what());
        } catch (...) {
            log::error(name_, "a background task failed");
        }
    }
    std::lock_guard lk(mutex_);
    tasks_.erase(id);
    if (tasks_.empty()) done_.notify_all();
}

void task_group::close() {
    std::lock_guard lk(mutex_);
    closed_ = true;
}

void task_group::cancel() {
    std::lock_guard lk(mutex_);
    for (auto& [id, e] : tasks_)
        asio::post(e->ex, [e = e] { e->signal.emit(asio::cancellation_type::terminal); });
}

bool task_group::wait(std::chrono::milliseconds bound) {
    std::unique_lock lk(mutex_);
    return done_.wait_for(lk, bound, [&] { return tasks_.empty(); });
}

std::size_t task_group::running() const {
    std::lock_guard lk(mutex_);
    return tasks_.size();
}

} // namespace qaqpa

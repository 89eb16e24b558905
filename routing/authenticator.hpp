#pragma once
// Authenticates an IS by senderId and password against the registry.
//
// scrypt costs tens of milliseconds by design. A successful verification is
// remembered per I/O thread (a keyed digest of the password, never the
// password) until the registry changes; later requests cost one HMAC. A
// thread that has not seen the login yet asks the node-wide copy (under a
// lock) before it would run the KDF.
// Everything else (a first login, every failed attempt) is verified on a
// small worker pool, so wrong passwords cannot stall the event loops; at most
// `max_pending` verifications queue, beyond that callers get errc::busy.
// Failed logins are limited per sender id and per client address
// (login_limiter): over a limit a login is refused before the KDF.
//
// Lifecycle: constructed by cmd/ before the listeners. shutdown() fails the
// queued checks at once, joins the workers and waits (bounded) until every
// waiting caller has resumed: call it while the io_contexts still run, so no
// caller is left suspended on a completion from this pool (Asio does not
// unwind such a coroutine cleanly when its io_context is destroyed).
// Thread safety: authenticate() may run on every I/O thread at once.

#include "core/async.hpp"
#include "core/envelope.hpp"
#include "core/errors.hpp"
#include "routing/login_limiter.hpp"
#include "routing/registry_view.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <memory>

namespace boost::asio {
class thread_pool;
}

namespace qaqpa::routing {

class authenticator {
public:
    authenticator(int threads, int max_pending, login_limits limits = {});
    ~authenticator();
    authenticator(const authenticator&) = delete;
    authenticator& operator=(const authenticator&) = delete;

    /// The system the sender authenticated as; auth_failed, busy or
    /// too_many_failed_logins otherwise.
    /// Taken by reference (no copy per request): the caller co_awaits the
    /// result directly and keeps `view` and `sender` alive until then.
    task<result<const system_entry*>> authenticate(const registry_view& view, const sender_info& sender);

    /// Completes the queued checks (as failures) and waits, bounded, for
    /// their callers to have been handed back.
    void shutdown();

private:
    /// A check left the queue; the last one out while stopping wakes shutdown().
    void release() noexcept;

    std::unique_ptr<boost::asio::thread_pool> workers_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> pending_{0};
    std::mutex drained_mutex_;
    std::condition_variable drained_;
    int max_pending_;
    login_limiter limiter_;
    struct shared_logins;
    std::unique_ptr<shared_logins> shared_; ///< every thread's successful logins
};

/// The same rules, verified on the calling thread (tools and tests).
result<const system_entry*> authenticate(const registry_view& view, const sender_info& sender);

} // namespace qaqpa::routing

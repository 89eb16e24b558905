#include "routing/authenticator.hpp"

#include "crypto/hmac.hpp"
#include "crypto/password.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>


#include <array>
#include <chrono>
#include <thread>
#include <memory>

namespace qaqpa::routing {
namespace {

using digest = crypto::sha256_mac;

/// The cache holds HMAC(process key, password), useless outside this process.
digest keyed_digest(std::string_view password) { return crypto::process_hmac(password); }

struct verified {
    std::uint64_t generation = 0;
    digest password{};
};

/// This thread's remembered logins.
string_map<verified>& cache() {
    thread_local string_map<verified> c;
    return c;
}

bool remembered(const registry_view& view, const sender_info& sender, const digest& d) {
    const auto it = cache().find(sender.sender_id);
    return it != cache().end() && it->second.generation == view.generation() &&
           crypto::equal_constant_time({reinterpret_cast<const char*>(it->second.password.data()), d.size()},
                                       {reinterpret_cast<const char*>(d.data()), d.size()});
}

/// The checks every login gets before any KDF: the system to verify against
/// (or auth_failed), the keyed digest of the password, and whether this
/// thread already verified that password (`known`: no KDF needed).
result<const system_entry*> precheck(const registry_view& view, const sender_info& sender, digest& d, bool& known) {
    const auto* sys = view.system(sender.sender_id);
    if (!sys || !sender.password) return fail(errc::auth_failed);
    d = keyed_digest(*sender.password);
    known = remembered(view, sender, d);
    return sys;
}

void remember(const registry_view& view, const system_entry& sys, const digest& d) {
    cache()[sys.id] = verified{view.generation(), d};
}

/// Runs verify_password on `pool` and completes `token` on the caller's
/// executor with the outcome.
/// Once `stopping` is set, queued checks fail without running the KDF.
template <class Token>
auto verify_on(boost::asio::thread_pool& pool, const std::atomic<bool>& stopping, std::string password,
               std::string hash, Token&& token) {
    return boost::asio::async_initiate<Token, void(bool)>(
        [&pool, &stopping](auto handler, std::string pw, std::string h) {
            auto caller = boost::asio::get_associated_executor(handler);
            boost::asio::post(pool, [handler = std::move(handler), caller, &stopping, pw = std::move(pw),
                                     h = std::move(h)]() mutable {
                const bool ok = !stopping.load(std::memory_order_relaxed) && crypto::verify_password(pw, h);
                boost::asio::post(caller, [handler = std::move(handler), ok]() mutable { handler(ok); });
            });
        },
        token, std::move(password), std::move(hash));
}

} // namespace

result<const system_entry*> authenticate(const registry_view& view, const sender_info& sender) {
    digest d{};
    bool known = false;
    auto sys = precheck(view, sender, d, known);
    if (!sys || known) return sys;
    if (!crypto::verify_password(*sender.password, (*sys)->password_hash)) return fail(errc::auth_failed);
    remember(view, **sys, d);
    return sys;
}

authenticator::authenticator(int threads, int max_pending)
    : workers_(std::make_unique<boost::asio::thread_pool>(static_cast<std::size_t>(threads > 0 ? threads : 1))),
      max_pending_(max_pending) {}

authenticator::~authenticator() { shutdown(); }

void authenticator::shutdown() {
    // Queued checks complete at once (as failures) and hand their callers
    // back to their io_contexts, where they are destroyed with everything
    // else that is suspended; handlers are never destroyed on this side.
    if (stopping_.exchange(true)) return;
    workers_->join();
    std::unique_lock lk(drained_mutex_);
    drained_.wait_for(lk, std::chrono::seconds(2), [&] { return pending_.load(std::memory_order_acquire) == 0; });
}

void authenticator::release() noexcept {
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1 && stopping_.load(std::memory_order_relaxed)) {
        std::lock_guard lk(drained_mutex_); // so the wake cannot slip between shutdown()'s check and its wait
        drained_.notify_all();
    }
}

task<result<const system_entry*>> authenticator::authenticate(const registry_view& view, const sender_info& sender) {
    digest d{};
    bool known = false;
    auto checked = precheck(view, sender, d, known);
    if (!checked || known) co_return checked;
    const system_entry* sys = *checked;
    if (stopping_.load(std::memory_order_relaxed)) co_return fail(errc::busy, "the gateway is stopping");
    if (pending_.fetch_add(1, std::memory_order_relaxed) >= max_pending_) {
        release();
        co_return fail(errc::busy, "too many password checks in progress");
    }
    const bool ok = co_await verify_on(*workers_, stopping_, *sender.password, sys->password_hash, use_task);
    release();
    if (!ok) co_return fail(errc::auth_failed);
    remember(view, *sys, d); // on this I/O thread: its own cache
    co_return sys;
}

} // namespace qaqpa::routing

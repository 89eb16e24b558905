#include "cmd/commands.hpp"

#ifdef QAQPA_TCMALLOC
#include <gperftools/malloc_extension_c.h>

#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#endif

namespace qaqpa::cmd {

#ifdef QAQPA_TCMALLOC
namespace {

/// How long freed pages may wait before they go back to the system.
constexpr std::chrono::milliseconds release_period{100};

} // namespace

struct allocator_upkeep::state {
    std::mutex mutex;
    std::condition_variable_any wake;
    std::jthread releaser;
};
#else
struct allocator_upkeep::state {};
#endif

allocator_upkeep::allocator_upkeep() {
#ifdef QAQPA_TCMALLOC
    // tcmalloc's defaults trade memory for speed: up to 32 MB in per-thread
    // caches, and freed pages kept for reuse. With them a node that drained
    // a burst held ~35 MB more than with glibc (over the 100 MB budget with a
    // million messages queued). Small caches, and freed pages returned to the
    // system every 100 ms, keep the footprint near glibc's. Returning them at
    // once instead (tcmalloc's aggressive decommit) re-faults the buffers
    // each getMessages frees and allocates again: 8 % more CPU in the drain.
    // tcmalloc's own environment variables, where set, win (and
    // TCMALLOC_AGGRESSIVE_DECOMMIT=1 restores the immediate return).
    if (!std::getenv("TCMALLOC_MAX_TOTAL_THREAD_CACHE_BYTES"))
        MallocExtension_SetNumericProperty("tcmalloc.max_total_thread_cache_bytes", 4 << 20);
    const char* decommit = std::getenv("TCMALLOC_AGGRESSIVE_DECOMMIT");
    if (decommit && std::atoi(decommit) != 0) return;
    MallocExtension_SetNumericProperty("tcmalloc.aggressive_memory_decommit", 0);
    state_ = std::make_unique<state>();
    state_->releaser = std::jthread([s = state_.get()](std::stop_token stop) {
        pthread_setname_np(pthread_self(), "qaqpa-release");
        std::unique_lock lk(s->mutex);
        for (;;) {
            s->wake.wait_for(lk, stop, release_period, [] { return false; }); // returns early when stopped
            if (stop.stop_requested()) return;
            MallocExtension_ReleaseFreeMemory();
        }
    });
#endif
}

allocator_upkeep::~allocator_upkeep() = default; // the jthread stops and joins

} // namespace qaqpa::cmd

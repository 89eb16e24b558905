#include "cmd/commands.hpp"

#ifdef QAQPA_TCMALLOC
#include <gperftools/malloc_extension_c.h>

#include <cstdlib>
#endif

namespace qaqpa::cmd {

void tune_allocator() {
#ifdef QAQPA_TCMALLOC
    // tcmalloc's defaults trade memory for speed: up to 32 MB in per-thread
    // caches, and freed pages kept for reuse. With them a node that drained
    // a burst held ~35 MB more than with glibc (over the 100 MB budget with a
    // million messages queued). Small caches and pages returned at once keep
    // the gain (~15 % in the drain) at glibc's footprint.
    // tcmalloc's own environment variables, where set, win.
    if (!std::getenv("TCMALLOC_MAX_TOTAL_THREAD_CACHE_BYTES"))
        MallocExtension_SetNumericProperty("tcmalloc.max_total_thread_cache_bytes", 4 << 20);
    if (!std::getenv("TCMALLOC_AGGRESSIVE_DECOMMIT"))
        MallocExtension_SetNumericProperty("tcmalloc.aggressive_memory_decommit", 1);
#endif
}

} // namespace qaqpa::cmd

#pragma once
// One lifecycle for the node's parts. A service starts its work in start()
// (spawning what runs in the background into a task group it owns) and ends
// it in stop(): no new work, what is under way finishes or is cancelled,
// every wait bounded, nothing polled. The node keeps its services in one
// ordered list: started in order, stopped in reverse.
//
// Thread safety: start() and stop() are called from the node's thread, never
// from an event loop (stop() blocks while the loops run).

#include <string>
#include <string_view>
#include <vector>

namespace qaqpa {

class service {
public:
    virtual ~service() = default;
    virtual std::string_view name() const noexcept = 0;
    virtual void start() = 0;
    /// Idempotent.
    virtual void stop() = 0;
};

class service_list {
public:
    /// Appends `s`: it starts after, and stops before, those added earlier.
    void add(service& s) { services_.push_back(&s); }
    void start_all();
    /// Stops every started service, last first; each once.
    void stop_all();

private:
    std::vector<service*> services_;
    std::size_t started_ = 0;
};

} // namespace qaqpa

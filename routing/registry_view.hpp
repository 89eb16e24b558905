#pragma once
// An immutable, indexed snapshot of the registry, and the holder that swaps
// snapshots when the registry changes.
//
// Thread safety: a registry_view is immutable and shared freely. The holder's
// current() is lock-free on the hot path (a per-thread cached pointer checked
// against a generation number); replace() may be called from any thread.

#include "core/registry.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace qaqpa::routing {

struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

template <class T>
using string_map = std::unordered_map<std::string, T, string_hash, std::equal_to<>>;

class registry_view {
public:
    registry_view(registry reg, std::uint64_t generation);

    const system_entry* system(std::string_view id) const noexcept;
    const service_entry* service(std::string_view id) const noexcept;
    const delivery_point* point(std::string_view id) const noexcept;
    const access_right* access(std::string_view system, std::string_view service) const noexcept;

    std::uint64_t generation() const noexcept { return generation_; }
    const registry& data() const noexcept { return reg_; }

private:
    registry reg_;
    std::uint64_t generation_;
    string_map<const system_entry*> systems_;
    string_map<const service_entry*> services_;
    string_map<const delivery_point*> points_;
    string_map<const access_right*> access_; ///< key: system + '\n' + service
};

class registry_holder {
public:
    explicit registry_holder(registry reg);

    /// The current snapshot. Cheap: no lock unless the registry changed since
    /// this thread last looked. Holding the pointer keeps the snapshot alive
    /// across suspension points.
    std::shared_ptr<const registry_view> current() const;

    /// Installs a new registry; readers see it on their next current().
    void replace(registry reg);

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const registry_view> view_;
    std::atomic<std::uint64_t> generation_;
};

} // namespace qaqpa::routing

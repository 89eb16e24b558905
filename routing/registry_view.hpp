#pragma once
// An immutable, indexed snapshot of the registry, and the holder that swaps
// snapshots when the registry changes.
//
// Thread safety: a registry_view is immutable and shared freely. The holder's
// current() is lock-free on the hot path (a per-thread cached pointer checked
// against a generation number); replace() may be called from any thread.

#include "core/outbound.hpp"
#include "core/registry.hpp"
#include "core/string_map.hpp"
#include "routing/destinations.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace qaqpa::routing {

/// What one caller's calls to one delivery point are held to: the point's
/// policy with the caller's access overrides applied, and the windows its
/// throttle and error shutdown count in (the point's own, shared by every
/// caller without an override of that key, or the caller's own).
struct call_policy {
    delivery_policy policy;
    std::string throttle_key; ///< "point", or "point\ncaller" when the caller sets its own throttle
    std::string shutdown_key; ///< the same for error shutdown
};

class registry_view {
public:
    registry_view(registry reg, std::uint64_t generation);

    const system_entry* system(std::string_view id) const noexcept;
    const service_entry* service(std::string_view id) const noexcept;
    const delivery_point* point(std::string_view id) const noexcept;
    const peer_entry* peer(std::string_view id) const noexcept;
    /// The `[[peers]]` entry of a gateway system: the one with its BIN (its
    /// way back); null when none has it.
    const peer_entry* peer_of_system(const system_entry& s) const noexcept;
    /// A gateway system's hop keys (its peer's); null for any other system,
    /// or a gateway system without a peer ([security]'s then).
    const hop_keys* hop_of(const system_entry& s) const noexcept {
        const auto* p = s.gateway ? peer_of_system(s) : nullptr;
        return p ? &p->keys : nullptr;
    }
    /// How an answer to `s` is signed: not as a hop (nullopt) for an
    /// ordinary system; for a gateway system, with its hop keys.
    std::optional<hop_keys> answer_hop(const system_entry& s) const {
        if (!s.gateway) return std::nullopt;
        const auto* keys = hop_of(s);
        return keys ? *keys : hop_keys{};
    }
    /// The peer gateway a PUSH destination forwards to: a gateway point's
    /// peer, or the way back to a gateway system; null for any other.
    const peer_entry* peer_behind(const destination& d) const noexcept;
    /// Whether `caller` is the peer gateway behind delivery point `point_id`
    /// (a chain whose REQUEST went there hears from its far party through it).
    bool speaks_for(const system_entry& caller, std::string_view point_id) const noexcept;
    const access_right* access(std::string_view system, std::string_view service) const noexcept;
    /// The policy `system`'s calls to `point` for `service` are held to;
    /// the point's own where no access right of the caller overrides it
    /// (e.g. the right was withdrawn after the message was accepted).
    /// Resolved when the snapshot is built, not per call.
    const call_policy& policy(const delivery_point& point, std::string_view system,
                              std::string_view service) const noexcept;
    /// The security mode of `service`'s delivery point for `system` (its
    /// access row may raise it); 0 for a PULL-only or unknown service. What
    /// goes to an IS's own address about a message of that service (an
    /// answer in its chain, a status notification) is signed by it.
    int security_mode(std::string_view service, std::string_view system) const noexcept;

    /// Where a point's calls go: its kind and settings, its URL parsed,
    /// resolved when the snapshot is built.
    const outbound_target& target(const delivery_point& point) const noexcept;
    /// Where PUSHes to an IS's own address go (a peer gateway's: its peer's
    /// asynchronous channel); null when it has none.
    const outbound_target* system_target(std::string_view system) const noexcept;
    /// What PUSHes on the way back to a peer gateway (gateway system
    /// `system`) are held to: its peer's concurrency; null for any other IS.
    const call_policy* way_back_policy(std::string_view system) const noexcept;

    std::uint64_t generation() const noexcept { return generation_; }
    const registry& data() const noexcept { return reg_; }

private:
    registry reg_;
    std::uint64_t generation_;
    string_map<const system_entry*> systems_;
    string_map<const service_entry*> services_;
    string_map<const delivery_point*> points_;
    struct access_entry {
        const access_right* right;
        /// Per delivery point the service may reach; only where the right
        /// overrides something.
        std::vector<std::pair<const delivery_point*, call_policy>> policies;
    };
    string_map<access_entry> access_; ///< key: system + '\n' + service
    std::unordered_map<const delivery_point*, call_policy> own_policies_;
    std::unordered_map<const delivery_point*, outbound_target> targets_;
    string_map<outbound_target> system_targets_;
    string_map<call_policy> way_back_policies_;
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

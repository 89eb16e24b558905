#include "routing/registry_view.hpp"

#include "routing/destinations.hpp"

#include <algorithm>

namespace qaqpa::routing {
namespace {

std::string access_key(std::string_view system, std::string_view service) {
    std::string key;
    key.reserve(system.size() + service.size() + 1);
    key.append(system).push_back('\n');
    key.append(service);
    return key;
}

template <class T>
const T* find(const string_map<const T*>& map, std::string_view key) noexcept {
    const auto it = map.find(key);
    return it == map.end() ? nullptr : it->second;
}

/// Generations are unique across holders so a thread's cache can never
/// mistake one holder's snapshot for another's.
std::atomic<std::uint64_t> next_generation{1};

} // namespace

registry_view::registry_view(registry reg, std::uint64_t generation)
    : reg_(std::move(reg)), generation_(generation) {
    for (const auto& s : reg_.systems) systems_.emplace(s.id, &s);
    for (const auto& s : reg_.services) services_.emplace(s.id, &s);
    for (const auto& d : reg_.delivery_points) points_.emplace(d.id, &d);
    for (const auto& d : reg_.delivery_points) own_policies_.emplace(&d, call_policy{d.policy, d.id, d.id});
    for (const auto& d : reg_.delivery_points) targets_.emplace(&d, resolve_target(d, d.peer.empty() ? nullptr : peer(d.peer)));
    for (const auto& s : reg_.systems) {
        if (const auto* p = s.gateway ? peer_of_system(s) : nullptr) {
            system_targets_.emplace(s.id, qaqpa::system_target(s, *p));
            delivery_policy way_back;
            way_back.concurrency = p->concurrency;
            way_back_policies_.emplace(s.id, call_policy{way_back, system_queue(s.id), system_queue(s.id)});
        } else if (!s.address.empty()) system_targets_.emplace(s.id, qaqpa::system_target(s));
    }
    for (const auto& a : reg_.access) {
        access_entry entry{&a, {}};
        const auto* svc = service(a.service);
        if (svc && a.overrides != policy_overrides{}) {
            std::vector<std::string_view> reach{svc->delivery_point};
            for (const auto& [route, point_id] : svc->routes) reach.push_back(point_id);
            for (const auto id : reach) {
                const auto* dp = point(id);
                if (!dp || std::any_of(entry.policies.begin(), entry.policies.end(),
                                       [dp](const auto& p) { return p.first == dp; }))
                    continue;
                call_policy p{apply(dp->policy, a.overrides), dp->id, dp->id};
                if (a.overrides.throttle) p.throttle_key.append("\n").append(a.system);
                if (a.overrides.error_shutdown) p.shutdown_key.append("\n").append(a.system);
                entry.policies.emplace_back(dp, std::move(p));
            }
        }
        access_.emplace(access_key(a.system, a.service), std::move(entry));
    }
}

const system_entry* registry_view::system(std::string_view id) const noexcept { return find(systems_, id); }

const peer_entry* registry_view::peer(std::string_view id) const noexcept {
    for (const auto& p : reg_.peers)
        if (p.id == id) return &p;
    return nullptr;
}

const peer_entry* registry_view::peer_behind(const destination& d) const noexcept {
    if (d.kind == destination_kind::point) {
        const auto* dp = point(d.id);
        return dp && !dp->peer.empty() ? peer(dp->peer) : nullptr;
    }
    const auto* s = d.kind == destination_kind::system ? system(d.id) : nullptr;
    return s && s->gateway ? peer_of_system(*s) : nullptr;
}

const peer_entry* registry_view::peer_of_system(const system_entry& s) const noexcept {
    if (s.bin.empty()) return nullptr;
    for (const auto& p : reg_.peers)
        if (p.bin == s.bin) return &p;
    return nullptr;
}

bool registry_view::speaks_for(const system_entry& caller, std::string_view point_id) const noexcept {
    const auto* dp = point_id.empty() ? nullptr : point(point_id);
    const auto* p = dp && !dp->peer.empty() ? peer(dp->peer) : nullptr;
    return caller.gateway && p && p->bin == caller.bin;
}

const service_entry* registry_view::service(std::string_view id) const noexcept { return find(services_, id); }
const delivery_point* registry_view::point(std::string_view id) const noexcept { return find(points_, id); }

const outbound_target& registry_view::target(const delivery_point& point) const noexcept {
    return targets_.at(&point); // every point of this snapshot has one
}

const call_policy* registry_view::way_back_policy(std::string_view system) const noexcept {
    const auto it = way_back_policies_.find(system);
    return it == way_back_policies_.end() ? nullptr : &it->second;
}

const outbound_target* registry_view::system_target(std::string_view system) const noexcept {
    const auto it = system_targets_.find(system);
    return it == system_targets_.end() ? nullptr : &it->second;
}

int registry_view::security_mode(std::string_view service, std::string_view system) const noexcept {
    const auto* svc = this->service(service);
    const auto* dp = svc && !svc->delivery_point.empty() ? point(svc->delivery_point) : nullptr;
    return dp ? policy(*dp, system, service).policy.security_mode : 0;
}

const access_right* registry_view::access(std::string_view system, std::string_view service) const noexcept {
    const auto it = access_.find(access_key(system, service));
    return it == access_.end() ? nullptr : it->second.right;
}

const call_policy& registry_view::policy(const delivery_point& point, std::string_view system,
                                         std::string_view service) const noexcept {
    if (const auto it = access_.find(access_key(system, service)); it != access_.end())
        for (const auto& [dp, p] : it->second.policies)
            if (dp == &point) return p;
    return own_policies_.at(&point);
}

registry_holder::registry_holder(registry reg) : generation_(0) { replace(std::move(reg)); }

std::shared_ptr<const registry_view> registry_holder::current() const {
    struct cache {
        std::uint64_t generation = 0;
        std::shared_ptr<const registry_view> view;
    };
    thread_local cache local;
    const auto gen = generation_.load(std::memory_order_acquire);
    if (local.generation != gen) {
        std::lock_guard lock(mutex_);
        local.view = view_;
        local.generation = local.view->generation();
    }
    return local.view;
}

void registry_holder::replace(registry reg) {
    const auto gen = next_generation.fetch_add(1);
    auto view = std::make_shared<const registry_view>(std::move(reg), gen);
    std::lock_guard lock(mutex_);
    view_ = std::move(view);
    generation_.store(gen, std::memory_order_release);
}

} // namespace qaqpa::routing

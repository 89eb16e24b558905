#include "storage/store.hpp"

namespace qaqpa::storage {
namespace {

/// Replaces the item with the same key, or appends it.
template <class T, class Key>
void upsert(std::vector<T>& items, const T& item, Key key) {
    for (auto& existing : items)
        if (key(existing) == key(item)) {
            existing = item;
            return;
        }
    items.push_back(item);
}

registry merge(registry live, const registry& file) {
    auto by_id = [](const auto& x) { return x.id; };
    for (const auto& s : file.systems) upsert(live.systems, s, by_id);
    for (const auto& p : file.peers) upsert(live.peers, p, by_id);
    for (const auto& d : file.delivery_points) upsert(live.delivery_points, d, by_id);
    for (const auto& s : file.services) upsert(live.services, s, by_id);
    for (const auto& a : file.access)
        upsert(live.access, a, [](const access_right& x) { return x.system + '\n' + x.service; });
    return live;
}

} // namespace

result<registry> bootstrap_registry(store& s, const registry& from_file, const std::string& source, bool reset) {
    auto live = s.load_registry();
    if (!live) return live.error();
    if (reset || !*live) {
        if (auto r = s.save_registry(from_file, source); !r) return r.error();
        return from_file;
    }
    auto previous = s.bootstrap_source();
    if (!previous) return previous.error();
    if (*previous && **previous == source) return std::move(**live);
    registry merged = merge(std::move(**live), from_file);
    if (auto r = s.save_registry(merged, source); !r) return r.error();
    return merged;
}

} // namespace qaqpa::storage

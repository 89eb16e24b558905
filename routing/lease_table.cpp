#include "routing/lease_table.hpp"

#include <algorithm>
#include <limits>

namespace qaqpa::routing {

void lease_table::restore(const std::vector<storage::lease>& leases) {
    std::lock_guard lk(mutex_);
    for (const auto& l : leases)
        if (!l.destination.empty()) {
            auto& q = queues_[l.destination];
            q.leased[l.seq] = held{l.id, l.until_ms};
            q.next_expiry = std::min(q.next_expiry, l.until_ms);
        }
}

void lease_table::expire(queue_state& q, unix_ms now) {
    if (now < q.next_expiry) return;
    q.next_expiry = std::numeric_limits<unix_ms>::max();
    for (auto it = q.leased.begin(); it != q.leased.end();) {
        if (it->second.until > now) {
            q.next_expiry = std::min(q.next_expiry, it->second.until);
            ++it;
            continue;
        }
        // Below the frontier it must come back explicitly; at or above it a
        // scan finds it anyway.
        if (it->first < q.frontier) q.returned.emplace(it->first, std::move(it->second.id));
        it = q.leased.erase(it);
    }
}

std::vector<lease_table::slot> lease_table::take_returned(const std::string& queue, unix_ms now, unix_ms until,
                                                          std::size_t max) {
    std::lock_guard lk(mutex_);
    auto& q = queues_[queue];
    expire(q, now);
    std::vector<slot> out;
    while (!q.returned.empty() && out.size() < max) {
        auto node = q.returned.extract(q.returned.begin());
        q.leased[node.key()] = held{node.mapped(), until};
        q.next_expiry = std::min(q.next_expiry, until);
        out.push_back({node.key(), std::move(node.mapped())});
    }
    return out;
}

std::uint64_t lease_table::frontier(const std::string& queue) {
    std::lock_guard lk(mutex_);
    return queues_[queue].frontier;
}

std::vector<std::size_t> lease_table::claim(const std::string& queue, const std::vector<slot>& found,
                                            std::uint64_t scanned_to, unix_ms now, unix_ms until, bool move_frontier) {
    std::lock_guard lk(mutex_);
    auto& q = queues_[queue];
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < found.size(); ++i) {
        const auto seq = found[i].seq;
        if (auto l = q.leased.find(seq); l != q.leased.end() && l->second.until > now) continue;
        // A plain scan racing another one: below the frontier means taken.
        if (move_frontier && seq < q.frontier && !q.returned.count(seq)) continue;
        q.returned.erase(seq);
        q.leased[seq] = held{found[i].id, until};
        q.next_expiry = std::min(q.next_expiry, until);
        out.push_back(i);
    }
    if (move_frontier) q.frontier = std::max(q.frontier, scanned_to + 1);
    return out;
}

void lease_table::settle(const std::string& queue, std::uint64_t seq) {
    std::lock_guard lk(mutex_);
    auto& q = queues_[queue];
    q.leased.erase(seq);
    q.returned.erase(seq);
}

void lease_table::give_back(const std::string& queue, std::uint64_t seq, std::string id) {
    std::lock_guard lk(mutex_);
    auto& q = queues_[queue];
    q.leased.erase(seq);
    if (seq < q.frontier) q.returned.emplace(seq, std::move(id));
}

std::vector<storage::lease> lease_table::records(const std::string& queue, const std::vector<slot>& claimed,
                                                 unix_ms until) {
    std::vector<storage::lease> out;
    out.reserve(claimed.size());
    for (const auto& c : claimed) out.push_back({c.id, until, queue, c.seq});
    return out;
}

} // namespace qaqpa::routing

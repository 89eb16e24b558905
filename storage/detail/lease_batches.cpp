#include "storage/detail/lease_batches.hpp"

#include "core/log.hpp"
#include "storage/detail/record_codec.hpp"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <memory>
#include <string>

namespace qaqpa::storage::detail {
namespace {

/// A message's newest lease, and the batch that holds it (0: a record of
/// the older layout, older than any batch).
struct newest_lease {
    std::uint64_t batch = 0;
    lease l;
};

struct stored_leases {
    string_map<newest_lease> newest;
    std::vector<std::uint64_t> batches;   ///< every batch record
    std::vector<std::string> single_keys; ///< records of the older layout
};

result<stored_leases> collect(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, const settled_fn& settled) {
    stored_leases out;
    auto keep = [&](std::uint64_t batch, lease l) {
        auto [it, fresh] = out.newest.try_emplace(l.id);
        if (fresh || batch >= it->second.batch) it->second = {batch, std::move(l)};
    };
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator({}, family));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        const std::string_view key(it->key().data(), it->key().size());
        const std::string_view value(it->value().data(), it->value().size());
        // A damaged record is skipped (and dropped by load()): losing a
        // lease only lets its message be offered again before it ends.
        if (const auto number = split_lease_batch_key(key)) {
            out.batches.push_back(*number);
            auto leases = decode_lease_batch(value);
            if (!leases) {
                log::warn("storage", "lease batch {} skipped: {}", *number, leases.error().detail);
                continue;
            }
            for (auto& l : *leases) keep(*number, std::move(l));
        } else {
            out.single_keys.emplace_back(key);
            auto l = decode_lease(key, value);
            if (!l) {
                log::warn("storage", "lease of {} skipped: {}", key, l.error().detail);
                continue;
            }
            keep(0, std::move(*l));
        }
    }
    if (!it->status().ok()) return fail(errc::internal, "reading the leases: " + it->status().ToString());
    erase_if(out.newest, [&](const auto& entry) { return settled(entry.first); });
    return out;
}

} // namespace

result<std::vector<lease>> lease_batches::read(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family,
                                               const settled_fn& settled) {
    auto stored = collect(db, family, settled);
    if (!stored) return stored.error();
    std::vector<lease> out;
    out.reserve(stored->newest.size());
    for (auto& [id, n] : stored->newest) out.push_back(std::move(n.l));
    return out;
}

result<void> lease_batches::load(rocksdb::DB& db, const settled_fn& settled, rocksdb::WriteBatch& tidy) {
    auto stored = collect(db, family_, settled);
    if (!stored) return stored.error();
    batches_.clear();
    where_.clear();
    std::vector<lease> singles;
    for (auto& [id, n] : stored->newest) {
        if (n.batch == 0) {
            singles.push_back(std::move(n.l));
            continue;
        }
        auto& bt = batches_[n.batch];
        where_[id] = {n.batch, bt.entries.size()};
        bt.entries.push_back(std::move(n.l));
        ++bt.live;
    }
    next_ = 1;
    for (const auto number : stored->batches) {
        next_ = std::max(next_, number + 1);
        // Rewritten with only its live leases, or deleted with none left.
        if (const auto it = batches_.find(number); it != batches_.end()) put(tidy, number, it->second);
        else tidy.Delete(family_, lease_batch_key(number));
    }
    for (const auto& key : stored->single_keys) tidy.Delete(family_, key);
    if (!singles.empty()) record(tidy, singles);
    return {};
}

void lease_batches::record(rocksdb::WriteBatch& b, const std::vector<lease>& leases) {
    std::vector<const lease*> fresh;
    fresh.reserve(leases.size());
    for (const auto& l : leases) {
        if (l.until_ms == 0) {
            release(b, l.id);
            continue;
        }
        drop(b, l.id, false); // leased again: this newer lease supersedes the one stored
        fresh.push_back(&l);
    }
    if (fresh.empty()) return;
    const auto number = next_++;
    auto& bt = batches_[number];
    bt.entries.reserve(fresh.size());
    for (const auto* l : fresh) {
        where_[l->id] = {number, bt.entries.size()};
        bt.entries.push_back(*l);
    }
    bt.live = bt.entries.size();
    put(b, number, bt);
}

void lease_batches::drop(rocksdb::WriteBatch& b, std::string_view id, bool rewrite) {
    const auto at = where_.find(id);
    if (at == where_.end()) return; // not leased (a PUSH message, or a lease already gone)
    const auto [number, position] = at->second;
    where_.erase(at);
    const auto it = batches_.find(number);
    if (it == batches_.end()) return;
    auto& bt = it->second;
    bt.entries[position].id.clear();
    if (--bt.live == 0) {
        b.Delete(family_, lease_batch_key(number));
        batches_.erase(it);
    } else if (rewrite) {
        put(b, number, bt);
    }
}

void lease_batches::put(rocksdb::WriteBatch& b, std::uint64_t number, const batch& bt) {
    if (bt.live == bt.entries.size()) {
        b.Put(family_, lease_batch_key(number), encode(bt.entries));
        return;
    }
    std::vector<lease> live;
    live.reserve(bt.live);
    for (const auto& l : bt.entries)
        if (!l.id.empty()) live.push_back(l);
    b.Put(family_, lease_batch_key(number), encode(live));
}

} // namespace qaqpa::storage::detail

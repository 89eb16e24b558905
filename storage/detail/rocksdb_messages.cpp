#include "storage/detail/rocksdb_messages.hpp"

#include "core/ids.hpp"
#include "core/log.hpp"
#include "storage/detail/committer_inbox.hpp"
#include "storage/detail/journal_reader.hpp"
#include "storage/detail/lease_batches.hpp"
#include "storage/detail/record_codec.hpp"
#include "storage/detail/rocksdb_status.hpp"
#include "storage/detail/tracking_cache.hpp"
#include "storage/detail/write_completion.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>

#include <rocksdb/db.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/write_batch.h>

#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <cstring>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <variant>

namespace qaqpa::storage::detail {
namespace {

namespace asio = boost::asio;

constexpr const char* seq_key = "queue_seq_reserved";
constexpr const char* depth_prefix = "queue_depth/";
constexpr const char* point_off_prefix = "point_off/";
/// Sequence numbers are reserved in blocks: one counter write per block,
/// and a restart continues after the last reserved block.
constexpr std::uint64_t seq_block = 1 << 16;
/// Tracking records held for leased messages: a few hundred pullers' full
/// batches, a few MB.
constexpr std::size_t tracking_cache_entries = 16384;
/// A write batch larger than this is not kept for the next group commit.
constexpr std::size_t max_kept_batch_bytes = 4 << 20;
/// Records pruned per group commit: small enough that a commit carrying
/// them is not noticeably slower for the messages in it.
constexpr std::size_t prune_chunk = 1000;

/// While writes fail, how often the committer asks RocksDB to resume.
constexpr std::chrono::seconds resume_interval{1};

class rocksdb_messages final : public messages_and_journal {
public:
    rocksdb_messages(rocksdb::DB& db, message_families f, bool sync, metrics_registry* metrics)
        : db_(db), f_(f), leases_(f.leases), chain_({f.journal, f.journal_index, f.journal_chains, f.meta, f.tracking, f.chains}) {
        write_.sync = sync;
        if (metrics) {
            commit_seconds_ = &metrics->get_histogram(
                "qaqpa_store_commit_seconds", "time of one group commit (the write and its fsync)",
                {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1});
            commit_writes_ = &metrics->get_histogram("qaqpa_store_commit_writes", "writes grouped into one commit",
                                                     {1, 2, 4, 8, 16, 32, 64, 128, 256, 512});
            commit_failures_ = &metrics->get_counter("qaqpa_store_commit_failures_total", "group commits that failed");
            journal_rows_ = &metrics->get_counter("qaqpa_journal_rows_total", "rows written to the logging journal");
            journal_pruned_ = &metrics->get_counter("qaqpa_journal_pruned_rows_total", "journal rows pruned by retention");
        }
    }

    ~rocksdb_messages() override { stop(); }

    result<void> recover() {
        std::string value;
        const auto st = db_.Get({}, f_.meta, seq_key, &value);
        if (!st.ok() && !st.IsNotFound()) return storage_failure(st, "reading the queue counter");
        if (st.ok()) {
            auto v = decode_i64(value);
            if (!v) return fail(errc::internal, "damaged queue counter");
            next_seq_ = reserved_ = static_cast<std::uint64_t>(*v);
        }
        // Queue depths are kept as counters next to the queues (written in
        // the same batches), so a restart does not read every queued message.
        std::unique_ptr<rocksdb::Iterator> counters(db_.NewIterator({}, f_.meta));
        for (counters->Seek(depth_prefix); counters->Valid() && counters->key().starts_with(depth_prefix);
             counters->Next()) {
            auto n = decode_i64(std::string_view(counters->value().data(), counters->value().size()));
            if (!n) return fail(errc::internal, "damaged queue depth counter");
            if (*n > 0) depth_[counters->key().ToString().substr(std::strlen(depth_prefix))] = static_cast<std::size_t>(*n);
        }
        if (!counters->status().ok()) return storage_failure(counters->status(), "reading the queue depths");
        if (auto r = chain_.recover(db_); !r) return r.error();
        rocksdb::WriteBatch tidy;
        if (auto r = leases_.load(db_, settled(), tidy); !r) return r.error();
        if (tidy.Count() > 0)
            if (const auto st = db_.Write(write_, &tidy); !st.ok()) return storage_failure(st, "tidying the leases");
        committer_ = std::thread([this] {
            pthread_setname_np(pthread_self(), "qaqpa-commit");
            // Nothing reads RocksDB's per-thread perf counters; counting them
            // costs a thread-local lookup per memtable key comparison (~8 % of
            // this thread's CPU in a drain).
            rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
            run();
        });
        return {};
    }

    // None of these is a coroutine: each hands its argument to the
    // committer inside the build function (GCC 12 mishandles init-captures
    // of a coroutine's own parameters).
    task<result<std::uint64_t>> accept(new_message m) override {
        auto msg = std::make_shared<new_message>(std::move(m));
        return submit<write_result>(
            [this, msg](rocksdb::WriteBatch& b, batch_state& st) {
                release_inflight(st, msg->track.destination);
                return put_new(b, st, *msg);
            },
            [this, msg]() -> std::optional<failure> { // under inbox_.mutex, in commit order
                const auto& dest = msg->track.destination;
                auto& inflight = inflight_[dest];
                if (msg->max_depth > 0 && committed_depth(dest) + inflight >= msg->max_depth)
                    return fail(errc::queue_full, "the queue for " + msg->track.recipient + " holds " +
                                                      std::to_string(msg->max_depth) + " messages");
                msg->track.seq = next_seq_++;
                ++inflight;
                return std::nullopt;
            },
            [this, msg] { // admitted: the PUSH engine may start while the batch is written
                if (msg->if_absent) return; // offered once its batch knows it is new (put_new)
                std::function<void(const new_message&)> observer;
                {
                    std::lock_guard lk(inbox_.mutex);
                    observer = inbox_.observer;
                }
                if (observer) observer(*msg);
            });
    }

    task<result<void>> change(state_change c) override {
        auto ch = std::make_shared<state_change>(std::move(c));
        return submit<result<void>>(
            [this, ch](rocksdb::WriteBatch& b, batch_state& st) { return put_change(b, st, *ch); },
            [this, ch]() -> std::optional<failure> {
                for (auto& m : ch->enqueue) m.track.seq = next_seq_++;
                return std::nullopt;
            });
    }

    task<result<void>> set_leases(std::vector<lease> leases, std::vector<journal_event> journal) override {
        return submit<result<void>>([this, leases = std::move(leases), journal = std::move(journal)](
                                        rocksdb::WriteBatch& b, batch_state& st) {
            leases_.record(b, leases);
            warm(leases, st);
            append_rows(b, st, journal);
            return write_result(0);
        });
    }

    task<result<void>> set_point_off(std::string point, bool off, std::string reason,
                                     std::vector<journal_event> journal) override {
        return submit<result<void>>([this, point = std::move(point), off, reason = std::move(reason),
                                     journal = std::move(journal)](rocksdb::WriteBatch& b, batch_state& st) {
            if (off) b.Put(f_.meta, point_off_prefix + point, reason);
            else b.Delete(f_.meta, point_off_prefix + point);
            append_rows(b, st, journal);
            return write_result(0);
        });
    }

    task<result<std::uint64_t>> redeliver(std::string id, message_status status,
                                          std::vector<journal_event> journal) override {
        auto op = std::make_shared<redelivery>(redelivery{std::move(id), std::move(status), std::move(journal), 0});
        return submit<write_result>(
            [this, op](rocksdb::WriteBatch& b, batch_state& st) { return put_redelivery(b, st, *op); },
            [this, op]() -> std::optional<failure> {
                op->seq = next_seq_++;
                return std::nullopt;
            });
    }

    task<result<std::vector<std::pair<std::string, tracking>>>> undelivered(std::string after,
                                                                           std::size_t limit) override {
        std::vector<std::pair<std::string, tracking>> out;
        std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator({}, f_.undelivered));
        for (it->Seek(after); it->Valid() && out.size() < limit; it->Next()) {
            std::string id = it->key().ToString();
            if (id == after) continue;
            auto t = track_now(id);
            if (!t) co_return t.error();
            if (!*t || (*t)->status.state != message_state::not_delivered) continue; // redelivered meanwhile
            out.emplace_back(std::move(id), std::move(**t));
        }
        if (!it->status().ok()) co_return storage_failure(it->status(), "reading the undelivered messages");
        co_return out;
    }

    // The incident journal (incident_store.hpp).
    task<result<void>> put_incident(incident i) override {
        return submit<result<void>>([this, i = std::move(i)](rocksdb::WriteBatch& b, batch_state&) -> write_result {
            auto stored = incident_now(i.id);
            if (!stored) return stored.error();
            if (*stored && (*stored)->revision >= i.revision) return write_result(0); // a later change is there
            b.Put(f_.incidents, i.id, incident_json(i));
            return write_result(0);
        });
    }

    task<result<std::optional<incident>>> find_incident(std::string id) override { co_return incident_now(id); }

    task<result<std::vector<incident>>> incidents(incident_query q) override {
        std::vector<incident> out;
        std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator({}, f_.incidents));
        for (it->Seek(q.after); it->Valid() && out.size() < q.limit; it->Next()) {
            if (it->key() == rocksdb::Slice(q.after)) continue;
            auto i = parse_incident_json(std::string_view(it->value().data(), it->value().size()));
            if (!i) co_return i.error();
            if (!q.state || i->state == *q.state) out.push_back(std::move(*i));
        }
        if (!it->status().ok()) co_return storage_failure(it->status(), "reading the incidents");
        co_return out;
    }

    // The journal (journal_store.hpp).
    void record(const journal_event& e) noexcept override { inbox_.record(e); }

    task<result<journal_page>> query(journal_query q) override {
        co_return query_journal(db_, chain_.families(), chain_.head(), q);
    }

    result<journal_head> head() override { return chain_.head(); }

    result<prune_report> prune(std::int64_t before_ms) override {
        prune_report report;
        for (;;) { // the oldest rows, a chunk per group commit
            auto rows = rows_to_prune(db_, chain_.families(), before_ms, prune_chunk);
            if (!rows) return rows.error();
            if (rows->empty()) break;
            auto doomed = std::make_shared<std::vector<journal_chain::pruned_row>>(std::move(*rows));
            auto written = write_now([this, doomed](rocksdb::WriteBatch& b, batch_state&) {
                chain_.prune(b, *doomed);
                return write_result(0);
            });
            if (!written) return written.error();
            chain_.pruned(doomed->back());
            report.rows += doomed->size();
            if (journal_pruned_) journal_pruned_->inc(doomed->size());
            if (doomed->size() < prune_chunk) break;
        }
        // Final messages and chains, found by their time-ordered ids.
        auto finals = prune_old(f_.tracking, before_ms, [](std::string_view value) {
            const auto t = decode_tracking(value);
            return t && is_final(t->status.state);
        });
        if (!finals) return finals.error();
        report.messages = *finals;
        auto chains = prune_old(f_.chains, before_ms, [](std::string_view) { return true; });
        if (!chains) return chains.error();
        report.chains = *chains;
        return report;
    }

    std::vector<std::pair<std::string, std::string>> points_off_now() {
        std::vector<std::pair<std::string, std::string>> out;
        std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator({}, f_.meta));
        for (it->Seek(point_off_prefix); it->Valid() && it->key().starts_with(point_off_prefix); it->Next())
            out.emplace_back(it->key().ToString().substr(std::strlen(point_off_prefix)), it->value().ToString());
        return out;
    }

    result<std::vector<queue_entry>> scan_now(std::string_view dest, std::uint64_t from, std::size_t limit) {
        const auto lower = queue_key(dest, from);
        const auto upper = queue_key(dest, ~std::uint64_t(0));
        rocksdb::Slice lo(lower), hi(upper);
        rocksdb::ReadOptions ro;
        ro.iterate_lower_bound = &lo;
        ro.iterate_upper_bound = &hi;
        std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator(ro, f_.queues));
        std::vector<queue_entry> out;
        for (it->Seek(lo); it->Valid() && out.size() < limit; it->Next()) {
            std::string_view d;
            std::uint64_t seq = 0;
            if (!split_queue_key(std::string_view(it->key().data(), it->key().size()), d, seq)) continue;
            auto body = decode_message(std::string_view(it->value().data(), it->value().size()));
            if (!body) return body.error();
            auto id = body->id;
            out.push_back({seq, std::move(id), std::make_shared<queued_message>(std::move(*body))});
        }
        if (!it->status().ok()) return storage_failure(it->status(), "scanning a queue");
        return out;
    }

    result<std::optional<queued_message>> body_now(std::string_view id) {
        auto t = track_now(id);
        if (!t) return t.error();
        if (!*t || is_final((*t)->status.state)) return std::optional<queued_message>{};
        return get<queued_message>(f_.queues, queue_key((*t)->destination, (*t)->seq), decode_message);
    }
    result<std::optional<queued_message>> at_now(std::string_view dest, std::uint64_t seq) {
        return get<queued_message>(f_.queues, queue_key(dest, seq), decode_message);
    }

    result<std::optional<incident>> incident_now(const std::string& id) {
        std::string value;
        const auto st = db_.Get({}, f_.incidents, id, &value);
        if (st.IsNotFound()) return std::optional<incident>{};
        if (!st.ok()) return storage_failure(st, "reading an incident");
        auto i = parse_incident_json(value);
        if (!i) return i.error();
        return std::optional<incident>(std::move(*i));
    }

    result<std::optional<tracking>> track_now(std::string_view id) {
        if (auto held = cache_.find(id)) return std::optional<tracking>(std::move(*held));
        return get<tracking>(f_.tracking, id, decode_tracking);
    }
    result<std::optional<chain>> find_chain_now(std::string_view id) {
        return get<chain>(f_.chains, id, decode_chain);
    }

    /// Every queue that holds a message, found in the queues themselves (one
    /// seek per queue), so none is missed whatever its counter says.
    std::vector<std::pair<std::string, std::size_t>> queues_now() {
        std::vector<std::pair<std::string, std::size_t>> out;
        std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator({}, f_.queues));
        for (it->SeekToFirst(); it->Valid();) {
            std::string_view dest;
            std::uint64_t seq = 0;
            if (!split_queue_key(std::string_view(it->key().data(), it->key().size()), dest, seq)) {
                it->Next();
                continue;
            }
            const std::string name(dest);
            out.emplace_back(name, depth_now(name));
            it->Seek(queue_key(name, ~std::uint64_t(0))); // past this queue (its last key is never used)
            if (it->Valid() && it->key() == rocksdb::Slice(queue_key(name, ~std::uint64_t(0)))) it->Next();
        }
        return out;
    }

    std::size_t depth_now(std::string_view dest) {
        std::lock_guard lk(depth_mutex_);
        const auto it = depth_.find(std::string(dest));
        return it == depth_.end() ? 0 : it->second;
    }

    // The reads answer inline: RocksDB serves them from its caches or a
    // local read, quicker than handing them to another thread.
    task<result<std::vector<queue_entry>>> scan(std::string_view dest, std::uint64_t from,
                                                std::size_t limit) override {
        co_return scan_now(dest, from, limit);
    }
    task<result<std::optional<queued_message>>> body(std::string_view id) override { co_return body_now(id); }
    task<result<std::optional<queued_message>>> at(std::string_view dest, std::uint64_t seq) override {
        co_return at_now(dest, seq);
    }
    task<result<std::optional<tracking>>> track(std::string_view id) override { co_return track_now(id); }
    task<result<std::optional<chain>>> find_chain(std::string_view id) override { co_return find_chain_now(id); }
    task<result<std::vector<std::pair<std::string, std::size_t>>>> queues() override { co_return queues_now(); }
    task<result<std::size_t>> depth(std::string_view dest) override { co_return depth_now(dest); }
    task<result<std::vector<lease>>> leases() override {
        co_return lease_batches::read(db_, f_.leases, settled());
    }
    task<result<std::vector<std::pair<std::string, std::string>>>> points_off() override {
        co_return points_off_now();
    }

    void set_queued_observer(std::function<void(const new_message&)> fn) override { inbox_.set_observer(std::move(fn)); }
    std::string write_problem() const override { return inbox_.current_problem(); }

    void stop() override {
        inbox_.request_stop();
        if (committer_.joinable()) committer_.join();
    }

private:
    /// What one group commit has decided so far, applied only when the
    /// batch is written.
    struct batch_state {
        std::uint64_t max_seq = 0;
        std::unordered_map<std::string, long> depth_delta;
        std::unordered_map<std::string, long> inflight_done; ///< admitted messages built into this batch
        std::set<std::string, std::less<>> finalized; ///< ids made final in this batch
        std::vector<const new_message*> validated;    ///< notifications caused by valid changes
        /// Tracking written earlier in this batch: a change may follow its
        /// message's acceptance in the same batch (the PUSH engine starts
        /// as soon as a message is admitted).
        std::unordered_map<std::string_view, const tracking*> written;
        /// For the tracking cache once the batch is written, in order: a
        /// record to hold (`warm`) or to refresh if held, or (none) to drop.
        /// Views into the batch's own writes, which live until it completes;
        /// records read to warm the cache are kept in `warmed`.
        struct cache_op {
            std::string_view id;
            const tracking* record = nullptr;
            bool warm = false;
        };
        std::vector<cache_op> cache_ops;
        std::deque<tracking> warmed;
        std::deque<tracking> redelivered; ///< tracking written by redeliveries in this batch
        std::deque<tracking> accepted;    ///< new messages' tracking, with their acceptance rows
        journal_chain::tip tip;  ///< the journal's rows appended so far
        std::int64_t now_ms = 0; ///< when the batch is built: its rows' recorded time
    };

    struct redelivery {
        std::string id;
        message_status status;
        std::vector<journal_event> journal;
        std::uint64_t seq; ///< its new position, assigned at admission
    };

    /// A NOT_DELIVERED message's body is kept (id → body) until it is
    /// redelivered or pruned.
    void park(rocksdb::WriteBatch& b, const std::string& id, const std::string& queue_entry) {
        std::string body;
        const auto st = db_.Get({}, f_.queues, queue_entry, &body);
        if (st.ok()) b.Put(f_.undelivered, id, body);
        else log::warn("storage", "{}: its body could not be kept for redelivery: {}", id, st.ToString());
    }

    write_result put_redelivery(rocksdb::WriteBatch& b, batch_state& st, redelivery& r) {
        if (st.finalized.count(r.id) || st.written.count(r.id))
            return fail(errc::conflict, "message " + r.id + " changed in this very moment; try again");
        auto current = track_now(r.id);
        if (!current) return current.error();
        if (!*current) return fail(errc::unknown_message, "no message " + r.id);
        if ((*current)->status.state != message_state::not_delivered)
            return fail(errc::conflict, "message " + r.id + " is " + std::string(to_string((*current)->status.state)) +
                                            ", not NOT_DELIVERED");
        std::string body;
        const auto got = db_.Get({}, f_.undelivered, r.id, &body);
        if (got.IsNotFound()) return fail(errc::conflict, "the body of message " + r.id + " is no longer kept");
        if (!got.ok()) return storage_failure(got, "reading an undelivered message");
        auto& t = st.redelivered.emplace_back(std::move(**current));
        t.seq = r.seq;
        t.status = std::move(r.status);
        t.attempts = 0;
        t.next_attempt_ms = 0;
        st.max_seq = std::max(st.max_seq, r.seq);
        b.Put(f_.queues, queue_key(t.destination, r.seq), body);
        b.Put(f_.tracking, r.id, encode(t));
        b.Delete(f_.undelivered, r.id);
        st.written[r.id] = &t;
        ++st.depth_delta[t.destination];
        append_rows(b, st, r.journal);
        return r.seq;
    }

    void append_rows(rocksdb::WriteBatch& b, batch_state& st, const std::vector<journal_event>& rows) {
        for (const auto& e : rows) chain_.append(b, st.tip, e, st.now_ms);
    }

    using build_fn = std::function<write_result(rocksdb::WriteBatch&, batch_state&)>;

    struct pending_write {
        build_fn build;
        executor ex; ///< where the waiting caller resumes
        write_handler done;
    };

    using admit_fn = std::function<std::optional<failure>()>;

    /// Queues a write for the committer. `admit` runs under inbox_.mutex right
    /// before the write joins the queue, so what it decides (sequence
    /// numbers, the queue bound) follows commit order; a failure completes
    /// the write at once. `admitted` runs after, outside the lock.
    template <class R>
    task<R> submit(build_fn build, admit_fn admit = {}, std::function<void()> admitted = {}) {
        return asio::async_initiate<decltype(use_task), void(R)>(
            [this](auto handler, build_fn fn, admit_fn admit, std::function<void()> admitted) {
                std::unique_lock lk(inbox_.mutex);
                std::optional<failure> refused = inbox_.refusal();
                if (!refused && admit) refused = admit();
                if (refused) {
                    lk.unlock();
                    auto ex = asio::get_associated_executor(handler);
                    asio::post(ex, [h = std::move(handler), f = std::move(*refused)]() mutable {
                        std::move(h)(R(std::move(f)));
                    });
                    return;
                }
                executor ex = asio::get_associated_executor(handler);
                inbox_.pending.push_back({std::move(fn), ex,
                                    write_handler(asio::any_completion_handler<void(R)>(std::move(handler)))});
                lk.unlock();
                inbox_.wake.notify_one();
                if (admitted) admitted();
            },
            use_task, std::move(build), std::move(admit), std::move(admitted));
    }

    /// Writes one batch through the committer and waits for it (off the
    /// event loops: maintenance).
    result<void> write_now(build_fn build) { return run_blocking(submit<result<void>>(std::move(build))); }

    /// Deletes the records of `cf` whose time-ordered keys were made before
    /// `before_ms` and that `doomed` accepts, a chunk per group commit.
    /// Records under other keys are left alone. The deletion of a tracking
    /// record checks again, in the committer, that it is final.
    result<std::uint64_t> prune_old(rocksdb::ColumnFamilyHandle* cf, std::int64_t before_ms,
                                    const std::function<bool(std::string_view)>& doomed) {
        std::uint64_t removed = 0;
        std::string from;
        for (bool more = true; more;) {
            auto keys = std::make_shared<std::vector<std::string>>();
            more = false;
            std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator({}, cf));
            for (it->Seek(from); it->Valid(); it->Next()) {
                const std::string_view key(it->key().data(), it->key().size());
                const auto made = ordered_guid_ms(key);
                if (made && *made >= before_ms) break; // time-ordered: the rest is younger
                if (!made || !doomed(std::string_view(it->value().data(), it->value().size()))) continue;
                keys->emplace_back(key);
                if (keys->size() == prune_chunk) {
                    from = keys->back() + '\0';
                    more = true;
                    break;
                }
            }
            if (!it->status().ok()) return storage_failure(it->status(), "scanning for old records");
            if (keys->empty()) break;
            const bool tracking = cf == f_.tracking;
            auto written = write_now([this, keys, cf, tracking](rocksdb::WriteBatch& b, batch_state& st) {
                for (const auto& k : *keys) {
                    if (tracking) {
                        if (st.written.count(k)) continue; // changed in this very batch
                        const auto t = track_now(k);
                        if (!t || !*t || !is_final((*t)->status.state)) continue;
                        b.Delete(f_.undelivered, k); // a body kept for redelivery goes with it
                    }
                    b.Delete(cf, k);
                }
                return write_result(0);
            });
            if (!written) return written.error();
            removed += keys->size();
        }
        return removed;
    }

    /// Whether a message is final, as stored (an unreadable record counts as
    /// not final: its lease is kept).
    settled_fn settled() {
        return [this](std::string_view id) {
            const auto t = track_now(id);
            return t && *t && is_final((*t)->status.state);
        };
    }

    /// Messages in a queue once what is written is counted (inbox_.mutex held).
    std::size_t committed_depth(const std::string& dest) {
        std::lock_guard lk(depth_mutex_);
        const auto it = depth_.find(dest);
        return it == depth_.end() ? 0 : it->second;
    }

    /// An admitted message reaches its batch: it is counted by the batch's
    /// depth change from now on (committer thread).
    void release_inflight(batch_state& st, const std::string& dest) { ++st.inflight_done[dest]; }

    write_result put_new(rocksdb::WriteBatch& b, batch_state& st, const new_message& m) {
        const auto& dest = m.track.destination;
        const auto seq = m.track.seq;
        if (m.if_absent) { // the committer is the only writer: checked here, the check holds
            if (st.written.count(m.body->id)) return fail(errc::conflict, "message " + m.body->id + " is stored");
            const auto known = track_now(m.body->id);
            if (!known) return known.error();
            if (*known) return fail(errc::conflict, "message " + m.body->id + " is stored");
            st.validated.push_back(&m);
        }
        st.max_seq = std::max(st.max_seq, seq);
        b.Put(f_.queues, queue_key(dest, seq), encode(*m.body));
        // Its acceptance's row number goes into its tracking (and a REQUEST's
        // into its chain's record) instead of into the journal's indexes.
        auto& track = st.accepted.emplace_back(m.track);
        std::optional<chain> opened = m.opens;
        for (const auto& e : m.journal) {
            const bool acceptance = e.kind == journal_event_kind::accepted && e.message_id == m.body->id;
            const bool first_in_chain = acceptance && opened && e.correlation_id == opened->correlation_id;
            const auto row = chain_.append(b, st.tip, e, st.now_ms, !acceptance, !first_in_chain);
            if (acceptance) track.journal_row = row;
            if (first_in_chain) opened->journal_row = row;
        }
        b.Put(f_.tracking, m.body->id, encode(track));
        st.written[m.body->id] = &track;
        if (opened) b.Put(f_.chains, opened->correlation_id, encode(*opened));
        ++st.depth_delta[dest];
        return seq;
    }

    write_result put_change(rocksdb::WriteBatch& b, batch_state& st, state_change& c) {
        // The committer is the only writer: checking here, against the store
        // and this batch, makes concurrent changes of one message safe.
        if (st.finalized.count(c.id)) return fail(errc::message_final, c.id);
        result<std::optional<tracking>> current = std::optional<tracking>{};
        if (auto w = st.written.find(c.id); w != st.written.end()) current = std::optional<tracking>(*w->second);
        else current = track_now(c.id); // the cache holds only what is written, so it is current here

        if (!current) return current.error();
        if (!*current) return fail(errc::unknown_message, c.id);
        if (is_final((*current)->status.state)) return fail(errc::message_final, c.id);
        if (c.track.peer_status_ms < (*current)->peer_status_ms) // a peer's late report, overtaken
            return fail(errc::conflict, "message " + c.id + " has a newer report of its peer");
        c.track.destination = (*current)->destination; // where it waits is the store's to say
        c.track.seq = (*current)->seq;
        c.track.journal_row = (*current)->journal_row;
        b.Put(f_.tracking, c.id, encode(c.track));
        st.written[c.id] = &c.track;
        if (c.dequeue) {
            const auto key = queue_key((*current)->destination, (*current)->seq);
            if (c.track.status.state == message_state::not_delivered) park(b, c.id, key);
            b.Delete(f_.queues, key);
            leases_.settle(b, c.id); // final in this write: its lease is void
            --st.depth_delta[(*current)->destination];
        } else if (c.release_lease) {
            leases_.release(b, c.id);
        }
        if (is_final(c.track.status.state)) {
            st.finalized.insert(c.id);
            st.cache_ops.push_back({c.id, nullptr, false});
        } else {
            st.cache_ops.push_back({c.id, &c.track, false});
        }
        append_rows(b, st, c.journal);
        for (const auto& m : c.enqueue) {
            put_new(b, st, m);
            st.validated.push_back(&m); // offered to the PUSH engine once validated
        }
        return write_result(0);
    }

    void run() {
        std::vector<pending_write> ops;
        std::vector<journal_event> loose;
        std::function<void(const new_message&)> batch_observer;
        for (bool failing = false; inbox_.next(ops, loose, batch_observer, failing, resume_interval);) {
            if (failing) try_resume();
            if (ops.empty() && loose.empty()) continue;
            commit(ops, loose, batch_observer);
            ops.clear();
            loose.clear();
        }
    }

    /// A write failed (a full disk, a failed fsync): RocksDB keeps refusing
    /// writes until it is resumed. New writes are refused at once with
    /// STORE_UNAVAILABLE meanwhile (nothing is acknowledged that was not
    /// written and synced), and the committer asks RocksDB to resume every
    /// resume_interval; one log line when it starts, one when it ends.
    void writes_failing(const rocksdb::Status& status) {
        std::lock_guard lk(inbox_.mutex);
        if (!inbox_.problem.empty()) return;
        failing_since_ = std::chrono::steady_clock::now();
        inbox_.problem = "the store cannot write: " + status.ToString();
        log::error("storage", "{}; new messages are refused (STORE_UNAVAILABLE) and writing is retried every {} s",
                   inbox_.problem, resume_interval.count());
    }

    void try_resume() {
        if (const auto st = db_.Resume(); !st.ok()) return;
        std::lock_guard lk(inbox_.mutex);
        const auto failed_for = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - failing_since_);
        log::info("storage", "the store writes again, after {} s; new messages are accepted", failed_for.count());
        inbox_.problem.clear();
    }

    void commit(std::vector<pending_write>& ops, std::vector<journal_event>& loose,
                const std::function<void(const new_message&)>& observer) {
        // One batch reused from commit to commit: its buffer keeps the size
        // it grew to instead of growing (and copying) again every time.
        if (batch_.GetDataSize() > max_kept_batch_bytes) batch_ = rocksdb::WriteBatch();
        else batch_.Clear();
        auto& batch = batch_;
        batch_state st;
        st.tip = chain_.begin();
        st.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
        std::vector<write_result> results;
        results.reserve(ops.size());
        for (auto& op : ops) results.push_back(op.build(batch, st));
        append_rows(batch, st, loose);
        if (observer)
            for (const auto* m : st.validated) observer(*m);
        // Every sequence written stays below the reserved mark on disk: a
        // restart continues from it.
        std::uint64_t reserved = reserved_;
        if (st.max_seq >= reserved) {
            reserved = st.max_seq + seq_block;
            batch.Put(f_.meta, seq_key, encode_i64(static_cast<std::int64_t>(reserved)));
        }
        {
            std::lock_guard dk(depth_mutex_);
            for (const auto& [dest, delta] : st.depth_delta) {
                if (delta == 0) continue;
                const auto it = depth_.find(dest);
                const long n = std::max(0L, (it == depth_.end() ? 0L : static_cast<long>(it->second)) + delta);
                if (n == 0) batch.Delete(f_.meta, depth_prefix + dest);
                else batch.Put(f_.meta, depth_prefix + dest, encode_i64(n));
            }
        }
        const auto started = std::chrono::steady_clock::now();
        // A batch of loose journal rows alone acknowledges nothing: it
        // reaches the operating system (a killed process loses none of it)
        // without waiting for an fsync.
        auto opts = write_;
        if (ops.empty()) opts.sync = false;
        const auto status = batch.Count() > 0 ? db_.Write(opts, &batch) : rocksdb::Status::OK();
        if (commit_seconds_ && batch.Count() > 0) {
            commit_seconds_->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
            commit_writes_->observe(static_cast<double>(ops.size()));
            if (!status.ok()) commit_failures_->inc();
        }
        {
            // The depth moves from "on its way" to "written" in one step.
            std::lock_guard lk(inbox_.mutex);
            std::lock_guard dk(depth_mutex_);
            for (const auto& [dest, n] : st.inflight_done) {
                auto& inflight = inflight_[dest];
                inflight = static_cast<std::size_t>(std::max(0L, static_cast<long>(inflight) - n));
                if (inflight == 0) inflight_.erase(dest);
            }
            if (status.ok()) {
                reserved_ = reserved;
                for (const auto& [dest, delta] : st.depth_delta) {
                    auto& n = depth_[dest];
                    n = static_cast<std::size_t>(std::max(0L, static_cast<long>(n) + delta));
                    if (n == 0) depth_.erase(dest);
                }
            }
        }
        if (status.ok()) {
            apply_cache_ops(st); // before anyone waiting on this batch resumes
            chain_.written(st.tip);
            if (journal_rows_) journal_rows_->inc(st.tip.rows);
        } else {
            inbox_.requeue(loose); // kept for when the store writes again
            writes_failing(status);
            for (auto& r : results)
                if (r) r = storage_failure(status, "writing a batch");
        }
        complete_writes(ops, results);
    }

    /// Leased messages are about to be confirmed: their tracking is read
    /// here in one MultiGet (time-ordered ids, so mostly the same blocks) and
    /// held once the batch is written. Committer thread.
    void warm(const std::vector<lease>& leases, batch_state& st) {
        std::vector<rocksdb::Slice> keys;
        keys.reserve(leases.size());
        for (const auto& l : leases) {
            if (l.until_ms == 0 || cache_.contains(l.id)) continue;
            if (auto w = st.written.find(l.id); w != st.written.end()) st.cache_ops.push_back({l.id, w->second, true});
            else keys.emplace_back(l.id);
        }
        if (keys.empty()) return;
        std::sort(keys.begin(), keys.end(), [](const rocksdb::Slice& a, const rocksdb::Slice& b) { return a.compare(b) < 0; });
        std::vector<rocksdb::PinnableSlice> values(keys.size());
        std::vector<rocksdb::Status> statuses(keys.size());
        db_.MultiGet({}, f_.tracking, keys.size(), keys.data(), values.data(), statuses.data(), true);
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (!statuses[i].ok()) continue; // not found or unreadable: confirm reads it itself
            auto t = decode_tracking(std::string_view(values[i].data(), values[i].size()));
            if (!t || is_final(t->status.state)) continue;
            st.warmed.push_back(std::move(*t));
            st.cache_ops.push_back({std::string_view(keys[i].data(), keys[i].size()), &st.warmed.back(), true});
        }
    }

    void apply_cache_ops(batch_state& st) {
        for (const auto& op : st.cache_ops) {
            if (!op.record) cache_.erase(op.id);
            else if (op.warm) cache_.put(op.id, *op.record);
            else cache_.update(op.id, *op.record);
        }
    }

    template <class T, class Decode>
    result<std::optional<T>> get(rocksdb::ColumnFamilyHandle* cf, std::string_view id, Decode decode) {
        std::string value;
        const auto st = db_.Get({}, cf, rocksdb::Slice(id.data(), id.size()), &value);
        if (st.IsNotFound()) return std::optional<T>{};
        if (!st.ok()) return storage_failure(st, "reading a record");
        auto v = decode(value);
        if (!v) return v.error();
        return std::optional<T>(std::move(*v));
    }

    rocksdb::DB& db_;
    message_families f_;
    rocksdb::WriteOptions write_;
    tracking_cache cache_{tracking_cache_entries};
    rocksdb::WriteBatch batch_; ///< committer thread
    lease_batches leases_; ///< committer thread (and recover(), before it starts)

    std::thread committer_;
    /// What the committer takes; its mutex also guards next_seq_, inflight_
    /// and failing_since_.
    committer_inbox<pending_write> inbox_;
    std::uint64_t next_seq_ = 1;                       ///< guarded by inbox_.mutex: assigned at admission
    std::unordered_map<std::string, std::size_t> inflight_; ///< guarded by inbox_.mutex: admitted, not yet written

    std::uint64_t reserved_ = 1; ///< owned by the committer thread
    histogram* commit_seconds_ = nullptr; ///< the probes, when a registry was given
    histogram* commit_writes_ = nullptr;
    counter* commit_failures_ = nullptr;
    counter* journal_rows_ = nullptr;
    counter* journal_pruned_ = nullptr;
    journal_chain chain_; ///< appended to by the committer thread
    std::chrono::steady_clock::time_point failing_since_; ///< guarded by inbox_.mutex

    std::mutex depth_mutex_;
    std::unordered_map<std::string, std::size_t> depth_;
};

} // namespace

result<std::unique_ptr<messages_and_journal>> open_messages(rocksdb::DB& db, message_families f, bool sync,
                                                            metrics_registry* metrics) {
    auto s = std::make_unique<rocksdb_messages>(db, f, sync, metrics);
    if (auto r = s->recover(); !r) return r.error();
    return std::unique_ptr<messages_and_journal>(std::move(s));
}

} // namespace qaqpa::storage::detail

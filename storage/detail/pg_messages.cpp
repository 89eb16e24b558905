#include "storage/detail/pg_messages.hpp"

#include "core/ids.hpp"
#include "core/journal_format.hpp"
#include "core/log.hpp"
#include "crypto/digest.hpp"
#include "storage/detail/committer_inbox.hpp"
#include "storage/detail/journal_record.hpp"
#include "storage/detail/pg_batch.hpp"
#include "storage/detail/pg_shared_state.hpp"
#include "storage/detail/record_codec.hpp"
#include "storage/detail/write_completion.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/this_coro.hpp>

#include <pthread.h>

#include <concepts>
#include <limits>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

namespace qaqpa::storage::detail {
namespace {

namespace asio = boost::asio;

constexpr auto connect_timeout = std::chrono::seconds(10);
/// How long a starting node waits for its name to be free.
constexpr auto claim_wait = std::chrono::seconds(5);
/// How long a read waits for a pooled connection.
constexpr auto read_wait = std::chrono::seconds(10);
/// A commit that takes longer has lost its server (or its standby).
constexpr auto commit_timeout = std::chrono::seconds(30);
/// While the server cannot be reached, how often the committer tries again.
constexpr auto resume_interval = std::chrono::seconds(1);
/// Rows read per round trip by journal queries and pruning.
constexpr std::size_t journal_chunk = 1000;
/// Queue positions a node takes at a time (the sequence's increment).
constexpr std::uint64_t seq_block = 65536;
/// How old a queue's depth as read may get before a bound is checked against it again.
constexpr auto depth_refresh = std::chrono::seconds(1);

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::uint64_t to_u64(std::string_view text) { return std::stoull(std::string(text)); }
std::int64_t to_i64(std::string_view text) { return std::stoll(std::string(text)); }

/// A bytea column decoded by `decode` (record_codec).
template <class T, class Decode>
result<T> decoded(std::string_view column, Decode decode) {
    auto bytes = pg_bytea(column);
    if (!bytes) return fail(errc::internal, "postgresql: a stored record is not bytea");
    return decode(*bytes);
}

/// When a record keyed by `id` was made, for pruning: the time of the
/// gateway's own time-ordered ids; never for other ids (they are left alone).
std::int64_t made_ms(std::string_view id) {
    return ordered_guid_ms(id).value_or(std::numeric_limits<std::int64_t>::max());
}

/// The SQLSTATE of an insert whose key is there already.
constexpr std::string_view unique_violation = "23505";

/// A commit's wait for the synchronous standby was cancelled: the
/// transaction committed here but may not have reached the standby.
bool replication_unconfirmed(const std::vector<std::string>& warnings) {
    for (const auto& w : warnings)
        if (w.find("synchronous replication") != std::string::npos) return true;
    return false;
}

class pg_messages final : public messages_and_journal {
public:
    pg_messages(pg_pool& reads, pg_messages_settings s)
        : reads_(reads), s_(std::move(s)), q_("\"" + s_.schema + "\""), shared_(reads, s_.schema, s_.node) {
        if (s_.metrics) {
            commit_seconds_ = &s_.metrics->get_histogram(
                "qaqpa_store_commit_seconds", "time of one group commit (the write and its fsync)",
                {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1});
            commit_writes_ = &s_.metrics->get_histogram("qaqpa_store_commit_writes", "writes grouped into one commit",
                                                        {1, 2, 4, 8, 16, 32, 64, 128, 256, 512});
            commit_failures_ = &s_.metrics->get_counter("qaqpa_store_commit_failures_total", "group commits that failed");
            journal_rows_ = &s_.metrics->get_counter("qaqpa_journal_rows_total", "rows written to the logging journal");
            journal_pruned_ = &s_.metrics->get_counter("qaqpa_journal_pruned_rows_total", "journal rows pruned by retention");
        }
    }

    ~pg_messages() override { stop(); }

    result<void> start() {
        if (auto c = run_blocking(connect()); !c) return c.error();
        committer_ = std::thread([this] {
            pthread_setname_np(pthread_self(), "qaqpa-commit");
            run();
        });
        return {};
    }

    // The writes: each waits for the commit that carries it.
    task<result<std::uint64_t>> accept(new_message m) override {
        return submit<write_result>(accept_op{std::make_shared<new_message>(std::move(m))});
    }
    task<result<void>> change(state_change c) override {
        return submit<result<void>>(change_op{std::make_shared<state_change>(std::move(c))});
    }
    task<result<void>> set_leases(std::vector<lease> leases, std::vector<journal_event> journal) override {
        return submit<result<void>>(leases_op{std::move(leases), std::move(journal)});
    }
    task<result<void>> set_point_off(std::string point, bool off, std::string reason,
                                     std::vector<journal_event> journal) override {
        return submit<result<void>>(point_op{std::move(point), off, std::move(reason), std::move(journal)});
    }
    task<result<std::uint64_t>> redeliver(std::string id, message_status status,
                                          std::vector<journal_event> journal) override {
        return submit<write_result>(redeliver_op{std::move(id), std::move(status), std::move(journal)});
    }
    task<result<void>> put_incident(incident i) override { return submit<result<void>>(incident_op{std::move(i)}); }

    void record(const journal_event& e) noexcept override { inbox_.record(e); }

    shared_state* shared() override { return &shared_; }

    // The reads, on the caller's loop over the pool.
    task<result<std::vector<queue_entry>>> scan(std::string_view dest, std::uint64_t from,
                                                std::size_t limit) override {
        auto rows = co_await read("SELECT seq, id, body FROM " + q_ + ".queue WHERE destination = $1 AND seq >= $2"
                                  " ORDER BY seq LIMIT $3",
                                  pg_params(std::string(dest), std::to_string(from), std::to_string(limit)));
        if (!rows) co_return rows.error();
        std::vector<queue_entry> out;
        for (std::size_t i = 0; i < rows->size(); ++i) {
            auto body = decoded<queued_message>(rows->text(i, 2), decode_message);
            if (!body) co_return body.error();
            out.push_back({to_u64(rows->text(i, 0)), std::string(rows->text(i, 1)),
                           std::make_shared<queued_message>(std::move(*body))});
        }
        co_return out;
    }

    task<result<std::optional<queued_message>>> body(std::string_view id) override {
        auto t = co_await track(id);
        if (!t) co_return t.error();
        if (!*t || is_final((*t)->status.state)) co_return std::optional<queued_message>{};
        co_return co_await at((*t)->destination, (*t)->seq);
    }

    task<result<std::optional<queued_message>>> at(std::string_view dest, std::uint64_t seq) override {
        co_return co_await one<queued_message>("SELECT body FROM " + q_ + ".queue WHERE destination = $1 AND seq = $2",
                                               pg_params(std::string(dest), std::to_string(seq)), decode_message);
    }
    task<result<std::optional<tracking>>> track(std::string_view id) override {
        co_return co_await one<tracking>("SELECT tracking FROM " + q_ + ".messages WHERE id = $1", pg_params(std::string(id)),
                                         decode_tracking);
    }
    task<result<std::optional<chain>>> find_chain(std::string_view id) override {
        co_return co_await one<chain>("SELECT record FROM " + q_ + ".chains WHERE correlation_id = $1",
                                      pg_params(std::string(id)), decode_chain);
    }

    /// Counted in the queues themselves, so none is missed whatever a depth row says.
    task<result<std::vector<std::pair<std::string, std::size_t>>>> queues() override {
        auto rows = co_await read("SELECT destination, count(*) FROM " + q_ +
                                  ".queue GROUP BY destination ORDER BY destination", {});
        if (!rows) co_return rows.error();
        std::vector<std::pair<std::string, std::size_t>> out;
        for (std::size_t i = 0; i < rows->size(); ++i)
            out.emplace_back(std::string(rows->text(i, 0)), to_u64(rows->text(i, 1)));
        co_return out;
    }

    task<result<std::size_t>> depth(std::string_view dest) override {
        auto rows = co_await read(depth_sql(), pg_params(std::string(dest)));
        if (!rows) co_return rows.error();
        co_return static_cast<std::size_t>(to_u64(rows->text(0, 0)));
    }

    /// The queued entries' leases (an entry leaves its queue as its message becomes final).
    task<result<std::vector<lease>>> leases() override {
        auto rows = co_await read("SELECT id, leased_until, destination, seq FROM " + q_ +
                                  ".queue WHERE leased_until > 0 ORDER BY id", {});
        if (!rows) co_return rows.error();
        std::vector<lease> out;
        for (std::size_t i = 0; i < rows->size(); ++i)
            out.push_back({std::string(rows->text(i, 0)), to_i64(rows->text(i, 1)), std::string(rows->text(i, 2)),
                           to_u64(rows->text(i, 3))});
        co_return out;
    }

    task<result<std::vector<std::pair<std::string, std::string>>>> points_off() override {
        auto rows = co_await read("SELECT point, reason FROM " + q_ + ".points_off ORDER BY point", {});
        if (!rows) co_return rows.error();
        std::vector<std::pair<std::string, std::string>> out;
        for (std::size_t i = 0; i < rows->size(); ++i)
            out.emplace_back(std::string(rows->text(i, 0)), std::string(rows->text(i, 1)));
        co_return out;
    }

    task<result<std::vector<std::pair<std::string, tracking>>>> undelivered(std::string after,
                                                                           std::size_t limit) override {
        auto rows = co_await read("SELECT u.id, m.tracking FROM " + q_ + ".undelivered AS u JOIN " + q_ +
                                  ".messages AS m ON m.id = u.id WHERE u.id > $1 ORDER BY u.id LIMIT $2",
                                  pg_params(after, std::to_string(limit)));
        if (!rows) co_return rows.error();
        std::vector<std::pair<std::string, tracking>> out;
        for (std::size_t i = 0; i < rows->size(); ++i) {
            auto t = decoded<tracking>(rows->text(i, 1), decode_tracking);
            if (!t) co_return t.error();
            if (t->status.state != message_state::not_delivered) continue; // redelivered meanwhile
            out.emplace_back(std::string(rows->text(i, 0)), std::move(*t));
        }
        co_return out;
    }

    task<result<std::optional<incident>>> find_incident(std::string id) override {
        auto rows = co_await read("SELECT record FROM " + q_ + ".incidents WHERE id = $1", pg_params(id));
        if (!rows) co_return rows.error();
        if (rows->size() == 0) co_return std::optional<incident>{};
        auto i = parse_incident_json(rows->text(0, 0));
        if (!i) co_return i.error();
        co_return std::optional<incident>(std::move(*i));
    }

    task<result<std::vector<incident>>> incidents(incident_query q) override {
        // Built before the co_await: GCC 12 mishandles a conditional's temporaries inside one.
        pg_param state;
        if (q.state) state = to_string(*q.state);
        auto params = pg_params(q.after, std::move(state), std::to_string(q.limit));
        auto rows = co_await read("SELECT record FROM " + q_ + ".incidents WHERE id > $1 AND ($2::text IS NULL OR state = $2)"
                                  " ORDER BY id LIMIT $3", std::move(params));
        if (!rows) co_return rows.error();
        std::vector<incident> out;
        for (std::size_t i = 0; i < rows->size(); ++i) {
            auto one = parse_incident_json(rows->text(i, 0));
            if (!one) co_return one.error();
            out.push_back(std::move(*one));
        }
        co_return out;
    }

    task<result<journal_page>> query(journal_query q) override {
        journal_page page;
        std::size_t examined = 0;
        auto filter = q;
        std::string where = "node = $1 AND number > $2";
        std::vector<pg_param> params{s_.node, std::string()};
        if (!q.message_id.empty()) {
            where += " AND message_id = $3";
            params.emplace_back(q.message_id);
        } else if (!q.correlation_id.empty()) { // a chain's messages' rows, whatever each carries
            where += " AND (correlation_id = $3 OR message_id IN (SELECT message_id FROM " + q_ +
                     ".journal WHERE correlation_id = $3 AND message_id <> ''))";
            params.emplace_back(q.correlation_id);
            filter.correlation_id.clear();
        } else {
            where += " AND recorded_ms >= $3 AND recorded_ms < $4";
            params.emplace_back(std::to_string(q.from_ms));
            params.emplace_back(std::to_string(q.to_ms));
        }
        const auto sql = "SELECT number, record FROM " + q_ + ".journal WHERE " + where + " ORDER BY number LIMIT " +
                         std::to_string(journal_chunk);
        for (auto after = q.after;;) {
            params[1] = std::to_string(after);
            auto rows = co_await read(sql, params);
            if (!rows) co_return rows.error();
            for (std::size_t i = 0; i < rows->size(); ++i) {
                after = to_u64(rows->text(i, 0));
                auto row = decoded<journal_row>(rows->text(i, 1), decode_stored_row);
                if (!row) co_return fail(errc::internal, "journal row " + std::to_string(after) + " is damaged");
                ++examined;
                if (matches(filter, *row)) page.rows.push_back(std::move(*row));
                if (page.rows.size() >= q.limit || examined >= q.examine_budget) {
                    page.next = after;
                    co_return page;
                }
            }
            if (rows->size() < journal_chunk) co_return page;
        }
    }

    result<journal_head> head() override {
        std::lock_guard lk(head_mutex_);
        return head_;
    }

    result<prune_report> prune(std::int64_t before_ms) override { return run_blocking(prune_all(before_ms)); }

    void set_queued_observer(std::function<void(const new_message&)> fn) override { inbox_.set_observer(std::move(fn)); }
    std::string write_problem() const override { return inbox_.current_problem(); }

    void stop() override {
        inbox_.request_stop();
        if (committer_.joinable()) committer_.join();
    }

private:
    struct accept_op {
        std::shared_ptr<new_message> m;
    };
    struct change_op {
        std::shared_ptr<state_change> c;
    };
    struct leases_op {
        std::vector<lease> leases;
        std::vector<journal_event> journal;
    };
    struct point_op {
        std::string point;
        bool off = false;
        std::string reason;
        std::vector<journal_event> journal;
    };
    struct redeliver_op {
        std::string id;
        message_status status;
        std::vector<journal_event> journal;
    };
    struct incident_op {
        incident i;
    };
    /// A write's answer, decided (the commit goes on whatever it is).
    struct decided {
        /// Only from a write_result: result<decided> must not be constructible from a failure.
        template <class T>
            requires std::same_as<std::decay_t<T>, write_result>
        decided(T&& a) : answer(std::forward<T>(a)) {}
        write_result answer;
    };
    using write_op = std::variant<accept_op, change_op, leases_op, point_op, redeliver_op, incident_op>;

    struct pending_write {
        write_op what;
        executor ex; ///< where the waiting caller resumes
        write_handler done;
    };


    /// What the commit's transaction read: the stored rows its writes touch.
    struct stored_rows {
        std::unordered_map<std::string, tracking> tracks;
        std::unordered_map<std::string, std::string> undelivered_bodies;
    };

    /// One commit being decided: the rows to write and what it knows so far.
    struct commit_state {
        pg_batch batch;
        stored_rows stored;
        std::unordered_map<std::string, tracking> written; ///< tracking as this commit leaves it
        std::set<std::string> finalized;
        std::vector<const new_message*> offered; ///< to the PUSH engine once committed
        chain_position tip;
        std::string canonical; ///< one buffer for every row's canonical bytes
        std::uint64_t rows = 0;
        std::int64_t now_ms = 0;
        bool committed = false; ///< on this server, though the commit failed (not replicated)
        std::string sqlstate;   ///< why the server refused it, when it did
    };

    template <class R>
    task<R> submit(write_op op) {
        return asio::async_initiate<decltype(use_task), void(R)>(
            [this](auto handler, write_op op) {
                std::unique_lock lk(inbox_.mutex);
                if (auto refused = inbox_.refusal()) {
                    lk.unlock();
                    auto ex = asio::get_associated_executor(handler);
                    asio::post(ex, [h = std::move(handler), f = std::move(*refused)]() mutable {
                        std::move(h)(R(std::move(f)));
                    });
                    return;
                }
                executor ex = asio::get_associated_executor(handler);
                inbox_.pending.push_back(
                    {std::move(op), ex, write_handler(asio::any_completion_handler<void(R)>(std::move(handler)))});
                lk.unlock();
                inbox_.wake.notify_one();
            },
            use_task, std::move(op));
    }

    task<result<pg_rows>> read(std::string sql, std::vector<pg_param> params) {
        auto lease = co_await reads_.acquire(read_wait);
        if (!lease) co_return lease.error();
        co_return co_await (*lease)->exec_prepared(std::move(sql), std::move(params));
    }

    template <class T, class Decode>
    task<result<std::optional<T>>> one(std::string sql, std::vector<pg_param> params, Decode decode) {
        auto rows = co_await read(std::move(sql), std::move(params));
        if (!rows) co_return rows.error();
        if (rows->size() == 0) co_return std::optional<T>{};
        auto v = decoded<T>(rows->text(0, 0), decode);
        if (!v) co_return v.error();
        co_return std::optional<T>(std::move(*v));
    }

    /// The committer's connection: opened, the node's name claimed, the
    /// chain's tip read (committer thread, or start()).
    task<result<void>> connect() {
        conn_.reset();
        auto c = co_await pg_connection::open(s_.dsn, connect_timeout);
        if (!c) co_return c.error();
        // A restarted node's previous session may take a moment to end on the server.
        const auto claim_until = std::chrono::steady_clock::now() + claim_wait;
        for (;;) {
            auto claimed = co_await (*c)->exec("SELECT pg_try_advisory_lock(hashtext($1))",
                                               pg_params("qaqpa.node." + s_.schema + "." + s_.node));
            if (!claimed) co_return claimed.error();
            if (claimed->text(0, 0) == "t") break;
            if (std::chrono::steady_clock::now() >= claim_until)
                co_return fail(errc::bad_config, "node.name: another running node is named \"" + s_.node +
                                                     "\" on postgresql schema " + s_.schema + "; give each node its own");
            timer pause(co_await asio::this_coro::executor);
            pause.expires_after(std::chrono::milliseconds(100));
            co_await pause.async_wait(use_task);
        }
        auto anchored = co_await (*c)->exec("INSERT INTO " + q_ + ".journal_anchors (node, pruned_through, pruned_hash)"
                                            " VALUES ($1, 0, $2) ON CONFLICT (node) DO NOTHING",
                                            pg_params(s_.node, journal_genesis_hash()));
        if (!anchored) co_return anchored.error();
        auto anchor = co_await (*c)->exec("SELECT pruned_through, pruned_hash FROM " + q_ +
                                          ".journal_anchors WHERE node = $1", pg_params(s_.node));
        if (!anchor) co_return anchor.error();
        auto last = co_await (*c)->exec("SELECT record FROM " + q_ +
                                        ".journal WHERE node = $1 ORDER BY number DESC LIMIT 1", pg_params(s_.node));
        if (!last) co_return last.error();
        journal_head h;
        chain_position tip;
        h.pruned_through = h.last = to_u64(anchor->text(0, 0));
        h.pruned_hash = h.last_hash = std::string(anchor->text(0, 1));
        if (h.pruned_through == 0) h.pruned_hash.clear();
        if (last->size() > 0) {
            auto row = decoded<journal_row>(last->text(0, 0), decode_stored_row);
            if (!row) co_return fail(errc::internal, "the journal's last row is damaged: " + row.error().detail);
            h.last = row->number;
            h.last_hash = row->hash;
            tip.last_ms = row->recorded_ms;
        }
        tip.last = h.last;
        tip.last_hash = h.last_hash;
        tip.last_digest = crypto::digest_from_hex(h.last_hash);
        {
            std::lock_guard lk(head_mutex_);
            head_ = std::move(h);
        }
        tip_ = std::move(tip);
        conn_ = std::move(*c);
        co_return result<void>{};
    }

    void run() {
        std::vector<pending_write> ops;
        std::vector<journal_event> loose;
        std::function<void(const new_message&)> observer;
        for (bool failing = false; inbox_.next(ops, loose, observer, failing, resume_interval);) {
            if (failing) try_resume();
            if (ops.empty() && loose.empty()) continue;
            commit(ops, loose, observer);
            ops.clear();
            loose.clear();
        }
    }

    void try_resume() {
        if (auto c = run_blocking(connect()); !c) return;
        std::lock_guard lk(inbox_.mutex);
        log::info("storage", "postgresql answers again; new messages are accepted");
        inbox_.problem.clear();
    }

    void commit(std::vector<pending_write>& ops, std::vector<journal_event>& loose,
                const std::function<void(const new_message&)>& observer) {
        std::vector<write_result> results(ops.size(), write_result(0));
        commit_state st;
        const auto started = std::chrono::steady_clock::now();
        auto done = run_blocking(write(ops, loose, results, st));
        if (commit_seconds_) {
            commit_seconds_->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
            commit_writes_->observe(static_cast<double>(ops.size()));
            if (!done) commit_failures_->inc();
        }
        if (done || st.committed) {
            tip_ = st.tip;
            if (st.rows > 0) {
                std::lock_guard lk(head_mutex_);
                head_.last = st.tip.last;
                head_.last_hash = st.tip.last_hash;
            }
            if (journal_rows_) journal_rows_->inc(st.rows);
        }
        if (done) {
            for (const auto& [dest, delta] : st.batch.depth_delta)
                if (auto known = depths_.find(dest); known != depths_.end()) known->second.depth += delta;
            if (observer)
                for (const auto* m : st.offered) observer(*m);
            complete_writes(ops, results);
            return;
        }
        if (st.committed) { // written here, not known to be replicated: its writers are told to retry
            log::warn("storage", "{}", done.error().detail);
            for (auto& r : results)
                if (r) r = failure(done.error());
            complete_writes(ops, results);
            return;
        }
        // Nothing of the commit is known to be written (a lost connection
        // may have committed it: its writers are told to retry, which the
        // gateway's answers allow).
        const bool lost = !conn_ || conn_->broken();
        if (lost) conn_.reset(); // the tip is read again on reconnecting
        inbox_.requeue(loose);
        if (!lost && ops.size() > 1) { // one write the server refuses must not fail its neighbours
            for (auto& op : ops) {
                std::vector<pending_write> alone;
                alone.push_back(std::move(op));
                std::vector<journal_event> none;
                commit(alone, none, observer);
            }
            return;
        }
        if (lost) {
            std::lock_guard lk(inbox_.mutex);
            if (inbox_.problem.empty()) {
                inbox_.problem = "the store cannot write: " + done.error().detail;
                log::error("storage", "{}; new messages are refused (STORE_UNAVAILABLE) and postgresql is tried again "
                                      "every {} s", inbox_.problem, resume_interval.count());
            }
        }
        // A new message whose id is stored already: a sender's retry of one
        // this store took (async_gateway makes such ids repeatable).
        const auto* a = ops.size() == 1 && !lost ? std::get_if<accept_op>(&ops.front().what) : nullptr;
        const bool stored_before = a && st.sqlstate == unique_violation;
        if (!lost && !stored_before) log::error("storage", "a commit failed: {}", done.error().detail);
        for (auto& r : results)
            if (r) r = stored_before ? fail(errc::conflict, "message " + a->m->body->id + " is stored")
                                     : failure(done.error());
        complete_writes(ops, results);
    }

    /// Decides every write of the commit and writes what they decided, in
    /// one transaction; `results` gets each write's answer.
    task<result<void>> write(std::vector<pending_write>& ops, std::vector<journal_event>& loose,
                             std::vector<write_result>& results, commit_state& st) {
        if (!conn_ || conn_->broken()) {
            auto c = co_await connect();
            if (!c) co_return c.error();
        }
        auto done = co_await write_on(*conn_, ops, loose, results, st);
        if (!done) st.sqlstate = conn_->last_sqlstate();
        if (!done && !conn_->broken()) co_await conn_->exec("ROLLBACK"); // a warning outside a transaction
        co_return done;
    }

    task<result<void>> write_on(pg_connection& c, std::vector<pending_write>& ops, std::vector<journal_event>& loose,
                                std::vector<write_result>& results, commit_state& st) {
        st.tip = tip_;
        st.now_ms = now_ms();
        const bool reads = needs_reads(ops);
        if (reads) {
            if (auto b = co_await c.exec("BEGIN"); !b) co_return b.error();
            if (auto r = co_await read_stored(c, ops, st.stored); !r) co_return r.error();
        }
        for (std::size_t i = 0; i < ops.size(); ++i) {
            auto r = co_await decide(c, ops[i].what, st);
            if (!r) co_return r.error();
            results[i] = std::move(r->answer);
        }
        append_rows(st, loose);
        auto statement = st.batch.statement(q_, s_.node);
        if (!statement.sql.empty()) {
            auto w = co_await c.exec_prepared(std::move(statement.sql), std::move(statement.params), commit_timeout,
                                              std::move(statement.binary));
            if (!w) co_return w.error();
        }
        if (reads)
            if (auto e = co_await c.exec("COMMIT", {}, commit_timeout); !e) co_return e.error();
        if (replication_unconfirmed(c.take_warnings())) {
            st.committed = true; // here, at least: the chain's tip moves on
            co_return fail(errc::store_unavailable,
                           "the commit's wait for the synchronous standby was cancelled: it is not known to be replicated");
        }
        co_return result<void>{};
    }

    static bool needs_reads(const std::vector<pending_write>& ops) {
        for (const auto& op : ops) {
            if (const auto* a = std::get_if<accept_op>(&op.what)) {
                if (a->m->if_absent) return true;
            } else if (std::holds_alternative<change_op>(op.what) || std::holds_alternative<redeliver_op>(op.what)) {
                return true;
            }
        }
        return false;
    }

    /// Reads (and locks) the stored rows the commit's writes decide on.
    task<result<void>> read_stored(pg_connection& c, const std::vector<pending_write>& ops, stored_rows& out) {
        std::set<std::string> ids, bodies;
        for (const auto& op : ops) {
            if (const auto* a = std::get_if<accept_op>(&op.what)) {
                if (a->m->if_absent) ids.insert(a->m->body->id);
            } else if (const auto* ch = std::get_if<change_op>(&op.what)) {
                ids.insert(ch->c->id);
            } else if (const auto* r = std::get_if<redeliver_op>(&op.what)) {
                ids.insert(r->id);
                bodies.insert(r->id);
            }
        }
        // In key order, so two nodes locking the same rows never deadlock.
        if (!ids.empty()) {
            auto rows = co_await c.exec_prepared("SELECT id, tracking FROM " + q_ + ".messages WHERE id = ANY($1::text[])"
                                        " ORDER BY id FOR UPDATE",
                                        pg_params(pg_text_array(std::vector<std::string>(ids.begin(), ids.end()))));
            if (!rows) co_return rows.error();
            for (std::size_t i = 0; i < rows->size(); ++i) {
                auto t = decoded<tracking>(rows->text(i, 1), decode_tracking);
                if (!t) co_return t.error();
                out.tracks.emplace(std::string(rows->text(i, 0)), std::move(*t));
            }
        }
        if (!bodies.empty()) {
            auto rows = co_await c.exec_prepared("SELECT id, body FROM " + q_ + ".undelivered WHERE id = ANY($1::text[])",
                                        pg_params(pg_text_array(std::vector<std::string>(bodies.begin(), bodies.end()))));
            if (!rows) co_return rows.error();
            for (std::size_t i = 0; i < rows->size(); ++i) {
                auto b = pg_bytea(rows->text(i, 1));
                if (!b) co_return fail(errc::internal, "postgresql: a stored body is not bytea");
                out.undelivered_bodies.emplace(std::string(rows->text(i, 0)), std::move(*b));
            }
        }
        co_return result<void>{};
    }

    /// A queue's depth as last read from the store (every node's messages),
    /// read again when older than depth_refresh, plus what this node's
    /// commits added since. A bound is then checked without a read or a
    /// lock per commit: exact for one node; with several, each node sees
    /// the others' messages up to depth_refresh late.
    task<result<long>> known_depth(pg_connection& c, const std::string& dest) {
        const auto now = std::chrono::steady_clock::now();
        auto& known = depths_[dest];
        if (known.read_at == std::chrono::steady_clock::time_point{} || now - known.read_at > depth_refresh) {
            auto rows = co_await c.exec_prepared(depth_sql(), pg_params(dest));
            if (!rows) co_return rows.error();
            known.depth = to_i64(rows->text(0, 0));
            known.read_at = now;
        }
        co_return known.depth;
    }

    /// A queue's depth: its writers' rows summed.
    std::string depth_sql() const {
        return "SELECT greatest(coalesce(sum(depth), 0), 0) FROM " + q_ + ".queue_depths WHERE destination = $1";
    }

    /// A queue position from the node's block, taking a new block when it is used up.
    task<result<std::uint64_t>> take_seq(pg_connection& c) {
        if (next_seq_ >= block_end_) {
            auto rows = co_await c.exec("SELECT nextval('" + q_ + ".queue_blocks')");
            if (!rows) co_return rows.error();
            next_seq_ = to_u64(rows->text(0, 0));
            block_end_ = next_seq_ + seq_block;
        }
        co_return next_seq_++;
    }

    task<result<decided>> decide(pg_connection& c, write_op& op, commit_state& st) {
        if (auto* a = std::get_if<accept_op>(&op)) co_return co_await decide_accept(c, *a->m, st);
        if (auto* ch = std::get_if<change_op>(&op)) co_return co_await decide_change(c, *ch->c, st);
        if (auto* r = std::get_if<redeliver_op>(&op)) co_return co_await decide_redelivery(c, *r, st);
        if (auto* l = std::get_if<leases_op>(&op)) {
            for (const auto& one : l->leases) {
                st.batch.leases[{one.destination, one.seq}] = one.until_ms;
            }
            append_rows(st, l->journal);
        } else if (auto* p = std::get_if<point_op>(&op)) {
            if (p->off) st.batch.points[p->point] = p->reason;
            else st.batch.points[p->point] = std::nullopt;
            append_rows(st, p->journal);
        } else if (auto* i = std::get_if<incident_op>(&op)) {
            auto [at, fresh] = st.batch.incidents.try_emplace(i->i.id, i->i);
            if (!fresh && at->second.revision < i->i.revision) at->second = i->i;
        }
        co_return decided{write_result(0)};
    }

    /// The message's tracking as this commit sees it: written in it, or stored.
    const tracking* current(const commit_state& st, const std::string& id) const {
        if (auto w = st.written.find(id); w != st.written.end()) return &w->second;
        if (auto s = st.stored.tracks.find(id); s != st.stored.tracks.end()) return &s->second;
        return nullptr;
    }

    /// Writes a message's tracking: into its insert when this commit stores it.
    static void put_tracking(commit_state& st, const std::string& id, const tracking& t) {
        auto& row = st.batch.inserted.count(id) ? st.batch.inserted[id] : st.batch.updated[id];
        row.tracking = encode(t);
        row.final = is_final(t.status.state);
        st.written[id] = t;
    }

    task<result<decided>> decide_accept(pg_connection& c, new_message& m, commit_state& st) {
        const auto& id = m.body->id;
        const auto& dest = m.track.destination;
        if (m.if_absent && current(st, id)) co_return decided{write_result(fail(errc::conflict, "message " + id + " is stored"))};
        if (m.max_depth > 0) {
            auto known = co_await known_depth(c, dest);
            if (!known) co_return known.error();
            if (*known + st.batch.depth_delta[dest] >= static_cast<long>(m.max_depth))
                co_return decided{write_result(fail(errc::queue_full, "the queue for " + m.track.recipient + " holds " +
                                                                   std::to_string(m.max_depth) + " messages"))};
        }
        auto seq = co_await take_seq(c);
        if (!seq) co_return seq.error();
        m.track.seq = *seq;
        put_new(st, m);
        st.offered.push_back(&m);
        co_return decided{write_result(*seq)};
    }

    /// Stores a new message (its sequence assigned) with its journal rows.
    void put_new(commit_state& st, new_message& m) {
        const auto& id = m.body->id;
        std::optional<chain> opened = m.opens;
        for (const auto& e : m.journal) {
            const auto row = append_row(st, e);
            const bool acceptance = e.kind == journal_event_kind::accepted && e.message_id == id;
            if (acceptance) m.track.journal_row = row;
            if (acceptance && opened && e.correlation_id == opened->correlation_id) opened->journal_row = row;
        }
        st.batch.inserted[id].made_ms = made_ms(id);
        put_tracking(st, id, m.track);
        st.batch.queue_in[{m.track.destination, m.track.seq}] = {id, encode(*m.body)};
        ++st.batch.depth_delta[m.track.destination];
        if (opened) st.batch.chains[opened->correlation_id] = {encode(*opened), made_ms(opened->correlation_id)};
    }

    task<result<decided>> decide_change(pg_connection& c, state_change& ch, commit_state& st) {
        if (st.finalized.count(ch.id)) co_return decided{write_result(fail(errc::message_final, ch.id))};
        const tracking* now = current(st, ch.id);
        if (!now) co_return decided{write_result(fail(errc::unknown_message, ch.id))};
        if (is_final(now->status.state)) co_return decided{write_result(fail(errc::message_final, ch.id))};
        if (ch.track.peer_status_ms < now->peer_status_ms) // a peer's late report, overtaken
            co_return decided{write_result(fail(errc::conflict, "message " + ch.id + " has a newer report of its peer"))};
        ch.track.destination = now->destination; // where it waits is the store's to say
        ch.track.seq = now->seq;
        ch.track.journal_row = now->journal_row;
        const pg_batch::position at{now->destination, now->seq};
        put_tracking(st, ch.id, ch.track);
        if (ch.dequeue) {
            st.batch.dequeue(at, ch.id, ch.track.status.state == message_state::not_delivered);
            st.batch.leases.erase(at); // gone with its entry
            --st.batch.depth_delta[at.first];
        } else if (ch.release_lease) {
            st.batch.leases[at] = 0;
        }
        if (is_final(ch.track.status.state)) st.finalized.insert(ch.id);
        append_rows(st, ch.journal);
        for (auto& m : ch.enqueue) {
            auto seq = co_await take_seq(c);
            if (!seq) co_return seq.error();
            m.track.seq = *seq;
            put_new(st, m);
            st.offered.push_back(&m);
        }
        co_return decided{write_result(0)};
    }

    task<result<decided>> decide_redelivery(pg_connection& c, redeliver_op& r, commit_state& st) {
        if (st.finalized.count(r.id) || st.written.count(r.id))
            co_return decided{write_result(fail(errc::conflict, "message " + r.id + " changed in this very moment; try again"))};
        const auto stored = st.stored.tracks.find(r.id);
        if (stored == st.stored.tracks.end()) co_return decided{write_result(fail(errc::unknown_message, "no message " + r.id))};
        if (stored->second.status.state != message_state::not_delivered)
            co_return decided{write_result(fail(errc::conflict, "message " + r.id + " is " +
                                                            std::string(to_string(stored->second.status.state)) +
                                                            ", not NOT_DELIVERED"))};
        const auto body = st.stored.undelivered_bodies.find(r.id);
        if (body == st.stored.undelivered_bodies.end())
            co_return decided{write_result(fail(errc::conflict, "the body of message " + r.id + " is no longer kept"))};
        auto seq = co_await take_seq(c);
        if (!seq) co_return seq.error();
        auto t = stored->second;
        t.seq = *seq;
        t.status = r.status; // kept: a failed commit decides it again
        t.attempts = 0;
        t.next_attempt_ms = 0;
        put_tracking(st, r.id, t);
        st.batch.queue_in[{t.destination, *seq}] = {r.id, body->second};
        st.batch.undelivered_out.insert(r.id);
        ++st.batch.depth_delta[t.destination];
        append_rows(st, r.journal);
        co_return decided{write_result(*seq)};
    }

    std::uint64_t append_row(commit_state& st, const journal_event& e) {
        auto row = st.tip.next(st.canonical, e, st.now_ms);
        st.batch.journal.push_back({row.number, row.recorded_ms, e.message_id, e.correlation_id, std::move(row.record)});
        ++st.rows;
        return row.number;
    }

    void append_rows(commit_state& st, const std::vector<journal_event>& rows) {
        for (const auto& e : rows) append_row(st, e);
    }

    /// Every node's chain older than `before_ms`, then final messages and
    /// chains accepted before it, a chunk per statement.
    task<result<prune_report>> prune_all(std::int64_t before_ms) {
        prune_report report;
        auto nodes = co_await read("SELECT node FROM " + q_ + ".journal_anchors ORDER BY node", {});
        if (!nodes) co_return nodes.error();
        for (std::size_t i = 0; i < nodes->size(); ++i) {
            auto n = co_await prune_chain(std::string(nodes->text(i, 0)), before_ms);
            if (!n) co_return n.error();
            report.rows += *n;
        }
        if (journal_pruned_) journal_pruned_->inc(report.rows);
        // A message redelivered meanwhile is no longer final: the deletion
        // checks again, on the row it deletes.
        auto messages = co_await delete_chunks(before_ms, "WITH doomed AS (SELECT id FROM " + q_ + ".messages WHERE final AND made_ms < $1"
                                         " LIMIT " + std::to_string(journal_chunk) + "), bodies AS (DELETE FROM " + q_ +
                                         ".undelivered WHERE id IN (SELECT id FROM doomed)) DELETE FROM " + q_ +
                                         ".messages WHERE id IN (SELECT id FROM doomed) AND final AND made_ms < $1");
        if (!messages) co_return messages.error();
        report.messages = *messages;
        auto chains = co_await delete_chunks(before_ms, "DELETE FROM " + q_ + ".chains WHERE correlation_id IN (SELECT correlation_id FROM " +
                                       q_ + ".chains WHERE made_ms < $1 LIMIT " + std::to_string(journal_chunk) + ")");
        if (!chains) co_return chains.error();
        report.chains = *chains;
        co_return report;
    }

    /// Runs a deletion of at most journal_chunk rows ($1: before_ms) until it deletes fewer.
    task<result<std::uint64_t>> delete_chunks(std::int64_t before_ms, std::string sql) {
        std::uint64_t removed = 0;
        const std::vector<pg_param> params{std::to_string(before_ms)};
        for (;;) {
            auto r = co_await read(sql, params);
            if (!r) co_return r.error();
            removed += r->affected();
            if (r->affected() < journal_chunk) co_return removed;
        }
    }

    /// Removes a node's rows recorded before `before_ms`, keeping the last
    /// one's number and hash as the chain's anchor.
    task<result<std::uint64_t>> prune_chain(std::string node, std::int64_t before_ms) {
        std::uint64_t removed = 0;
        for (;;) {
            auto rows = co_await read("SELECT number, record FROM " + q_ + ".journal WHERE node = $1 AND recorded_ms < $2"
                                      " ORDER BY number LIMIT " + std::to_string(journal_chunk),
                                      pg_params(node, std::to_string(before_ms)));
            if (!rows) co_return rows.error();
            if (rows->size() == 0) co_return removed;
            // Rows are recorded in time order: the chunk is the chain's oldest.
            auto last = decoded<journal_row>(rows->text(rows->size() - 1, 1), decode_stored_row);
            if (!last) co_return last.error();
            auto gone = co_await read("WITH gone AS (DELETE FROM " + q_ + ".journal WHERE node = $1 AND number <= $2)"
                                      " UPDATE " + q_ + ".journal_anchors SET pruned_through = $2, pruned_hash = $3"
                                      " WHERE node = $1",
                                      pg_params(node, std::to_string(last->number), last->hash));
            if (!gone) co_return gone.error();
            removed += rows->size();
            if (node == s_.node) {
                std::lock_guard lk(head_mutex_);
                head_.pruned_through = last->number;
                head_.pruned_hash = last->hash;
            }
            if (rows->size() < journal_chunk) co_return removed;
        }
    }

    pg_pool& reads_;
    const pg_messages_settings s_;
    const std::string q_; ///< the schema, quoted
    pg_shared_state shared_;

    // The committer thread's own.
    std::unique_ptr<pg_connection> conn_;
    chain_position tip_;
    std::uint64_t next_seq_ = 0;
    std::uint64_t block_end_ = 0;
    struct depth_seen {
        long depth = 0;
        std::chrono::steady_clock::time_point read_at{};
    };
    std::unordered_map<std::string, depth_seen> depths_; ///< known_depth()

    committer_inbox<pending_write> inbox_;
    mutable std::mutex head_mutex_;
    journal_head head_;
    std::thread committer_;

    histogram* commit_seconds_ = nullptr;
    histogram* commit_writes_ = nullptr;
    counter* commit_failures_ = nullptr;
    counter* journal_rows_ = nullptr;
    counter* journal_pruned_ = nullptr;
};

} // namespace

result<std::unique_ptr<messages_and_journal>> open_pg_messages(pg_pool& reads, pg_messages_settings s) {
    auto m = std::make_unique<pg_messages>(reads, std::move(s));
    if (auto r = m->start(); !r) return r.error();
    return std::unique_ptr<messages_and_journal>(std::move(m));
}

} // namespace qaqpa::storage::detail

#include "storage/detail/pg_connection.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/this_coro.hpp>
#include <libpq-fe.h>

#include <regex>
#include <utility>

namespace qaqpa::storage::detail {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using descriptor = asio::posix::basic_stream_descriptor<executor>;

pg_rows::pg_rows(::pg_result* r) : r_(r, PQclear) {}
std::size_t pg_rows::size() const { return r_ ? static_cast<std::size_t>(PQntuples(r_.get())) : 0; }
std::size_t pg_rows::columns() const { return r_ ? static_cast<std::size_t>(PQnfields(r_.get())) : 0; }
bool pg_rows::is_null(std::size_t row, std::size_t column) const {
    return PQgetisnull(r_.get(), static_cast<int>(row), static_cast<int>(column)) != 0;
}
std::string_view pg_rows::text(std::size_t row, std::size_t column) const {
    const auto r = static_cast<int>(row), c = static_cast<int>(column);
    return {PQgetvalue(r_.get(), r, c), static_cast<std::size_t>(PQgetlength(r_.get(), r, c))};
}
std::size_t pg_rows::affected() const {
    const char* n = r_ ? PQcmdTuples(r_.get()) : "";
    return *n ? std::stoul(n) : 0;
}

bool pg_retryable(std::string_view s) {
    // 40001 serialization failure, 40P01 deadlock, class 08 connection
    // exceptions, 53 insufficient resources, 57P01-57P03 shutting down.
    return s == "40001" || s == "40P01" || s.starts_with("08") || s.starts_with("53") || s == "57P01" ||
           s == "57P02" || s == "57P03";
}

std::string dsn_for_messages(std::string_view dsn) {
    static const std::regex keyword(R"((password\s*=\s*)('([^'\\]|\\.)*'|\S+))", std::regex::icase);
    static const std::regex uri(R"((postgres(ql)?://[^:/@]*:)[^@]*@)", std::regex::icase);
    auto out = std::regex_replace(std::string(dsn), keyword, "$1***");
    return std::regex_replace(out, uri, "$1***@");
}

std::optional<std::string> pg_bytea(std::string_view text) {
    if (!text.starts_with("\\x") || text.size() % 2 != 0) return std::nullopt;
    const auto nibble = [](char ch) -> int {
        if (ch >= '0' && ch <= '9') return ch - '0';
        if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
        if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(text.size() / 2 - 1);
    for (std::size_t i = 2; i < text.size(); i += 2) {
        const int hi = nibble(text[i]), lo = nibble(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

std::string pg_text_array(const std::vector<std::string>& items) {
    std::string out = "{";
    for (const auto& item : items) {
        if (out.size() > 1) out += ',';
        out += '"';
        for (char ch : item) {
            if (ch == '"' || ch == '\\') out += '\\';
            out += ch;
        }
        out += '"';
    }
    return out + "}";
}

namespace {

std::string message_of(const ::pg_conn* c) {
    std::string m = c ? PQerrorMessage(c) : "out of memory";
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return m;
}

/// Waits until `fd` is ready, or `deadline`: false on the deadline.
task<bool> ready(descriptor& d, bool for_write, std::chrono::steady_clock::time_point deadline) {
    timer t(co_await asio::this_coro::executor);
    t.expires_at(deadline);
    auto which = co_await (d.async_wait(for_write ? descriptor::wait_write : descriptor::wait_read, use_task) ||
                           t.async_wait(use_task));
    co_return which.index() == 0;
}

/// libpq's parallel arrays for a statement's parameters (views into them).
struct param_arrays {
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
    param_arrays(const std::vector<pg_param>& params, const std::vector<bool>& binary) {
        values.reserve(params.size());
        for (std::size_t i = 0; i < params.size(); ++i) {
            const auto& p = params[i];
            values.push_back(p ? p->data() : nullptr);
            lengths.push_back(p ? static_cast<int>(p->size()) : 0);
            formats.push_back(i < binary.size() && binary[i] ? 1 : 0);
        }
    }
    int count() const { return static_cast<int>(values.size()); }
};

/// Statements a connection keeps prepared; beyond it, others run unprepared.
constexpr std::size_t max_prepared = 64;

/// A descriptor over libpq's socket that never closes it (libpq owns it).
struct borrowed_fd {
    descriptor d;
    borrowed_fd(const executor& ex, int fd) : d(ex, fd) {}
    ~borrowed_fd() { d.release(); }
};

} // namespace

task<result<std::unique_ptr<pg_connection>>> pg_connection::open(std::string dsn, std::chrono::milliseconds timeout) {
    const auto ex = co_await asio::this_coro::executor;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const auto where = dsn_for_messages(dsn);
    std::unique_ptr<::pg_conn, void (*)(::pg_conn*)> c(PQconnectStart(dsn.c_str()), PQfinish);
    if (!c || PQstatus(c.get()) == CONNECTION_BAD)
        co_return fail(errc::store_unavailable, "postgresql (" + where + "): " + message_of(c.get()));
    // PQconnectPoll's socket may change from one step to the next (another host, SSL retry).
    for (auto step = PGRES_POLLING_WRITING; step != PGRES_POLLING_OK;) {
        if (step == PGRES_POLLING_FAILED)
            co_return fail(errc::store_unavailable, "postgresql (" + where + "): " + message_of(c.get()));
        borrowed_fd fd(ex, PQsocket(c.get()));
        bool in_time = false;
        try {
            in_time = co_await ready(fd.d, step == PGRES_POLLING_WRITING, deadline);
        } catch (const boost::system::system_error& e) {
            co_return fail(errc::store_unavailable, "postgresql (" + where + "): " + e.what());
        }
        if (!in_time)
            co_return fail(errc::store_unavailable, "postgresql (" + where + "): no connection within " +
                                                        std::to_string(timeout.count()) + " ms");
        step = PQconnectPoll(c.get());
    }
    if (PQsetnonblocking(c.get(), 1) != 0)
        co_return fail(errc::store_unavailable, "postgresql (" + where + "): " + message_of(c.get()));
    co_return std::unique_ptr<pg_connection>(new pg_connection(c.release()));
}

pg_connection::pg_connection(::pg_conn* c) : conn_(c), fd_(PQsocket(c)) {
    // Notices ("already exists, skipping") are chatter, not the node's log;
    // warnings are kept for the caller (a commit's wait for a standby cancelled).
    PQsetNoticeReceiver(
        conn_,
        [](void* self, const ::pg_result* r) {
            const char* severity = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
            if (!severity || std::string_view(severity) != "WARNING") return;
            std::string m = PQresultErrorMessage(r);
            while (!m.empty() && m.back() == '\n') m.pop_back();
            static_cast<pg_connection*>(self)->warnings_.push_back(std::move(m));
        },
        this);
}

std::vector<std::string> pg_connection::take_warnings() { return std::exchange(warnings_, {}); }
pg_connection::~pg_connection() { PQfinish(conn_); }

bool pg_connection::broken() const { return broken_ || PQstatus(conn_) != CONNECTION_OK; }

failure pg_connection::lost(std::string what) {
    broken_ = true;
    return fail(errc::store_unavailable, "postgresql: " + what);
}

task<result<bool>> pg_connection::wait(bool for_write, std::chrono::steady_clock::time_point deadline,
                                       bool break_on_deadline) {
    borrowed_fd fd(co_await asio::this_coro::executor, fd_);
    try {
        if (co_await ready(fd.d, for_write, deadline)) co_return true;
    } catch (const boost::system::system_error& e) {
        co_return lost(e.what());
    }
    if (break_on_deadline) co_return lost("no answer in time");
    co_return false;
}

std::vector<pg_notification> pg_connection::take_notifications() {
    std::vector<pg_notification> out;
    while (PGnotify* n = PQnotifies(conn_)) {
        out.push_back({n->relname, n->extra});
        PQfreemem(n);
    }
    return out;
}

task<result<std::vector<pg_notification>>> pg_connection::notifications(std::chrono::milliseconds timeout) {
    if (broken()) co_return lost("the connection was lost");
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (!PQconsumeInput(conn_)) co_return lost(message_of(conn_));
        if (auto got = take_notifications(); !got.empty()) co_return got;
        auto w = co_await wait(false, deadline, false);
        if (!w) co_return w.error();
        if (!*w) co_return std::vector<pg_notification>{};
    }
}

task<result<pg_rows>> pg_connection::exec(std::string sql, std::vector<pg_param> params,
                                          std::chrono::milliseconds timeout, std::vector<bool> binary) {
    sqlstate_.clear();
    if (broken()) co_return lost("the connection was lost");
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (params.empty()) {
        if (!PQsendQuery(conn_, sql.c_str())) co_return lost(message_of(conn_));
    } else {
        const param_arrays a(params, binary);
        if (!PQsendQueryParams(conn_, sql.c_str(), a.count(), nullptr, a.values.data(), a.lengths.data(),
                               a.formats.data(), 0))
            co_return lost(message_of(conn_));
    }
    co_return co_await finish(deadline);
}

task<result<pg_rows>> pg_connection::exec_prepared(std::string sql, std::vector<pg_param> params,
                                                   std::chrono::milliseconds timeout, std::vector<bool> binary) {
    sqlstate_.clear();
    if (broken()) co_return lost("the connection was lost");
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto known = prepared_.find(sql);
    if (known == prepared_.end()) {
        if (prepared_.size() >= max_prepared) co_return co_await exec(std::move(sql), std::move(params), timeout,
                                                                     std::move(binary));
        auto name = "q" + std::to_string(prepared_.size() + 1);
        if (!PQsendPrepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(params.size()), nullptr))
            co_return lost(message_of(conn_));
        if (auto made = co_await finish(deadline); !made) co_return made.error();
        known = prepared_.emplace(std::move(sql), std::move(name)).first;
    }
    const param_arrays a(params, binary);
    if (!PQsendQueryPrepared(conn_, known->second.c_str(), a.count(), a.values.data(), a.lengths.data(),
                             a.formats.data(), 0))
        co_return lost(message_of(conn_));
    co_return co_await finish(deadline);
}

task<result<pg_rows>> pg_connection::finish(std::chrono::steady_clock::time_point deadline) {
    // Send everything (reading meanwhile, so the server never blocks on us), then read to the end.
    for (int left; (left = PQflush(conn_)) != 0;) {
        if (left < 0) co_return lost(message_of(conn_));
        if (auto w = co_await wait(true, deadline); !w) co_return w.error();
        if (!PQconsumeInput(conn_)) co_return lost(message_of(conn_));
    }
    pg_rows last;
    std::optional<failure> error;
    for (;;) {
        while (PQisBusy(conn_)) {
            if (auto w = co_await wait(false, deadline); !w) co_return w.error();
            if (!PQconsumeInput(conn_)) co_return lost(message_of(conn_));
        }
        ::pg_result* r = PQgetResult(conn_);
        if (!r) break;
        pg_rows rows(r);
        const auto status = PQresultStatus(r);
        if (status == PGRES_FATAL_ERROR && !error) {
            const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
            sqlstate_ = state ? state : "";
            std::string m = PQresultErrorMessage(r);
            while (!m.empty() && m.back() == '\n') m.pop_back();
            error = fail(pg_retryable(sqlstate_) ? errc::store_unavailable : errc::internal,
                         "postgresql " + sqlstate_ + ": " + m);
        } else if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
            last = std::move(rows);
    }
    if (error) co_return *error;
    co_return last;
}

} // namespace qaqpa::storage::detail
